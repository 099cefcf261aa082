/**
 * The cluster-services layer's arguments: what the {@link ClusterServices} component takes. Its
 * config-facing values (reclaim policy, Kubernetes version) are the cluster settings' (settings.ts
 * there owns their defaults and rules); only the autoscaler's timing is this component's own.
 */
import * as pulumi from "@pulumi/pulumi";
import { GpuTotal } from "../shared/gpu";
import { IMAGES } from "../shared/versions";

/** Arguments of {@link ClusterServices}. */
export interface ClusterServicesArgs {
    /** EKS cluster name. */
    readonly clusterName: pulumi.Input<string>;
    /** AWS region (the autoscaler is told it: IMDS is one hop away from pods, so it cannot ask). */
    readonly region: string;
    /** Kubernetes minor version; picks the autoscaler image whose minor matches. */
    readonly kubernetesVersion: string;
    /** The Pod Identity agent add-on, which the autoscaler's association needs first. */
    readonly podIdentityAgent: pulumi.Resource;
    /** What happens to an EBS volume when its PVC is deleted (cluster settings `storageReclaimPolicy`). */
    readonly storageReclaimPolicy: "Delete" | "Retain";
    /**
     * KMS key for PersistentVolumes.
     * @default - the account's AWS-managed `aws/ebs` key
     */
    readonly volumeKmsKeyArn?: pulumi.Input<string>;
    /**
     * Minutes a node must be unneeded before the autoscaler removes it. GPU nodes cost dollars an
     * hour, so keep this short.
     * @default 10
     */
    readonly scaleDownUnneededMinutes?: number;
    /**
     * Install the AWS Load Balancer Controller, which turns Ingresses of class `alb` into ALBs and
     * deletes them again when the Ingress goes (production exposes JupyterHub and MLflow this way).
     */
    readonly loadBalancerController: boolean;
    /**
     * VPC of the cluster, which the load-balancer controller is told: it normally reads it from
     * IMDS, which pods cannot reach with the hop limit of 1 (checklist NG-02).
     */
    readonly vpcId: pulumi.Input<string>;
    /**
     * The GPU type and the most GPUs the cluster may run (the cluster's `gpuTotal`): the autoscaler
     * stops adding GPU nodes at that many GPUs in total, over every per-AZ GPU group.
     */
    readonly gpuTotal: GpuTotal;
    /**
     * The most nodes the cluster may run, CPU and GPU together (the cluster's `maxNodesTotal`): the
     * autoscaler adds no node beyond it, over every per-AZ group.
     */
    readonly maxNodesTotal: number;
}

/** {@link ClusterServicesArgs} with defaults applied and the autoscaler image chosen. */
export type ResolvedClusterServicesArgs = ClusterServicesArgs & { readonly scaleDownUnneededMinutes: number; readonly autoscalerImage: string };

/**
 * Applies the component's own default and checks the arguments no config key carries; the
 * Kubernetes version (and so the autoscaler image) is cluster settings' `kubernetesVersion`.
 */
export function resolveClusterServicesArgs(args: ClusterServicesArgs): ResolvedClusterServicesArgs {
    const autoscalerImage = IMAGES.clusterAutoscaler[args.kubernetesVersion];
    if (autoscalerImage === undefined) {
        throw new Error(`ClusterServices: kubernetesVersion (${args.kubernetesVersion}) is not one the cluster settings accept (components/cluster/settings.ts)`);
    }
    const minutes = args.scaleDownUnneededMinutes ?? 10;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 120) {
        throw new Error(`scaleDownUnneededMinutes (${minutes}) must be a whole number from 1 to 120`);
    }
    if (typeof args.vpcId === "string" && !/^vpc-[0-9a-f]{8,17}$/.test(args.vpcId)) {
        throw new Error(`vpcId (${args.vpcId}) must be a VPC ID such as vpc-0123456789abcdef0`);
    }
    if (!/^[a-z0-9][a-z0-9.-]*$/.test(args.gpuTotal.accelerator) || !Number.isInteger(args.gpuTotal.maxGpus) || args.gpuTotal.maxGpus < 0) {
        throw new Error(`gpuTotal (${JSON.stringify(args.gpuTotal)}) must name a GPU type like nvidia-a10g and a whole number of GPUs >= 0 (the cluster's gpuTotal)`);
    }
    if (!Number.isInteger(args.maxNodesTotal) || args.maxNodesTotal < 1) {
        throw new Error(`maxNodesTotal (${args.maxNodesTotal}) must be a whole number of nodes >= 1 (the cluster's maxNodesTotal: cpuMaxSize + gpuMaxSize)`);
    }
    return { ...args, scaleDownUnneededMinutes: minutes, autoscalerImage };
}
