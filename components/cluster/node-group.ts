/**
 * The managed node groups: the node role and security group they share, a hardened launch
 * template per pool (IMDSv2 with one hop, encrypted gp3 root), one CPU group and one GPU group
 * (NVIDIA AMI, tainted, scaling from zero, fast image pull) per AZ, with the Auto Scaling group tags
 * the cluster autoscaler reads when a group has no node.
 */
import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import { ACCELERATOR_LABEL, GPU_NODE_LABEL, GPU_TAINT, NODE_POOL_LABEL } from "../shared/gpu";
import { NodeGroupSpec, ResolvedClusterArgs } from "./args";

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

/** What the node groups need from the rest of the cluster. */
export interface NodeGroupsInputs {
    /** The EKS cluster's name (an output of the cluster). */
    readonly clusterName: pulumi.Output<string>;
    /** The EKS-managed cluster security group: nodes reach the control plane and each other through it. */
    readonly clusterSecurityGroupId: pulumi.Input<string>;
    /** VPC of the node security group. */
    readonly vpcId: pulumi.Input<string>;
    /** Private subnets the nodes run in (every AZ). */
    readonly privateSubnetIds: pulumi.Input<string>[];
}

/** The node groups and what consumers need of them. */
export interface NodeGroups {
    /** The platform's node security group: the source databases admit. */
    readonly nodeSecurityGroup: aws.ec2.SecurityGroup;
    /** The CPU node groups, one per AZ, in private-subnet order. */
    readonly cpu: aws.eks.NodeGroup[];
    /** Names of the CPU node groups' Auto Scaling groups, one per AZ, in private-subnet order. */
    readonly cpuAutoScalingGroupNames: pulumi.Output<string>[];
    /** The GPU node groups, one per AZ, in private-subnet order. */
    readonly gpu: aws.eks.NodeGroup[];
    /** Names of the GPU node groups' Auto Scaling groups, one per AZ, in private-subnet order. */
    readonly gpuAutoScalingGroupNames: pulumi.Output<string>[];
}

/** Extras of one group's launch template. */
interface LaunchTemplateExtra {
    readonly userData?: string;
    readonly throughput?: number;
}

/** The per-AZ CPU and GPU managed node groups with their role, security group and launch templates. */
export function nodeGroups(name: string, a: ResolvedClusterArgs, inputs: NodeGroupsInputs, parent: pulumi.ComponentResource): NodeGroups {
    const { clusterName } = inputs;
    const nodeRole = new aws.iam.Role(`${name}-node-role`, {
        description: `${a.clusterName} worker nodes`,
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
    }, { parent });
    const nodePolicies = Object.entries(NODE_ROLE_POLICIES).map(([k, arn]) =>
        new aws.iam.RolePolicyAttachment(`${name}-node-${k}`, { role: nodeRole.name, policyArn: arn }, { parent }));

    const nodeSg = new aws.ec2.SecurityGroup(`${name}-node-sg`, {
        description: `${a.clusterName} nodes: identifies node traffic to data stores`,
        vpcId: inputs.vpcId,
        ingress: [],
        // Nodes pull images and reach AWS APIs through NAT (checklist NET-02 documented skip).
        egress: [{ description: "All egress (image pulls, AWS APIs)", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
        tags: { Name: `${a.clusterName}-nodes` },
    }, { parent });

    const launchTemplate = (role: string, spec: NodeGroupSpec, extra: LaunchTemplateExtra = {}) => new aws.ec2.LaunchTemplate(`${name}-${role}-lt`, {
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
        vpcSecurityGroupIds: [inputs.clusterSecurityGroupId, nodeSg.id],
        tagSpecifications: [{ resourceType: "instance", tags: { Name: `${a.clusterName}-${role}` } }],
    }, { parent });

    const autoscalerTags = {
        "k8s.io/cluster-autoscaler/enabled": "true",
        [`k8s.io/cluster-autoscaler/${a.clusterName}`]: "owned",
    };
    const nodeGroup = (role: string, subnetIds: pulumi.Input<string>[], spec: NodeGroupSpec, scaling: ScalingConfig, amiType: string,
        lt: aws.ec2.LaunchTemplate, extra: Partial<aws.eks.NodeGroupArgs>) => new aws.eks.NodeGroup(`${name}-${role}`, {
        clusterName,
        nodeRoleArn: nodeRole.arn,
        subnetIds,
        amiType,
        // Nodes follow the control plane: a version bump rolls them (UpdateNodegroupVersion, new
        // EKS AMI for the minor, maxUnavailable at a time, PDBs honoured) while the add-ons move
        // to their pins for the new minor (kube-proxy may be up to three minors from the kubelet:
        // kubernetes/website content/en/releases/version-skew-policy.md, "kube-proxy"). Left
        // unset, the nodes stay on the old minor and the next upgrade is refused.
        version: a.kubernetesVersion,
        instanceTypes: spec.instanceTypes,
        capacityType: spec.capacityType,
        scalingConfig: scaling,
        updateConfig: { maxUnavailable: 1 },
        launchTemplate: { id: lt.id, version: lt.latestVersion.apply((v) => `${v}`) },
        tags: autoscalerTags,
        ...extra,
    }, {
        parent,
        dependsOn: nodePolicies,
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
    // One group per AZ for both pools (issue #19). Notebook homes, Elasticsearch and Prometheus
    // volumes are gp3 volumes bound to one AZ. cluster-autoscaler 1.35.2 models a new node of a group
    // on a running node of that group (its AZ included: processors/nodeinfosprovider/
    // mixed_nodeinfos_processor.go, simulator/node_info_utils.go) or, at zero, builds its template
    // node in the group's FIRST AZ only (cloudprovider/aws/aws_manager.go getAsgTemplate:
    // `az := asg.AvailabilityZones[0]`, "Found multiple availability zones for ASG ...", and
    // buildGenericLabels sets topology.kubernetes.io/zone and topology.ebs.csi.aws.com/zone to it), so
    // one multi-AZ group could never scale up for a pod whose volume lives in another AZ ("volume node
    // affinity conflict" in its simulation), and a scale-up it did make could land in the wrong AZ.
    // cloudprovider/aws/README.md (same tag), "Common Notes and Gotchas": "either use a single AZ ASG
    // for this use case, or an ASG-per-AZ while enabling --balance-similar-node-groups" (set in
    // cluster-services/autoscaler.ts; a pool's groups have identical labels and taints, and
    // processors/nodegroupset/aws_nodegroups.go ignores the zone and eks.amazonaws.com/nodegroup
    // labels when comparing them); AWS EKS Best Practices, reliability/dataplane: "Ensure ability to
    // launch Nodes in each AZ when using EBS volumes". Keyed by AZ position, like the subnets
    // (`network-private-<i>`), so adding an AZ adds a group and touches none of the others. One launch
    // template serves every group of a pool, so they launch identical nodes.
    // Day-2, upgrading a live stack from the single `<name>-cpu` / `<name>-gpu` group: these are new
    // logical resources, so `pulumi up` creates them (auto-named, no name clash) and deletes the old
    // group only once the program has registered everything (pulumi/pulumi pkg/resource/deploy/
    // deployment_executor.go performPostSteps: what is left in the old state is deleted after the
    // program finishes); EKS drains the old group's nodes honouring PodDisruptionBudgets for up to 15
    // minutes, and the evicted pods make the autoscaler grow the new group in their volume's AZ
    // (README "Operating").
    const perAz = (role: "cpu" | "gpu", spec: NodeGroupSpec, amiType: string, lt: aws.ec2.LaunchTemplate, extra: Partial<aws.eks.NodeGroupArgs>) => {
        const sizes = perAzGroupSizes(role, spec, inputs.privateSubnetIds.length);
        return inputs.privateSubnetIds.map((subnetId, i) => nodeGroup(`${role}-${i + 1}`, [subnetId], spec, sizes[i], amiType, lt, extra));
    };
    const cpu = perAz("cpu", a.cpuNodeGroup, CPU_AMI_TYPE, launchTemplate("cpu", a.cpuNodeGroup), { labels: { [NODE_POOL_LABEL]: "cpu" } });

    // Cut the multi-GB CUDA image pull on a cold node: parallel pull and unpack, and the disk
    // throughput it needs. The notebooks layer also pre-pulls the image as the node joins.
    const gpuLt = launchTemplate("gpu", a.gpuNodeGroup, { userData: gpuNodeUserData(), throughput: GPU_ROOT_THROUGHPUT_MIBPS });
    const gpu = perAz("gpu", a.gpuNodeGroup, GPU_AMI_TYPE, gpuLt, {
        // The accelerator label is on the node from registration (managed node group labels are
        // kubelet --node-labels), so the autoscaler treats a GPU node whose device plugin has not
        // yet advertised nvidia.com/gpu as starting, not as a node that cannot take the pod.
        labels: { [NODE_POOL_LABEL]: "gpu", [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value, [ACCELERATOR_LABEL]: a.gpuAccelerator },
        taints: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: "NO_SCHEDULE" }],
    });
    const asgNames = (role: "cpu" | "gpu", groups: aws.eks.NodeGroup[], tags: Record<string, string>) => groups.map((g, i) => {
        const asgName = g.resources.apply((rs) => rs[0].autoscalingGroups[0].name);
        nodeTemplateTags(`${name}-${role}-${i + 1}`, tags, asgName, parent);
        return asgName;
    });
    const cpuAutoScalingGroupNames = asgNames("cpu", cpu, cpuNodeTemplateTags());
    const gpuAutoScalingGroupNames = asgNames("gpu", gpu, gpuNodeTemplateTags(a));
    return { nodeSecurityGroup: nodeSg, cpu, gpu, cpuAutoScalingGroupNames, gpuAutoScalingGroupNames };
}

/** Minimum, initial desired and maximum size of one managed node group. */
export interface ScalingConfig {
    readonly minSize: number;
    readonly desiredSize: number;
    readonly maxSize: number;
}

/**
 * Sizes of one pool's per-AZ groups (CPU or GPU). The pool's minimum and desired size (`cpuMinSize`,
 * `gpuMinSize`, ...) are totals over the AZs, spread from the first AZ on (5 over 3 AZs: 2, 2, 1), so
 * the stack never keeps more idle nodes than the config asks for (the sandbox's 1 CPU node stays 1
 * node, in the first AZ; 0 GPUs stay 0 in every group). Each group's maximum is the pool's whole
 * maximum: every user with a home volume in one AZ may need nodes there at once. The totals stay
 * bounded by the autoscaler's `--gpu-total` and `--max-nodes-total` (cluster-services/autoscaler.ts)
 * and by the teams' quotas.
 */
export function perAzGroupSizes(pool: "cpu" | "gpu", spec: Pick<NodeGroupSpec, "minSize" | "desiredSize" | "maxSize">, azCount: number): ScalingConfig[] {
    if (!Number.isInteger(azCount) || azCount < 1) {
        throw new Error(`Cluster: privateSubnetIds has ${azCount} subnets; the ${pool.toUpperCase()} node groups need one private subnet per AZ, at least one`);
    }
    const share = (total: number, i: number) => Math.floor(total / azCount) + (i < total % azCount ? 1 : 0);
    return Array.from({ length: azCount }, (_, i) => ({ minSize: share(spec.minSize, i), desiredSize: share(spec.desiredSize, i), maxSize: spec.maxSize }));
}

/**
 * Scale from zero: with no node of a group running, the autoscaler learns what a new node would
 * offer from these ASG tags (managed node groups do not copy labels and taints to the ASG). In
 * cluster-autoscaler 1.35.2 (cloudprovider/aws/aws_manager.go buildNodeFromTemplate) the template
 * node gets the generic labels (zone from `AvailabilityZones[0]`), then every
 * `k8s.io/cluster-autoscaler/node-template/label/*` tag (extractLabelsFromAsg), then, for an EKS
 * managed group (its ASG's `eks:nodegroup-name` and `eks:cluster-name` tags), the labels and taints
 * of eks:DescribeNodegroup (managed_nodegroup_cache.go; allowed by the autoscaler's policy). The
 * EKS API is asked only while a group has never had a node (cloudprovider/aws/README.md, "Currently
 * the Cluster Autoscaler will only call the EKS DescribeNodegroup API when a managed nodegroup is
 * created with 0 nodes and has never had any nodes added to it"), so after a first scale-down the
 * tags alone carry them. Every group of a pool's ASG gets the same set. No zone label tag: a
 * single-AZ group's ASG lists that one AZ, and getAsgTemplate already labels the template node with
 * it; a `node-template/label/topology.kubernetes.io/zone` tag would only restate it.
 */
function nodeTemplateTags(groupName: string, tags: Record<string, string>, asgName: pulumi.Output<string>, parent: pulumi.ComponentResource): void {
    for (const [tagKey, value] of Object.entries(tags)) {
        const role = tagKey.split("/").slice(3).join("-").replace(/[^a-zA-Z0-9-]/g, "-").toLowerCase();
        new aws.autoscaling.Tag(`${groupName}-asg-${role}`, {
            autoscalingGroupName: asgName,
            tag: { key: tagKey, value, propagateAtLaunch: false },
        }, { parent });
    }
}

/**
 * A CPU group's template node needs the node-pool label: platform pods select CPU nodes by it
 * (ON_CPU_NODES), and so does the Kueue CPU flavor. A CPU group whose share of `cpuMinSize` is 0 (the
 * sandbox's second AZ) idles at zero; every CPU group carries the tag, so which groups are at zero
 * can change with `cpuMinSize` without adding or removing tags. No taint, no extended resources.
 */
function cpuNodeTemplateTags(): Record<string, string> {
    return { [`k8s.io/cluster-autoscaler/node-template/label/${NODE_POOL_LABEL}`]: "cpu" };
}

/** The GPU groups' template: GPU labels, the taint and the GPU count per node. */
function gpuNodeTemplateTags(a: ResolvedClusterArgs): Record<string, string> {
    return {
        [`k8s.io/cluster-autoscaler/node-template/label/${GPU_NODE_LABEL.key}`]: GPU_NODE_LABEL.value,
        [`k8s.io/cluster-autoscaler/node-template/label/${NODE_POOL_LABEL}`]: "gpu",
        // The same label on the template node (scale from zero); aws_manager.go copies node-template/label/* tags onto it.
        [`k8s.io/cluster-autoscaler/node-template/label/${ACCELERATOR_LABEL}`]: a.gpuAccelerator,
        [`k8s.io/cluster-autoscaler/node-template/taint/${GPU_TAINT.key}`]: `${GPU_TAINT.value}:${GPU_TAINT.effect}`,
        "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": `${a.gpusPerNode}`,
    };
}
