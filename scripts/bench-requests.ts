/**
 * What the platform asks of its CPU nodes while idle: the CPU and memory requests of every pod it
 * runs, read from the recorded resources (so a new layer is counted the day it registers
 * something), against the allocatable of the CPU node groups (one per AZ). Typed workloads are read as they are;
 * Helm releases through their chart's pod table below (the values the platform passes, else the
 * chart's default); EKS add-ons through theirs. A chart or add-on with no table entry fails the
 * benchmark rather than being counted as free.
 */
import type { GraphNode } from "./bench-critical-path";
import { GPU_NODE_LABEL } from "../components/shared/gpu";

/** CPU in millicores and memory in MiB. */
export interface Requests {
    readonly cpuMilli: number;
    readonly memoryMiB: number;
}

/** One line of the request sum: a pod (× replicas, or × nodes for a DaemonSet). */
export interface RequestLine extends Requests {
    readonly what: string;
    /** Pods per node (DaemonSet) rather than per cluster. */
    readonly perNode: boolean;
}

export function cpuMilli(q: unknown): number {
    const s = String(q ?? "0");
    return s.endsWith("m") ? Number(s.slice(0, -1)) : Math.round(Number(s) * 1000);
}

export function memoryMiB(q: unknown): number {
    const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(String(q ?? "0"));
    if (!m) {
        throw new Error(`unreadable memory quantity ${String(q)}`);
    }
    const f: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024, K: 1e3 / 2 ** 20, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20, T: 1e12 / 2 ** 20 };
    return Number(m[1]) * (m[2] ? f[m[2]] : 1 / 2 ** 20);
}

const req = (r: any): Requests => ({ cpuMilli: cpuMilli(r?.requests?.cpu), memoryMiB: memoryMiB(r?.requests?.memory) });

/** A pod's effective request: the sum of its containers, or its largest init container if bigger (Kubernetes' rule). */
export function podRequests(spec: any): Requests {
    const sum = (spec?.containers ?? []).map((c: any) => req(c.resources)).reduce((a: Requests, b: Requests) => ({ cpuMilli: a.cpuMilli + b.cpuMilli, memoryMiB: a.memoryMiB + b.memoryMiB }), { cpuMilli: 0, memoryMiB: 0 });
    const init = (spec?.initContainers ?? []).map((c: any) => req(c.resources));
    return {
        cpuMilli: Math.max(sum.cpuMilli, ...init.map((i: Requests) => i.cpuMilli)),
        memoryMiB: Math.max(sum.memoryMiB, ...init.map((i: Requests) => i.memoryMiB)),
    };
}

/** Pods that only land on GPU nodes (at zero while idle). */
function gpuOnly(spec: any): boolean {
    const sel = spec?.nodeSelector ?? {};
    if (sel[GPU_NODE_LABEL.key] === GPU_NODE_LABEL.value) {
        return true;
    }
    const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    return terms.length > 0 && terms.every((t: any) => (t.matchExpressions ?? []).some((e: any) => e.key === GPU_NODE_LABEL.key && e.operator === "In"));
}

const at = (o: any, path: string): any => path.split(".").reduce((x, k) => x?.[k], o);

/** One pod kind a chart renders: how many, and where its requests come from. */
interface ChartPod {
    readonly name: string;
    readonly perNode?: boolean;
    /** Values path of the replica count, and the chart's default. */
    readonly replicas?: { readonly path: string; readonly default: number };
    /** Values paths whose `requests` add up to the pod's (one per container the values size). */
    readonly resources: readonly string[];
    /** What the chart requests when those values leave `requests` unset. */
    readonly defaults: Requests;
    /** Values path that turns the pod off, and its chart default. */
    readonly enabled?: { readonly path: string; readonly default: boolean };
    readonly gpuOnly?: boolean;
    readonly source: string;
}

const NONE: Requests = { cpuMilli: 0, memoryMiB: 0 };
/** prometheus-operator's config-reloader sidecar when kps leaves its resources empty. */
const CONFIG_RELOADER: Requests = { cpuMilli: 10, memoryMiB: 50 };

/**
 * Pods per chart the platform installs. Defaults: `resources: {}` in the chart's values.yaml means
 * no request (NONE); the versions are the pins in components/shared/versions.ts.
 */
export const CHART_PODS: Readonly<Record<string, readonly ChartPod[]>> = {
    "jupyterhub": [
        { name: "hub", resources: ["hub.resources"], defaults: NONE, source: "z2jh 4.4.0 values.yaml hub.resources {}" },
        { name: "proxy", resources: ["proxy.chp.resources"], defaults: NONE, source: "z2jh 4.4.0 values.yaml proxy.chp.resources {}" },
        { name: "user-scheduler", replicas: { path: "scheduling.userScheduler.replicas", default: 2 }, enabled: { path: "scheduling.userScheduler.enabled", default: true }, resources: ["scheduling.userScheduler.resources"], defaults: NONE, source: "z2jh 4.4.0 values.yaml scheduling.userScheduler (enabled, replicas 2, resources {})" },
        { name: "continuous-image-puller", perNode: true, enabled: { path: "prePuller.continuous.enabled", default: true }, resources: ["prePuller.resources"], defaults: NONE, source: "z2jh 4.4.0 values.yaml prePuller.resources {}" },
        { name: "user-placeholder", replicas: { path: "scheduling.userPlaceholder.replicas", default: 0 }, resources: ["scheduling.userPlaceholder.resources"], defaults: NONE, source: "z2jh 4.4.0 values.yaml scheduling.userPlaceholder.replicas 0" },
    ],
    "kube-prometheus-stack": [
        { name: "prometheus-operator", resources: ["prometheusOperator.resources"], defaults: NONE, source: "kube-prometheus-stack values.yaml prometheusOperator.resources {}" },
        { name: "prometheus (+ config-reloader)", replicas: { path: "prometheus.prometheusSpec.replicas", default: 1 }, resources: ["prometheus.prometheusSpec.resources"], defaults: NONE, source: "kube-prometheus-stack values.yaml prometheusSpec.replicas 1, resources {}" },
        { name: "prometheus config-reloader", replicas: { path: "prometheus.prometheusSpec.replicas", default: 1 }, resources: ["prometheusOperator.prometheusConfigReloader.resources"], defaults: CONFIG_RELOADER, source: "prometheus-operator --config-reloader-cpu-request 10m / --config-reloader-memory-request 50Mi defaults (cmd/operator/main.go)" },
        { name: "alertmanager", replicas: { path: "alertmanager.alertmanagerSpec.replicas", default: 1 }, resources: ["alertmanager.alertmanagerSpec.resources"], defaults: NONE, source: "kube-prometheus-stack values.yaml alertmanagerSpec.replicas 1, resources {}" },
        { name: "alertmanager config-reloader", replicas: { path: "alertmanager.alertmanagerSpec.replicas", default: 1 }, resources: ["prometheusOperator.prometheusConfigReloader.resources"], defaults: CONFIG_RELOADER, source: "as the Prometheus config-reloader" },
        { name: "grafana", resources: ["grafana.resources"], defaults: NONE, source: "grafana chart values.yaml resources {} (sidecars resources {})" },
        { name: "kube-state-metrics", resources: ["kube-state-metrics.resources"], defaults: NONE, source: "kube-state-metrics chart values.yaml resources {}" },
        { name: "node-exporter", perNode: true, enabled: { path: "nodeExporter.enabled", default: true }, resources: ["prometheus-node-exporter.resources"], defaults: NONE, source: "prometheus-node-exporter chart values.yaml resources {}" },
    ],
    "eck-operator": [
        { name: "elastic-operator", replicas: { path: "replicaCount", default: 1 }, resources: ["resources"], defaults: { cpuMilli: 100, memoryMiB: 150 }, source: "eck-operator values.yaml resources.requests cpu 100m, memory 150Mi" },
    ],
    "cluster-autoscaler": [
        { name: "cluster-autoscaler", replicas: { path: "replicaCount", default: 1 }, resources: ["resources"], defaults: NONE, source: "cluster-autoscaler chart values.yaml replicaCount 1, resources {}" },
    ],
    "aws-load-balancer-controller": [
        { name: "aws-load-balancer-controller", replicas: { path: "replicaCount", default: 2 }, resources: ["resources"], defaults: NONE, source: "aws-load-balancer-controller chart values.yaml replicaCount 2, resources {}" },
    ],
    "kueue": [
        { name: "kueue-controller-manager", replicas: { path: "controllerManager.replicas", default: 1 }, resources: ["controllerManager.manager.resources"], defaults: { cpuMilli: 500, memoryMiB: 512 }, source: "kueue chart v0.19.2 values.yaml controllerManager.replicas 1, manager.resources.requests 500m / 512Mi" },
    ],
    "metrics-server": [
        { name: "metrics-server", replicas: { path: "replicas", default: 1 }, resources: ["resources"], defaults: { cpuMilli: 100, memoryMiB: 200 }, source: "metrics-server chart 3.13.1 values.yaml replicas 1, resources.requests cpu 100m, memory 200Mi (addonResizer.enabled false: no nanny)" },
    ],
    "nvidia-device-plugin": [{ name: "nvidia-device-plugin", perNode: true, gpuOnly: true, resources: [], defaults: NONE, source: "GPU nodes only (at zero while idle)" }],
    "dcgm-exporter": [{ name: "dcgm-exporter", perNode: true, gpuOnly: true, resources: [], defaults: NONE, source: "GPU nodes only (at zero while idle)" }],
};

/**
 * Pods of the EKS add-ons, per their default configuration. Figures as the add-on manifests
 * request them; marked where this session could not re-read them upstream.
 */
export const ADDON_PODS: Readonly<Record<string, { readonly perNode: Requests; readonly perCluster: Requests; readonly source: string }>> = {
    "vpc-cni": { perNode: { cpuMilli: 25, memoryMiB: 0 }, perCluster: NONE, source: "amazon-vpc-cni-k8s chart values.yaml resources.requests cpu 25m (aws-node); network policy agent unset (not re-read this session)" },
    "kube-proxy": { perNode: { cpuMilli: 100, memoryMiB: 0 }, perCluster: NONE, source: "EKS kube-proxy DaemonSet requests cpu 100m (not re-read this session)" },
    "eks-pod-identity-agent": { perNode: NONE, perCluster: NONE, source: "eks-pod-identity-agent chart values.yaml resources {} (not re-read this session)" },
    "coredns": { perNode: NONE, perCluster: { cpuMilli: 2 * 100, memoryMiB: 2 * 70 }, source: "EKS coredns Deployment: 2 replicas, requests cpu 100m, memory 70Mi (not re-read this session)" },
    "aws-ebs-csi-driver": { perNode: { cpuMilli: 30, memoryMiB: 120 }, perCluster: { cpuMilli: 2 * 60, memoryMiB: 2 * 240 }, source: "aws-ebs-csi-driver chart values.yaml: every container requests 10m/40Mi; controller 2 replicas × 6 containers, node 3 containers (not re-read this session)" },
};

/** Every CPU-node pod request the recorded stack implies. Throws on a chart or add-on it cannot size. */
export function requestLines(nodes: readonly GraphNode[]): RequestLine[] {
    const lines: RequestLine[] = [];
    const add = (what: string, r: Requests, times: number, perNode = false) => {
        if (times > 0 && (r.cpuMilli > 0 || r.memoryMiB > 0)) {
            lines.push({ what: times === 1 ? what : `${what} × ${times}`, cpuMilli: r.cpuMilli * times, memoryMiB: Math.round(r.memoryMiB * times), perNode });
        }
    };
    for (const n of nodes) {
        const i = n.inputs;
        switch (n.type) {
            case "kubernetes:apps/v1:Deployment":
            case "kubernetes:apps/v1:StatefulSet":
                if (!gpuOnly(i.spec?.template?.spec)) {
                    add(n.name, podRequests(i.spec?.template?.spec), i.spec?.replicas ?? 1);
                }
                break;
            case "kubernetes:apps/v1:DaemonSet":
                if (!gpuOnly(i.spec?.template?.spec)) {
                    add(n.name, podRequests(i.spec?.template?.spec), 1, true);
                }
                break;
            case "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch":
                for (const ns of i.spec?.nodeSets ?? []) {
                    // ECK's default when the pod template sets none: 2Gi memory (ECK docs, "Manage compute resources").
                    const r = podRequests(ns.podTemplate?.spec);
                    add(`${n.name} ${ns.name}`, r.memoryMiB > 0 ? r : { cpuMilli: r.cpuMilli, memoryMiB: 2048 }, ns.count ?? 1);
                }
                break;
            case "kubernetes:kibana.k8s.elastic.co/v1:Kibana": {
                const r = podRequests(i.spec?.podTemplate?.spec);
                add(n.name, r.memoryMiB > 0 ? r : { cpuMilli: r.cpuMilli, memoryMiB: 1024 }, i.spec?.count ?? 1);
                break;
            }
            case "kubernetes:helm.sh/v3:Release": {
                // An OCI chart is recorded by its reference (oci://registry.k8s.io/kueue/charts/kueue).
                const chart = String(i.chart).split("/").pop() ?? "";
                const pods = CHART_PODS[chart];
                if (pods === undefined) {
                    throw new Error(`no pod table for chart ${i.chart} (${n.name}); add it to CHART_PODS in scripts/bench-requests.ts`);
                }
                const v = i.values ?? {};
                for (const p of pods) {
                    if (p.gpuOnly || (at(v, p.enabled?.path ?? "") ?? p.enabled?.default ?? true) === false) {
                        continue;
                    }
                    const set = p.resources.map((path) => at(v, path)).filter((r) => r?.requests !== undefined);
                    const r = set.length > 0 ? set.map(req).reduce((a, b) => ({ cpuMilli: a.cpuMilli + b.cpuMilli, memoryMiB: a.memoryMiB + b.memoryMiB })) : p.defaults;
                    add(`${n.name} ${p.name}`, r, p.perNode ? 1 : (at(v, p.replicas?.path ?? "") ?? p.replicas?.default ?? 1), p.perNode ?? false);
                }
                break;
            }
            case "aws:eks/addon:Addon": {
                const a = ADDON_PODS[i.addonName];
                if (a === undefined) {
                    throw new Error(`no pod table for EKS add-on ${i.addonName} (${n.name}); add it to ADDON_PODS in scripts/bench-requests.ts`);
                }
                add(`${i.addonName} (per node)`, a.perNode, 1, true);
                add(i.addonName, a.perCluster, 1);
                break;
            }
            default:
                break;
        }
    }
    return lines;
}

/**
 * Max pods per instance for the VPC CNI without prefix delegation: ENIs × (IPv4 per ENI − 1) + 2
 * (awslabs/amazon-eks-ami templates/shared/runtime/eni-max-pods.txt; EC2 ENI limits per type).
 */
export const INSTANCES: Readonly<Record<string, { vcpu: number; memoryMiB: number; maxPods: number }>> = {
    "m5.large": { vcpu: 2, memoryMiB: 8192, maxPods: 29 }, "m6i.large": { vcpu: 2, memoryMiB: 8192, maxPods: 29 }, "m7i.large": { vcpu: 2, memoryMiB: 8192, maxPods: 29 },
    "m5.xlarge": { vcpu: 4, memoryMiB: 16384, maxPods: 58 }, "m6i.xlarge": { vcpu: 4, memoryMiB: 16384, maxPods: 58 }, "m7i.xlarge": { vcpu: 4, memoryMiB: 16384, maxPods: 58 },
    "m7i.2xlarge": { vcpu: 8, memoryMiB: 32768, maxPods: 58 },
    // 4 ENIs × 15 IPv4 each (amazon-eks-ami nodeadm/internal/kubelet/instance-info.jsonl): 4 × 14 + 2 = 58.
    "m5a.xlarge": { vcpu: 4, memoryMiB: 16384, maxPods: 58 }, "m6a.xlarge": { vcpu: 4, memoryMiB: 16384, maxPods: 58 },
};

/**
 * Allocatable of one node: capacity minus kube-reserved as nodeadm computes it (awslabs/amazon-eks-ami
 * nodeadm/internal/kubelet/config.go: memory 11 MiB × maxPods + 255 MiB; CPU 6 % of the first core,
 * 1 % of the second, 0.5 % of cores 3-4, 0.25 % above) and the kubelet's 100Mi hard eviction
 * threshold. Capacity is the nominal instance memory: the kernel reports a little less, so this is an upper bound.
 */
export function allocatable(instanceType: string): Requests {
    const t = INSTANCES[instanceType];
    if (t === undefined) {
        throw new Error(`no instance figures for ${instanceType}; add it to INSTANCES in scripts/bench-requests.ts`);
    }
    const total = t.vcpu * 1000;
    const ranges = [0, 1000, 2000, 4000, total];
    const tenThousandths = [600, 100, 50, 25];
    let cpuReserved = 0;
    tenThousandths.forEach((p, k) => {
        if (total > ranges[k]) {
            cpuReserved += ((Math.min(total, ranges[k + 1]) - ranges[k]) * p) / 10000;
        }
    });
    return { cpuMilli: total - cpuReserved, memoryMiB: t.memoryMiB - (11 * t.maxPods + 255) - 100 };
}

/** The request sum against the CPU groups' allocatable at their desired sizes, summed over the groups (one per AZ). */
export interface CapacityReport {
    readonly nodes: number;
    readonly instanceType: string;
    readonly requested: Requests;
    readonly allocatable: Requests;
    /** Fractions of allocatable requested (1 = full). */
    readonly cpuFraction: number;
    readonly memoryFraction: number;
    readonly lines: RequestLine[];
}

export function capacityReport(nodes: readonly GraphNode[]): CapacityReport {
    // Every CPU group (one per AZ since issue 19): the platform's idle pods spread over their nodes.
    const groups = nodes.filter((n) => n.type === "aws:eks/nodeGroup:NodeGroup" && !String(n.inputs.amiType ?? "").includes("NVIDIA"));
    if (groups.length === 0) {
        throw new Error("no CPU node group recorded");
    }
    const count: number = groups.reduce((s, g) => s + (g.inputs.scalingConfig?.desiredSize ?? 1), 0);
    // A group may launch any listed type: size against the smallest (CPU first, then memory).
    const types: string[] = [...new Set(groups.flatMap((g) => g.inputs.instanceTypes ?? []))] as string[];
    const instanceType = [...types].sort((a, b) => allocatable(a).cpuMilli - allocatable(b).cpuMilli || allocatable(a).memoryMiB - allocatable(b).memoryMiB)[0];
    const one = allocatable(instanceType);
    const lines = requestLines(nodes);
    const requested = lines.reduce((s, l) => ({
        cpuMilli: s.cpuMilli + l.cpuMilli * (l.perNode ? count : 1),
        memoryMiB: s.memoryMiB + l.memoryMiB * (l.perNode ? count : 1),
    }), { cpuMilli: 0, memoryMiB: 0 });
    const total = { cpuMilli: one.cpuMilli * count, memoryMiB: one.memoryMiB * count };
    return {
        nodes: count,
        instanceType,
        requested: { cpuMilli: Math.round(requested.cpuMilli), memoryMiB: Math.round(requested.memoryMiB) },
        allocatable: { cpuMilli: Math.round(total.cpuMilli), memoryMiB: Math.round(total.memoryMiB) },
        cpuFraction: Math.round((requested.cpuMilli / total.cpuMilli) * 100) / 100,
        memoryFraction: Math.round((requested.memoryMiB / total.memoryMiB) * 100) / 100,
        lines,
    };
}
