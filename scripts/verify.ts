/**
 * `npm run verify -- <stack> [--gpu] [--wait-scale-down] [--report <file>]`: proves a deployed stack
 * works end to end, right after `pulumi up`. It reads the stack's outputs with the Pulumi CLI, talks
 * to the live cluster with the stack's kubeconfig, and reaches in-cluster services through
 * port-forwards it opens and closes itself. Prints a table (check, result, time), writes a JSON
 * report (default verify-out/<stack>.json) and exits non-zero when any check fails. No secret is
 * printed: every secret output's value is masked in the table, the progress lines and the report.
 */
import { execFile } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { NOTEBOOK_VERSIONS, LOGGING_VERSIONS } from "../components/shared/versions";
import { allChecks, VerifyContext } from "./verify/checks";
import { kubeFromConfig, portForwardReach } from "./verify/kube";
import { CheckResult, consoleProgress, formatTable, ProgressSink, runChecks, succeeded } from "./verify/runner";
import { Targets, targetsFromOutputs } from "./verify/targets";

export interface VerifyOptions {
    readonly stack: string;
    readonly gpu: boolean;
    readonly waitScaleDown: boolean;
    readonly reportPath: string;
}

export const USAGE = "usage: npm run verify -- <stack> [--gpu] [--wait-scale-down] [--report <file>]";

/** Parses the command line; throws with the usage on anything unknown. */
export function parseArgs(argv: readonly string[]): VerifyOptions {
    let stack: string | undefined;
    let gpu = false;
    let waitScaleDown = false;
    let reportPath: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--gpu") {
            gpu = true;
        } else if (a === "--wait-scale-down") {
            waitScaleDown = true;
        } else if (a === "--report") {
            reportPath = argv[++i] ?? "";
            if (reportPath === "") {
                throw new Error(`--report needs a file name\n${USAGE}`);
            }
        } else if (a.startsWith("-") || stack !== undefined) {
            throw new Error(`unknown argument ${a}\n${USAGE}`);
        } else {
            stack = a;
        }
    }
    if (stack === undefined) {
        throw new Error(USAGE);
    }
    if (waitScaleDown && !gpu) {
        throw new Error(`--wait-scale-down goes with --gpu\n${USAGE}`);
    }
    return { stack, gpu, waitScaleDown, reportPath: reportPath ?? path.join("verify-out", `${stack}.json`) };
}

/** The stack's outputs, secrets shown (they stay in memory and are masked wherever printed). */
export async function stackOutputs(stack: string): Promise<Record<string, unknown>> {
    try {
        const { stdout } = await promisify(execFile)("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", stack], { maxBuffer: 16 * 1024 * 1024 });
        return JSON.parse(stdout);
    } catch (e) {
        throw new Error(`could not read the outputs of stack ${stack} with the Pulumi CLI: ${(e as Error).message.split("\n")[0]}`);
    }
}

export interface Report {
    readonly stack: string;
    readonly preset: string;
    readonly runId: string;
    readonly startedAt: string;
    readonly succeeded: boolean;
    readonly results: CheckResult[];
}

/** Runs every check against the targets; the report is also written to `reportPath`. */
export async function verify(targets: Targets, opts: VerifyOptions, ctx: Omit<VerifyContext, "targets">, progress: ProgressSink): Promise<Report> {
    const startedAt = new Date().toISOString();
    const results = await runChecks({ ...ctx, targets }, allChecks(opts), { secrets: targets.secrets, progress });
    const report: Report = { stack: targets.stack, preset: targets.preset, runId: ctx.runId, startedAt, succeeded: succeeded(results), results };
    fs.mkdirSync(path.dirname(path.resolve(opts.reportPath)), { recursive: true });
    fs.writeFileSync(opts.reportPath, JSON.stringify(report, null, 2) + "\n");
    return report;
}

async function main(): Promise<number> {
    let opts: VerifyOptions;
    try {
        opts = parseArgs(process.argv.slice(2));
    } catch (e) {
        console.error((e as Error).message);
        return 2;
    }
    const targets = targetsFromOutputs(opts.stack, await stackOutputs(opts.stack));
    const kube = kubeFromConfig(targets.kubeconfig);
    const report = await verify(targets, opts, {
        kube,
        reach: portForwardReach(kube),
        runId: randomBytes(3).toString("hex"),
        images: { probe: LOGGING_VERSIONS.curlImage, gpu: NOTEBOOK_VERSIONS.gpuImage },
        pollMs: 3000,
    }, consoleProgress());
    console.log(formatTable(report.results));
    console.log(`\n${report.succeeded ? "verified" : "FAILED"}: ${opts.stack} (report: ${opts.reportPath})`);
    return report.succeeded ? 0 : 1;
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (e) => {
            console.error(`verify: ${(e as Error).message}`);
            process.exit(2);
        },
    );
}
