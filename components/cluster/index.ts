/**
 * The cluster layer: the EKS control plane (control-plane.ts), admin access entries (access.ts),
 * pinned managed add-ons (addons.ts) and the per-AZ CPU and GPU managed node groups (node-group.ts).
 */
import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import { adminAccess } from "./access";
import { nodeAddons, workloadAddons } from "./addons";
import { ClusterArgs, resolveClusterArgs } from "./args";
import { controlPlane } from "./control-plane";
import { GpuTotal } from "../shared/gpu";
import { nodeGroups } from "./node-group";

export { principalKey } from "./access";
export { ClusterArgs, NodeGroupSpec, ResolvedClusterArgs, resolveClusterArgs } from "./args";
export { CPU_AMI_TYPE, GPU_AMI_TYPE, GPU_ROOT_THROUGHPUT_MIBPS, gpuNodeUserData, NODE_ROLE_POLICIES, perAzGroupSizes, ScalingConfig } from "./node-group";

/**
 * An EKS cluster with API authentication, KMS-encrypted secrets, a declared control-plane log
 * group, one CPU and one GPU managed node group per AZ on hardened launch templates, and pinned managed add-ons in the order the nodes need them.
 *
 * @see https://docs.aws.amazon.com/eks/latest/best-practices/security.html
 */
export class Cluster extends pulumi.ComponentResource {
    /** EKS cluster name. */
    public readonly clusterName: pulumi.Output<string>;
    /** Kubeconfig JSON (a secret: it names the cluster endpoint and CA). */
    public readonly kubeconfigJson: pulumi.Output<string>;
    /** The EKS-managed cluster security group every node carries. */
    public readonly clusterSecurityGroupId: pulumi.Output<string>;
    /** The platform's node security group: the source databases admit. */
    public readonly nodeSecurityGroupId: pulumi.Output<string>;
    /** ARN of the platform KMS key (secrets envelope encryption, logs, volumes). */
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** Names of the CPU node groups' Auto Scaling groups, one group per AZ, in private-subnet order. */
    public readonly cpuAutoScalingGroupNames: pulumi.Output<string>[];
    /** Names of the GPU node groups' Auto Scaling groups, one group per AZ, in private-subnet order. */
    public readonly gpuAutoScalingGroupNames: pulumi.Output<string>[];
    /**
     * The GPU model the GPU nodes carry (their `k8s.amazonaws.com/accelerator` label) and the most
     * GPUs the cluster may run at once: `gpuNodeGroup.maxSize` nodes in total, whichever AZs they
     * land in. The cluster autoscaler's `--gpu-total` takes it (cluster-services/autoscaler.ts).
     */
    public readonly gpuTotal: GpuTotal;
    /**
     * The most nodes the cluster may run at once, over every per-AZ group of both pools:
     * `cpuNodeGroup.maxSize + gpuNodeGroup.maxSize`. The cluster autoscaler's `--max-nodes-total`
     * takes it (cluster-services/autoscaler.ts): each per-AZ group may grow to its pool's maximum alone.
     */
    public readonly maxNodesTotal: number;
    /** The Pod Identity agent add-on; associations for workloads wait for it. */
    public readonly podIdentityAgent: aws.eks.Addon;
    /**
     * What a Kubernetes workload needs before it can run: every CPU node group (one per AZ), DNS and
     * the EBS CSI driver. The Kubernetes provider depends on these, so every object waits for them on
     * create and is deleted before any of them on destroy (a PVC's volume is released while the
     * driver still runs, and a pod is gone before the nodes of any AZ go).
     */
    public readonly workloadPrerequisites: pulumi.Resource[];

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:Cluster", name, {}, opts);
        const a = resolveClusterArgs(args);

        const { key, cluster, clusterName } = controlPlane(name, a, args, this);
        adminAccess(name, clusterName, a.adminPrincipalArns, this);
        const addons = nodeAddons(name, clusterName, a.addonVersions, this);
        const nodes = nodeGroups(name, a, {
            clusterName,
            clusterSecurityGroupId: cluster.clusterSecurityGroupId,
            vpcId: args.vpcId,
            privateSubnetIds: args.privateSubnetIds,
        }, this);
        const { coredns, ebsCsi } = workloadAddons(name, clusterName, a.addonVersions, addons, key.arn, this);

        this.clusterName = clusterName;
        this.kubeconfigJson = pulumi.secret(cluster.kubeconfigJson);
        this.clusterSecurityGroupId = cluster.clusterSecurityGroupId;
        this.nodeSecurityGroupId = nodes.nodeSecurityGroup.id;
        this.kmsKeyArn = key.arn;
        this.cpuAutoScalingGroupNames = nodes.cpuAutoScalingGroupNames;
        this.gpuAutoScalingGroupNames = nodes.gpuAutoScalingGroupNames;
        this.gpuTotal = { accelerator: a.gpuAccelerator, maxGpus: a.gpuNodeGroup.maxSize * a.gpusPerNode };
        this.maxNodesTotal = a.cpuNodeGroup.maxSize + a.gpuNodeGroup.maxSize;
        this.podIdentityAgent = addons.podIdentityAgent;
        this.workloadPrerequisites = [...nodes.cpu, coredns, ebsCsi];
        this.registerOutputs({
            clusterName: this.clusterName,
            kubeconfigJson: this.kubeconfigJson,
            nodeSecurityGroupId: this.nodeSecurityGroupId,
            kmsKeyArn: this.kmsKeyArn,
        });
    }
}
