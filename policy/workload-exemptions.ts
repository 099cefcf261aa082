/** The K8S-* exemptions of the workload checks (`checks-workloads.ts`): each names its workload and why. */

/**
 * A workload excused from one item, matched by namespace and `app.kubernetes.io/name`, and by
 * container when only one container of the pod cannot comply.
 */
export interface WorkloadExemption {
    readonly id: string;
    readonly namespace: string;
    readonly app: string;
    /** Only this container's findings are excused. @default - the whole pod */
    readonly container?: string;
    readonly reason: string;
}

/** The only workloads excused from a K8S item. */
export const WORKLOAD_EXEMPTIONS: readonly WorkloadExemption[] = [
    {
        id: "K8S-01",
        namespace: "fluentd",
        app: "fluentd",
        reason: "reads the node's container logs under /var/log/pods, which the kubelet writes root-owned 0640; the container is still unprivileged, drops ALL capabilities, cannot escalate and has a read-only root",
    },
    {
        id: "K8S-11",
        namespace: "fluentd",
        app: "fluentd",
        reason: "the kubernetes_metadata filter reads pod and namespace metadata from the API (ClusterRole: get/list/watch on pods and namespaces only)",
    },
    {
        id: "K8S-09",
        namespace: "jupyterhub",
        app: "gpu-image-prepuller",
        reason: "its only long-running container is registry.k8s.io/pause, which serves nothing and has no shell or port to probe; the pod exists to pull the GPU image in its init containers",
    },
    {
        id: "K8S-11",
        namespace: "monitoring",
        app: "prometheus",
        reason: "Kubernetes service discovery lists pods, services and endpoints through the API (ClusterRole without Secrets, components/monitoring/rbac.ts)",
    },
    {
        id: "K8S-09",
        namespace: "monitoring",
        app: "prometheus",
        container: "config-reloader",
        reason: "prometheus-operator v0.93.0 gives the reloader one handler for liveness and readiness (pkg/operator/config_reloader.go addProbes); no value sets them apart",
    },
    {
        id: "K8S-09",
        namespace: "monitoring",
        app: "alertmanager",
        container: "config-reloader",
        reason: "prometheus-operator v0.93.0 gives the reloader one handler for liveness and readiness (pkg/operator/config_reloader.go addProbes); no value sets them apart",
    },
    {
        id: "K8S-11",
        namespace: "monitoring",
        app: "prometheus-operator",
        reason: "an operator: it watches the monitoring CRs and writes the Prometheus and Alertmanager StatefulSets, Services and config Secrets through the API (chart Role/ClusterRole, NS-08 limits where)",
    },
    {
        id: "K8S-11",
        namespace: "monitoring",
        app: "grafana",
        reason: "the dashboard and datasource sidecars (k8s-sidecar) watch labelled ConfigMaps and Secrets through the API (namespaced Role in monitoring only, grafana rbac.namespaced)",
    },
    {
        id: "K8S-09",
        namespace: "monitoring",
        app: "grafana",
        container: "grafana-sc-dashboard",
        reason: "grafana 12.11.1 gives every k8s-sidecar the same `sidecar.livenessProbe`/`readinessProbe`, and each sidecar serves /healthz on HEALTH_PORT 8080 in the one pod network namespace, so one probe value cannot check both sidecars; Grafana's own probes cover the pod",
    },
    {
        id: "K8S-09",
        namespace: "monitoring",
        app: "grafana",
        container: "grafana-sc-datasources",
        reason: "grafana 12.11.1 gives every k8s-sidecar the same `sidecar.livenessProbe`/`readinessProbe`, and each sidecar serves /healthz on HEALTH_PORT 8080 in the one pod network namespace, so one probe value cannot check both sidecars; Grafana's own probes cover the pod",
    },
    {
        id: "K8S-11",
        namespace: "monitoring",
        app: "kube-state-metrics",
        reason: "it exists to list and watch cluster objects through the API (ClusterRole without Secrets: collectorsExclude secrets)",
    },
    {
        id: "K8S-07",
        namespace: "node-exporter",
        app: "prometheus-node-exporter",
        reason: "reads host metrics: hostNetwork for the node's interfaces, hostPID and hostPath /proc, /sys and / for processes and filesystems (prometheus-node-exporter 4.56.1 templates/daemonset.yaml); it runs alone in the privileged node-exporter namespace as uid 65534 with no capabilities and a read-only root",
    },
    {
        id: "K8S-01",
        namespace: "nvidia-device-plugin",
        app: "nvidia-device-plugin",
        reason: "registers with the kubelet through a socket it creates in the root-owned /var/lib/kubelet/device-plugins (hostPath) and writes CDI specs to /var/run/cdi; nvidia-device-plugin 0.20.0 sets no user. It drops ALL capabilities, cannot escalate and has a read-only root",
    },
    {
        id: "K8S-09",
        namespace: "nvidia-device-plugin",
        app: "nvidia-device-plugin",
        reason: "nvidia-device-plugin 0.20.0 renders no probes and has no value for them (templates/daemonset-device-plugin.yml); it serves only the kubelet's gRPC socket, and the kubelet drops a plugin whose socket goes away",
    },
    {
        id: "K8S-11",
        namespace: "nvidia-device-plugin",
        app: "nvidia-device-plugin",
        reason: "nvidia-device-plugin 0.20.0 writes no automountServiceAccountToken and has no value for it; its ClusterRole grants only get/list/watch on nodes (templates/role.yml, gfd off)",
    },
    {
        id: "K8S-01",
        namespace: "nvidia-device-plugin",
        app: "dcgm-exporter",
        reason: "DCGM's profiling counters (DCGM_FI_PROF_*) need root with SYS_ADMIN (dcgm-exporter 4.8.2 values.yaml); no escalation, every other capability dropped, RuntimeDefault seccomp",
    },
    {
        id: "K8S-04",
        namespace: "nvidia-device-plugin",
        app: "dcgm-exporter",
        reason: "adds SYS_ADMIN for DCGM's profiling counters (DCGM_FI_PROF_*; dcgm-exporter 4.8.2 values.yaml); drops every other capability",
    },
    {
        id: "K8S-06",
        namespace: "nvidia-device-plugin",
        app: "dcgm-exporter",
        reason: "dcgm-exporter 4.8.2 documents a read-only root only with tmpfs volumes configured (values.yaml `securityContext`) and does not say which paths the embedded host engine writes; not verified here, so the root stays writable",
    },
    {
        id: "K8S-09",
        namespace: "elastic-system",
        app: "eck-operator",
        reason: "eck-operator 3.5.0 renders no probes and has no value for them (templates/statefulset.yaml); its webhook is off, so it serves nothing a probe could check beyond metrics",
    },
    {
        id: "K8S-11",
        namespace: "elastic-system",
        app: "eck-operator",
        reason: "an operator: it reconciles Elasticsearch and Kibana through the API (Roles in the logging namespace and its own only: createClusterScopedResources false, NS-08)",
    },
    {
        id: "K8S-11",
        namespace: "jupyterhub",
        app: "hub",
        reason: "KubeSpawner creates and deletes the user pods, PVCs and services through the API (z2jh 4.4.0 hub Role, namespaced; the template writes no automountServiceAccountToken)",
    },
    {
        id: "K8S-11",
        namespace: "jupyterhub",
        app: "user-scheduler",
        reason: "a kube-scheduler: it watches pods, nodes and volumes, binds user pods and holds its leader lease through the API (z2jh 4.4.0 templates/scheduling/user-scheduler/rbac.yaml; the template writes no automountServiceAccountToken)",
    },
    {
        id: "K8S-09",
        namespace: "jupyterhub",
        app: "continuous-image-puller",
        reason: "its only long-running container is registry.k8s.io/pause, which serves nothing and has no shell or port to probe; z2jh 4.4.0 renders no probe for it (templates/image-puller/_helpers-daemonset.tpl)",
    },    {
        id: "K8S-09",
        namespace: "kube-system",
        app: "aws-cluster-autoscaler",
        reason: "cluster-autoscaler 9.59.0 renders a fixed liveness probe (GET /health-check on 8085) and no readiness probe, with no value for one (templates/deployment.yaml); it serves no traffic (one leader-elected replica, metrics only), so readiness gates nothing",
    },
    {
        id: "K8S-11",
        namespace: "kube-system",
        app: "aws-cluster-autoscaler",
        reason: "it watches pods and nodes and evicts pods through the API (chart ClusterRole; the template writes no automountServiceAccountToken and has no value for it); its AWS access is the Pod Identity role, not the token",
    },
    {
        id: "K8S-11",
        namespace: "kube-system",
        app: "aws-load-balancer-controller",
        reason: "a controller: it reconciles Ingresses, Services and TargetGroupBindings and serves admission webhooks through the API (chart ClusterRole; aws-load-balancer-controller 3.5.0 mounts the ServiceAccount's token, serviceAccount.automountServiceAccountToken)",
    },
    {
        id: "K8S-11",
        namespace: "kueue-system",
        app: "kueue",
        reason: "a controller: it admits Workloads, suspends and resumes Jobs and serves its webhooks and visibility API through the API server (kueue 0.19.2 chart ClusterRole; templates/manager/manager.yaml writes no automountServiceAccountToken and has no value for it)",
    },
    {
        id: "K8S-11",
        namespace: "kube-system",
        app: "metrics-server",
        reason: "it lists nodes and pods and reads each kubelet's nodes/metrics through the API, and delegates authentication of metrics.k8s.io requests (metrics-server chart 3.13.1 ClusterRole system:metrics-server, auth-delegator binding; templates/deployment.yaml writes no automountServiceAccountToken)",
    },
];
