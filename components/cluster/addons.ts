/**
 * EKS managed add-ons, pinned per Kubernetes version, in the order the nodes need them: the
 * DaemonSet add-ons (VPC CNI, kube-proxy, Pod Identity agent) before any node, the Deployment
 * add-ons (CoreDNS, EBS CSI driver) alongside the CPU group.
 */
import * as aws from "@pulumi/aws";
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

/** Add-ons that run as DaemonSets go in before nodes: nodes need the CNI to become Ready. */
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
 * Created with the CPU group, not after it: the add-on's API work overlaps the node launch and its
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
