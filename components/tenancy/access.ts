/**
 * EKS access entries: each team principal and auditor gets one, mapped to its Kubernetes group
 * (rbac.ts), with AmazonEKSViewPolicy scoped to the namespaces it may read.
 */
import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import { principalKey } from "../cluster";
import { AUDITOR_GROUP, teamGroups } from "./rbac";

const VIEW_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";

/** Where an access entry's view policy applies. */
export interface AccessScope {
    readonly type: string;
    readonly namespaces?: string[];
}

/**
 * An access entry for `arn` in `groups`, and its view-policy association over `scope`. `role` keys
 * the logical name (with the principal); `legacy` is the positional name of earlier versions.
 */
function accessEntry(name: string, parent: pulumi.Resource, clusterName: pulumi.Input<string>, role: string, legacy: string, arn: string, groups: string[], scope: AccessScope): void {
    // Keyed by principal, never by list position: removing the first member must not turn entry 2
    // into entry 1 (principalArn is ForceNew and EKS allows one entry per principal). `legacy` is
    // the positional name earlier versions used; the alias carries a live stack's entries over.
    // Both resources are ForceNew on every argument (terraform-provider-aws eks/access_entry.go,
    // eks/access_policy_association.go, whose id is cluster#principal#policy), so a replacement
    // must delete first: creating first would fail on the entry (one per principal) or, for the
    // association, re-associate the same id and then disassociate it, leaving no access at all.
    const key = `${role}-${principalKey(arn)}`;
    const entry = new aws.eks.AccessEntry(`${name}-${key}`, {
        clusterName,
        principalArn: arn,
        type: "STANDARD",
        kubernetesGroups: groups.length ? groups : undefined,
    }, { parent, deleteBeforeReplace: true, aliases: [{ name: `${name}-${legacy}` }] });
    new aws.eks.AccessPolicyAssociation(`${name}-${key}`, {
        clusterName,
        // From the entry, so replacing the entry (which drops its associations in EKS) replaces this too.
        principalArn: entry.principalArn,
        policyArn: VIEW_POLICY,
        accessScope: scope,
    }, { parent, deleteBeforeReplace: true, aliases: [{ name: `${name}-${legacy}` }] });
}

/**
 * The team's principals: members and leads in their groups, read access everywhere in the team's
 * namespaces from the access policy; writing comes from the RBAC Roles bound to the groups.
 */
export function teamAccess(name: string, parent: pulumi.Resource, clusterName: pulumi.Input<string>, team: { readonly name: string; readonly memberPrincipalArns: string[]; readonly leadPrincipalArns: string[] }, namespaces: string[]): void {
    const groups = teamGroups(team.name);
    const scope = { type: "namespace", namespaces };
    team.memberPrincipalArns.forEach((arn, i) => accessEntry(name, parent, clusterName, `${team.name}-member`, `${team.name}-member-${i + 1}`, arn, [groups.members], scope));
    team.leadPrincipalArns.forEach((arn, i) => accessEntry(name, parent, clusterName, `${team.name}-lead`, `${team.name}-lead-${i + 1}`, arn, [groups.leads], scope));
}

/**
 * Auditors: the view policy in `namespaces`, which must leave out those whose pods carry tokens
 * (NS-06): AmazonEKSViewPolicy reads pods (docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html).
 */
export function auditorAccess(name: string, parent: pulumi.Resource, clusterName: pulumi.Input<string>, auditorPrincipalArns: string[], namespaces: string[]): void {
    const scope = { type: "namespace", namespaces };
    auditorPrincipalArns.forEach((arn, i) => accessEntry(name, parent, clusterName, "auditor", `auditor-${i + 1}`, arn, [AUDITOR_GROUP], scope));
}
