/**
 * Training queues: settings, defaults and validation. Kueue's objects (one ClusterQueue per team in
 * one cohort, a LocalQueue per team namespace) are derived from the teams (components/tenancy/
 * settings.ts owns `teams`, components/tenancy/namespace.ts their ResourceQuotas) plus each team's
 * optional `queue` block. Pure: config.ts and the tests call {@link resolveQueueArgs} directly;
 * every error names the config path.
 */
import { gpusPerInstance } from "../shared/gpu";
import { gpuStartTimeoutSeconds } from "../shared/gpu-startup";
import { ConfigError } from "../shared/settings";
import type { TeamSpec } from "../tenancy";

/**
 * A team's training budget in Kueue (`teams[i].queue` in the stack config). The team's
 * ResourceQuota (`teams[i].quota`, per namespace) is its hard ceiling; the queue's nominal quota
 * plus what it may borrow from idle teams must fit under that ceiling.
 */
export interface TeamQueueSpec {
    /**
     * GPUs the team is guaranteed (nominal quota of the GPU flavor).
     * @default quota.gpu - gpuBorrowingLimit
     */
    readonly gpu?: number;
    /**
     * GPUs the team may borrow from other teams' idle nominal quota; they are reclaimed (the
     * borrowing Job is preempted) when the lender needs them.
     * @default floor(quota.gpu / 2)
     */
    readonly gpuBorrowingLimit?: number;
    /**
     * CPU that GPU Jobs may request alongside their GPUs (the GPU flavor's nominal CPU); the rest of
     * `quota.cpu` is the CPU flavor's. A Kubernetes quantity.
     * @default half of quota.cpu when the team can use GPUs, else "0"
     */
    readonly gpuNodeCpu?: string;
    /**
     * Memory that GPU Jobs may request alongside their GPUs (the GPU flavor's nominal memory).
     * @default half of quota.memory when the team can use GPUs, else "0"
     */
    readonly gpuNodeMemory?: string;
}

/** One team's queue, resolved: the nominal quota per flavor and the GPU borrowing limit. */
export interface ResolvedTeamQueue {
    readonly team: string;
    /** The team's namespaces (a LocalQueue in each). */
    readonly namespaces: string[];
    /** Nominal quota on CPU nodes: cpu (millicores), memory (bytes); no GPUs. */
    readonly cpuFlavor: { readonly cpuMilli: number; readonly memoryBytes: number };
    /** Nominal quota on GPU nodes. */
    readonly gpuFlavor: { readonly cpuMilli: number; readonly memoryBytes: number; readonly gpu: number };
    readonly gpuBorrowingLimit: number;
}

/** Arguments of the Queues component that decide what exists (all plain, all validated). */
export interface QueueSettings {
    /** Teams, as tenancy declares them. */
    readonly teams: TeamSpec[];
    /** GPU node group maximum size (`gpuMaxSize`). */
    readonly gpuMaxSize: number;
    /** GPU node group instance types (`gpuInstanceTypes`): GPUs per node come from them. */
    readonly gpuInstanceTypes: string[];
}

/** Resolved queue settings. */
export interface ResolvedQueueSettings {
    readonly queues: ResolvedTeamQueue[];
    /** Sum of the teams' nominal GPUs: the cohort's GPU pool. */
    readonly cohortGpus: number;
    /** GPUs the GPU node group can bring up at its maximum size. */
    readonly gpuCapacity: number;
}

/** An invalid setting: `key` is the config key, `path` the place inside it. */
export class QueueSettingsError extends Error {
    constructor(readonly key: "teams" | "gpuMaxSize", message: string) {
        super(message);
        this.name = "QueueSettingsError";
    }
}

const QUANTITY = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
const FACTORS: Record<string, number> = { "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** A Kubernetes quantity as a number (cores or bytes); undefined when it is not one we accept. */
export function parseQuantity(q: string): number | undefined {
    const m = typeof q === "string" ? QUANTITY.exec(q) : null;
    return m === null ? undefined : Number(m[1]) * FACTORS[m[2] ?? ""];
}

/** CPU as whole millicores ("1.5" → 1500). */
export const cpuMilli = (q: string): number | undefined => {
    const n = parseQuantity(q);
    return n === undefined ? undefined : Math.round(n * 1000);
};

/** Millicores as a quantity Kueue and the API server both accept ("1500m", "16"). */
export const formatCpu = (milli: number): string => (milli % 1000 === 0 ? `${milli / 1000}` : `${milli}m`);
/** Bytes as a quantity ("64Gi", "1536Mi", or plain bytes). */
export const formatMemory = (bytes: number): string =>
    bytes % 2 ** 30 === 0 ? `${bytes / 2 ** 30}Gi` : bytes % 2 ** 20 === 0 ? `${bytes / 2 ** 20}Mi` : `${bytes}`;

function wholeAtLeast0(at: string, v: unknown): number {
    if (!Number.isInteger(v) || (v as number) < 0) {
        throw new QueueSettingsError("teams", `${at} ${JSON.stringify(v)} must be a whole number >= 0`);
    }
    return v as number;
}

function quantity(at: string, v: unknown, parse: (q: string) => number | undefined): number {
    const n = typeof v === "string" ? parse(v) : undefined;
    if (n === undefined) {
        throw new QueueSettingsError("teams", `${at} ${JSON.stringify(v)} must be a Kubernetes quantity such as "8", "500m" or "32Gi"`);
    }
    return n;
}

const QUEUE_KEYS = ["gpu", "gpuBorrowingLimit", "gpuNodeCpu", "gpuNodeMemory"];

/** One team's queue: defaults, then the ResourceQuota rule (nominal + borrowing within quota). */
export function resolveTeamQueue(team: TeamSpec, i: number): ResolvedTeamQueue {
    const at = `teams[${i}].queue`;
    const q: TeamQueueSpec = team.queue ?? {};
    if (q === null || typeof q !== "object" || Array.isArray(q)) {
        throw new QueueSettingsError("teams", `${at} must be an object with any of ${QUEUE_KEYS.join(", ")}`);
    }
    const unknown = Object.keys(q).find((k) => !QUEUE_KEYS.includes(k));
    if (unknown !== undefined) {
        throw new QueueSettingsError("teams", `${at}.${unknown} is not a queue setting; valid: ${QUEUE_KEYS.join(", ")}`);
    }
    const quotaGpu = team.quota.gpu;
    const quotaCpu = cpuMilli(team.quota.cpu)!;
    const quotaMemory = parseQuantity(team.quota.memory)!;
    const borrowing = wholeAtLeast0(`${at}.gpuBorrowingLimit`, q.gpuBorrowingLimit ?? Math.floor(quotaGpu / 2));
    const gpu = wholeAtLeast0(`${at}.gpu`, q.gpu ?? Math.max(quotaGpu - borrowing, 0));
    // The ResourceQuota counts every pod in a namespace, and all of a team's admitted Jobs may sit in
    // one namespace; so the per-namespace quota must hold the whole queue, or Kueue admits a Job whose
    // pods the API server then refuses (kubernetes ResourceQuota admission, "exceeded quota").
    if (gpu + borrowing > quotaGpu) {
        throw new QueueSettingsError("teams", `${at}.gpu (${gpu}) + ${at}.gpuBorrowingLimit (${borrowing}) = ${gpu + borrowing} exceeds teams[${i}].quota.gpu (${quotaGpu}): Kueue would admit borrowed Jobs whose pods the namespace ResourceQuota then refuses; raise quota.gpu to at least ${gpu + borrowing} or lower the queue's gpu or gpuBorrowingLimit`);
    }
    const usesGpus = gpu + borrowing > 0;
    const gpuCpu = q.gpuNodeCpu === undefined ? (usesGpus ? Math.floor(quotaCpu / 2) : 0) : quantity(`${at}.gpuNodeCpu`, q.gpuNodeCpu, cpuMilli);
    const gpuMemory = q.gpuNodeMemory === undefined ? (usesGpus ? Math.floor(quotaMemory / 2 / 2 ** 20) * 2 ** 20 : 0) : quantity(`${at}.gpuNodeMemory`, q.gpuNodeMemory, parseQuantity);
    // CPU and memory are never borrowed (borrowingLimit 0), so the flavors' nominal sums are the ceiling.
    if (gpuCpu > quotaCpu) {
        throw new QueueSettingsError("teams", `${at}.gpuNodeCpu (${q.gpuNodeCpu}) exceeds teams[${i}].quota.cpu (${team.quota.cpu}); the CPU and GPU flavors share the team's CPU quota`);
    }
    if (gpuMemory > quotaMemory) {
        throw new QueueSettingsError("teams", `${at}.gpuNodeMemory (${q.gpuNodeMemory}) exceeds teams[${i}].quota.memory (${team.quota.memory}); the CPU and GPU flavors share the team's memory quota`);
    }
    if (usesGpus && (gpuCpu === 0 || gpuMemory === 0)) {
        throw new QueueSettingsError("teams", `${at}.gpuNodeCpu and gpuNodeMemory must be above 0 when the team can use GPUs: a GPU Job also requests CPU and memory on its GPU node`);
    }
    return {
        team: team.name,
        namespaces: [team.name, ...(team.extraNamespaces ?? []).map((s) => `${team.name}-${s}`)],
        cpuFlavor: { cpuMilli: quotaCpu - gpuCpu, memoryBytes: quotaMemory - gpuMemory },
        gpuFlavor: { cpuMilli: gpuCpu, memoryBytes: gpuMemory, gpu },
        gpuBorrowingLimit: borrowing,
    };
}

/**
 * Resolves every team's queue and checks that the GPU node group can hold the cohort's GPU pool:
 * Kueue admits Jobs up to the summed nominal quota, and a Job admitted beyond what `gpuMaxSize`
 * nodes carry waits for a node the autoscaler will never add, until waitForPodsReady evicts it.
 */
export function resolveQueueArgs(s: QueueSettings): ResolvedQueueSettings {
    const queues = s.teams.map(resolveTeamQueue);
    const perNode = gpusPerInstance(s.gpuInstanceTypes[0] ?? "") ?? 0;
    const gpuCapacity = s.gpuMaxSize * perNode;
    const cohortGpus = queues.reduce((n, q) => n + q.gpuFlavor.gpu, 0);
    if (cohortGpus > gpuCapacity) {
        const needed = Math.ceil(cohortGpus / Math.max(perNode, 1));
        throw new QueueSettingsError("gpuMaxSize", `gpuMaxSize (${s.gpuMaxSize}) x ${perNode} GPU(s) per ${s.gpuInstanceTypes[0]} = ${gpuCapacity} GPUs cannot hold the teams' nominal GPU quota (${queues.map((q) => `${q.team} ${q.gpuFlavor.gpu}`).join(", ")}; ${cohortGpus} in total): raise gpuMaxSize to at least ${needed} or lower teams[].queue.gpu`);
    }
    return { queues, cohortGpus, gpuCapacity };
}

/**
 * How long an admitted Job may take to get all its pods Ready before Kueue evicts and requeues it
 * (`waitForPodsReady.timeout`): the GPU start-up model's timeout (cold p95 plus margin), without
 * the pre-puller: it only pulls the notebook image, and a training Job may bring any image of that
 * size. Kueue's own default is 30 minutes (kubernetes-sigs/kueue v0.19.2
 * apis/config/v1beta2/defaults.go, DefaultWaitForPodsReadyTimeout).
 */
export function defaultPodsReadyTimeoutSeconds(): number {
    return gpuStartTimeoutSeconds({ prePull: false });
}

/** Per-preset defaults of the queues layer (design.md, "Environment presets"). */
export const QUEUE_PRESETS = {
    /** One controller: a sandbox tolerates a minute without admissions while it restarts. */
    sandbox: { replicas: 1 },
    /** Two controllers (leader election, webhook served by both), a PDB and zone spread. */
    production: { replicas: 2 },
} as const;

/**
 * The queue settings a stack's config decides, checked before any resource exists: each team's
 * `queue` block, and the cohort's nominal GPUs within `gpuMaxSize` GPU nodes.
 */
export function checkQueueSettings(teams: TeamSpec[], gpu: { maxSize: number; instanceTypes: string[] }): void {
    try {
        resolveQueueArgs({ teams, gpuMaxSize: gpu.maxSize, gpuInstanceTypes: gpu.instanceTypes });
    } catch (e) {
        if (e instanceof QueueSettingsError) {
            throw new ConfigError(e.key, e.key === "gpuMaxSize" ? gpu.maxSize : teams, e.message);
        }
        throw e;
    }
}
