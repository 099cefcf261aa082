/**
 * Kubernetes RBAC of the teams and auditors: members' and leads' Roles in each team namespace, the
 * viewer Roles in platform namespaces, and the auditors' cluster-wide reads. EKS access entries map
 * IAM principals to the groups bound here (access.ts).
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../shared/labels";
import { NAMESPACES } from "../shared/platform";
import type { TeamNamespace } from "./namespace";

/**
 * Namespaces whose pods carry a credential in their spec: JupyterHub 5.5.0 `Spawner.get_env`
 * (jupyterhub/spawner.py) sets `env['JUPYTERHUB_API_TOKEN'] = self.api_token`, and KubeSpawner 7.0.0
 * `make_pod` (kubespawner/objects.py) renders a plain string as `V1EnvVar(name=key, value=env)`, not
 * a secretKeyRef. Whoever can `get pods` there can act as any notebook user (checklist NS-06).
 */
export const TOKEN_POD_NAMESPACES: readonly string[] = [NAMESPACES.jupyterhub];

/** Group auditors' access entries map to (their RBAC beyond the view access policy). */
export const AUDITOR_GROUP = "mlplatform:auditors";

/** Kubernetes group names a team's principals are mapped to. */
export const teamGroups = (team: string) => ({ members: `mlplatform:team:${team}:members`, leads: `mlplatform:team:${team}:leads` });

const WRITE = ["get", "list", "watch", "create", "update", "patch", "delete"];
const READ = ["get", "list", "watch"];

/**
 * What members may do in their namespaces: run and manage workloads and their data. Explicit
 * resources and verbs, never wildcards, no escalate/bind/impersonate (checklist NS-04).
 */
export const MEMBER_RULES = [
    { apiGroups: [""], resources: ["pods", "services", "configmaps", "secrets", "persistentvolumeclaims", "serviceaccounts"], verbs: WRITE },
    { apiGroups: [""], resources: ["pods/log", "events"], verbs: READ },
    { apiGroups: [""], resources: ["pods/portforward"], verbs: ["create"] },
    { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "replicasets"], verbs: WRITE },
    { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: WRITE },
    // Watching a training Job's admission: its Workload and the team's LocalQueue (components/queues),
    // and the queue position through Kueue's visibility API.
    { apiGroups: ["kueue.x-k8s.io"], resources: ["workloads", "localqueues"], verbs: READ },
    { apiGroups: ["visibility.kueue.x-k8s.io"], resources: ["localqueues/pendingworkloads"], verbs: ["get"] },
];

/** Leads: members' rights, plus quota visibility and exec for debugging. */
export const LEAD_RULES = [
    ...MEMBER_RULES,
    { apiGroups: [""], resources: ["resourcequotas", "limitranges"], verbs: READ },
    { apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] },
];

/** What teams may see in platform namespaces: status, not configuration or Secrets. */
export const PLATFORM_VIEW_RULES = [
    { apiGroups: [""], resources: ["pods", "services", "events"], verbs: READ },
    { apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: READ },
];

/** The same in {@link TOKEN_POD_NAMESPACES}: no pods (their env holds users' API tokens, NS-06). */
export const TOKEN_NAMESPACE_VIEW_RULES = [
    { apiGroups: [""], resources: ["services", "events"], verbs: READ },
    { apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: READ },
];

/**
 * Cluster-scoped reads auditors keep once their view policy is namespace-scoped (an EKS access
 * policy with `namespace` scope grants nothing cluster-scoped).
 */
export const AUDITOR_CLUSTER_RULES = [
    { apiGroups: [""], resources: ["nodes", "namespaces", "persistentvolumes"], verbs: READ },
    { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"], verbs: READ },
    { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles", "clusterrolebindings", "roles", "rolebindings"], verbs: READ },
];

const group = (g: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: g });

/** The members' and leads' Roles in one team namespace, bound to the team's groups. */
export function teamRoles(ns: TeamNamespace, team: string): void {
    const groups = teamGroups(team);
    const bind = (role: string, rules: typeof MEMBER_RULES, g: string) => {
        const r = new k8s.rbac.v1.Role(`${ns.res}-${role}`, { metadata: ns.meta(`team-${role}`), rules }, ns.opts);
        new k8s.rbac.v1.RoleBinding(`${ns.res}-${role}`, {
            metadata: ns.meta(`team-${role}s`),
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: r.metadata.name },
            subjects: [group(g)],
        }, ns.opts);
    };
    bind("member", MEMBER_RULES, groups.members);
    bind("lead", LEAD_RULES, groups.leads);
}

/** The auditors' cluster-wide reads (nodes, namespaces, volumes, RBAC), bound to {@link AUDITOR_GROUP}. */
export function auditorClusterRole(name: string, parent: pulumi.Resource): void {
    const rbacLabels = standardLabels("tenancy", "rbac", name);
    const role = new k8s.rbac.v1.ClusterRole(`${name}-auditor`, { metadata: { name: "mlplatform-auditor", labels: rbacLabels }, rules: AUDITOR_CLUSTER_RULES }, { parent });
    new k8s.rbac.v1.ClusterRoleBinding(`${name}-auditor`, {
        metadata: { name: "mlplatform-auditors", labels: rbacLabels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
        subjects: [group(AUDITOR_GROUP)],
    }, { parent });
}

/**
 * What teams (and, in {@link TOKEN_POD_NAMESPACES}, auditors) see in platform namespaces: a viewer
 * Role and its binding in each of `platformReadNamespaces`, plus the token namespaces when there are
 * auditors. Nothing when there are neither teams nor auditors.
 */
export function platformViewRoles(name: string, parent: pulumi.Resource, teams: readonly string[], hasAuditors: boolean, platformReadNamespaces: readonly string[]): void {
    if (teams.length === 0 && !hasAuditors) {
        return;
    }
    const rbacLabels = standardLabels("tenancy", "rbac", name);
    const viewers = [
        ...teams.flatMap((t) => Object.values(teamGroups(t))),
        ...(hasAuditors ? [AUDITOR_GROUP] : []),
    ];
    const viewNamespaces = [...new Set([...platformReadNamespaces, ...(hasAuditors ? TOKEN_POD_NAMESPACES : [])])];
    for (const ns of viewNamespaces) {
        // Auditors read the other platform namespaces through their access policy.
        const subjects = TOKEN_POD_NAMESPACES.includes(ns) ? viewers : viewers.filter((g) => g !== AUDITOR_GROUP);
        if (subjects.length === 0) {
            continue;
        }
        const role = new k8s.rbac.v1.Role(`${name}-view-${ns}`, {
            metadata: { name: "mlplatform-team-viewer", namespace: ns, labels: rbacLabels },
            rules: TOKEN_POD_NAMESPACES.includes(ns) ? TOKEN_NAMESPACE_VIEW_RULES : PLATFORM_VIEW_RULES,
        }, { parent });
        new k8s.rbac.v1.RoleBinding(`${name}-view-${ns}`, {
            metadata: { name: "mlplatform-team-viewers", namespace: ns, labels: rbacLabels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: subjects.map(group),
        }, { parent });
    }
}
