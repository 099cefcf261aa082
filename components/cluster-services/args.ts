/**
 * The cluster-services layer's arguments: what the {@link ClusterServices} component takes, its
 * defaults and the checks on them (thrown before any resource is registered).
 */
import * as pulumi from "@pulumi/pulumi";
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
    /**
     * What happens to an EBS volume when its PVC is deleted.
     * @default "Retain"
     */
    readonly storageReclaimPolicy?: "Delete" | "Retain";
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
     * @default false
     */
    readonly loadBalancerController?: boolean;
    /**
     * VPC of the cluster. Required when `loadBalancerController` is true: the controller normally
     * reads it from IMDS, which pods cannot reach with the hop limit of 1 (checklist NG-02).
     * @default - none
     */
    readonly vpcId?: pulumi.Input<string>;
}

/** {@link ClusterServicesArgs} with defaults applied. */
export type ResolvedClusterServicesArgs = Required<Omit<ClusterServicesArgs, "volumeKmsKeyArn" | "vpcId">>
    & Pick<ClusterServicesArgs, "volumeKmsKeyArn" | "vpcId">
    & { readonly autoscalerImage: string };

/** Applies defaults and validates. */
export function resolveClusterServicesArgs(args: ClusterServicesArgs): ResolvedClusterServicesArgs {
    const autoscalerImage = IMAGES.clusterAutoscaler[args.kubernetesVersion];
    if (autoscalerImage === undefined) {
        throw new Error(`kubernetesVersion (${args.kubernetesVersion}) has no pinned cluster-autoscaler image; known: ${Object.keys(IMAGES.clusterAutoscaler).join(", ")}`);
    }
    const minutes = args.scaleDownUnneededMinutes ?? 10;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 120) {
        throw new Error(`scaleDownUnneededMinutes (${minutes}) must be a whole number from 1 to 120`);
    }
    const loadBalancerController = args.loadBalancerController ?? false;
    if (loadBalancerController && args.vpcId === undefined) {
        // Without it the controller asks IMDS, which the hop limit of 1 blocks, and crash-loops.
        throw new Error("vpcId (undefined) must be set when loadBalancerController is true: the controller cannot read it from IMDS (hop limit 1)");
    }
    if (typeof args.vpcId === "string" && !/^vpc-[0-9a-f]{8,17}$/.test(args.vpcId)) {
        throw new Error(`vpcId (${args.vpcId}) must be a VPC ID such as vpc-0123456789abcdef0`);
    }
    return {
        ...args,
        storageReclaimPolicy: args.storageReclaimPolicy ?? "Retain",
        scaleDownUnneededMinutes: minutes,
        loadBalancerController,
        autoscalerImage,
    };
}
