/**
 * What the platform's Helm charts render as RBAC, reproduced from the values the program passes, so
 * the checks (NS-04, NS-08) see chart RBAC exactly like the program's own objects. A Helm release is
 * one resource to Pulumi (mocks and the policy pack alike); its ClusterRoles are not.
 *
 * Each rule below follows one template at the pinned chart version (components/shared/versions.ts):
 * - kube-prometheus-stack 88.5.3 `templates/prometheus-operator/clusterrole.yaml` (`'*'` on
 *   configmaps and secrets) and `templates/prometheus/clusterrole.yaml`, both under `global.rbac.create`;
 * - grafana 12.11.1 (its subchart) `templates/clusterrole.yaml`: get/watch/list on configmaps and
 *   secrets cluster-wide unless `rbac.namespaced` (then `templates/role.yaml`, a Role per namespace);
 * - kube-state-metrics 8.4.0 (its subchart) `templates/role.yaml`: list/watch on secrets when
 *   `secrets` is among `collectors` minus `collectorsExclude`, a ClusterRole by default (`rbac.useClusterRole`);
 * - eck-operator 3.5.0 `templates/cluster-roles.yaml` and `role-bindings.yaml`: a ClusterRole with
 *   full control of secrets, bound cluster-wide, unless `createClusterScopedResources: false`
 *   (then Roles in `managedNamespaces` and the operator's namespace).
 */
import { of, Res } from "./checks";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
const CRB = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";

/** kube-state-metrics 8.4.0 `values.yaml` `collectors` (the default list; secrets included). */
export const KSM_DEFAULT_COLLECTORS = [
    "certificatesigningrequests", "configmaps", "cronjobs", "daemonsets", "deployments", "endpointslices",
    "horizontalpodautoscalers", "ingresses", "jobs", "leases", "limitranges", "mutatingwebhookconfigurations",
    "namespaces", "networkpolicies", "nodes", "persistentvolumeclaims", "persistentvolumes", "poddisruptionbudgets",
    "pods", "replicasets", "replicationcontrollers", "resourcequotas", "secrets", "services", "statefulsets",
    "storageclasses", "validatingwebhookconfigurations", "volumeattachments",
];

/** The chart a release installs (`chart` may be a bare name or `repo/name`). */
export const chartOf = (r: Res) => String(r.inputs.chart ?? "").split("/").pop() ?? "";

/** One synthetic ClusterRole and its cluster-wide binding, named after the release. */
function clusterWide(release: Res, role: string, rules: object[]): Res[] {
    const name = `${release.name}/${role}`;
    return [
        { type: CLUSTER_ROLE, name, inputs: { metadata: { name: role }, rules }, urn: release.urn },
        { type: CRB, name, inputs: { metadata: { name: role }, roleRef: { kind: "ClusterRole", name: role }, subjects: [{ kind: "ServiceAccount", name: role }] }, urn: release.urn },
    ];
}

/** The cluster-scoped RBAC each release renders with the values it is given. */
export function renderedClusterRbac(rs: readonly Res[]): Res[] {
    const out: Res[] = [];
    for (const r of of(rs, RELEASE)) {
        const values = r.inputs.values ?? {};
        switch (chartOf(r)) {
            case "kube-prometheus-stack": {
                if (values.global?.rbac?.create !== false) {
                    out.push(...clusterWide(r, "prometheus-operator", [{ apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ["*"] }]));
                }
                const grafana = values.grafana ?? {};
                if (grafana.enabled !== false && grafana.rbac?.namespaced !== true) {
                    out.push(...clusterWide(r, "grafana", [{ apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ["get", "watch", "list"] }]));
                }
                const ksm = values["kube-state-metrics"] ?? {};
                const collectors = ((ksm.collectors as string[] | undefined) ?? KSM_DEFAULT_COLLECTORS).filter((c) => !(ksm.collectorsExclude ?? []).includes(c));
                if (values.kubeStateMetrics?.enabled !== false && collectors.includes("secrets") && ksm.rbac?.useClusterRole !== false) {
                    out.push(...clusterWide(r, "kube-state-metrics", [{ apiGroups: [""], resources: ["secrets"], verbs: ["list", "watch"] }]));
                }
                break;
            }
            case "eck-operator":
                if (values.createClusterScopedResources !== false) {
                    out.push(...clusterWide(r, "elastic-operator", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] }]));
                }
                break;
        }
    }
    return out;
}
