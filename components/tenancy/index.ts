import * as pulumi from "@pulumi/pulumi";
import { parseCidr } from "../shared/cidr";
import { NAMESPACES } from "../shared/platform";
import { auditorAccess, teamAccess } from "./access";
import { mlflowCredentialsSecret, teamNamespace } from "./namespace";
import { teamNetworkPolicies } from "./network-policy";
import { auditorClusterRole, platformViewRoles, teamRoles, TOKEN_POD_NAMESPACES } from "./rbac";
import type { ResolvedTeamSpec } from "./settings";

export { TEAM_LABEL } from "./namespace";
export { kubernetesServiceIp } from "./network-policy";
export { AUDITOR_CLUSTER_RULES, AUDITOR_GROUP, LEAD_RULES, MEMBER_RULES, PLATFORM_VIEW_RULES, teamGroups, TOKEN_NAMESPACE_VIEW_RULES, TOKEN_POD_NAMESPACES } from "./rbac";
export type { ResolvedTeamSpec, TeamQuota, TeamSpec } from "./settings";

/** Arguments of {@link Tenancy}. */
export interface TenancyArgs {
    /** EKS cluster name, for access entries. */
    readonly clusterName: pulumi.Input<string>;
    /** The teams, resolved and validated by the layer's settings (settings.ts `resolveTeams`). */
    readonly teams: ResolvedTeamSpec[];
    /** VPC CIDR: excluded from internet egress, and the target of Kubernetes API egress. */
    readonly vpcCidr: string;
    /**
     * Kubernetes Service CIDR: excluded from internet egress too. A NetworkPolicy may see a Service's
     * ClusterIP before it is rewritten to an endpoint (Kubernetes leaves the order undefined), and the
     * `kubernetes` Service (its first address) leads to the API server.
     */
    readonly serviceCidr: string;
    /**
     * IAM principals with read-only access (no Secrets: AmazonEKSViewPolicy) to every namespace in
     * `auditedNamespaces` and the teams' namespaces; in `jupyterhub` they see everything but pods
     * (checklist NS-06), and cluster-wide only nodes, namespaces, volumes and RBAC.
     */
    readonly auditorPrincipalArns: string[];
    /**
     * Platform namespaces auditors read through AmazonEKSViewPolicy. Never `jupyterhub`: the view
     * policy reads pods, and user server pods carry their owner's `JUPYTERHUB_API_TOKEN` (NS-06).
     * @default - every platform namespace but jupyterhub, plus kube-system and elastic-system
     */
    readonly auditedNamespaces?: string[];
    /** Platform namespaces where every team may see pods, services and events (not Secrets). */
    readonly platformReadNamespaces: string[];
    /**
     * Each team's MLflow credentials (Tracking.teamCredentials): written to the Secret
     * `mlflow-credentials` in every namespace of the team, keys `MLFLOW_TRACKING_USERNAME` and
     * `MLFLOW_TRACKING_PASSWORD`, so a Job's `envFrom: [{secretRef: {name: mlflow-credentials}}]`
     * signs it in (checklist ML-04). @default {} (no Secrets)
     */
    readonly mlflowCredentials?: Readonly<Record<string, { readonly username: string; readonly password: pulumi.Input<string> }>>;
    /**
     * Removing a team (or one of its extra namespaces) from config keeps the namespace and what
     * the program put in it (quota, network policies, RBAC) in the cluster: Pulumi forgets them
     * (`retainOnDelete`) instead of deleting them, so the team's volumes, pods and data stay until a
     * platform admin deletes the namespace by hand (README "Operating": "Remove a team"). Access
     * entries still go, so the team's principals lose cluster access in the same update. When
     * false, the namespace is deleted with everything in it (sandbox).
     */
    readonly retainNamespacesOnRemoval: boolean;
}

/** {@link TenancyArgs} with defaults applied. */
export type ResolvedTenancyArgs = Required<TenancyArgs>;

/** Applies defaults and validates the wiring arguments; the teams come validated from settings.ts. */
export function resolveTenancyArgs(args: TenancyArgs): ResolvedTenancyArgs {
    const r: ResolvedTenancyArgs = {
        ...args,
        mlflowCredentials: args.mlflowCredentials ?? {},
        auditedNamespaces: args.auditedNamespaces ?? [...Object.values(NAMESPACES).filter((n) => !TOKEN_POD_NAMESPACES.includes(n)), "kube-system", "elastic-system"],
        retainNamespacesOnRemoval: args.retainNamespacesOnRemoval ?? false,
    };
    if (typeof parseCidr(r.serviceCidr) === "string") {
        throw new Error(`serviceCidr "${r.serviceCidr}" ${parseCidr(r.serviceCidr)}`);
    }
    r.auditedNamespaces.forEach((n, i) => {
        if (TOKEN_POD_NAMESPACES.includes(n)) {
            throw new Error(`auditedNamespaces[${i}] "${n}" holds pods whose spec carries a user's JUPYTERHUB_API_TOKEN; auditors see it through the mlplatform-team-viewer Role instead (no pods)`);
        }
    });
    return r;
}

/**
 * Team tenancy: per team, namespaces with Pod Security `restricted`, a quota (GPUs included), a
 * LimitRange, default-deny network policies with explicit allows, RBAC for members and leads, and
 * EKS access entries for the team's IAM principals; cluster-wide read-only access for auditors.
 */
export class Tenancy extends pulumi.ComponentResource {
    /** Team name to its namespace names. */
    public readonly namespaces: Record<string, string[]>;

    constructor(name: string, args: TenancyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:Tenancy", name, {}, opts);
        const a = resolveTenancyArgs(args);

        const namespaces: Record<string, string[]> = {};
        for (const team of a.teams) {
            const nsNames = [team.name, ...team.extraNamespaces.map((s) => `${team.name}-${s}`)];
            namespaces[team.name] = nsNames;
            for (const nsName of nsNames) {
                const ns = teamNamespace(name, this, team.name, nsName, team.quota, a.retainNamespacesOnRemoval);
                teamNetworkPolicies(ns, team, a.vpcCidr, a.serviceCidr);
                teamRoles(ns, team.name);
                const creds = a.mlflowCredentials[team.name];
                if (creds !== undefined) {
                    mlflowCredentialsSecret(name, this, ns, creds);
                }
            }
            teamAccess(name, this, a.clusterName, team, nsNames);
        }

        const hasAuditors = a.auditorPrincipalArns.length > 0;
        auditorAccess(name, this, a.clusterName, a.auditorPrincipalArns, [...a.auditedNamespaces, ...Object.values(namespaces).flat()]);
        if (hasAuditors) {
            auditorClusterRole(name, this);
        }
        platformViewRoles(name, this, a.teams.map((t) => t.name), hasAuditors, a.platformReadNamespaces);

        this.namespaces = namespaces;
        this.registerOutputs({ namespaces });
    }
}
