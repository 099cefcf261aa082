/**
 * The cluster layer's arguments: what the {@link Cluster} component takes and what it derives from
 * them. Every rule on the values (and every default) is settings.ts's, which refuses a bad config
 * key before anything here runs; the component takes the resolved values as they are.
 */
import * as pulumi from "@pulumi/pulumi";
import { acceleratorType, gpusPerInstance } from "../shared/gpu";
import { AddonVersions, KUBERNETES_VERSIONS } from "../shared/versions";
import { NodeGroupConfig } from "./settings";

/** Shape and size of one managed node group: the cluster layer's settings (settings.ts) as they are. */
export type NodeGroupSpec = NodeGroupConfig;

/** Arguments of {@link Cluster}. */
export interface ClusterArgs {
    /**
     * Physical EKS cluster name. Set explicitly (not auto-named) because the control-plane log
     * group must be named `/aws/eks/<name>/cluster` before the cluster exists.
     */
    readonly clusterName: string;
    /** VPC ID. */
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets (nodes, control-plane ENIs), at least two AZs. */
    readonly privateSubnetIds: pulumi.Input<string>[];
    /** Public subnets (internet-facing load balancers). */
    readonly publicSubnetIds: pulumi.Input<string>[];
    /**
     * How many AZs (the first ones of the subnet lists) the control plane's subnets span, 2 or more.
     * EKS takes new subnets in place (UpdateClusterConfig, terraform-provider-aws eks/cluster.go) but
     * refuses subnets in an AZ the cluster was not created with (aws/containers-roadmap#170), so this
     * must stay fixed for a cluster's life while node groups follow every AZ (network settings
     * `controlPlaneAzCount`).
     */
    readonly controlPlaneAzCount: number;
    /** Kubernetes minor version; a key of `KUBERNETES_VERSIONS` (settings `kubernetesVersion`). */
    readonly kubernetesVersion: string;
    /** The CPU pool: one managed node group per AZ; min and desired sizes are totals over the AZs, max is per group. */
    readonly cpuNodeGroup: NodeGroupSpec;
    /** GPU node group (NVIDIA AMI, tainted, usually scaling from zero). */
    readonly gpuNodeGroup: NodeGroupSpec;
    /** Kubernetes Service CIDR (settings `serviceCidr`). */
    readonly serviceCidr: string;
    /** CIDRs allowed on the public API endpoint; empty means the endpoint is private only (settings `publicAccessCidrs`). */
    readonly publicAccessCidrs: string[];
    /** IAM role/user ARNs that get `AmazonEKSClusterAdminPolicy` through access entries (settings `adminPrincipalArns`). */
    readonly adminPrincipalArns: string[];
    /** Control-plane log types, `audit` and `authenticator` among them (settings `controlPlaneLogTypes`). */
    readonly controlPlaneLogTypes: string[];
    /** Control-plane log retention in days, a CloudWatch-allowed value (settings `logRetentionDays`). */
    readonly logRetentionDays: number;
    /** EKS deletion protection (settings `clusterDeletionProtection`). */
    readonly deletionProtection: boolean;
    /**
     * Pulumi `protect` on the EKS cluster (checklist EKS-07) and `protect` plus `retainOnDelete` on
     * the platform KMS key (KMS-02): that key encrypts what production keeps after a destroy (the
     * RDS final snapshot, `Retain` volumes, the artifact bucket), which is unreadable once the key's
     * deletion window passes. Production on, sandbox off (destroy must remove both).
     */
    readonly protect: boolean;
    /** KMS key deletion window, days, 7 to 30 (settings `kmsDeletionWindowDays`). */
    readonly kmsDeletionWindowDays: number;
}

/** {@link ClusterArgs} with what the cluster derives from them. */
export type ResolvedClusterArgs = ClusterArgs & {
    readonly addonVersions: AddonVersions;
    readonly gpusPerNode: number;
    /** `k8s.amazonaws.com/accelerator` value of the GPU nodes (one GPU model per group). */
    readonly gpuAccelerator: string;
};

/**
 * Derives the pinned add-on versions and the GPU nodes' shape. The lookups cannot miss for values
 * settings.ts accepted (`kubernetesVersion`, `gpuInstanceTypes`); a miss means the component was
 * built around the settings, and the error says which argument.
 */
export function resolveClusterArgs(args: ClusterArgs): ResolvedClusterArgs {
    const addonVersions = KUBERNETES_VERSIONS[args.kubernetesVersion];
    const gpusPerNode = gpusPerInstance(args.gpuNodeGroup.instanceTypes[0] ?? "");
    const gpuAccelerator = acceleratorType(args.gpuNodeGroup.instanceTypes[0] ?? "");
    if (addonVersions === undefined || gpusPerNode === undefined || gpuAccelerator === undefined) {
        throw new Error(`Cluster: kubernetesVersion (${args.kubernetesVersion}) or gpuNodeGroup.instanceTypes (${args.gpuNodeGroup.instanceTypes.join(",")}) `
            + "is not one the cluster settings accept (components/cluster/settings.ts)");
    }
    return { ...args, addonVersions, gpusPerNode, gpuAccelerator };
}
