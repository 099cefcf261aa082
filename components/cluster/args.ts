/**
 * The cluster layer's arguments: what the {@link Cluster} component takes, its defaults and the
 * checks on them (thrown before any resource is registered, naming the argument and value).
 */
import * as pulumi from "@pulumi/pulumi";
import { acceleratorType, gpusPerInstance } from "../shared/gpu";
import { AddonVersions, KUBERNETES_VERSIONS } from "../shared/versions";

/** Every control-plane log type EKS offers. */
export const ALL_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** Shape and size of one managed node group. */
export interface NodeGroupSpec {
    /** EC2 instance types; Spot groups should list several of the same shape. */
    readonly instanceTypes: string[];
    /** `ON_DEMAND` or `SPOT`. */
    readonly capacityType: "ON_DEMAND" | "SPOT";
    /** Minimum nodes (0 allowed for the GPU group). */
    readonly minSize: number;
    /** Desired nodes at creation; the cluster autoscaler owns it afterwards. */
    readonly desiredSize: number;
    /** Maximum nodes. */
    readonly maxSize: number;
    /** Root volume size in GiB (encrypted gp3). */
    readonly diskSizeGiB: number;
}

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
     * How many AZs (the first ones of the subnet lists) the control plane's subnets span. EKS takes
     * new subnets in place (UpdateClusterConfig, terraform-provider-aws eks/cluster.go) but refuses
     * subnets in an AZ the cluster was not created with (aws/containers-roadmap#170), so this must
     * stay fixed for a cluster's life while node groups follow every AZ.
     * @default - every AZ of `privateSubnetIds`
     */
    readonly controlPlaneAzCount?: number;
    /** Kubernetes minor version; must be a key of `KUBERNETES_VERSIONS`. */
    readonly kubernetesVersion: string;
    /** CPU node group. */
    readonly cpuNodeGroup: NodeGroupSpec;
    /** GPU node group (NVIDIA AMI, tainted, usually scaling from zero). */
    readonly gpuNodeGroup: NodeGroupSpec;
    /**
     * Kubernetes Service CIDR.
     * @default "172.20.0.0/16"
     */
    readonly serviceCidr?: string;
    /**
     * CIDRs allowed on the public API endpoint. Empty means the endpoint is private only.
     * @default []
     */
    readonly publicAccessCidrs?: string[];
    /**
     * IAM role/user ARNs that get `AmazonEKSClusterAdminPolicy` through access entries.
     * @default []
     */
    readonly adminPrincipalArns?: string[];
    /**
     * Control-plane log types; must include `audit` and `authenticator`.
     * @default ["api","audit","authenticator","controllerManager","scheduler"]
     */
    readonly controlPlaneLogTypes?: string[];
    /**
     * Control-plane log retention in days.
     * @default 90
     */
    readonly logRetentionDays?: number;
    /**
     * EKS deletion protection.
     * @default true
     */
    readonly deletionProtection?: boolean;
    /**
     * Pulumi `protect` on the EKS cluster (checklist EKS-07) and `protect` plus `retainOnDelete` on
     * the platform KMS key (KMS-02): that key encrypts what production keeps after a destroy (the
     * RDS final snapshot, `Retain` volumes, the artifact bucket), which is unreadable once the key's
     * deletion window passes. Production on, sandbox off (destroy must remove both).
     * @default false
     */
    readonly protect?: boolean;
    /**
     * KMS key deletion window, days (7 to 30).
     * @default 30
     */
    readonly kmsDeletionWindowDays?: number;
}

/** {@link ClusterArgs} with defaults applied. */
export type ResolvedClusterArgs = Required<ClusterArgs> & {
    readonly addonVersions: AddonVersions;
    readonly gpusPerNode: number;
    /** `k8s.amazonaws.com/accelerator` value of the GPU nodes (one GPU model per group). */
    readonly gpuAccelerator: string;
};

function checkGroup(group: string, g: NodeGroupSpec, minFloor: number): void {
    if (g.instanceTypes.length === 0) {
        throw new Error(`${group}.instanceTypes is empty; list at least one instance type`);
    }
    if (g.minSize < minFloor || g.minSize > g.maxSize || g.desiredSize < g.minSize || g.desiredSize > g.maxSize) {
        throw new Error(`${group} sizes must satisfy ${minFloor} <= minSize (${g.minSize}) <= desiredSize (${g.desiredSize}) <= maxSize (${g.maxSize})`);
    }
    if (g.diskSizeGiB < 20) {
        throw new Error(`${group}.diskSizeGiB (${g.diskSizeGiB}) must be at least 20`);
    }
}

/** Applies defaults and checks the cluster's invariants; throws naming the argument and value. */
export function resolveClusterArgs(args: ClusterArgs): ResolvedClusterArgs {
    const addonVersions = KUBERNETES_VERSIONS[args.kubernetesVersion];
    if (addonVersions === undefined) {
        throw new Error(`kubernetesVersion (${args.kubernetesVersion}) is not supported; use one of ${Object.keys(KUBERNETES_VERSIONS).join(", ")}`);
    }
    const r = {
        ...args,
        serviceCidr: args.serviceCidr ?? "172.20.0.0/16",
        publicAccessCidrs: args.publicAccessCidrs ?? [],
        adminPrincipalArns: args.adminPrincipalArns ?? [],
        controlPlaneLogTypes: args.controlPlaneLogTypes ?? ALL_LOG_TYPES,
        logRetentionDays: args.logRetentionDays ?? 90,
        deletionProtection: args.deletionProtection ?? true,
        protect: args.protect ?? false,
        kmsDeletionWindowDays: args.kmsDeletionWindowDays ?? 30,
        controlPlaneAzCount: args.controlPlaneAzCount ?? args.privateSubnetIds.length,
        addonVersions,
        gpusPerNode: 0,
        gpuAccelerator: "",
    };
    if (args.privateSubnetIds.length < 2) {
        throw new Error(`privateSubnetIds has ${args.privateSubnetIds.length} subnet(s); EKS needs at least two AZs`);
    }
    if (r.controlPlaneAzCount < 2 || r.controlPlaneAzCount > args.privateSubnetIds.length) {
        throw new Error(`controlPlaneAzCount (${r.controlPlaneAzCount}) must be from 2 (an EKS minimum) to the ${args.privateSubnetIds.length} AZs of privateSubnetIds`);
    }
    const open = r.publicAccessCidrs.find((c) => c.endsWith("/0"));
    if (open !== undefined) {
        throw new Error(`publicAccessCidrs contains ${open}, which opens the API to the internet; list specific CIDRs or none`);
    }
    for (const required of ["audit", "authenticator"]) {
        if (!r.controlPlaneLogTypes.includes(required)) {
            throw new Error(`controlPlaneLogTypes (${r.controlPlaneLogTypes.join(",")}) must include ${required}`);
        }
    }
    if (r.kmsDeletionWindowDays < 7 || r.kmsDeletionWindowDays > 30) {
        throw new Error(`kmsDeletionWindowDays (${r.kmsDeletionWindowDays}) must be between 7 and 30`);
    }
    checkGroup("cpuNodeGroup", r.cpuNodeGroup, 1);
    checkGroup("gpuNodeGroup", r.gpuNodeGroup, 0);
    const counts = new Set(r.gpuNodeGroup.instanceTypes.map(gpusPerInstance));
    const [gpus] = [...counts];
    if (counts.size !== 1 || gpus === undefined) {
        throw new Error(`gpuNodeGroup.instanceTypes (${r.gpuNodeGroup.instanceTypes.join(",")}) must be NVIDIA types with the same GPU count`);
    }
    // One label value per group: the autoscaler's template node (from the ASG tags) must match every node the group launches.
    const models = [...new Set(r.gpuNodeGroup.instanceTypes.map((t) => acceleratorType(t)))];
    if (models.length !== 1 || models[0] === undefined) {
        throw new Error(`gpuNodeGroup.instanceTypes (${r.gpuNodeGroup.instanceTypes.join(",")}) must share one GPU model; they have ${models.join(", ")}`);
    }
    return { ...r, gpusPerNode: gpus, gpuAccelerator: models[0] };
}
