import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import { ACCELERATOR_LABEL, acceleratorType, GPU_NODE_LABEL, GPU_TAINT, gpusPerInstance, NODE_POOL_LABEL } from "../shared/gpu";
import { podIdentity } from "../shared/pod-identity";
import { AddonVersions, KUBERNETES_VERSIONS } from "../shared/versions";
import { cloudWatchLogsStatement } from "../shared/kms";

/** AMI for CPU nodes: EKS-optimised Amazon Linux 2023. */
export const CPU_AMI_TYPE = "AL2023_x86_64_STANDARD";
/** AMI for GPU nodes: AL2023 with the NVIDIA driver and container toolkit (checklist NG-06). */
export const GPU_AMI_TYPE = "AL2023_x86_64_NVIDIA";
/** The only policies a node role may carry (checklist NG-08); apps use Pod Identity instead. */
export const NODE_ROLE_POLICIES: Readonly<Record<string, string>> = {
    "worker": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "cni": "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "ecr-read": "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "ssm": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
};
/** Every control-plane log type EKS offers. */
export const ALL_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
const EBS_CSI_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy";

/**
 * Root-volume throughput for GPU nodes, MiB/s. awslabs/amazon-eks-ami `nodeadm/doc/examples.md`
 * ("Enabling fast image pull"): "We recommend at least 600MiB/s throughput. Below that value, you
 * may see longer image pull times with this flag." gp3's baseline is 125 MiB/s; 600 needs at least
 * 2,400 IOPS (0.25 MiB/s per IOPS), below gp3's 3,000 baseline. Costs (600 - 125) × the gp3
 * throughput price per GPU node while it runs; GPU groups idle at zero.
 */
export const GPU_ROOT_THROUGHPUT_MIBPS = 600;

/**
 * User data of GPU nodes: a MIME multi-part document with one `application/node.eks.aws` part, a
 * partial nodeadm NodeConfig that turns on the `FastImagePull` feature gate.
 *
 * - Syntax: awslabs/amazon-eks-ami `nodeadm/api/v1alpha1/nodeconfig_types.go` (`featureGates`
 *   map, `FastImagePull` in the enum) and `nodeadm/doc/examples.md`. The gate exists under this
 *   name from AMI release v20250821 (renamed from AggressiveImagePull in #2381, 2025-08-18);
 *   managed node groups launch the newest AL2023 NVIDIA release for the cluster's version (1.35 AMIs
 *   are all later), and an older nodeadm would ignore the unknown key (featureGates is a map; only
 *   cluster fields are validated, `internal/api/validation.go`).
 * - What it does: `internal/containerd/config.go` `UseSOCISnapshotter` switches containerd to the
 *   SOCI snapshotter in `parallel_pull_unpack` mode (concurrent chunked downloads, parallel unpack;
 *   not lazy loading) when the node has at least 4 vCPUs and 7 GiB, which every GPU type accepted
 *   here has (gpusPerInstance knows xlarge and up only). The AMI installs soci-snapshotter for all
 *   AL2023 variants (`templates/al2023/provisioners/install-worker.sh`).
 * - Shape: with a launch template that names no AMI, EKS adds its own NodeConfig part (cluster
 *   name, endpoint, CA, CIDR, node labels and taints) to ours, so ours holds only the feature gate
 *   (Amazon EKS User Guide, "Customize managed nodes with launch templates": user data must be MIME
 *   multi-part; eksctl "Node bootstrapping": for managed nodes on EKS AMIs "the default NodeConfig
 *   is being added by EKS MNG under the hood").
 *   nodeadm reads every `application/node.eks.aws` part of a multipart document and merges them
 *   (`internal/configprovider/mime.go` ParseMultipart, `internal/api/merge.go`), validating after
 *   the merge; a non-multipart document would be read as one NodeConfig, which EKS cannot merge into.
 */
export function gpuNodeUserData(): string {
    const boundary = "MLPLATFORM";
    return [
        "MIME-Version: 1.0",
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        "",
        `--${boundary}`,
        "Content-Type: application/node.eks.aws",
        "",
        "---",
        "apiVersion: node.eks.aws/v1alpha1",
        "kind: NodeConfig",
        "spec:",
        "  featureGates:",
        "    FastImagePull: true",
        "",
        `--${boundary}--`,
        "",
    ].join("\n");
}

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

/** A short, stable, DNS-safe key for an IAM principal ARN (`role/platform-admin` → `role-platform-admin`). */
export function principalKey(arn: string): string {
    const resource = arn.split(":").slice(5).join(":");
    return resource.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 48);
}

/**
 * An EKS cluster with API authentication, KMS-encrypted secrets, a declared control-plane log
 * group, a CPU and a GPU managed node group on hardened launch templates, and pinned managed
 * add-ons in the order the nodes need them.
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
    /** Name of the GPU node group's Auto Scaling group. */
    public readonly gpuAutoScalingGroupName: pulumi.Output<string>;
    /** The Pod Identity agent add-on; associations for workloads wait for it. */
    public readonly podIdentityAgent: aws.eks.Addon;
    /**
     * What a Kubernetes workload needs before it can run: CPU nodes, DNS and the EBS CSI driver.
     * The Kubernetes provider depends on these, so every object waits for them on create and is
     * deleted before them on destroy (a PVC's volume is released while the driver still runs).
     */
    public readonly workloadPrerequisites: pulumi.Resource[];

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:Cluster", name, {}, opts);
        const a = resolveClusterArgs(args);
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const region = aws.getRegionOutput({}, { parent: this }).region;

        const key = new aws.kms.Key(`${name}-key`, {
            description: `${a.clusterName}: EKS secrets, control-plane logs and volumes`,
            enableKeyRotation: true,
            deletionWindowInDays: a.kmsDeletionWindowDays,
            policy: pulumi.all([account, partition, region]).apply(([acct, part, reg]) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        // Key administration stays with the account's IAM policies.
                        Sid: "AccountAdministration",
                        Effect: "Allow",
                        Principal: { AWS: `arn:${part}:iam::${acct}:root` },
                        Action: "kms:*",
                        Resource: "*",
                    },
                    cloudWatchLogsStatement(part, reg, acct),
                ],
            })),
        }, { parent: this, protect: a.protect, retainOnDelete: a.protect });
        new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${a.clusterName}`, targetKeyId: key.keyId }, { parent: this });

        // Declared here so `pulumi destroy` removes it; EKS would otherwise create it with no expiry.
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-control-plane-logs`, {
            name: `/aws/eks/${a.clusterName}/cluster`,
            retentionInDays: a.logRetentionDays,
            kmsKeyId: key.arn,
        }, { parent: this });

        const cluster = new eks.Cluster(`${name}-eks`, {
            name: a.clusterName,
            version: a.kubernetesVersion,
            vpcId: args.vpcId,
            privateSubnetIds: args.privateSubnetIds.slice(0, a.controlPlaneAzCount),
            publicSubnetIds: args.publicSubnetIds.slice(0, a.controlPlaneAzCount),
            kubernetesServiceIpAddressRange: a.serviceCidr,
            authenticationMode: eks.AuthenticationMode.Api,
            endpointPrivateAccess: true,
            endpointPublicAccess: a.publicAccessCidrs.length > 0,
            publicAccessCidrs: a.publicAccessCidrs.length > 0 ? a.publicAccessCidrs : undefined,
            enabledClusterLogTypes: a.controlPlaneLogTypes,
            encryptionConfigKeyArn: key.arn,
            upgradePolicy: { supportType: "STANDARD" },
            deletionProtection: a.deletionProtection,
            // Node groups, security groups and add-ons are declared below, where tests can see them.
            skipDefaultNodeGroup: true,
            skipDefaultSecurityGroups: true,
            nodeAssociatePublicIpAddress: false,
            nodeRootVolumeEncrypted: true,
            bootstrapSelfManagedAddons: false,
            useDefaultVpcCni: true,
            corednsAddonOptions: { enabled: false },
            kubeProxyAddonOptions: { enabled: false },
            // Workload identity is EKS Pod Identity, so no IRSA OIDC provider is needed.
            createOidcProvider: false,
        }, { parent: this, dependsOn: [logGroup], protect: a.protect });
        const clusterName = cluster.eksCluster.name;

        for (const arn of a.adminPrincipalArns) {
            const k = principalKey(arn);
            const entry = new aws.eks.AccessEntry(`${name}-admin-${k}`, {
                clusterName,
                principalArn: arn,
                type: "STANDARD",
            }, { parent: this });
            new aws.eks.AccessPolicyAssociation(`${name}-admin-${k}`, {
                clusterName,
                principalArn: arn,
                policyArn: CLUSTER_ADMIN_POLICY,
                accessScope: { type: "cluster" },
            }, { parent: this, dependsOn: [entry] });
        }

        // Add-ons that run as DaemonSets go in before nodes: nodes need the CNI to become Ready.
        const addon = (role: string, addonName: string, version: string, extra: Partial<aws.eks.AddonArgs> = {}, dependsOn: pulumi.Resource[] = []) =>
            new aws.eks.Addon(`${name}-${role}`, {
                clusterName,
                addonName,
                addonVersion: version,
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                ...extra,
            }, { parent: this, dependsOn });
        const vpcCni = addon("vpc-cni", "vpc-cni", a.addonVersions.vpcCni, {
            // Without this every NetworkPolicy in the platform is inert (checklist NET-04).
            configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
        });
        const kubeProxy = addon("kube-proxy", "kube-proxy", a.addonVersions.kubeProxy);
        const podIdentityAgent = addon("pod-identity-agent", "eks-pod-identity-agent", a.addonVersions.podIdentityAgent);

        const nodeRole = new aws.iam.Role(`${name}-node-role`, {
            description: `${a.clusterName} worker nodes`,
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
        }, { parent: this });
        const nodePolicies = Object.entries(NODE_ROLE_POLICIES).map(([k, arn]) =>
            new aws.iam.RolePolicyAttachment(`${name}-node-${k}`, { role: nodeRole.name, policyArn: arn }, { parent: this }));

        const nodeSg = new aws.ec2.SecurityGroup(`${name}-node-sg`, {
            description: `${a.clusterName} nodes: identifies node traffic to data stores`,
            vpcId: args.vpcId,
            ingress: [],
            // Nodes pull images and reach AWS APIs through NAT (checklist NET-02 documented skip).
            egress: [{ description: "All egress (image pulls, AWS APIs)", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
            tags: { Name: `${a.clusterName}-nodes` },
        }, { parent: this });

        const launchTemplate = (role: string, spec: NodeGroupSpec, extra: { userData?: string; throughput?: number } = {}) => new aws.ec2.LaunchTemplate(`${name}-${role}-lt`, {
            description: `${a.clusterName} ${role} nodes`,
            updateDefaultVersion: true,
            userData: extra.userData === undefined ? undefined : Buffer.from(extra.userData).toString("base64"),
            // IMDSv2 only, one hop: pods cannot reach the node role's credentials (checklist NG-02).
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
            blockDeviceMappings: [{
                deviceName: "/dev/xvda",
                ebs: { volumeSize: spec.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true", throughput: extra.throughput },
            }],
            // The cluster security group lets nodes reach the control plane and each other.
            vpcSecurityGroupIds: [cluster.clusterSecurityGroupId, nodeSg.id],
            tagSpecifications: [{ resourceType: "instance", tags: { Name: `${a.clusterName}-${role}` } }],
        }, { parent: this });

        const autoscalerTags = {
            "k8s.io/cluster-autoscaler/enabled": "true",
            [`k8s.io/cluster-autoscaler/${a.clusterName}`]: "owned",
        };
        const nodeGroup = (role: string, spec: NodeGroupSpec, amiType: string, extra: Partial<aws.eks.NodeGroupArgs>, dependsOn: pulumi.Resource[], ltExtra: { userData?: string; throughput?: number } = {}) => {
            const lt = launchTemplate(role, spec, ltExtra);
            return new aws.eks.NodeGroup(`${name}-${role}`, {
                clusterName,
                nodeRoleArn: nodeRole.arn,
                subnetIds: args.privateSubnetIds,
                amiType,
                // Nodes follow the control plane: a version bump rolls them (UpdateNodegroupVersion, new
                // EKS AMI for the minor, maxUnavailable at a time, PDBs honoured) after the add-ons they
                // depend on. Left unset the nodes stay on the old minor and the next upgrade is refused.
                version: a.kubernetesVersion,
                instanceTypes: spec.instanceTypes,
                capacityType: spec.capacityType,
                scalingConfig: { minSize: spec.minSize, desiredSize: spec.desiredSize, maxSize: spec.maxSize },
                updateConfig: { maxUnavailable: 1 },
                launchTemplate: { id: lt.id, version: lt.latestVersion.apply((v) => `${v}`) },
                tags: autoscalerTags,
                ...extra,
            }, {
                parent: this,
                dependsOn: [...nodePolicies, vpcCni, kubeProxy, podIdentityAgent, ...dependsOn],
                // The cluster autoscaler owns the desired size once the group exists.
                ignoreChanges: ["scalingConfig.desiredSize"],
                // instanceTypes, capacityType, amiType and subnetIds are ForceNew
                // (terraform-provider-aws internal/service/eks/node_group.go). The group is auto-named, so
                // a change is a blue/green swap: the new group is created and ACTIVE first, then EKS deletes
                // the old one a node at a time, draining each and honouring PodDisruptionBudgets for up to
                // 15 minutes (AWS EKS user guide, "Delete a managed node group"); evicted pods make the
                // autoscaler grow the new group. Never deleteBeforeReplace: that would drop every node first.
                deleteBeforeReplace: false,
            });
        };
        const cpu = nodeGroup("cpu", a.cpuNodeGroup, CPU_AMI_TYPE, { labels: { [NODE_POOL_LABEL]: "cpu" } }, []);
        const gpu = nodeGroup("gpu", a.gpuNodeGroup, GPU_AMI_TYPE, {
            // The accelerator label is on the node from registration (managed node group labels are
            // kubelet --node-labels), so the autoscaler treats a GPU node whose device plugin has not
            // yet advertised nvidia.com/gpu as starting, not as a node that cannot take the pod.
            labels: { [NODE_POOL_LABEL]: "gpu", [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value, [ACCELERATOR_LABEL]: a.gpuAccelerator },
            taints: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: "NO_SCHEDULE" }],
        // Cut the multi-GB CUDA image pull on a cold node: parallel pull and unpack, and the disk
        // throughput it needs. The notebooks layer also pre-pulls the image as the node joins.
        }, [], { userData: gpuNodeUserData(), throughput: GPU_ROOT_THROUGHPUT_MIBPS });

        // Scale from zero: with no GPU node running, the autoscaler learns what a new node would
        // offer from these ASG tags (managed node groups do not copy labels and taints to the ASG).
        const gpuAsgName = gpu.resources.apply((rs) => rs[0].autoscalingGroups[0].name);
        const nodeTemplateTags: Record<string, string> = {
            [`k8s.io/cluster-autoscaler/node-template/label/${GPU_NODE_LABEL.key}`]: GPU_NODE_LABEL.value,
            [`k8s.io/cluster-autoscaler/node-template/label/${NODE_POOL_LABEL}`]: "gpu",
            // The same label on the template node (scale from zero); aws_manager.go copies node-template/label/* tags onto it.
            [`k8s.io/cluster-autoscaler/node-template/label/${ACCELERATOR_LABEL}`]: a.gpuAccelerator,
            [`k8s.io/cluster-autoscaler/node-template/taint/${GPU_TAINT.key}`]: `${GPU_TAINT.value}:${GPU_TAINT.effect}`,
            "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": `${a.gpusPerNode}`,
        };
        for (const [tagKey, value] of Object.entries(nodeTemplateTags)) {
            const role = tagKey.split("/").slice(3).join("-").replace(/[^a-zA-Z0-9-]/g, "-").toLowerCase();
            new aws.autoscaling.Tag(`${name}-gpu-asg-${role}`, {
                autoscalingGroupName: gpuAsgName,
                tag: { key: tagKey, value, propagateAtLaunch: false },
            }, { parent: this });
        }

        // Created with the CPU group, not after it: the add-on's API work overlaps the node launch
        // and its pods start the moment a node is Ready. Pulumi still returns only once they run:
        // the provider (terraform-provider-aws internal/service/eks, waitAddonCreated) waits for
        // ACTIVE with CREATING and DEGRADED as pending states (20 min timeout), so what depends on
        // these (the Kubernetes provider) still waits for running DNS and a running CSI driver.
        const coredns = addon("coredns", "coredns", a.addonVersions.coredns, {}, [podIdentityAgent, vpcCni, kubeProxy]);
        const ebsIdentity = podIdentity(`${name}-ebs-csi`, {
            clusterName,
            namespace: "kube-system",
            serviceAccount: "ebs-csi-controller-sa",
            managedPolicyArns: { "ebs-csi": EBS_CSI_POLICY },
            // Volumes encrypted with the platform key need grants on it.
            policy: key.arn.apply((arn) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], Resource: arn, Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } } },
                    { Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: arn },
                ],
            })),
            dependsOn: [podIdentityAgent],
        }, this);
        // k8sTagClusterId makes the driver tag every volume kubernetes.io/cluster/<cluster>=owned
        // (and ebs.csi.aws.com/cluster-name); without it only the cluster-agnostic
        // ebs.csi.aws.com/cluster=true is set (aws-ebs-csi-driver v1.64 docs/tagging.md,
        // pkg/driver/controller.go CreateVolume), so the destroy leftover check could not find this
        // cluster's volumes (checklist DESTROY-04).
        const ebsCsi = addon("ebs-csi", "aws-ebs-csi-driver", a.addonVersions.ebsCsiDriver, {
            configurationValues: pulumi.jsonStringify({ controller: { k8sTagClusterId: clusterName } }),
        }, [vpcCni, kubeProxy, ebsIdentity.association]);

        this.clusterName = clusterName;
        this.kubeconfigJson = pulumi.secret(cluster.kubeconfigJson);
        this.clusterSecurityGroupId = cluster.clusterSecurityGroupId;
        this.nodeSecurityGroupId = nodeSg.id;
        this.kmsKeyArn = key.arn;
        this.gpuAutoScalingGroupName = gpuAsgName;
        this.podIdentityAgent = podIdentityAgent;
        this.workloadPrerequisites = [cpu, coredns, ebsCsi];
        this.registerOutputs({
            clusterName: this.clusterName,
            kubeconfigJson: this.kubeconfigJson,
            nodeSecurityGroupId: this.nodeSecurityGroupId,
            kmsKeyArn: this.kmsKeyArn,
        });
    }
}
