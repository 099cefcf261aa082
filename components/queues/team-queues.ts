/**
 * The queueing objects: a ResourceFlavor per node pool, a ClusterQueue per team in one shared
 * cohort, and a LocalQueue (plus the training environment ConfigMap) in each team namespace.
 * Schemas: kubernetes-sigs/kueue v0.19.2 `config/components/crd/bases/` (v1beta2, the storage version).
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GPU_NODE_LABEL, GPU_RESOURCE, GPU_TAINT, NODE_POOL_LABEL } from "../shared/gpu";
import { standardLabels } from "../shared/labels";
import { TEAM_LABEL } from "../tenancy";
import { formatCpu, formatMemory, ResolvedTeamQueue } from "./settings";

export const KUEUE_API = "kueue.x-k8s.io/v1beta2";
/** The label that puts a Job in a LocalQueue. */
export const QUEUE_NAME_LABEL = "kueue.x-k8s.io/queue-name";
/** The LocalQueue in every team namespace; users put this name in the queue label. */
export const LOCAL_QUEUE = "training";
/** The cohort every team's ClusterQueue joins, so idle quota is lent and reclaimed. */
export const COHORT = "mlplatform";
/** ConfigMap in each team namespace with the platform's environment for Jobs (`envFrom`). */
export const TRAINING_ENV_CONFIGMAP = "mlplatform-training-env";
/** ResourceFlavor names (cluster-scoped, referred to by the ClusterQueues). */
export const FLAVORS = { cpu: "cpu-nodes", gpu: "gpu-nodes" } as const;
/** Resources every ClusterQueue covers, in this order in every flavor (Kueue requires the same list). */
export const COVERED_RESOURCES = ["cpu", "memory", GPU_RESOURCE] as const;

/** ResourceFlavor specs: node labels the node groups carry (components/cluster/node-group.ts), and the GPU taint. */
export function flavorSpecs() {
    return {
        [FLAVORS.cpu]: { nodeLabels: { [NODE_POOL_LABEL]: "cpu" } },
        [FLAVORS.gpu]: {
            nodeLabels: { [NODE_POOL_LABEL]: "gpu", [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value },
            // Kueue assigns this flavor only to pod sets whose tolerations (plus the flavor's own, none
            // here) tolerate the taint (pkg/scheduler/flavorassigner/flavorassigner.go, v0.19.2:
            // FindMatchingUntoleratedTaint). No flavor toleration on purpose: with one, a CPU Job that
            // overflows the CPU flavor would be placed on GPU nodes and scale them up. GPU Jobs carry
            // GPU_TOLERATION themselves (examples/).
            nodeTaints: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: GPU_TAINT.effect }],
        },
    };
}

/** A team's ClusterQueue spec. */
export function clusterQueueSpec(q: ResolvedTeamQueue) {
    const r = (name: string, nominalQuota: string, borrowingLimit: string) => ({ name, nominalQuota, borrowingLimit });
    return {
        cohortName: COHORT,
        // Only the team's own namespaces may submit to its queue.
        namespaceSelector: { matchLabels: { [TEAM_LABEL]: q.team } },
        queueingStrategy: "BestEffortFIFO",
        resourceGroups: [{
            coveredResources: [...COVERED_RESOURCES],
            // CPU first: a Job without GPUs stays off GPU nodes; a GPU Job does not fit the CPU flavor
            // (0 GPUs) and moves on to the GPU flavor.
            flavors: [
                { name: FLAVORS.cpu, resources: [r("cpu", formatCpu(q.cpuFlavor.cpuMilli), "0"), r("memory", formatMemory(q.cpuFlavor.memoryBytes), "0"), r(GPU_RESOURCE, "0", "0")] },
                { name: FLAVORS.gpu, resources: [r("cpu", formatCpu(q.gpuFlavor.cpuMilli), "0"), r("memory", formatMemory(q.gpuFlavor.memoryBytes), "0"), r(GPU_RESOURCE, `${q.gpuFlavor.gpu}`, `${q.gpuBorrowingLimit}`)] },
            ],
        }],
        preemption: {
            // Take back lent GPUs when the team needs its nominal quota (fair sharing picks the victims).
            reclaimWithinCohort: "Any",
            withinClusterQueue: "LowerPriority",
        },
    };
}

/** Creates the flavors, then per team its ClusterQueue and per namespace a LocalQueue and the env ConfigMap. */
export function teamQueues(name: string, parent: pulumi.Resource, queues: ResolvedTeamQueue[], env: Record<string, pulumi.Input<string>>, dependsOn: pulumi.Input<pulumi.Resource>[]): void {
    const labels = standardLabels("kueue", "queueing", name);
    const opts = { parent, dependsOn };
    const flavors = Object.entries(flavorSpecs()).map(([flavor, spec]) =>
        new k8s.apiextensions.CustomResource(`${name}-flavor-${flavor}`, { apiVersion: KUEUE_API, kind: "ResourceFlavor", metadata: { name: flavor, labels }, spec }, opts));
    for (const q of queues) {
        // Named after the team: metrics, alerts and `kubectl get clusterqueue` show it.
        const cq = new k8s.apiextensions.CustomResource(`${name}-${q.team}-cq`, {
            apiVersion: KUEUE_API,
            kind: "ClusterQueue",
            metadata: { name: q.team, labels: { ...labels, [TEAM_LABEL]: q.team } },
            spec: clusterQueueSpec(q),
        }, { parent, dependsOn: [...dependsOn, ...flavors] });
        for (const ns of q.namespaces) {
            new k8s.apiextensions.CustomResource(`${name}-${ns}-lq`, {
                apiVersion: KUEUE_API,
                kind: "LocalQueue",
                metadata: { name: LOCAL_QUEUE, namespace: ns, labels },
                spec: { clusterQueue: cq.metadata.name },
            }, { parent, dependsOn });
            new k8s.core.v1.ConfigMap(`${name}-${ns}-env`, {
                metadata: { name: TRAINING_ENV_CONFIGMAP, namespace: ns, labels },
                data: env,
            }, { parent, dependsOn });
        }
    }
}
