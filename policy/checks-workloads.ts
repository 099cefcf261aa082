/**
 * Checklist §12 (K8S-01 … K8S-13) for every workload the program writes itself as a typed
 * Kubernetes object (Deployment, StatefulSet, DaemonSet, Job, CronJob). Charts are checked through
 * their values by each layer's checks; these predicates read pod specs.
 *
 * A workload that cannot meet an item is listed in {@link WORKLOAD_EXEMPTIONS} with the reason;
 * nothing else is skipped, and a test keeps the list from growing unnoticed.
 */
import { renderedWorkloads } from "./chart-pods";
import { Check, Env, of, Res, v, Violation } from "./checks";

const T = {
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    job: "kubernetes:batch/v1:Job",
    cronJob: "kubernetes:batch/v1:CronJob",
    namespace: "kubernetes:core/v1:Namespace",
    service: "kubernetes:core/v1:Service",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
};
const WORKLOADS = [T.deployment, T.statefulSet, T.daemonSet, T.job, T.cronJob];
const NAME_LABEL = "app.kubernetes.io/name";

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

/** The pod template's spec of a workload record. */
export function podSpecOf(r: Res): any {
    return r.type === T.cronJob ? r.inputs.spec?.jobTemplate?.spec?.template?.spec : r.inputs.spec?.template?.spec;
}

function podLabelsOf(r: Res): Record<string, string> {
    return (r.type === T.cronJob ? r.inputs.spec?.jobTemplate?.spec?.template?.metadata?.labels : r.inputs.spec?.template?.metadata?.labels) ?? {};
}

const containersOf = (spec: any): any[] => [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
const exemptionsFor = (id: string, r: Res) =>
    WORKLOAD_EXEMPTIONS.filter((e) => e.id === id && e.namespace === r.inputs.metadata?.namespace && e.app === (r.inputs.metadata?.labels?.[NAME_LABEL] ?? podLabelsOf(r)[NAME_LABEL]));
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
    selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, val]) => labels[k] === val);
const longRunning = (r: Res) => r.type !== T.job && r.type !== T.cronJob;

/**
 * Replicas a workload runs with at least: `spec.replicas`, or, when an HPA owns the count (the
 * workload leaves `replicas` unset so `pulumi up` does not reset it), the HPA's minReplicas.
 */
export function minReplicasOf(r: Res, all: readonly Res[]): number {
    if (r.inputs.spec?.replicas !== undefined) {
        return r.inputs.spec.replicas;
    }
    const hpa = of(all, T.hpa).find((h) => h.inputs.metadata?.namespace === r.inputs.metadata?.namespace
        && h.inputs.spec?.scaleTargetRef?.kind === r.type.split(":")[2] && h.inputs.spec?.scaleTargetRef?.name === r.inputs.metadata?.name);
    return hpa?.inputs.spec?.minReplicas ?? 1;
}

/** One item over every workload's pod spec; `fn` returns what is wrong. */
function podCheck(id: string, description: string, fn: (spec: any, r: Res, env: Env, all: readonly Res[]) => string[]): Check {
    return {
        id,
        description,
        evaluate(rs, env) {
            const out: Violation[] = [];
            // Chart- and operator-rendered pods count like the program's own (K8S-14).
            for (const r of [...of(rs, ...WORKLOADS), ...renderedWorkloads(rs)]) {
                const exemptions = exemptionsFor(id, r);
                if (exemptions.some((e) => e.container === undefined)) {
                    continue;
                }
                for (const message of fn(podSpecOf(r) ?? {}, r, env, rs)) {
                    // Container findings start with the container's name.
                    if (!exemptions.some((e) => message.startsWith(`${e.container} `))) {
                        out.push(v(id, r, message));
                    }
                }
            }
            return out;
        },
    };
}

/** Container-level field, falling back to the pod-level security context. */
const effective = (spec: any, c: any, key: string) => c.securityContext?.[key] ?? spec.securityContext?.[key];

/** Charts whose every pod is a node agent that needs the host (the GPU namespace holds only these). */
const AGENT_CHARTS = ["nvidia-device-plugin", "dcgm-exporter"];
const RELEASE = "kubernetes:helm.sh/v3:Release";
const CUSTOM_RESOURCE = "kubernetes:apiextensions.k8s.io:CustomResource";
const chartName = (r: Res) => String(r.inputs.chart ?? "").split("/").pop() ?? "";

/** NS-10: what runs in each namespace, split into host agents and everything else. */
function namespaceOccupants(rs: readonly Res[]): Map<string, { agents: string[]; others: string[] }> {
    const by = new Map<string, { agents: string[]; others: string[] }>();
    const add = (ns: unknown, kind: "agents" | "others", what: string) => {
        const key = String(ns ?? "default");
        const entry = by.get(key) ?? { agents: [], others: [] };
        entry[kind].push(what);
        by.set(key, entry);
    };
    for (const r of of(rs, ...WORKLOADS)) {
        const app = r.inputs.metadata?.labels?.[NAME_LABEL] ?? podLabelsOf(r)[NAME_LABEL] ?? r.name;
        add(r.inputs.metadata?.namespace, r.type === T.daemonSet ? "agents" : "others", app);
    }
    for (const r of of(rs, CUSTOM_RESOURCE).filter((c) => ["Elasticsearch", "Kibana"].includes(c.inputs.kind))) {
        add(r.inputs.metadata?.namespace, "others", String(r.inputs.kind).toLowerCase());
    }
    for (const r of of(rs, RELEASE)) {
        const chart = chartName(r);
        if (AGENT_CHARTS.includes(chart)) {
            add(r.inputs.namespace, "agents", chart);
        } else if (chart === "kube-prometheus-stack") {
            // prometheus-node-exporter 4.56.1 _helpers.tpl: the DaemonSet goes to namespaceOverride, else the release's namespace.
            add(r.inputs.values?.["prometheus-node-exporter"]?.namespaceOverride || r.inputs.namespace, "agents", "node-exporter");
            add(r.inputs.namespace, "others", "prometheus, alertmanager, grafana, kube-state-metrics, prometheus-operator");
        } else {
            add(r.inputs.namespace, "others", chart);
        }
    }
    return by;
}

/** NS-10: pods that reach into the node: root (uid 0), hostPath volumes or host namespaces. */
function hostPods(rs: readonly Res[]): Map<string, string[]> {
    const by = new Map<string, string[]>();
    for (const r of [...of(rs, ...WORKLOADS), ...renderedWorkloads(rs)]) {
        const spec = podSpecOf(r) ?? {};
        const why = [
            ...(spec.hostNetwork === true || spec.hostPID === true || spec.hostIPC === true ? ["host namespaces"] : []),
            ...((spec.volumes ?? []).some((x: any) => x.hostPath !== undefined) ? ["hostPath"] : []),
            ...(containersOf(spec).some((c) => effective(spec, c, "runAsUser") === 0) ? ["root"] : []),
        ];
        if (why.length > 0) {
            const ns = String(r.inputs.metadata?.namespace ?? "default");
            const app = r.inputs.metadata?.labels?.[NAME_LABEL] ?? podLabelsOf(r)[NAME_LABEL] ?? r.name;
            by.set(ns, [...(by.get(ns) ?? []), `${app} (${why.join(", ")})`]);
        }
    }
    return by;
}

/** NS-10: data stores: Elasticsearch clusters, and workloads with volume claims (templates or volumes). */
function dataStores(rs: readonly Res[]): Map<string, string[]> {
    const by = new Map<string, string[]>();
    const add = (ns: unknown, what: string) => by.set(String(ns ?? "default"), [...(by.get(String(ns ?? "default")) ?? []), what]);
    for (const r of of(rs, CUSTOM_RESOURCE, "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch").filter((c) => c.inputs.kind === "Elasticsearch")) {
        add(r.inputs.metadata?.namespace, `elasticsearch ${r.inputs.metadata?.name ?? r.name}`);
    }
    for (const r of [...of(rs, ...WORKLOADS), ...renderedWorkloads(rs).filter((w) => w.type !== T.statefulSet || (w.inputs.spec?.volumeClaimTemplates ?? []).length > 0)]) {
        const claims = (r.inputs.spec?.volumeClaimTemplates ?? []).length > 0 || (podSpecOf(r)?.volumes ?? []).some((x: any) => x.persistentVolumeClaim !== undefined);
        if (claims) {
            add(r.inputs.metadata?.namespace, r.inputs.metadata?.labels?.[NAME_LABEL] ?? podLabelsOf(r)[NAME_LABEL] ?? r.name);
        }
    }
    return by;
}

/**
 * NS-10: privileged host agents in namespaces of their own, and no pod that reaches into the node
 * beside a data store, whatever the namespace's level: a root or hostPath pod shares its
 * namespace's Secrets and network allows with the store (no exemption excuses this).
 */
const NS10: Check = {
    id: "NS-10",
    description: "privileged namespaces hold only host agents (Fluentd, node-exporter, DCGM, device plugin); everything else runs under baseline or restricted; no root, hostPath or host-namespace pod shares a namespace with a data store",
    evaluate(rs) {
        const occupants = namespaceOccupants(rs);
        const stores = dataStores(rs);
        const sharing = [...hostPods(rs)].filter(([ns]) => stores.has(ns)).map(([ns, pods]) => {
            const n = of(rs, T.namespace).find((x) => x.inputs.metadata?.name === ns) ?? { type: T.namespace, name: ns, inputs: { metadata: { name: ns } } };
            return v("NS-10", n, `${pods.join(", ")} share namespace ${ns} with data store ${stores.get(ns)!.join(", ")}`);
        });
        return [...sharing, ...of(rs, T.namespace)
            .filter((n) => n.inputs.metadata?.labels?.["pod-security.kubernetes.io/enforce"] === "privileged")
            .flatMap((n) => {
                const name = n.inputs.metadata?.name;
                const o = occupants.get(name) ?? { agents: [], others: [] };
                const excused = WORKLOAD_EXEMPTIONS.some((e) => e.id === "NS-10" && e.namespace === name && o.agents.includes(e.app));
                return o.others.length > 0 && !excused
                    ? [v("NS-10", n, `privileged for ${o.agents.join(", ") || "nothing"}, but also runs ${o.others.join(", ")}`)]
                    : [];
            })];
    },
};

export const WORKLOAD_CHECKS: readonly Check[] = [
    NS10,
    podCheck("K8S-01", "containers run as non-root (runAsNonRoot or a non-zero runAsUser), never uid 0", (spec) =>
        containersOf(spec).flatMap((c) => {
            const user = effective(spec, c, "runAsUser");
            if (user === 0) {
                return [`${c.name} runs as uid 0`];
            }
            return effective(spec, c, "runAsNonRoot") === true || (typeof user === "number" && user > 0) ? [] : [`${c.name} may run as root`];
        })),
    podCheck("K8S-02", "allowPrivilegeEscalation false on every container and init container", (spec) =>
        containersOf(spec).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => `${c.name} allows privilege escalation`)),
    podCheck("K8S-03", "no privileged containers", (spec) =>
        containersOf(spec).filter((c) => c.securityContext?.privileged === true).map((c) => `${c.name} is privileged`)),
    podCheck("K8S-04", "capabilities drop ALL and add at most NET_BIND_SERVICE", (spec) =>
        containersOf(spec).flatMap((c) => {
            const caps = c.securityContext?.capabilities ?? {};
            const out: string[] = [];
            if (!(caps.drop ?? []).includes("ALL")) {
                out.push(`${c.name} does not drop ALL capabilities`);
            }
            const extra = (caps.add ?? []).filter((a: string) => a !== "NET_BIND_SERVICE");
            if (extra.length > 0) {
                out.push(`${c.name} adds ${extra.join(", ")}`);
            }
            return out;
        })),
    podCheck("K8S-05", "seccomp RuntimeDefault or Localhost, at pod or container level", (spec) =>
        containersOf(spec)
            .filter((c) => !["RuntimeDefault", "Localhost"].includes(c.securityContext?.seccompProfile?.type ?? spec.securityContext?.seccompProfile?.type))
            .map((c) => `${c.name} has no RuntimeDefault seccomp profile`)),
    podCheck("K8S-06", "read-only root filesystem", (spec) =>
        containersOf(spec).filter((c) => c.securityContext?.readOnlyRootFilesystem !== true).map((c) => `${c.name} has a writable root filesystem`)),
    podCheck("K8S-07", "no host namespaces or ports; hostPath only in privileged namespaces and never a runtime socket", (spec, r, _env, all) => {
        const out: string[] = [];
        for (const key of ["hostNetwork", "hostPID", "hostIPC"]) {
            if (spec[key] === true) {
                out.push(`${key} is true`);
            }
        }
        for (const c of containersOf(spec)) {
            if ((c.ports ?? []).some((p: any) => p.hostPort !== undefined)) {
                out.push(`${c.name} uses a hostPort`);
            }
        }
        const ns = of(all, T.namespace).find((n) => n.inputs.metadata?.name === r.inputs.metadata?.namespace);
        const privileged = ns?.inputs.metadata?.labels?.["pod-security.kubernetes.io/enforce"] === "privileged";
        for (const vol of spec.volumes ?? []) {
            if (vol.hostPath === undefined) {
                continue;
            }
            if (!privileged) {
                out.push(`volume ${vol.name} mounts hostPath ${vol.hostPath.path} outside a privileged namespace`);
            }
            if (/(docker|containerd|crio)\.sock|\/run\/containerd\/?$|\/var\/run\/?$/.test(vol.hostPath.path)) {
                out.push(`volume ${vol.name} mounts the container runtime socket`);
            }
        }
        return out;
    }),
    podCheck("K8S-08", "cpu and memory requests and a memory limit on every container", (spec) =>
        containersOf(spec)
            .filter((c) => !c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory)
            .map((c) => `${c.name} lacks cpu/memory requests or a memory limit`)),
    podCheck("K8S-09", "long-running containers have readiness and liveness probes that differ", (spec, r) =>
        !longRunning(r)
            ? []
            : (spec.containers ?? []).flatMap((c: any) => {
                  if (!c.readinessProbe || !c.livenessProbe) {
                      return [`${c.name} lacks a readiness or liveness probe`];
                  }
                  return JSON.stringify(c.readinessProbe) === JSON.stringify(c.livenessProbe) ? [`${c.name} has identical readiness and liveness probes`] : [];
              })),
    podCheck("K8S-10", "images carry an explicit tag other than latest (or a digest)", (spec) =>
        containersOf(spec).filter((c) => {
            const image = String(c.image ?? "");
            if (image.includes("@sha256:")) {
                return false;
            }
            const tag = /:([^/:]+)$/.exec(image)?.[1];
            return tag === undefined || tag === "latest";
        }).map((c) => `${c.name} image ${c.image} is not pinned`)),
    podCheck("K8S-11", "dedicated ServiceAccount, no automounted token, not in the default namespace", (spec, r) => {
        const out: string[] = [];
        if (!spec.serviceAccountName || spec.serviceAccountName === "default") {
            out.push("runs as the default ServiceAccount");
        }
        if (spec.automountServiceAccountToken !== false) {
            out.push("automounts a ServiceAccount token");
        }
        if ((r.inputs.metadata?.namespace ?? "default") === "default") {
            out.push("lives in the default namespace");
        }
        return out;
    }),
    podCheck("K8S-12", "production: multi-replica workloads spread across zones", (spec, r, env, all) => {
        const replicas = minReplicasOf(r, all);
        if (env !== "production" || r.type === T.daemonSet || !longRunning(r) || replicas < 2) {
            return [];
        }
        return (spec.topologySpreadConstraints ?? []).some((t: any) => t.topologyKey === "topology.kubernetes.io/zone" && t.maxSkew === 1)
            ? []
            : ["has several replicas but no zone topologySpreadConstraint with maxSkew 1"];
    }),
    podCheck("K8S-13", "production: Deployments behind a Service run >= 2 replicas with a PDB; no PDB pins a single replica", (_spec, r, env, all) => {
        if (r.type !== T.deployment) {
            return [];
        }
        const labels = podLabelsOf(r);
        const ns = r.inputs.metadata?.namespace;
        const pdbs = of(all, T.pdb).filter((p) => p.inputs.metadata?.namespace === ns && matches(p.inputs.spec?.selector?.matchLabels, labels));
        const served = of(all, T.service).some((s) => s.inputs.metadata?.namespace === ns && matches(s.inputs.spec?.selector, labels));
        const replicas = minReplicasOf(r, all);
        const out: string[] = [];
        if (env === "production" && served) {
            if (replicas < 2) {
                out.push(`serves traffic with ${replicas} replica`);
            }
            if (pdbs.length === 0) {
                out.push("serves traffic without a PodDisruptionBudget");
            }
        }
        for (const p of pdbs) {
            if (p.inputs.spec?.maxUnavailable === 0 || p.inputs.spec?.minAvailable === "100%" || (replicas < 2 && p.inputs.spec?.maxUnavailable === undefined)) {
                out.push(`PodDisruptionBudget ${p.name} allows no disruption, which blocks node drains`);
            }
        }
        return out;
    }),
];
