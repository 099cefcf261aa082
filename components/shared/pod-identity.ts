import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";

/** What one workload identity needs. */
export interface PodIdentityArgs {
    /** EKS cluster name. */
    readonly clusterName: pulumi.Input<string>;
    /** Namespace of the ServiceAccount. */
    readonly namespace: string;
    /** ServiceAccount name. */
    readonly serviceAccount: string;
    /** Inline least-privilege policy document (JSON). */
    readonly policy?: pulumi.Input<string>;
    /** AWS-managed policy ARNs to attach, keyed by a short semantic name. */
    readonly managedPolicyArns?: Record<string, string>;
    /** Resources the association must wait for (the Pod Identity agent add-on). */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The role and association created for one workload. */
export interface PodIdentity {
    readonly role: aws.iam.Role;
    readonly association: aws.eks.PodIdentityAssociation;
}

/**
 * One IAM role per application, assumable only by EKS Pod Identity, bound to exactly one
 * namespace/ServiceAccount pair (checklist ML-02; BPG "Use one IAM role per application").
 * Children are created under `parent` with names `${name}-role`, `${name}-policy`, `${name}-<key>`
 * and `${name}-association`.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html
 */
export function podIdentity(name: string, args: PodIdentityArgs, parent: pulumi.Resource): PodIdentity {
    const role = new aws.iam.Role(`${name}-role`, {
        description: `EKS Pod Identity role for ${args.namespace}/${args.serviceAccount}`,
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
            }],
        }),
    }, { parent });
    if (args.policy !== undefined) {
        new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: args.policy }, { parent });
    }
    for (const [key, arn] of Object.entries(args.managedPolicyArns ?? {})) {
        new aws.iam.RolePolicyAttachment(`${name}-${key}`, { role: role.name, policyArn: arn }, { parent });
    }
    const association = new aws.eks.PodIdentityAssociation(`${name}-association`, {
        clusterName: args.clusterName,
        namespace: args.namespace,
        serviceAccount: args.serviceAccount,
        roleArn: role.arn,
    }, { parent, dependsOn: args.dependsOn });
    return { role, association };
}
