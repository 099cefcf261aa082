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
