/**
 * The targets of `npm run bench` (issue 19) and the check that explains every miss: the chain for
 * a slow deploy, the cost lines for an expensive idle stack, the stages for a slow GPU start.
 */

import type { CapacityReport } from "./bench-requests";
import type { CriticalPath } from "./bench-critical-path";
import type { CostLine } from "./bench-cost";
import { GpuNotebookStart, gpuLevers } from "./bench-gpu";
import { gpuStartupStages } from "../components/shared/gpu-startup";

/** The benchmark's targets. A miss makes `npm run bench` exit non-zero and print why. */
export const TARGETS = {
    /** Fresh-stack critical path, as a multiple of the floor (control plane + a node group). */
    maxRatioToFloor: 1.25,
    /** Idle monthly cost per stack, USD (the whole platform running, no users). */
    maxIdleMonthlyUsd: { dev: 180, prod: 1025 } as Record<string, number>,
    /** GPU time-to-ready, seconds: cold p50/p95 (GPU group at zero) and warm p95. */
    gpu: { coldP50Seconds: 240, coldP95Seconds: 360, warmP95Seconds: 30 },
    /** Evaluation under mocks, ms: each stack, and the dev stack with 50 teams. */
    maxEvaluateMs: 1000,
    maxManyTeamsEvaluateMs: 3000,
    /** Full test suite wall time, seconds. */
    maxTestSuiteSeconds: 60,
    /**
     * Idle platform requests as a fraction of the CPU groups' allocatable at their desired sizes: the
     * rest is headroom for a rolling update's surge pod and the first notebook before a scale-up.
     */
    maxRequestFraction: 0.85,
};

/** What {@link checkTargets} reads: the shape of bench/results.json. */
export interface BenchResults {
    readonly stacks: Record<string, {
        readonly criticalPathMinutes: number;
        readonly floorMinutes: number;
        readonly ratioToFloor: number;
        readonly chain: CriticalPath["chain"];
        readonly idleMonthlyUsd: number;
        readonly idleGpuMonthlyUsd: number;
        readonly costLines: CostLine[];
        readonly evaluateMs: number;
        readonly capacity?: CapacityReport;
    }>;
    readonly gpuNotebookStart?: GpuNotebookStart;
    readonly manyTeams?: { readonly teams: number; readonly evaluateMs: number };
    readonly testSuite?: { readonly wallSeconds: number; readonly passed: boolean };
}

/**
 * Every missed target, each a paragraph that shows what misses it: the chain for a slow deploy,
 * the cost lines for an expensive idle stack, the stages for a slow GPU start. Empty when all are met.
 */
export function checkTargets(r: BenchResults, targets = TARGETS): string[] {
    const misses: string[] = [];
    for (const [stack, s] of Object.entries(r.stacks)) {
        if (s.ratioToFloor > targets.maxRatioToFloor) {
            misses.push([
                `${stack}: fresh-stack critical path ${s.criticalPathMinutes} min is ${s.ratioToFloor}× the ${s.floorMinutes}-min floor (target <= ${targets.maxRatioToFloor}×, ${Math.round(s.floorMinutes * targets.maxRatioToFloor * 100) / 100} min); the chain:`,
                ...s.chain.map((c) => `    ${c.minutes} min  ${c.name} (${c.type})`),
            ].join("\n"));
        }
        const maxUsd = targets.maxIdleMonthlyUsd[stack];
        if (maxUsd !== undefined && s.idleMonthlyUsd > maxUsd) {
            misses.push([
                `${stack}: idle cost $${s.idleMonthlyUsd.toFixed(2)}/month exceeds $${maxUsd}; the lines, largest first:`,
                ...[...s.costLines].sort((a, b) => b.monthlyUsd - a.monthlyUsd).map((l) => `    $${l.monthlyUsd.toFixed(2)}  ${l.item}`),
            ].join("\n"));
        }
        if (stack === "dev" && s.idleGpuMonthlyUsd !== 0) {
            misses.push(`${stack}: the sandbox pays $${s.idleGpuMonthlyUsd} a month for idle GPUs; it must be 0`);
        }
        const c = s.capacity;
        if (c !== undefined && Math.max(c.cpuFraction, c.memoryFraction) > targets.maxRequestFraction) {
            misses.push([
                `${stack}: idle pods request ${c.requested.cpuMilli}m CPU / ${c.requested.memoryMiB} MiB of ${c.nodes} × ${c.instanceType} allocatable ${c.allocatable.cpuMilli}m / ${c.allocatable.memoryMiB} MiB (${Math.round(c.cpuFraction * 100)} % / ${Math.round(c.memoryFraction * 100)} %, target <= ${Math.round(targets.maxRequestFraction * 100)} %); the pods:`,
                ...c.lines.map((l) => `    ${l.cpuMilli}m ${l.memoryMiB} MiB${l.perNode ? " per node" : ""}  ${l.what}`),
            ].join("\n"));
        }
        if (s.evaluateMs > targets.maxEvaluateMs) {
            misses.push(`${stack}: evaluation under mocks took ${s.evaluateMs} ms (target < ${targets.maxEvaluateMs} ms)`);
        }
    }
    const g = r.gpuNotebookStart;
    if (g !== undefined) {
        const gpuMisses = [
            g.coldP50Seconds > targets.gpu.coldP50Seconds ? `cold p50 ${g.coldP50Seconds} s > ${targets.gpu.coldP50Seconds} s` : "",
            g.coldP95Seconds > targets.gpu.coldP95Seconds ? `cold p95 ${g.coldP95Seconds} s > ${targets.gpu.coldP95Seconds} s` : "",
            g.warmP95Seconds > targets.gpu.warmP95Seconds ? `warm p95 ${g.warmP95Seconds} s > ${targets.gpu.warmP95Seconds} s` : "",
            // Zero spawn timeouts: the timeout must cover the cold p95 (it is derived from it, with a margin).
            g.startTimeoutSeconds < g.coldP95Seconds ? `spawn timeout ${g.startTimeoutSeconds} s < cold p95 ${g.coldP95Seconds} s` : "",
        ].filter((m) => m !== "");
        if (gpuMisses.length > 0) {
            misses.push([`GPU time-to-ready misses its targets: ${gpuMisses.join("; ")}; the stages (p50/p95 s):`,
                ...gpuStartupStages().map((st) => `    ${st.p50Seconds}/${st.p95Seconds}  ${st.key}${st.warm ? " (warm path too)" : ""}: ${st.source}`),
                ...gpuLevers(targets.gpu).map((l) => `  ${l}`)].join("\n"));
        }
    }
    if (r.manyTeams !== undefined && r.manyTeams.evaluateMs > targets.maxManyTeamsEvaluateMs) {
        misses.push(`dev with ${r.manyTeams.teams} teams: evaluation took ${r.manyTeams.evaluateMs} ms (target < ${targets.maxManyTeamsEvaluateMs} ms)`);
    }
    if (r.testSuite !== undefined) {
        if (!r.testSuite.passed) {
            misses.push("the test suite failed");
        } else if (r.testSuite.wallSeconds > targets.maxTestSuiteSeconds) {
            misses.push(`the test suite took ${r.testSuite.wallSeconds} s (target < ${targets.maxTestSuiteSeconds} s)`);
        }
    }
    return misses;
}
