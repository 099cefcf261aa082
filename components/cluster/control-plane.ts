/**
 * The EKS control plane: the platform KMS key (secrets envelope encryption, control-plane logs,
 * volumes), the declared control-plane log group, and the `@pulumi/eks` cluster itself with
 * API authentication, a private endpoint and a CIDR-restricted public one.
 */
import * as aws from "../shared/aws";
// From their own modules: `@pulumi/eks`'s index (4.3.0, `index.js`) loads its mixins
// (`clusterMixins.js`, `nodegroupMixins.js`), which load the whole of @pulumi/aws and
// @pulumi/kubernetes (see ../shared/aws.ts). The mixins only add helpers this program does not use
// (`cluster.provider`, `createNodeGroup`).
import { Cluster as EksCluster } from "@pulumi/eks/cluster";
import { AuthenticationMode } from "@pulumi/eks/types/enums";
import * as pulumi from "@pulumi/pulumi";
import { cloudWatchLogsStatement } from "../shared/kms";
import { ClusterArgs, ResolvedClusterArgs } from "./args";

/** What the rest of the cluster builds on. */
export interface ControlPlane {
    /** The platform KMS key. */
    readonly key: aws.kms.Key;
    /** The `@pulumi/eks` cluster (a remote component). */
    readonly cluster: EksCluster;
    /** The EKS cluster's name, as an output (children wait for the cluster through it). */
    readonly clusterName: pulumi.Output<string>;
}

/**
 * The platform key, its alias, the control-plane log group and the EKS cluster. `protect` guards
 * the cluster (EKS-07) and keeps the key (KMS-02) in production.
 */
export function controlPlane(name: string, a: ResolvedClusterArgs, args: ClusterArgs, parent: pulumi.ComponentResource): ControlPlane {
    const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
    const partition = aws.getPartitionOutput({}, { parent }).partition;
    const region = aws.getRegionOutput({}, { parent }).region;

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
    }, { parent, protect: a.protect, retainOnDelete: a.protect });
    new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${a.clusterName}`, targetKeyId: key.keyId }, { parent });

    // Declared here so `pulumi destroy` removes it; EKS would otherwise create it with no expiry.
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-control-plane-logs`, {
        name: `/aws/eks/${a.clusterName}/cluster`,
        retentionInDays: a.logRetentionDays,
        kmsKeyId: key.arn,
    }, { parent });

    const cluster = new EksCluster(`${name}-eks`, {
        name: a.clusterName,
        version: a.kubernetesVersion,
        vpcId: args.vpcId,
        privateSubnetIds: args.privateSubnetIds.slice(0, a.controlPlaneAzCount),
        publicSubnetIds: args.publicSubnetIds.slice(0, a.controlPlaneAzCount),
        kubernetesServiceIpAddressRange: a.serviceCidr,
        authenticationMode: AuthenticationMode.Api,
        endpointPrivateAccess: true,
        endpointPublicAccess: a.publicAccessCidrs.length > 0,
        publicAccessCidrs: a.publicAccessCidrs.length > 0 ? a.publicAccessCidrs : undefined,
        enabledClusterLogTypes: a.controlPlaneLogTypes,
        encryptionConfigKeyArn: key.arn,
        upgradePolicy: { supportType: "STANDARD" },
        deletionProtection: a.deletionProtection,
        // Node groups, security groups and add-ons are declared by the other parts, where tests can see them.
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
    }, { parent, dependsOn: [logGroup], protect: a.protect });
    return { key, cluster, clusterName: cluster.eksCluster.name };
}
