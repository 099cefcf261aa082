/**
 * EKS managed add-ons, pinned per Kubernetes version: the DaemonSet add-ons (VPC CNI, kube-proxy,
 * Pod Identity agent) and the node groups start together once the control plane is up; the
 * Deployment add-ons (CoreDNS, EBS CSI driver) follow the DaemonSets their pods need.
 */
import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import { podIdentity } from "../shared/pod-identity";
import { AddonVersions } from "../shared/versions";

const EBS_CSI_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy";

/** One pinned add-on that overwrites conflicting fields on create and update. */
function addon(name: string, clusterName: pulumi.Input<string>, parent: pulumi.ComponentResource, role: string, addonName: string, version: string,
    extra: Partial<aws.eks.AddonArgs> = {}, dependsOn: pulumi.Resource[] = []): aws.eks.Addon {
    return new aws.eks.Addon(`${name}-${role}`, {
        clusterName,
        addonName,
        addonVersion: version,
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
        ...extra,
    }, { parent, dependsOn });
}

/** The add-ons nodes need before they become Ready. */
export interface NodeAddons {
    readonly vpcCni: aws.eks.Addon;
    readonly kubeProxy: aws.eks.Addon;
    /** Pod Identity associations for workloads wait for it. */
    readonly podIdentityAgent: aws.eks.Addon;
}

/**
 * Add-ons that run as DaemonSets. Nodes need the CNI to turn Ready (kubelet reports
 * NetworkPluginNotReady until aws-node has written its CNI config), but the node groups do not wait
 * for these add-ons to be ACTIVE: they are created at the same time, as terraform-aws-modules/eks
 * v21.19.0 does (node_groups.tf: node groups wait only `time_sleep.this`, 30 s after the cluster;
 * main.tf `aws_eks_addon.before_compute` is not a dependency of any node group). The add-on's
 * DaemonSet is applied within its create call, long before an instance has booted and registered
 * (the node group's ~3 min), and aws-node tolerates every taint (amazon-vpc-cni-k8s
 * charts/aws-vpc-cni/values.yaml `tolerations: [{operator: Exists}]`), so it lands on nodes that
 * registered NotReady; a managed node group fails only if its nodes stay NotReady for many minutes
 * (NodeCreationFailure, terraform-aws-modules/eks issue 3446, where the CNI came only after the group).
 * There is no self-managed CNI to race with: the cluster is created with
 * bootstrapSelfManagedAddons false, so the first aws-node is this add-on's, network policy on.
 * Saves the add-on's ~1 min on every fresh stack (issue 19). On destroy nothing but DaemonSet pods
 * is left on the nodes when these go (every Kubernetes object waits for the provider, which waits for
 * the nodes and the Deployment add-ons, which wait for these).
 */
export function nodeAddons(name: string, clusterName: pulumi.Input<string>, versions: AddonVersions, parent: pulumi.ComponentResource): NodeAddons {
    const vpcCni = addon(name, clusterName, parent, "vpc-cni", "vpc-cni", versions.vpcCni, {
        // Without this every NetworkPolicy in the platform is inert (checklist NET-04).
        configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
    });
    const kubeProxy = addon(name, clusterName, parent, "kube-proxy", "kube-proxy", versions.kubeProxy);
    const podIdentityAgent = addon(name, clusterName, parent, "pod-identity-agent", "eks-pod-identity-agent", versions.podIdentityAgent);
    return { vpcCni, kubeProxy, podIdentityAgent };
}

/** The add-ons workloads need: cluster DNS and the EBS CSI driver. */
export interface WorkloadAddons {
    readonly coredns: aws.eks.Addon;
    readonly ebsCsi: aws.eks.Addon;
}

/**
 * CoreDNS and the EBS CSI driver (with its Pod Identity role, granted the platform key for
 * encrypted volumes).
 *
 * Created with the CPU groups, not after them: the add-on's API work overlaps the node launch and its
 * pods start the moment a node is Ready. Pulumi still returns only once they run: the provider
 * (terraform-provider-aws internal/service/eks, waitAddonCreated) waits for ACTIVE with CREATING
 * and DEGRADED as pending states (20 min timeout), so what depends on these (the Kubernetes
 * provider) still waits for running DNS and a running CSI driver.
 */
export function workloadAddons(name: string, clusterName: pulumi.Output<string>, versions: AddonVersions, nodes: NodeAddons,
    keyArn: pulumi.Output<string>, parent: pulumi.ComponentResource): WorkloadAddons {
    const { vpcCni, kubeProxy, podIdentityAgent } = nodes;
    const coredns = addon(name, clusterName, parent, "coredns", "coredns", versions.coredns, {}, [podIdentityAgent, vpcCni, kubeProxy]);
    const ebsIdentity = podIdentity(`${name}-ebs-csi`, {
        clusterName,
        namespace: "kube-system",
        serviceAccount: "ebs-csi-controller-sa",
        managedPolicyArns: { "ebs-csi": EBS_CSI_POLICY },
        // Volumes encrypted with the platform key need grants on it.
        policy: keyArn.apply((arn) => JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], Resource: arn, Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } } },
                { Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: arn },
            ],
        })),
        dependsOn: [podIdentityAgent],
    }, parent);
    // k8sTagClusterId makes the driver tag every volume kubernetes.io/cluster/<cluster>=owned
    // (and ebs.csi.aws.com/cluster-name); without it only the cluster-agnostic
    // ebs.csi.aws.com/cluster=true is set (aws-ebs-csi-driver v1.64 docs/tagging.md,
    // pkg/driver/controller.go CreateVolume), so the destroy leftover check could not find this
    // cluster's volumes (checklist DESTROY-04).
    const ebsCsi = addon(name, clusterName, parent, "ebs-csi", "aws-ebs-csi-driver", versions.ebsCsiDriver, {
        configurationValues: pulumi.jsonStringify({ controller: { k8sTagClusterId: clusterName } }),
    }, [vpcCni, kubeProxy, ebsIdentity.association]);
    return { coredns, ebsCsi };
}
