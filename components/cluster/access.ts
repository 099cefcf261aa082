/**
 * EKS access entries for the platform administrators (API authentication mode: no aws-auth
 * ConfigMap). Keyed by principal, not list position, so reordering the list changes nothing.
 */
import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";

const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

/** A short, stable, DNS-safe key for an IAM principal ARN (`role/platform-admin` → `role-platform-admin`). */
export function principalKey(arn: string): string {
    const resource = arn.split(":").slice(5).join(":");
    return resource.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 48);
}

/** One access entry with `AmazonEKSClusterAdminPolicy` (cluster scope) per admin principal. */
export function adminAccess(name: string, clusterName: pulumi.Input<string>, principalArns: readonly string[], parent: pulumi.ComponentResource): void {
    for (const arn of principalArns) {
        const k = principalKey(arn);
        const entry = new aws.eks.AccessEntry(`${name}-admin-${k}`, {
            clusterName,
            principalArn: arn,
            type: "STANDARD",
        }, { parent });
        new aws.eks.AccessPolicyAssociation(`${name}-admin-${k}`, {
            clusterName,
            principalArn: arn,
            policyArn: CLUSTER_ADMIN_POLICY,
            accessScope: { type: "cluster" },
        }, { parent, dependsOn: [entry] });
    }
}
