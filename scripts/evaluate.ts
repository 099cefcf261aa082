/**
 * Evaluates the real program for one stack under Pulumi mocks, in its own process, and prints one
 * JSON document: the recorded resources, the outputs, the wall time and the peak memory.
 *
 *   node bin/scripts/evaluate.js <stack> [--teams N]
 *
 * `--teams N` adds N synthetic teams to the stack's config (for the program-speed benchmark).
 * Runs without cloud credentials or the Pulumi CLI. Exits non-zero when the program throws.
 */
import { performance } from "perf_hooks";
import { allRecords, ResourceRecord } from "../test/mocks";
import { loadStack, PROD_SECRETS } from "../test/stack";

/** What one evaluation reports. */
export interface Evaluation {
    readonly stack: string;
    readonly teams: number;
    readonly wallMs: number;
    readonly peakRssMiB: number;
    readonly outputs: Record<string, unknown>;
    readonly records: ResourceRecord[];
}

/** Config for N synthetic teams, in the shape of the `teams` stack key. */
export function syntheticTeams(n: number): string {
    return JSON.stringify(Array.from({ length: n }, (_, i) => ({
        name: `team-${String(i + 1).padStart(2, "0")}`,
        memberPrincipalArns: [`arn:aws:iam::111122223333:role/team-${i + 1}-members`],
        leadPrincipalArns: [`arn:aws:iam::111122223333:role/team-${i + 1}-leads`],
        quota: { cpu: "16", memory: "64Gi", gpu: i % 5 === 0 ? 1 : 0, storage: "500Gi", pods: 50 },
    })));
}

async function main(): Promise<void> {
    const [stack, flag, count] = process.argv.slice(2);
    if (!stack) {
        throw new Error("usage: evaluate <stack> [--teams N]");
    }
    const teams = flag === "--teams" ? Number(count) : 0;
    // The prod stack file holds its secrets as ciphertext; stand-ins take their place here.
    const secrets = stack === "prod" ? PROD_SECRETS : {};
    // Every fifth synthetic team has a GPU quota; the GPU group must hold them all (queues layer rule).
    const gpuTeams = Math.ceil(teams / 5);
    const overrides: Record<string, string> = {
        ...secrets,
        ...(teams > 0 ? { "mlplatform:teams": syntheticTeams(teams), "mlplatform:gpuMaxSize": String(Math.max(2, gpuTeams)) } : {}),
    };
    const start = performance.now();
    const outputs = await loadStack(stack, overrides, Object.keys(secrets));
    const wallMs = performance.now() - start;
    const result: Evaluation = {
        stack,
        teams,
        wallMs: Math.round(wallMs),
        // maxRSS is in KiB on Linux.
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
        outputs,
        records: allRecords(),
    };
    // Exit only once the pipe has taken everything: process.exit would cut a large write short.
    await new Promise<void>((done) => process.stdout.write(JSON.stringify(result), () => done()));
}

if (require.main === module) {
    main().then(() => process.exit(0), (err) => {
        process.stderr.write(`evaluation of the program failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
        process.exit(1);
    });
}
