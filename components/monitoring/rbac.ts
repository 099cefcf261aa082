/**
 * RBAC for kube-prometheus-stack, written by the program instead of the chart (checklist NS-08).
 *
 * kube-prometheus-stack 88.5.3 `templates/prometheus-operator/clusterrole.yaml` grants the operator
 * `'*'` on `secrets` and `configmaps` through a ClusterRole and ClusterRoleBinding, whatever
 * `prometheusOperator.namespaces` says; only `global.rbac.create: false` stops it (which also drops
 * the Prometheus ClusterRole, `templates/prometheus/clusterrole.yaml`, and the admission-webhook
 * patch Job's RBAC). So the chart creates no RBAC and these rules replace it:
 * - the operator's own rules (the chart's, wildcards spelled out) in the monitoring namespace only,
 *   where Prometheus and Alertmanager live. prometheus-operator v0.93.0 watches Secrets and
 *   ConfigMaps only in `--prometheus-instance-namespaces` / `--alertmanager-instance-namespaces`
 *   (`pkg/prometheus/server/operator.go`: `secrInfs` over `PrometheusAllowList`; `pkg/operator/config.go`
 *   `Finalize` falls back to `--namespaces` only when unset), so those flags name the monitoring namespace;
 * - read access to monitors and rules in the namespaces whose ServiceMonitors/PodMonitors it reads;
 * - the kubelet Service and Endpoints it maintains in kube-system (`prometheusOperator.kubeletService`);
 * - cluster-wide only nodes and namespaces (read) and StorageClasses (get): no Secrets.
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../shared/labels";
import type { MonitoredNamespace } from "./monitors";
import { FULLNAME } from "./prometheus";

const READ = ["get", "list", "watch"];
const ALL = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

/** Operator rules in the namespace of Prometheus and Alertmanager (the chart's, without `*`). */
export const OPERATOR_INSTANCE_RULES = [
    {
        apiGroups: ["monitoring.coreos.com"],
        resources: [
            "alertmanagers", "alertmanagers/finalizers", "alertmanagers/status", "alertmanagerconfigs",
            "prometheuses", "prometheuses/finalizers", "prometheuses/status",
            "prometheusagents", "prometheusagents/finalizers", "prometheusagents/status",
            "thanosrulers", "thanosrulers/finalizers", "thanosrulers/status",
            "scrapeconfigs", "scrapeconfigs/status", "servicemonitors", "servicemonitors/status",
            "podmonitors", "podmonitors/status", "probes", "probes/status", "prometheusrules", "prometheusrules/status",
        ],
        verbs: ALL,
    },
    { apiGroups: ["apps"], resources: ["statefulsets"], verbs: ALL },
    { apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ALL },
    { apiGroups: [""], resources: ["pods"], verbs: ["list", "delete"] },
    { apiGroups: [""], resources: ["services", "services/finalizers", "endpoints"], verbs: ["get", "create", "update", "delete"] },
    { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["patch", "create"] },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "create", "list", "watch", "update", "delete"] },
];

/** Operator rules where only monitors and rules live (the platform layers' namespaces). */
export const OPERATOR_MONITOR_RULES = [
    {
        apiGroups: ["monitoring.coreos.com"],
        resources: ["servicemonitors", "podmonitors", "probes", "scrapeconfigs", "prometheusrules"],
        verbs: READ,
    },
    {
        apiGroups: ["monitoring.coreos.com"],
        resources: ["servicemonitors/status", "podmonitors/status", "probes/status", "scrapeconfigs/status", "prometheusrules/status"],
        verbs: ["get", "update", "patch"],
    },
    { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["patch", "create"] },
];

/** The kubelet Service and its endpoints, which the operator keeps in kube-system. */
export const OPERATOR_KUBELET_RULES = [
    { apiGroups: [""], resources: ["services", "endpoints"], verbs: ["get", "create", "update", "delete"] },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "create", "list", "watch", "update", "delete"] },
];

/** What the operator reads cluster-wide: no Secrets. */
export const OPERATOR_CLUSTER_RULES = [
    { apiGroups: [""], resources: ["nodes"], verbs: ["list", "watch"] },
    { apiGroups: [""], resources: ["namespaces"], verbs: READ },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: READ },
    { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"], verbs: ["get"] },
];

/** Prometheus' service discovery (the chart's `templates/prometheus/clusterrole.yaml`, kubelet paths included). */
export const PROMETHEUS_CLUSTER_RULES = [
    { apiGroups: [""], resources: ["nodes", "nodes/metrics", "services", "endpoints", "pods"], verbs: READ },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
    { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: READ },
    { nonResourceURLs: ["/metrics", "/metrics/cadvisor"], verbs: ["get"] },
];

/**
 * The operator's and Prometheus' RBAC, which the chart no longer creates (NS-08): the operator's
 * Role in the monitoring namespace, read access to monitors in `monitorNamespaces`, the kubelet
 * Service in kube-system, and the two ClusterRoles. Roles wait for `namespaces` (created here).
 */
export function chartRbac(parent: pulumi.Resource, name: string, namespace: pulumi.Output<string>, monitorNamespaces: readonly MonitoredNamespace[], namespaces: pulumi.Resource[]): pulumi.Resource[] {
    const labels = standardLabels("prometheus-operator", "rbac", name);
    const ref = (kind: string, n: pulumi.Input<string>) => ({ apiGroup: "rbac.authorization.k8s.io", kind, name: n });
    const sa = (n: string) => [{ kind: "ServiceAccount", name: n, namespace }];
    const out: pulumi.Resource[] = [];
    const role = (key: string, ns: pulumi.Input<string>, rules: k8s.types.input.rbac.v1.PolicyRule[], subject: string, legacyKey?: string) => {
        const opts = { parent, dependsOn: namespaces, aliases: legacyKey === undefined ? undefined : [{ name: `${name}-${legacyKey}` }] };
        const r = new k8s.rbac.v1.Role(`${name}-${key}`, { metadata: { name: `${FULLNAME}-operator`, namespace: ns, labels }, rules }, opts);
        out.push(r, new k8s.rbac.v1.RoleBinding(`${name}-${key}`, {
            metadata: { name: `${FULLNAME}-operator`, namespace: ns, labels },
            roleRef: ref("Role", r.metadata.name),
            subjects: sa(subject),
        }, opts));
    };
    const clusterRole = (key: string, rules: k8s.types.input.rbac.v1.PolicyRule[], subject: string) => {
        const r = new k8s.rbac.v1.ClusterRole(`${name}-${key}`, { metadata: { name: `${FULLNAME}-${key}`, labels }, rules }, { parent });
        out.push(r, new k8s.rbac.v1.ClusterRoleBinding(`${name}-${key}`, { metadata: { name: `${FULLNAME}-${key}`, labels }, roleRef: ref("ClusterRole", r.metadata.name), subjects: sa(subject) }, { parent }));
    };
    role("operator", namespace, OPERATOR_INSTANCE_RULES, `${FULLNAME}-operator`);
    // Keyed by namespace name, so adding or dropping a layer renames nothing. Roles once named by
    // position keep that name as an alias: Pulumi moves them in state instead of creating the new
    // name first, which would fail (both are `kps-operator` in the same namespace: "already exists").
    for (const m of monitorNamespaces) {
        role(`operator-monitors-${m.key}`, m.namespace, OPERATOR_MONITOR_RULES, `${FULLNAME}-operator`,
            m.legacyIndex === undefined ? undefined : `operator-monitors-${m.legacyIndex}`);
    }
    role("operator-kubelet", "kube-system", OPERATOR_KUBELET_RULES, `${FULLNAME}-operator`);
    clusterRole("operator", OPERATOR_CLUSTER_RULES, `${FULLNAME}-operator`);
    clusterRole("prometheus", PROMETHEUS_CLUSTER_RULES, `${FULLNAME}-prometheus`);
    return out;
}
