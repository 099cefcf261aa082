/**
 * `npm run bench`: measures what users choose a platform by, from the program itself.
 *
 * - Deploy critical path per stack, from the registered resource graph and the creation times in
 *   scripts/bench-critical-path.ts, with the chain spelled out and its ratio to the floor.
 * - Idle monthly cost per stack, from the registered resources and the price table in
 *   scripts/bench-cost.ts.
 * - Program speed: wall time and peak memory to evaluate each stack under mocks (and the dev stack
 *   with 50 teams), and the wall time of the full test suite.
 *
 * Prints the results. Only with `--write` does it rewrite the tracked bench/results.json and the
 * README's benchmark section (a plain run changes no file). Exits non-zero when the program fails
 * to evaluate, a cluster-independent resource waits for the cluster, or a target in
 * `TARGETS` (scripts/bench-targets.ts) is missed, printing the chain, cost lines or stages that miss it.
 * Add `--no-tests` to skip timing the test suite.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { blockedBehindCluster, criticalPath, floorMinutes } from "./bench-critical-path";
import { idleMonthlyCost } from "./bench-cost";
import { gpuLevers, gpuNotebookStart } from "./bench-gpu";
import { BenchResults, checkTargets, TARGETS } from "./bench-targets";
import { capacityReport } from "./bench-requests";
import type { Evaluation } from "./evaluate";
import { ROOT } from "../test/stack";

const STACKS = ["dev", "prod"];
const MANY_TEAMS = 50;

function evaluate(stack: string, teams = 0): Evaluation {
    const args = [path.join(__dirname, "evaluate.js"), stack, ...(teams > 0 ? ["--teams", String(teams)] : [])];
    const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
    if (run.status !== 0) {
        throw new Error(`stack ${stack}${teams ? ` with ${teams} teams` : ""} failed to evaluate:\n${run.stderr}`);
    }
    return JSON.parse(run.stdout) as Evaluation;
}

/** How many times each evaluation is timed; the median is reported (one run swings by tens of percent on a busy machine). */
export const EVALUATION_RUNS = 3;

/** The median of some timings (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
    if (xs.length === 0) {
        throw new Error("median of no values");
    }
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[mid] : Math.round((s[mid - 1] + s[mid]) / 2);
}

/** {@link evaluate} {@link EVALUATION_RUNS} times, each in a fresh process: the first run's records, the median wall time, the highest peak memory. */
function evaluateTimed(stack: string, teams = 0): Evaluation {
    const runs = Array.from({ length: EVALUATION_RUNS }, () => evaluate(stack, teams));
    return { ...runs[0], wallMs: median(runs.map((r) => r.wallMs)), peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)) };
}

/** Parsed command line: `--write` rewrites tracked files, `--no-tests` skips the suite timing. */
export function parseArgs(argv: readonly string[]): { write: boolean; tests: boolean } {
    const known = ["--write", "--no-tests"];
    const unknown = argv.filter((a) => !known.includes(a));
    if (unknown.length > 0) {
        throw new Error(`unknown argument(s) ${unknown.join(" ")}; valid: ${known.join(", ")}`);
    }
    return { write: argv.includes("--write"), tests: !argv.includes("--no-tests") };
}

/** Runs the benchmark; returns the missed targets (empty when all are met). */
function main(): string[] {
    const args = parseArgs(process.argv.slice(2));
    const results: Record<string, any> = { generatedAt: new Date().toISOString(), node: process.version, stacks: {} };
    for (const stack of STACKS) {
        const ev = evaluateTimed(stack);
        const path_ = criticalPath(ev.records);
        const blocked = blockedBehindCluster(ev.records);
        if (blocked.length > 0) {
            throw new Error(`stack ${stack}: these need not wait for the EKS cluster but do: ${blocked.join(", ")}`);
        }
        const cost = idleMonthlyCost(ev.records);
        results.stacks[stack] = {
            resources: ev.records.length,
            evaluateMs: ev.wallMs,
            peakRssMiB: ev.peakRssMiB,
            criticalPathMinutes: path_.minutes,
            floorMinutes: floorMinutes(),
            ratioToFloor: Math.round((path_.minutes / floorMinutes()) * 100) / 100,
            chain: path_.chain,
            idleMonthlyUsd: cost.totalUsd,
            idleGpuMonthlyUsd: cost.gpuUsd,
            costLines: cost.lines,
            capacity: capacityReport(ev.records),
        };
    }
    results.gpuNotebookStart = gpuNotebookStart();
    results.gpuLevers = gpuLevers(TARGETS.gpu);
    const many = evaluateTimed("dev", MANY_TEAMS);
    results.manyTeams = { stack: "dev", teams: MANY_TEAMS, resources: many.records.length, evaluateMs: many.wallMs, peakRssMiB: many.peakRssMiB };

    if (args.tests) {
        const start = performance.now();
        const run = spawnSync("npx", ["vitest", "run"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, CI: "" } });
        results.testSuite = { wallSeconds: Math.round((performance.now() - start) / 100) / 10, passed: run.status === 0 };
    }

    return publish(results, args.write, ROOT, (t) => process.stdout.write(t));
}

/**
 * Prints the results; with `write`, also rewrites `<root>/bench/results.json` and the README's
 * benchmark section (only then: a plain run leaves tracked files alone). Returns the missed targets.
 */
export function publish(results: Record<string, any>, write: boolean, root: string, print: (text: string) => void): string[] {
    print(renderTable(results));
    if (write) {
        fs.mkdirSync(path.join(root, "bench"), { recursive: true });
        fs.writeFileSync(path.join(root, "bench", "results.json"), `${JSON.stringify(results, null, 2)}\n`);
        updateReadme(results, root);
        print("\nwrote bench/results.json and the README's benchmark section\n");
    } else {
        print("\n(not written: add --write to update bench/results.json and README.md)\n");
    }
    return checkTargets(results as BenchResults);
}

/** The README's benchmark section, as markdown. */
export function renderTable(r: Record<string, any>): string {
    const rows = STACKS.map((s) => {
        const x = r.stacks[s];
        const c = x.capacity;
        const fit = c ? `${c.requested.cpuMilli}m / ${Math.round(c.requested.memoryMiB / 102.4) / 10} GiB of ${c.nodes} × ${c.instanceType} (${Math.round(c.cpuFraction * 100)} % / ${Math.round(c.memoryFraction * 100)} %)` : "";
        return `| \`${s}\` | ${x.resources} | ${x.criticalPathMinutes} min (${x.ratioToFloor}× the ${x.floorMinutes}-min floor) | $${x.idleMonthlyUsd.toFixed(2)} (GPU $${x.idleGpuMonthlyUsd.toFixed(2)}) | ${fit} | ${x.evaluateMs} ms, ${x.peakRssMiB} MiB |`;
    });
    const chains = STACKS.map((s) => `- \`${s}\`: ${r.stacks[s].chain.map((c: any) => `${c.name} (${c.minutes})`).join(" → ")}`);
    return [
        `Measured ${r.generatedAt.slice(0, 10)} with Node ${r.node} (\`npm run bench\`; raw numbers in \`bench/results.json\`).`,
        "",
        "| stack | resources | deploy critical path | idle cost / month | idle pod requests (CPU / memory of allocatable) | evaluate under mocks |",
        "|---|---|---|---|---|---|",
        ...rows,
        "",
        `Dev stack with ${r.manyTeams.teams} teams: ${r.manyTeams.resources} resources, evaluated in ${r.manyTeams.evaluateMs} ms, peak ${r.manyTeams.peakRssMiB} MiB.` +
            (r.testSuite ? ` Full test suite: ${r.testSuite.wallSeconds} s.` : ""),
        "",
        ...(r.gpuNotebookStart ? [gpuLine(r.gpuNotebookStart), ""] : []),
        ...(r.gpuLevers?.length ? ["Against the GPU targets (cold p50 ≤ 4 min, p95 ≤ 6 min, warm p95 ≤ 30 s):", "", ...r.gpuLevers.map((l: string) => `- ${l}`), ""] : []),
        "Critical chains (minutes per step):",
        "",
        ...chains,
        "",
    ].join("\n");
}

const minutes = (s: number) => `${Math.round(s / 6) / 10} min`;

/** One line on the GPU notebook wait (model in components/shared/gpu-startup.ts). */
export function gpuLine(g: ReturnType<typeof gpuNotebookStart>): string {
    return `GPU notebook on a cold GPU node: p50 ${minutes(g.coldP50Seconds)}, p95 ${minutes(g.coldP95Seconds)} ` +
        `(without FastImagePull and pre-pull: p50 ${minutes(g.coldWithoutPullMitigations.p50)}, p95 ${minutes(g.coldWithoutPullMitigations.p95)}); ` +
        `warm: p50 ${g.warmP50Seconds} s, p95 ${g.warmP95Seconds} s; spawn timeout ${g.startTimeoutSeconds} s.`;
}

function updateReadme(r: Record<string, any>, root: string): void {
    const file = path.join(root, "README.md");
    const text = fs.readFileSync(file, "utf8");
    const start = "<!-- bench:start -->";
    const end = "<!-- bench:end -->";
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a < 0 || b < a) {
        throw new Error(`README.md lacks the ${start} … ${end} markers`);
    }
    fs.writeFileSync(file, `${text.slice(0, a + start.length)}\n${renderTable(r)}${text.slice(b)}`);
}

if (require.main === module) {
    try {
        const misses = main();
        if (misses.length > 0) {
            process.stderr.write(`\nbenchmark: ${misses.length} target(s) missed:\n\n${misses.join("\n\n")}\n`);
            process.exit(1);
        }
        process.stdout.write("benchmark: every target met\n");
    } catch (err) {
        process.stderr.write(`benchmark failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
    }
}
