/**
 * The cluster layer's config keys and their validation: the EKS control plane, its access and logs,
 * the platform KMS key, the default StorageClass and the CPU and GPU node groups.
 */
import { formatCidr, isPrivate, overlaps, parseCidr, Cidr } from "../shared/cidr";
import { acceleratorType, GPU_FAMILIES, gpusPerInstance } from "../shared/gpu";
import { KeyTable, Settings } from "../shared/settings";
import { DEFAULT_KUBERNETES_VERSION, IMAGES, KUBERNETES_VERSIONS } from "../shared/versions";

export type CapacityType = "ON_DEMAND" | "SPOT";
export type ReclaimPolicy = "Delete" | "Retain";

export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;
export type ControlPlaneLogType = (typeof CONTROL_PLANE_LOG_TYPES)[number];

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Sizes of one managed node group. */
export interface NodeGroupConfig {
    readonly instanceTypes: string[];
    readonly capacityType: CapacityType;
    readonly minSize: number;
    readonly desiredSize: number;
    readonly maxSize: number;
    readonly diskSizeGiB: number;
}

const both = <T>(v: T) => ({ sandbox: v, production: v });

export const CLUSTER_KEYS = {
    kubernetesVersion: { type: "string", description: "EKS Kubernetes minor version; add-on versions follow it.", default: both(DEFAULT_KUBERNETES_VERSION), docs: { sandbox: `\`${DEFAULT_KUBERNETES_VERSION}\` (supported: ${Object.keys(KUBERNETES_VERSIONS).join(", ")}, each with pinned add-ons)` } },
    serviceCidr: { type: "string", description: "Kubernetes Service IPv4 CIDR; must not overlap the VPC.", default: both("172.20.0.0/16") },
    publicAccessCidrs: { type: "string[]", description: "CIDRs allowed to reach the public EKS API endpoint (your egress IP, CI runners). Required unless privateEndpointOnly.", default: both([]), docs: { sandbox: "required unless `privateEndpointOnly`", production: "required unless `privateEndpointOnly`" } },
    privateEndpointOnly: { type: "boolean", description: "Turn the public EKS API endpoint off; only for deploys that run inside the VPC.", default: both(false) },
    adminPrincipalArns: { type: "string[]", description: "IAM role or user ARNs given cluster-admin through EKS access entries.", default: both([]), docs: { sandbox: "`[]` (the deploying identity is admin)" } },
    // audit + authenticator are the minimum the checklist allows (EKS-01); api helps debugging.
    controlPlaneLogTypes: { type: "string[]", description: "EKS control-plane log types sent to CloudWatch; must include audit and authenticator.", default: { sandbox: ["api", "audit", "authenticator"], production: [...CONTROL_PLANE_LOG_TYPES] } },
    logRetentionDays: { type: "integer", description: "Retention of the control-plane and flow-log groups, in days (a CloudWatch-allowed value).", default: { sandbox: 7, production: 90 } },
    // A sandbox must destroy cleanly (EKS-07).
    clusterDeletionProtection: { type: "boolean", description: "EKS deletion protection.", default: { sandbox: false, production: true } },
    kmsDeletionWindowDays: { type: "integer", description: "Waiting period before the platform KMS key is deleted (7 to 30).", default: { sandbox: 7, production: 30 } },
    // Volumes go with the sandbox; Retain would leak EBS volumes on destroy (SC-01).
    storageReclaimPolicy: { type: "string", description: "Reclaim policy of the default gp3 StorageClass: Delete or Retain.", default: { sandbox: "Delete", production: "Retain" } },
    // One node holds the idle sandbox platform: `npm run bench` sums every pod's requests against its
    // allocatable and fails above 85 %; the autoscaler adds up to three nodes for notebooks.
    // Production runs one node per AZ so every AZ that holds an EBS volume has capacity (NG-04).
    // The sandbox's Spot pools are four x86_64 4 vCPU / 16 GiB types up to $0.192/h on demand
    // (m7i.xlarge, $0.2016/h, left out): any of them may be picked, so the idle bill is at the
    // dearest, $179.30 a month with the rest of the sandbox (`npm run bench`, target <= $180).
    cpuInstanceTypes: { type: "string[]", description: "Instance types of the CPU node groups (one per AZ).", default: { sandbox: ["m6i.xlarge", "m6a.xlarge", "m5.xlarge", "m5a.xlarge"], production: ["m7i.xlarge"] } },
    cpuCapacityType: { type: "string", description: "CPU node capacity: ON_DEMAND or SPOT.", default: { sandbox: "SPOT", production: "ON_DEMAND" } },
    cpuMinSize: { type: "integer", description: "CPU nodes kept running in total, spread over the per-AZ CPU groups from the first AZ.", default: { sandbox: 1, production: 3 }, docs: { production: "`3` (one per AZ)" } },
    cpuDesiredSize: { type: "integer", description: "CPU nodes at creation in total, spread over the per-AZ CPU groups from the first AZ (the autoscaler owns it afterwards).", default: { sandbox: 1, production: 3 }, docs: { sandbox: "`1` (at least cpuMinSize)", production: "`3` (at least cpuMinSize)" } },
    cpuMaxSize: { type: "integer", description: "CPU nodes at most in each per-AZ CPU group; all nodes (CPU and GPU) are capped at cpuMaxSize + gpuMaxSize (the autoscaler's --max-nodes-total).", default: { sandbox: 4, production: 12 } },
    cpuDiskSizeGiB: { type: "integer", description: "CPU node root volume size, GiB (encrypted gp3).", default: { sandbox: 50, production: 100 } },
    gpuInstanceTypes: { type: "string[]", description: "Instance types of the GPU node group (NVIDIA).", default: { sandbox: ["g5.xlarge"], production: ["g5.2xlarge"] } },
    gpuCapacityType: { type: "string", description: "GPU node capacity: ON_DEMAND or SPOT.", default: both("ON_DEMAND") },
    gpuMinSize: { type: "integer", description: "GPU nodes kept running in total, spread over the per-AZ GPU groups from the first AZ; 0 lets GPUs cost nothing while idle.", default: both(0) },
    gpuMaxSize: { type: "integer", description: "GPU nodes at most in total (the GPU budget, the autoscaler's --gpu-total); each per-AZ GPU group may grow to it.", default: { sandbox: 2, production: 8 } },
    gpuDiskSizeGiB: { type: "integer", description: "GPU node root volume size, GiB (CUDA images are large).", default: { sandbox: 100, production: 200 } },
} as const satisfies KeyTable;

type ClusterKey = keyof typeof CLUSTER_KEYS;

export interface ClusterSettings {
    readonly kubernetesVersion: string;
    readonly serviceCidr: string;
    readonly publicAccessCidrs: string[];
    readonly adminPrincipalArns: string[];
    readonly controlPlaneLogTypes: ControlPlaneLogType[];
    readonly controlPlaneLogRetentionDays: number;
    readonly deletionProtection: boolean;
    readonly kmsDeletionWindowDays: number;
    readonly storageReclaimPolicy: ReclaimPolicy;
    readonly cpu: NodeGroupConfig;
    readonly gpu: NodeGroupConfig;
}

const INSTANCE_TYPE_RE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
export const IAM_PRINCIPAL_RE = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@\/-]{1,512}$/;

/** The retention of the control-plane and flow-log groups: the network layer needs it first. */
export function resolveLogRetentionDays(s: Settings<ClusterKey>): number {
    const days = s.int("logRetentionDays", 1, 3653);
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
        s.fail("logRetentionDays", days, `must be one of CloudWatch's values: ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    return days;
}

/** Resolves the cluster keys; `vpcCidr` is the network layer's (the Service CIDR must not overlap it), `logRetentionDays` from {@link resolveLogRetentionDays}. */
export function resolveClusterSettings(s: Settings<ClusterKey>, vpcCidr: string, logRetentionDays: number): ClusterSettings {
    // A version needs its pinned add-ons and a cluster-autoscaler image of the same minor.
    const supported = Object.keys(KUBERNETES_VERSIONS).filter((v) => IMAGES.clusterAutoscaler[v] !== undefined);
    const kubernetesVersion = s.str("kubernetesVersion")!;
    if (!supported.includes(kubernetesVersion)) {
        s.fail("kubernetesVersion", kubernetesVersion, `unsupported; supported versions are ${supported.join(", ")} (EKS standard support, with pinned add-ons)`);
    }
    const serviceCidrText = s.str("serviceCidr")!;
    const svc = s.cidr("serviceCidr", serviceCidrText);
    if (!isPrivate(svc) || svc.prefix < 12 || svc.prefix > 24) {
        s.fail("serviceCidr", serviceCidrText, "must be an RFC 1918 block between /12 and /24 (an EKS requirement)");
    }
    const vpc = parseCidr(vpcCidr) as Cidr;
    if (overlaps(vpc, svc)) {
        s.fail("serviceCidr", serviceCidrText, `overlaps vpcCidr ${formatCidr(vpc)}; pick a block outside the VPC, e.g. 172.20.0.0/16`);
    }

    const publicAccessCidrs = s.strList("publicAccessCidrs");
    const parsedPublic: Cidr[] = [];
    for (const text of publicAccessCidrs) {
        const c = s.cidr("publicAccessCidrs", text);
        if (c.prefix === 0) {
            s.fail("publicAccessCidrs", publicAccessCidrs, `${text} opens the Kubernetes API to the whole internet; list your office, VPN or CI egress CIDRs instead, or leave the list empty for a private-only endpoint`);
        }
        const clash = parsedPublic.find((o) => overlaps(o, c));
        if (clash) {
            s.fail("publicAccessCidrs", publicAccessCidrs, `${text} overlaps ${formatCidr(clash)}; list each range once`);
        }
        parsedPublic.push(c);
    }
    const privateEndpointOnly = s.bool("privateEndpointOnly");
    if (privateEndpointOnly && publicAccessCidrs.length > 0) {
        s.fail("publicAccessCidrs", publicAccessCidrs, "must be empty when privateEndpointOnly is true");
    }
    if (!privateEndpointOnly && publicAccessCidrs.length === 0) {
        // Without a CIDR the endpoint would be private and every Kubernetes resource would fail
        // after a 15-minute cluster build; refuse now instead.
        s.fail("publicAccessCidrs", publicAccessCidrs, "list the CIDRs that run `pulumi up` (e.g. `pulumi config set --path 'publicAccessCidrs[0]' <your-ip>/32`), or set privateEndpointOnly: true when deploying from inside the VPC");
    }

    const adminPrincipalArns = s.strList("adminPrincipalArns");
    for (const arn of adminPrincipalArns) {
        if (!IAM_PRINCIPAL_RE.test(arn)) {
            s.fail("adminPrincipalArns", adminPrincipalArns, `"${arn}" is not an IAM role or user ARN like arn:aws:iam::123456789012:role/platform-admin`);
        }
    }
    if (new Set(adminPrincipalArns).size !== adminPrincipalArns.length) {
        s.fail("adminPrincipalArns", adminPrincipalArns, "lists the same ARN twice");
    }

    const logTypes = s.strList("controlPlaneLogTypes");
    for (const t of logTypes) {
        if (!(CONTROL_PLANE_LOG_TYPES as readonly string[]).includes(t)) {
            s.fail("controlPlaneLogTypes", logTypes, `"${t}" is not a log type; valid: ${CONTROL_PLANE_LOG_TYPES.join(", ")}`);
        }
    }
    for (const required of ["audit", "authenticator"]) {
        if (!logTypes.includes(required)) {
            s.fail("controlPlaneLogTypes", logTypes, `must include "${required}" (security checklist EKS-01)`);
        }
    }

    return {
        kubernetesVersion,
        serviceCidr: formatCidr(svc),
        publicAccessCidrs,
        adminPrincipalArns,
        controlPlaneLogTypes: logTypes as ControlPlaneLogType[],
        controlPlaneLogRetentionDays: logRetentionDays,
        deletionProtection: s.bool("clusterDeletionProtection"),
        kmsDeletionWindowDays: s.int("kmsDeletionWindowDays", 7, 30),
        storageReclaimPolicy: s.oneOf<ReclaimPolicy>("storageReclaimPolicy", ["Delete", "Retain"]),
        cpu: nodeGroup(s, "cpu"),
        gpu: nodeGroup(s, "gpu"),
    };
}

function nodeGroup(s: Settings<ClusterKey>, prefix: "cpu" | "gpu"): NodeGroupConfig {
    const k = <S extends string>(suffix: S) => `${prefix}${suffix}` as `${"cpu" | "gpu"}${S}` & ClusterKey;
    const instanceTypes = s.strList(k("InstanceTypes"));
    if (instanceTypes.length === 0) {
        s.fail(k("InstanceTypes"), instanceTypes, "must list at least one EC2 instance type");
    }
    for (const t of instanceTypes) {
        if (!INSTANCE_TYPE_RE.test(t)) {
            s.fail(k("InstanceTypes"), instanceTypes, `"${t}" is not an EC2 instance type like m7i.xlarge`);
        }
        if (prefix === "gpu" && gpusPerInstance(t) === undefined) {
            s.fail(k("InstanceTypes"), instanceTypes, `"${t}" is not an NVIDIA GPU instance type of the families ${GPU_FAMILIES.join(", ")}`);
        }
    }
    if (prefix === "gpu" && new Set(instanceTypes.map(gpusPerInstance)).size > 1) {
        // The autoscaler builds one node template per group; mixed GPU counts make it guess wrong.
        s.fail(k("InstanceTypes"), instanceTypes, "must all carry the same number of GPUs (the cluster autoscaler models a node group as one shape)");
    }
    const models = [...new Set(instanceTypes.map(acceleratorType))];
    if (prefix === "gpu" && models.length > 1) {
        // One `k8s.amazonaws.com/accelerator` label per group: the autoscaler's template node (from
        // the ASG tags, cluster/node-group.ts) must match every node the group launches.
        s.fail(k("InstanceTypes"), instanceTypes, `must all carry the same GPU model; they have ${models.join(", ")}`);
    }
    const capacityType = s.oneOf<CapacityType>(k("CapacityType"), ["ON_DEMAND", "SPOT"]);
    // EKS refuses a node group whose maximum is below 1 (CreateNodegroup NodegroupScalingConfig
    // maxSize, minimum 1; terraform-provider-aws aws_eks_node_group scaling_config.max_size
    // validation.IntAtLeast(1)): 0 would pass here and fail at deploy. A GPU group at zero is min 0.
    const maxSize = s.int(k("MaxSize"), 1, 1000);
    const minSize = s.int(k("MinSize"), prefix === "gpu" ? 0 : 1, 1000);
    if (minSize > maxSize) {
        s.fail(k("MinSize"), minSize, `must be <= ${prefix}MaxSize (${maxSize})`);
    }
    // The GPU group starts at its minimum: the autoscaler adds GPU nodes only when a pod asks.
    const desiredSize = prefix === "gpu" ? minSize : s.int("cpuDesiredSize", minSize, maxSize, Math.max(s.default<number>("cpuDesiredSize"), minSize));
    const diskSizeGiB = s.int(k("DiskSizeGiB"), 20, 16384);
    return { instanceTypes, capacityType, minSize, desiredSize, maxSize, diskSizeGiB };
}
