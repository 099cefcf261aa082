/**
 * The deploy critical path of `npm run bench`: creation times per resource type (each with its
 * public source), the longest chain through the registered resource graph, the floor it is
 * measured against, and the check that cluster-independent resources do not wait for the cluster.
 */

/** The parts of a recorded resource the models read. */
export interface GraphNode {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    readonly parent: string;
    readonly dependencies: string[];
    readonly provider: string;
    readonly custom: boolean;
    readonly remote: boolean;
}

// ---------------------------------------------------------------------------------------------
// Creation times
// ---------------------------------------------------------------------------------------------

/** Typical creation time in minutes, per resource type, with the source of the figure. */
export const DURATIONS: Readonly<Record<string, { minutes: number; source: string }>> = {
    "eks:index:Cluster": { minutes: 10, source: "Amazon EKS User Guide, 'Create an Amazon EKS cluster' (control plane typically ~10 min)" },
    "aws:eks/nodeGroup:NodeGroup": { minutes: 3, source: "Amazon EKS User Guide, managed node groups (nodes join in ~2-4 min)" },
    "aws:eks/addon:Addon": { minutes: 1, source: "eksctl / EKS add-on create: ACTIVE after ~1 min once pods can schedule" },
    "aws:ec2/natGateway:NatGateway": { minutes: 2, source: "Amazon VPC User Guide, NAT gateways (pending -> available ~1-2 min)" },
    "aws:rds/instance:Instance": { minutes: 6, source: "Amazon RDS User Guide, creating a DB instance (single-AZ small class ~5-8 min)" },
    "aws:rds/instance:Instance#multiAz": { minutes: 15, source: "Amazon RDS User Guide, Multi-AZ deployments (standby provisioning ~10-20 min)" },
    "aws:autoscaling/tag:Tag": { minutes: 0.1, source: "API call" },
    "kubernetes:apps/v1:Deployment": { minutes: 1, source: "Pulumi Kubernetes await logic waits for rollout; image pull + readiness ~1 min" },
    "kubernetes:apps/v1:DaemonSet": { minutes: 1, source: "Pulumi Kubernetes await logic waits for rollout on every node ~1 min" },
    "kubernetes:apps/v1:StatefulSet": { minutes: 2, source: "rollout including volume attach ~2 min" },
    "kubernetes:batch/v1:Job": { minutes: 0.5, source: "Pulumi waits for Job completion; one short API call" },
};

/** Helm charts: typical install time of the chart with `helm --wait`, in minutes. */
export const CHART_DURATIONS: Readonly<Record<string, { minutes: number; source: string }>> = {
    // Without its install-time pre-puller hook (prePuller.hook.enabled: false) the chart is the hub
    // and proxy Deployments and the hub's volume, like the other one-Deployment charts plus a volume.
    "jupyterhub#noHook": { minutes: 1.5, source: "z2jh 4.4.0 without the hook-image-awaiter Job: hub + proxy Deployments and the hub PVC (1 min per Deployment chart + 0.5 volume attach)" },
    // helm --wait (helm v3.20.2 pkg/kube/ready.go ReadyChecker.IsReady; pulumi-kubernetes
    // helm_release.go sets client.Wait = !skipAwait) checks the release's own Deployments,
    // StatefulSets, DaemonSets, PVCs, Services and CRDs; any other kind, custom resources included,
    // is ready at once. This chart's workloads are the operator, kube-state-metrics and Grafana
    // Deployments and the node-exporter DaemonSet (admission-webhook Jobs are off); the
    // Prometheus and Alertmanager StatefulSets are made later by the operator from custom resources,
    // so the install does not wait for them.
    "kube-prometheus-stack": { minutes: 1, source: "helm --wait covers only the chart's three Deployments and its DaemonSet, started together (helm v3.20.2 pkg/kube/ready.go): 1 min, the Deployment and DaemonSet rollout figure" },
    "jupyterhub": { minutes: 3, source: "z2jh docs: hub + proxy + image pre-puller hook ~2-5 min" },
    "eck-operator": { minutes: 1, source: "ECK quickstart: operator ready in under a minute" },
    "cluster-autoscaler": { minutes: 1, source: "single Deployment" },
    "nvidia-device-plugin": { minutes: 0.5, source: "DaemonSet on GPU nodes only (none while at zero)" },
    "dcgm-exporter": { minutes: 0.5, source: "DaemonSet on GPU nodes only (none while at zero)" },
};

/**
 * Custom resources whose operator turns them into pods. Pulumi returns as soon as the object exists
 * (a custom resource has no await logic), but a Job that depends on one talks to what it describes
 * and runs only once that answers: the logging layer's ILM Job polls `_cluster/health` until yellow
 * (components/logging/retention.ts). That wait is charged to the Job, after the CPU nodes its pods need.
 */
export const READY_AFTER_CREATE: Readonly<Record<string, { minutes: number; source: string }>> = {
    "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch": { minutes: 2, source: "ECK renders a StatefulSet (pod, data volume, JVM start): the StatefulSet rollout figure, ~2 min" },
};

/**
 * EKS add-ons whose DaemonSet a node needs to turn Ready: a node group cannot be ACTIVE before the
 * add-on is, even though it does not wait for it in the graph (components/cluster/addons.ts).
 */
export const NODE_READY_ADDONS = ["vpc-cni"];

/** Anything not listed: a single API call. */
export const DEFAULT_MINUTES = 0.1;

/** Creation time of one resource, in minutes (0 for components and providers, which only group). */
export function durationOf(n: GraphNode): number {
    if (!n.custom && !n.remote) {
        return 0;
    }
    if (n.type.startsWith("pulumi:providers:")) {
        return 0;
    }
    if (n.type === "aws:rds/instance:Instance" && n.inputs.multiAz === true) {
        return DURATIONS["aws:rds/instance:Instance#multiAz"].minutes;
    }
    if (n.type === "kubernetes:helm.sh/v3:Release") {
        // z2jh's default (hook on) holds the install until every node has pulled the user image.
        if (n.inputs.chart === "jupyterhub" && n.inputs.values?.prePuller?.hook?.enabled === false) {
            return CHART_DURATIONS["jupyterhub#noHook"].minutes;
        }
        return CHART_DURATIONS[n.inputs.chart]?.minutes ?? 1;
    }
    return DURATIONS[n.type]?.minutes ?? DEFAULT_MINUTES;
}

/**
 * Minutes of pod start an EKS add-on that runs a Deployment (coredns, the EBS CSI controller)
 * still needs once a node is Ready, when it was created before: its images are small and already
 * requested. An allowance (no published figure), stated so a reader can argue with it.
 */
export const ADDON_POD_START_MINUTES = 0.5;
/** EKS add-ons whose pods are a Deployment: they turn ACTIVE only once a node runs them. */
export const DEPLOYMENT_ADDONS = ["coredns", "aws-ebs-csi-driver"];
/** Charts whose pods run only on GPU nodes (at zero on a fresh stack): they need no CPU node. */
export const GPU_ONLY_CHARTS = ["nvidia-device-plugin", "dcgm-exporter"];

/**
 * How much of a resource's creation needs a Ready CPU node, in minutes: its pods must run before
 * Pulumi calls it created. For an add-on, terraform-provider-aws (internal/service/eks
 * waitAddonCreated) waits for ACTIVE with CREATING and DEGRADED pending, so an add-on created
 * before nodes finishes only after its pods start. Helm releases (helm --wait), Deployments,
 * StatefulSets and Jobs (Pulumi's await logic) need all of their time after the node. DaemonSets
 * created before nodes are done at zero desired pods.
 */
export function podMinutes(n: GraphNode): number {
    switch (n.type) {
        case "aws:eks/addon:Addon":
            return DEPLOYMENT_ADDONS.includes(n.inputs.addonName) ? ADDON_POD_START_MINUTES : 0;
        case "kubernetes:helm.sh/v3:Release":
            return GPU_ONLY_CHARTS.includes(n.inputs.chart) ? 0 : durationOf(n);
        case "kubernetes:apps/v1:Deployment":
        case "kubernetes:apps/v1:StatefulSet":
        case "kubernetes:batch/v1:Job":
            return durationOf(n);
        default:
            return 0;
    }
}

/**
 * CPU node groups (one per AZ): where platform pods run on a fresh stack (GPU groups start at zero).
 * A pod that does not wait for them in the graph is held until the last of them is ready.
 */
function isCpuNodeGroup(n: GraphNode): boolean {
    return n.type === "aws:eks/nodeGroup:NodeGroup" && !String(n.inputs.amiType ?? "").includes("NVIDIA");
}

/** The longest chain of creation times through the dependency graph. */
export interface CriticalPath {
    readonly minutes: number;
    readonly chain: { readonly type: string; readonly name: string; readonly minutes: number }[];
}

/**
 * A resource starts when everything it depends on (explicitly, through inputs, or through its
 * provider) is created. Dependencies on a component stand for all of its children. A child also
 * waits for its ancestors' dependencies: in @pulumi/pulumi 3.270.0 (runtime/resource.js
 * prepareResource) a resource registers only once the URNs of its `dependsOn` resolve (a custom
 * resource's URN resolves when its create returns), and a child first awaits `parent.urn`, so a
 * component's `dependsOn` holds every child.
 */
export function dependencyMap(nodes: readonly GraphNode[]): Map<string, string[]> {
    const byUrn = new Map(nodes.map((n) => [n.urn, n]));
    const children = new Map<string, string[]>();
    for (const n of nodes) {
        if (n.parent) {
            children.set(n.parent, [...(children.get(n.parent) ?? []), n.urn]);
        }
    }
    const expand = (urn: string, seen = new Set<string>()): string[] => {
        const n = byUrn.get(urn);
        if (n === undefined || seen.has(urn)) {
            return [];
        }
        seen.add(urn);
        if (!n.custom && !n.remote) {
            return (children.get(urn) ?? []).flatMap((c) => expand(c, seen));
        }
        return [urn];
    };
    const deps = new Map<string, string[]>();
    for (const n of nodes) {
        const direct = [...n.dependencies];
        for (let p = byUrn.get(n.parent); p !== undefined; p = byUrn.get(p.parent)) {
            direct.push(...p.dependencies);
        }
        if (n.provider) {
            direct.push(n.provider.split("::").slice(0, -1).join("::"));
        }
        deps.set(n.urn, [...new Set(direct.flatMap((d) => expand(d)))].filter((d) => d !== n.urn));
    }
    return deps;
}

/**
 * Longest path (sum of durations) ending at any resource. A resource whose pods need a CPU node
 * ({@link podMinutes}) but that does not wait for the CPU node groups in the graph still cannot
 * finish before the group is ready plus its pod time: dropping an edge never hides the nodes.
 */
export function criticalPath(nodes: readonly GraphNode[]): CriticalPath {
    const byUrn = new Map(nodes.map((n) => [n.urn, n]));
    const deps = dependencyMap(nodes);
    const cpuGroups = nodes.filter(isCpuNodeGroup).map((n) => n.urn);
    const waitsForCpu = new Map<string, boolean>();
    const reachesCpu = (urn: string, stack = new Set<string>()): boolean => {
        const hit = waitsForCpu.get(urn);
        if (hit !== undefined) {
            return hit;
        }
        if (stack.has(urn)) {
            return false;
        }
        stack.add(urn);
        const r = cpuGroups.includes(urn) || (deps.get(urn) ?? []).some((d) => reachesCpu(d, stack));
        stack.delete(urn);
        waitsForCpu.set(urn, r);
        return r;
    };
    const memo = new Map<string, { minutes: number; prev?: string; waited?: number }>();
    const visiting = new Set<string>();
    const cpuReady = (): number => Math.max(0, ...cpuGroups.map((g) => finish(g)));
    const nodeAddons = nodes.filter((n) => n.type === "aws:eks/addon:Addon" && NODE_READY_ADDONS.includes(n.inputs.addonName)).map((n) => n.urn);
    const finish = (urn: string): number => {
        const hit = memo.get(urn);
        if (hit) {
            return hit.minutes;
        }
        if (visiting.has(urn)) {
            throw new Error(`dependency cycle through ${urn}`);
        }
        visiting.add(urn);
        const n = byUrn.get(urn)!;
        let best = 0;
        let prev: string | undefined;
        let waited: number | undefined;
        const consider = (d: string, f: number, w?: number) => {
            if (f > best) {
                best = f;
                prev = d;
                waited = w;
            }
        };
        for (const d of deps.get(urn) ?? []) {
            const dn = byUrn.get(d);
            if (dn === undefined) {
                continue;
            }
            const ready = n.type === "kubernetes:batch/v1:Job" ? READY_AFTER_CREATE[dn.type] : undefined;
            consider(d, ready ? Math.max(finish(d), cpuReady()) + ready.minutes : finish(d), ready?.minutes);
        }
        if (n.type === "aws:eks/nodeGroup:NodeGroup") {
            // The group's own time still follows its dependencies; the add-on only bounds it below.
            for (const a of nodeAddons) {
                if (finish(a) > best + durationOf(n)) {
                    consider(a, finish(a) - durationOf(n));
                }
            }
        }
        visiting.delete(urn);
        let minutes = best + durationOf(n);
        const pods = podMinutes(n);
        if (pods > 0 && !reachesCpu(urn)) {
            for (const g of cpuGroups) {
                const viaNodes = finish(g) + pods;
                if (viaNodes > minutes) {
                    minutes = viaNodes;
                    prev = g;
                    waited = undefined;
                }
            }
        }
        memo.set(urn, { minutes, prev, waited });
        return minutes;
    };
    let end: string | undefined;
    let total = 0;
    for (const n of nodes) {
        const f = finish(n.urn);
        if (f > total) {
            total = f;
            end = n.urn;
        }
    }
    const chain: CriticalPath["chain"] = [];
    for (let u = end; u !== undefined; u = memo.get(u)?.prev) {
        const n = byUrn.get(u)!;
        const step = memo.get(u);
        const prev = step?.prev;
        // When the step was held by the nodes, only its pod time counts after them.
        const m = prev !== undefined && cpuGroups.includes(prev) && !(deps.get(u) ?? []).includes(prev) ? podMinutes(n) : durationOf(n);
        if (m > 0) {
            chain.unshift({ type: n.type, name: n.name, minutes: m });
        }
        if (step?.waited !== undefined && prev !== undefined) {
            // What the step waited for to answer (after the nodes, if those came later).
            const p = byUrn.get(prev)!;
            chain.unshift({ type: p.type, name: `${p.name} (ready)`, minutes: step.waited });
            if (cpuReady() > finish(prev)) {
                for (let g: string | undefined = cpuGroups.find((c) => finish(c) === cpuReady()); g !== undefined; g = memo.get(g)?.prev) {
                    const gn = byUrn.get(g)!;
                    if (durationOf(gn) > 0) {
                        chain.unshift({ type: gn.type, name: gn.name, minutes: durationOf(gn) });
                    }
                }
                break;
            }
        }
    }
    return { minutes: Math.round(total * 10) / 10, chain };
}

/** The floor: nothing useful runs before the control plane and the first node group exist. */
export function floorMinutes(): number {
    return DURATIONS["eks:index:Cluster"].minutes + DURATIONS["aws:eks/nodeGroup:NodeGroup"].minutes;
}

/** Types that never need the cluster, so they must not wait for it. */
export const CLUSTER_INDEPENDENT = [
    "aws:rds/instance:Instance",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:s3/bucket:Bucket",
    "aws:kms/key:Key",
    "aws:iam/role:Role",
];

/** Resources of the independent types that (transitively) wait for the EKS cluster. */
export function blockedBehindCluster(nodes: readonly GraphNode[]): string[] {
    const deps = dependencyMap(nodes);
    const cluster = nodes.find((n) => n.type === "eks:index:Cluster");
    if (!cluster) {
        return [];
    }
    const reaches = (urn: string, seen = new Set<string>()): boolean => {
        if (urn === cluster.urn) {
            return true;
        }
        if (seen.has(urn)) {
            return false;
        }
        seen.add(urn);
        return (deps.get(urn) ?? []).some((d) => reaches(d, seen));
    };
    return nodes.filter((n) => CLUSTER_INDEPENDENT.includes(n.type) && reaches(n.urn)).map((n) => `${n.type} ${n.name}`);
}
