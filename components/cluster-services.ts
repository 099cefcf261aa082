import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GPU_NODE_LABEL, GPU_TOLERATION, NODE_POOL_LABEL } from "./shared/gpu";
import { podSecurity, standardLabels } from "./shared/labels";
import { podIdentity } from "./shared/pod-identity";
import { resources, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "./shared/security-context";
import { CHARTS, IMAGES } from "./shared/versions";

/** Name of the default StorageClass; PVCs across the platform name it. */
export const DEFAULT_STORAGE_CLASS = "gp3";
/** ServiceAccount the cluster autoscaler runs as (its Pod Identity association names it). */
export const AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler";

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
}

/** {@link ClusterServicesArgs} with defaults applied. */
export type ResolvedClusterServicesArgs = Required<Omit<ClusterServicesArgs, "volumeKmsKeyArn">> & Pick<ClusterServicesArgs, "volumeKmsKeyArn"> & { readonly autoscalerImage: string };

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
    return { ...args, storageReclaimPolicy: args.storageReclaimPolicy ?? "Retain", scaleDownUnneededMinutes: minutes, autoscalerImage };
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

/**
 * Cluster-wide services every layer relies on: the default encrypted gp3 StorageClass, the NVIDIA
 * device plugin on GPU nodes, and the cluster autoscaler that brings GPU nodes up from zero when a
 * pod asks for `nvidia.com/gpu` and removes them when idle. Needs a Kubernetes provider.
 */
export class ClusterServices extends pulumi.ComponentResource {
    /** Name of the default StorageClass. */
    public readonly storageClassName: pulumi.Output<string>;

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

        const gpuNs = podSecurity("privileged", "The NVIDIA device plugin mounts the kubelet's device-plugin socket directory (hostPath).");
        const devicePluginNs = new k8s.core.v1.Namespace(`${name}-nvidia`, {
            metadata: {
                name: "nvidia-device-plugin",
                labels: { ...gpuNs.labels, ...standardLabels("nvidia-device-plugin", "gpu", name) },
                annotations: gpuNs.annotations,
            },
        }, { parent: this });

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

        this.storageClassName = storageClass.metadata.name;
        this.registerOutputs({ storageClassName: this.storageClassName });
    }
}
