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
import { WORKLOAD_EXEMPTIONS } from "./workload-exemptions";

export { WORKLOAD_EXEMPTIONS } from "./workload-exemptions";
export type { WorkloadExemption } from "./workload-exemptions";

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
