import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GPU_NODE_LABEL, GPU_TOLERATION, NODE_POOL_LABEL } from "../shared/gpu";
import { ALB_INGRESS_CLASS } from "../shared/ingress";
import { standardLabels } from "../shared/labels";
import { defaultDenyIngress, platformNamespace } from "../shared/namespace";
import { NAMESPACES } from "../shared/platform";
import { podIdentity } from "../shared/pod-identity";
import { resources, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../shared/security-context";
import { CHARTS, IMAGES, INGRESS_VERSIONS } from "../shared/versions";

/** Name of the default StorageClass; PVCs across the platform name it. */
export const DEFAULT_STORAGE_CLASS = "gp3";
/** ServiceAccount the cluster autoscaler runs as (its Pod Identity association names it). */
export const AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler";
/** ServiceAccount the AWS Load Balancer Controller runs as (its Pod Identity association names it). */
export const LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT = "aws-load-balancer-controller";

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

/**
 * Least-privilege IAM for the cluster autoscaler: read-only discovery everywhere, and scaling only
 * on Auto Scaling groups tagged as owned by this cluster.
 *
 * @see https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md
 */
export function autoscalerPolicy(clusterName: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ScaleOwnedGroups",
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
            },
            {
                // Describe calls have no resource-level permissions.
                Sid: "Discover",
                Effect: "Allow",
                Action: [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                    // Lets it read managed node group labels and taints when a group is at zero.
                    "eks:DescribeNodegroup",
                ],
                Resource: "*",
            },
        ],
    });
}

/** Tag the controller puts on every security group, load balancer and target group it creates. */
const LBC_CLUSTER_TAG = "elbv2.k8s.aws/cluster";
/** The request creates the resource with the controller's tag. */
const LBC_TAGGED_REQUEST = { Null: { [`aws:RequestTag/${LBC_CLUSTER_TAG}`]: "false" } };
/** The resource carries the controller's tag, i.e. the controller created it. */
const LBC_OWNED = { Null: { [`aws:ResourceTag/${LBC_CLUSTER_TAG}`]: "false" } };
/** Owned by the controller, and the request does not touch the ownership tag itself. */
const LBC_OWNED_TAG_UNCHANGED = { Null: { [`aws:RequestTag/${LBC_CLUSTER_TAG}`]: "true", [`aws:ResourceTag/${LBC_CLUSTER_TAG}`]: "false" } };
const ELB_ARNS = {
    targetGroups: "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
    loadBalancers: ["arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*", "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*"],
    listenersAndRules: [
        "arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*",
        "arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*",
        "arn:aws:elasticloadbalancing:*:*:listener-rule/net/*/*/*",
        "arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*",
    ],
};
const SECURITY_GROUP_ARN = "arn:aws:ec2:*:*:security-group/*";

/**
 * Actions the load-balancer controller's policy leaves on `Resource: "*"` without a condition, and
 * why (checklist IAM-01). The IAM-01 check refuses any other unconditioned action on `*` in a
 * controller policy; the README shows this table.
 */
export const LBC_UNCONDITIONED_ACTIONS: Readonly<Record<string, string>> = {
    "ec2:Describe*, ec2:Get*, elasticloadbalancing:Describe*": "discovery; these calls have no resource-level permissions",
    "acm:ListCertificates, acm:DescribeCertificate, iam:ListServerCertificates, iam:GetServerCertificate, cognito-idp:DescribeUserPoolClient": "read-only look-ups of what an Ingress annotation names",
    "waf-regional:*WebACL*, wafv2:*WebACL*, shield:*Protection, shield:GetSubscriptionState": "attach the WAF ACL / Shield protection an Ingress names to its ALB; these services' actions take the ACL or protection ARN, not the load balancer's tags",
};

/**
 * Least-privilege IAM for the AWS Load Balancer Controller: the controller's published policy for
 * the pinned version, tightened where upstream leaves writes on `*` (checklist IAM-01):
 * - creating, changing and deleting load balancers, target groups, listeners, rules and security
 *   groups is limited to resources carrying the controller's `elbv2.k8s.aws/cluster` tag (or a
 *   create request that sets it). The controller tags listeners and rules on create too: feature
 *   gate `ListenerRulesTagging` is on by default (`pkg/config/feature_gates.go`) and
 *   `pkg/deploy/elbv2/listener_manager.go` / `listener_rule_manager.go` send `Tags` with
 *   CreateListener / CreateRule (`pkg/deploy/tracking/provider.go`: `elbv2.k8s.aws/cluster` on all);
 * - upstream's unconditioned `ec2:AuthorizeSecurityGroupIngress` (opening node security groups to
 *   the ALB) is limited to security groups tagged `kubernetes.io/cluster/<cluster>: owned`: the
 *   controller only edits the one security group of a target ENI that carries the cluster tag
 *   (`pkg/networking/networking_manager.go` `resolveEndpointSGForENI`), which on this platform is
 *   the EKS cluster security group (EKS tags it `kubernetes.io/cluster/<name>: owned`); the node
 *   security group and the database's have no such tag, so it cannot open the database;
 * - new security groups only in the cluster's VPC, tagged on create.
 * What stays on `*` unconditioned is {@link LBC_UNCONDITIONED_ACTIONS}. Standard `aws` partition
 * only (upstream ships separate China and GovCloud files).
 *
 * @see https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v3.5.0/docs/install/iam_policy.json
 */
export function loadBalancerControllerPolicy(clusterName: string, vpcId: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                // First ALB in an account needs the ELB service-linked role; nothing else may be created.
                Sid: "ElbServiceLinkedRole",
                Effect: "Allow",
                Action: ["iam:CreateServiceLinkedRole"],
                Resource: "*",
                Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
            },
            {
                // Discovery of subnets, security groups, targets and existing load balancers; Describe
                // calls have no resource-level permissions.
                Sid: "Discover",
                Effect: "Allow",
                Action: [
                    "ec2:DescribeAccountAttributes",
                    "ec2:DescribeAddresses",
                    "ec2:DescribeAvailabilityZones",
                    "ec2:DescribeInternetGateways",
                    "ec2:DescribeVpcs",
                    "ec2:DescribeVpcPeeringConnections",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeInstances",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeTags",
                    "ec2:GetCoipPoolUsage",
                    "ec2:DescribeCoipPools",
                    "ec2:GetSecurityGroupsForVpc",
                    "ec2:DescribeIpamPools",
                    "ec2:DescribeRouteTables",
                    "elasticloadbalancing:DescribeLoadBalancers",
                    "elasticloadbalancing:DescribeLoadBalancerAttributes",
                    "elasticloadbalancing:DescribeListeners",
                    "elasticloadbalancing:DescribeListenerCertificates",
                    "elasticloadbalancing:DescribeSSLPolicies",
                    "elasticloadbalancing:DescribeRules",
                    "elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTargetGroupAttributes",
                    "elasticloadbalancing:DescribeTargetHealth",
                    "elasticloadbalancing:DescribeTags",
                    "elasticloadbalancing:DescribeTrustStores",
                    "elasticloadbalancing:DescribeListenerAttributes",
                    "elasticloadbalancing:DescribeCapacityReservation",
                ],
                Resource: "*",
            },
            {
                // Certificates (ACM, IAM), Cognito auth, WAF and Shield named by Ingress annotations.
                Sid: "IngressAddons",
                Effect: "Allow",
                Action: [
                    "cognito-idp:DescribeUserPoolClient",
                    "acm:ListCertificates",
                    "acm:DescribeCertificate",
                    "iam:ListServerCertificates",
                    "iam:GetServerCertificate",
                    "waf-regional:GetWebACL",
                    "waf-regional:GetWebACLForResource",
                    "waf-regional:AssociateWebACL",
                    "waf-regional:DisassociateWebACL",
                    "wafv2:GetWebACL",
                    "wafv2:GetWebACLForResource",
                    "wafv2:AssociateWebACL",
                    "wafv2:DisassociateWebACL",
                    "shield:GetSubscriptionState",
                    "shield:DescribeProtection",
                    "shield:CreateProtection",
                    "shield:DeleteProtection",
                ],
                Resource: "*",
            },
            // --- Security groups ---
            {
                // Opens the cluster's own security group (not ones it owns) to the ALB's security group.
                Sid: "OpenClusterSecurityGroup",
                Effect: "Allow",
                Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
                Resource: SECURITY_GROUP_ARN,
                Condition: { StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${clusterName}`]: "owned" } },
            },
            {
                // CreateSecurityGroup is authorized on the VPC and on the new group: this VPC only,
                // and the group must carry the controller's tag from the start.
                Sid: "CreateSecurityGroupInClusterVpc",
                Effect: "Allow",
                Action: ["ec2:CreateSecurityGroup"],
                Resource: `arn:aws:ec2:*:*:vpc/${vpcId}`,
            },
            {
                Sid: "CreateTaggedSecurityGroup",
                Effect: "Allow",
                Action: ["ec2:CreateSecurityGroup"],
                Resource: SECURITY_GROUP_ARN,
                Condition: LBC_TAGGED_REQUEST,
            },
            {
                Sid: "TagSecurityGroupOnCreate",
                Effect: "Allow",
                Action: ["ec2:CreateTags"],
                Resource: SECURITY_GROUP_ARN,
                Condition: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" }, ...LBC_TAGGED_REQUEST },
            },
            {
                Sid: "RetagOwnedSecurityGroups",
                Effect: "Allow",
                Action: ["ec2:CreateTags", "ec2:DeleteTags"],
                Resource: SECURITY_GROUP_ARN,
                Condition: LBC_OWNED_TAG_UNCHANGED,
            },
            {
                Sid: "ManageOwnedSecurityGroups",
                Effect: "Allow",
                Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
                Resource: "*",
                Condition: LBC_OWNED,
            },
            // --- Load balancers and target groups ---
            {
                Sid: "CreateTaggedLoadBalancers",
                Effect: "Allow",
                Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
                Resource: "*",
                Condition: LBC_TAGGED_REQUEST,
            },
            {
                // Upstream leaves listener and rule writes on *; the controller tags both on create.
                Sid: "CreateTaggedListenersAndRules",
                Effect: "Allow",
                Action: ["elasticloadbalancing:CreateListener", "elasticloadbalancing:CreateRule"],
                Resource: "*",
                Condition: LBC_TAGGED_REQUEST,
            },
            {
                Sid: "DeleteOwnedListenersAndRules",
                Effect: "Allow",
                Action: ["elasticloadbalancing:DeleteListener", "elasticloadbalancing:DeleteRule"],
                Resource: ELB_ARNS.listenersAndRules,
                Condition: LBC_OWNED,
            },
            {
                Sid: "RetagOwnedLoadBalancers",
                Effect: "Allow",
                Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
                Resource: [ELB_ARNS.targetGroups, ...ELB_ARNS.loadBalancers],
                Condition: LBC_OWNED_TAG_UNCHANGED,
            },
            {
                Sid: "TagListenersAndRulesOnCreate",
                Effect: "Allow",
                Action: ["elasticloadbalancing:AddTags"],
                Resource: ELB_ARNS.listenersAndRules,
                Condition: {
                    StringEquals: { "elasticloadbalancing:CreateAction": ["CreateListener", "CreateRule"] },
                    ...LBC_TAGGED_REQUEST,
                },
            },
            {
                Sid: "RetagOwnedListenersAndRules",
                Effect: "Allow",
                Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
                Resource: ELB_ARNS.listenersAndRules,
                Condition: LBC_OWNED_TAG_UNCHANGED,
            },
            {
                Sid: "ManageOwnedLoadBalancers",
                Effect: "Allow",
                Action: [
                    "elasticloadbalancing:ModifyLoadBalancerAttributes",
                    "elasticloadbalancing:SetIpAddressType",
                    "elasticloadbalancing:SetSecurityGroups",
                    "elasticloadbalancing:SetSubnets",
                    "elasticloadbalancing:DeleteLoadBalancer",
                    "elasticloadbalancing:ModifyTargetGroup",
                    "elasticloadbalancing:ModifyTargetGroupAttributes",
                    "elasticloadbalancing:DeleteTargetGroup",
                    "elasticloadbalancing:ModifyListenerAttributes",
                    "elasticloadbalancing:ModifyCapacityReservation",
                    "elasticloadbalancing:ModifyIpPools",
                ],
                Resource: "*",
                Condition: LBC_OWNED,
            },
            {
                Sid: "TagLoadBalancersOnCreate",
                Effect: "Allow",
                Action: ["elasticloadbalancing:AddTags"],
                Resource: [ELB_ARNS.targetGroups, ...ELB_ARNS.loadBalancers],
                Condition: {
                    StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"] },
                    ...LBC_TAGGED_REQUEST,
                },
            },
            {
                // Only its own target groups (the platform uses no TargetGroupBinding to foreign ones).
                Sid: "RegisterTargets",
                Effect: "Allow",
                Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
                Resource: ELB_ARNS.targetGroups,
                Condition: LBC_OWNED,
            },
            {
                // Listener certificates, WAF on the ALB and rule edits; upstream leaves them on *.
                Sid: "ConfigureOwnedListeners",
                Effect: "Allow",
                Action: [
                    "elasticloadbalancing:SetWebAcl",
                    "elasticloadbalancing:ModifyListener",
                    "elasticloadbalancing:AddListenerCertificates",
                    "elasticloadbalancing:RemoveListenerCertificates",
                    "elasticloadbalancing:ModifyRule",
                    "elasticloadbalancing:SetRulePriorities",
                ],
                Resource: "*",
                Condition: LBC_OWNED,
            },
        ],
    });
}

/**
 * Cluster-wide services every layer relies on: the default encrypted gp3 StorageClass, the NVIDIA
 * device plugin on GPU nodes, and the cluster autoscaler that brings GPU nodes up from zero when a
 * pod asks for `nvidia.com/gpu` and removes them when idle; optionally the AWS Load Balancer
 * Controller, which serves Ingresses with ALBs. Needs a Kubernetes provider.
 */
export class ClusterServices extends pulumi.ComponentResource {
    /** Name of the default StorageClass. */
    public readonly storageClassName: pulumi.Output<string>;
    /**
     * The default StorageClass itself: what a layer with volumes needs before it installs. Layers
     * depend on it rather than on this whole component, so they do not wait for the device plugin
     * and autoscaler releases (issue 19: those sat on the fresh-stack critical path).
     */
    public readonly storageClass: k8s.storage.v1.StorageClass;
    /** The device plugin's namespace, where the monitoring layer installs the DCGM exporter. */
    public readonly gpuNamespace: k8s.core.v1.Namespace;
    /**
     * The AWS Load Balancer Controller release, when enabled. An Ingress or LoadBalancer Service
     * must depend on it, so that on destroy it is deleted (and its ALB with it) while the
     * controller still runs (design: "Destroy without leftovers").
     */
    public readonly loadBalancerController?: k8s.helm.v3.Release;

    constructor(name: string, args: ClusterServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:ClusterServices", name, {}, opts);
        const a = resolveClusterServicesArgs(args);

        const storageClass = new k8s.storage.v1.StorageClass(`${name}-gp3`, {
            metadata: {
                name: DEFAULT_STORAGE_CLASS,
                annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
                labels: standardLabels("ebs-gp3", "storage", name),
            },
            provisioner: "ebs.csi.aws.com",
            parameters: {
                type: "gp3",
                encrypted: "true",
                ...(a.volumeKmsKeyArn !== undefined ? { kmsKeyId: a.volumeKmsKeyArn } : {}),
            },
            // Bind where the pod lands, so the volume is in the pod's AZ.
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
            reclaimPolicy: a.storageReclaimPolicy,
        }, { parent: this });

        const devicePluginNs = platformNamespace(`${name}-nvidia`, {
            name: NAMESPACES.gpu,
            level: "privileged",
            reason: "The NVIDIA device plugin mounts the kubelet's device-plugin socket directory (hostPath).",
            labels: standardLabels("nvidia-device-plugin", "gpu", name),
        }, { parent: this });
        // Nothing calls the device plugin over the network (the kubelet uses its socket); the DCGM
        // exporter's metrics port is opened by the monitoring layer that installs it (NS-09).
        defaultDenyIngress(`${name}-nvidia`, devicePluginNs.metadata.name, [], { parent: this });

        new k8s.helm.v3.Release(`${name}-nvidia-device-plugin`, {
            name: "nvidia-device-plugin",
            chart: CHARTS.nvidiaDevicePlugin.chart,
            version: CHARTS.nvidiaDevicePlugin.version,
            repositoryOpts: { repo: CHARTS.nvidiaDevicePlugin.repo },
            namespace: devicePluginNs.metadata.name,
            values: {
                // Only GPU nodes: the label is set by the GPU node group and by the autoscaler's template.
                affinity: {
                    nodeAffinity: {
                        requiredDuringSchedulingIgnoredDuringExecution: {
                            nodeSelectorTerms: [{ matchExpressions: [{ key: GPU_NODE_LABEL.key, operator: "In", values: [GPU_NODE_LABEL.value] }] }],
                        },
                    },
                },
                tolerations: [GPU_TOLERATION, { key: "CriticalAddonsOnly", operator: "Exists" }],
                priorityClassName: "system-node-critical",
                // K8S-05/06/08. A non-empty `securityContext` replaces the chart's default (no escalation,
                // drop ALL: nvidia-device-plugin 0.20.0 _helpers.tpl `nvidia-device-plugin.securityContext`),
                // so it repeats that and adds a read-only root: the plugin writes only to its hostPath
                // volumes (/var/lib/kubelet/device-plugins, /var/run/cdi, the MPS root). Root: see K8S-01.
                podSecurityContext: { seccompProfile: { type: "RuntimeDefault" } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                resources: resources("10m", "64Mi", "128Mi"),
            },
        }, { parent: this });

        const identity = podIdentity(`${name}-autoscaler`, {
            clusterName: args.clusterName,
            namespace: "kube-system",
            serviceAccount: AUTOSCALER_SERVICE_ACCOUNT,
            policy: pulumi.output(args.clusterName).apply(autoscalerPolicy),
            dependsOn: [args.podIdentityAgent],
        }, this);

        const [repository, tag] = a.autoscalerImage.split(/:(?=[^:]+$)/);
        new k8s.helm.v3.Release(`${name}-cluster-autoscaler`, {
            name: "cluster-autoscaler",
            chart: CHARTS.clusterAutoscaler.chart,
            version: CHARTS.clusterAutoscaler.version,
            repositoryOpts: { repo: CHARTS.clusterAutoscaler.repo },
            namespace: "kube-system",
            values: {
                cloudProvider: "aws",
                awsRegion: a.region,
                autoDiscovery: { clusterName: args.clusterName },
                fullnameOverride: "cluster-autoscaler",
                image: { repository, tag },
                rbac: { serviceAccount: { create: true, name: AUTOSCALER_SERVICE_ACCOUNT } },
                extraArgs: {
                    "balance-similar-node-groups": true,
                    expander: "least-waste",
                    // System DaemonSets and emptyDir must not pin an idle GPU node forever.
                    "skip-nodes-with-system-pods": false,
                    "skip-nodes-with-local-storage": false,
                    "scale-down-unneeded-time": `${a.scaleDownUnneededMinutes}m`,
                    "scale-down-delay-after-add": "5m",
                },
                priorityClassName: "system-cluster-critical",
                nodeSelector: { [NODE_POOL_LABEL]: "cpu" },
                securityContext: restrictedPodSecurityContext(65534),
                containerSecurityContext: restrictedContainerSecurityContext(),
                resources: resources("100m", "300Mi", "600Mi"),
            },
        }, { parent: this, dependsOn: [identity.association] });

        if (a.loadBalancerController) {
            this.loadBalancerController = this.loadBalancerControllerRelease(name, args, a);
        }

        this.storageClass = storageClass;
        this.gpuNamespace = devicePluginNs;
        this.storageClassName = storageClass.metadata.name;
        this.registerOutputs({ storageClassName: this.storageClassName });
    }

    /** The AWS Load Balancer Controller and its Pod Identity (only when `loadBalancerController`). */
    private loadBalancerControllerRelease(name: string, args: ClusterServicesArgs, a: ResolvedClusterServicesArgs): k8s.helm.v3.Release {
        const identity = podIdentity(`${name}-lb-controller`, {
            clusterName: args.clusterName,
            namespace: "kube-system",
            serviceAccount: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
            policy: pulumi.all([args.clusterName, a.vpcId!]).apply(([c, vpc]) => loadBalancerControllerPolicy(c, vpc)),
            dependsOn: [args.podIdentityAgent],
        }, this);

        const pin = INGRESS_VERSIONS.loadBalancerControllerChart;
        const [repository, tag] = INGRESS_VERSIONS.loadBalancerControllerImage.split(/:(?=[^:]+$)/);
        // Every key below is in the pinned chart's values.yaml (no values.schema there to check against).
        return new k8s.helm.v3.Release(`${name}-lb-controller`, {
            name: "aws-load-balancer-controller",
            chart: pin.chart,
            version: pin.version,
            repositoryOpts: { repo: pin.repo },
            namespace: "kube-system",
            values: {
                clusterName: args.clusterName,
                // IMDS is one hop away from pods (NG-02), so the controller cannot discover these itself.
                region: a.region,
                vpcId: a.vpcId,
                image: { repository, tag },
                serviceAccount: { create: true, name: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT },
                ingressClass: ALB_INGRESS_CLASS,
                // Only Ingresses get ALBs. With the mutator on, every new `type: LoadBalancer` Service
                // would silently become an NLB owned by this controller.
                enableServiceMutatorWebhook: false,
                // Its webhooks (Ingress validation: failurePolicy Fail) need a replica up during node
                // drains; the chart renders the PDB only when replicaCount > 1.
                replicaCount: 2,
                podDisruptionBudget: { maxUnavailable: 1 },
                nodeSelector: { [NODE_POOL_LABEL]: "cpu" },
                // The chart's defaults miss seccomp and the capability drop; 65534 matches its fsGroup.
                podSecurityContext: restrictedPodSecurityContext(65534),
                securityContext: restrictedContainerSecurityContext(),
                // Upstream's example request; the limit leaves room for its informer caches (every Pod, Service, Node).
                resources: resources("100m", "128Mi", "512Mi"),
            },
        }, { parent: this, dependsOn: [identity.association] });
    }
}
