/**
 * `npm run plan -- <stack>`: an offline plan. Runs the real program under mocks with the stack
 * file's config (no cloud credentials, no Pulumi CLI) and writes to plan-out/<stack>/:
 *
 * - resources.json: every resource (type, name, parent, dependencies, provider, protect, inputs);
 * - manifests/: every Kubernetes object the program declares, as YAML;
 * - policy.json: the policy pack's results for the stack's preset (checklist and clean destroy);
 * - summary.md: counts by type, policy violations and the stack outputs.
 *
 * Secret inputs (and every Kubernetes Secret's data) are shown as "[secret]", so the plan can be
 * attached to a pull request from a fork. Exits non-zero if the program fails to evaluate or a
 * policy is violated.
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { stringify } from "yaml";
import { runChecks } from "../policy/all-checks";
import { Violation } from "../policy/checks";
import { packLayers, policyName } from "../policy/policies";
import { allRecords, ResourceRecord } from "../test/mocks";
import { loadStack, PROD_SECRETS, ROOT } from "../test/stack";
import { parse } from "yaml";

export const MASK = "[secret]";

/** A copy of `inputs` with every secret path (and Secret payloads) replaced by MASK. */
export function masked(r: ResourceRecord): Record<string, unknown> {
    const copy = structuredClone(r.inputs);
    const isSecret = r.type === "kubernetes:core/v1:Secret";
    if (isSecret) {
        // Keys stay visible (reviewers see what a Secret holds), values never.
        for (const field of ["data", "stringData"]) {
            if (copy[field] && typeof copy[field] === "object") {
                copy[field] = Object.fromEntries(Object.keys(copy[field]).map((k) => [k, MASK]));
            }
        }
    }
    for (const p of r.secretPaths.filter((x) => !(isSecret && /^(data|stringData)(\.|$)/.test(x)))) {
        const keys = p.split(".");
        let at: any = copy;
        for (const k of keys.slice(0, -1)) {
            at = at?.[k];
        }
        if (at && keys.length > 0 && p !== "") {
            at[keys[keys.length - 1]] = MASK;
        }
    }
    return copy;
}

/** The stacks this repository has a stack file for (`Pulumi.<stack>.yaml`). */
export function stackNames(): string[] {
    return fs.readdirSync(ROOT).map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => s !== undefined).sort();
}

/** A usage error: printed as one line, without a stack trace. */
export class PlanUsageError extends Error {}

/**
 * The manifest file of one Kubernetes object: its logical name and kind. A logical name is unique
 * only per type (Fluentd's ClusterRole and ClusterRoleBinding share one), so the name alone let 7 of
 * 48 objects overwrite others; files are written exclusively, so a clash fails instead.
 */
export function manifestFile(r: ResourceRecord): string {
    return `${r.name}.${r.type.split(":")[2]}.yaml`;
}

/** Writes the plan for one stack and returns its violations. */
export async function plan(stack: string, outDir: string): Promise<{ violations: Violation[]; resources: number; kubernetesObjects: number }> {
    if (!stackNames().includes(stack)) {
        throw new PlanUsageError(`no stack file Pulumi.${stack}.yaml; stacks: ${stackNames().join(", ")} (usage: npm run plan -- <stack>)`);
    }
    const preset = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"))?.config?.["mlplatform:preset"];
    // Production stack files hold secrets as ciphertext; stand-ins let the program evaluate.
    const secrets = preset === "production" ? PROD_SECRETS : {};
    const outputs = await loadStack(stack, secrets, Object.keys(secrets));
    const records = allRecords();
    const dir = path.join(outDir, stack);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, "manifests"), { recursive: true });

    const short = (urn: string) => urn.split("::").slice(2).join("::");
    fs.writeFileSync(path.join(dir, "resources.json"), `${JSON.stringify(records.map((r) => ({
        type: r.type,
        name: r.name,
        parent: short(r.parent),
        dependsOn: r.dependencies.map(short),
        provider: r.provider ? short(r.provider.split("::").slice(0, -1).join("::")) : "",
        protect: r.protect,
        inputs: masked(r),
    })), null, 2)}\n`);

    const k8s = records.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh"));
    for (const r of k8s) {
        const [, gv, kind] = r.type.split(":");
        const apiVersion = gv.startsWith("core/") ? gv.slice(5) : gv;
        fs.writeFileSync(path.join(dir, "manifests", manifestFile(r)), stringify({ apiVersion, kind, ...masked(r) }), { flag: "wx" });
    }
    for (const r of records.filter((x) => x.type === "kubernetes:helm.sh/v3:Release")) {
        fs.writeFileSync(path.join(dir, "manifests", `${r.name}.helm-values.yaml`), stringify(masked(r)), { flag: "wx" });
    }

    const env = preset === "production" ? "production" : "sandbox";
    // Exactly what the policy pack runs: the checklist and the clean-destroy graph walk.
    const layers = Object.entries(packLayers());
    const violations = runChecks(records, env, layers.flatMap(([, checks]) => checks));
    const policies = layers.flatMap(([layer, checks]) => checks.map((c) => policyName(layer, c.id)));
    fs.writeFileSync(path.join(dir, "policy.json"), `${JSON.stringify({ env, policies, violations }, null, 2)}\n`);

    const counts = new Map<string, number>();
    for (const r of records) {
        counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    }
    // Secret outputs are the program's own secret exports, not a hand-kept list that a new output escapes.
    const program: Record<string, unknown> = await import("../index");
    const secretOutputs = new Set<string>();
    for (const [k, v] of Object.entries(program)) {
        if (pulumi.Output.isInstance(v) && (await pulumi.isSecret(v))) {
            secretOutputs.add(k);
        }
    }
    const summary = [
        `# Offline plan: stack \`${stack}\` (${env})`,
        "",
        `${records.length} resources, ${k8s.length} Kubernetes objects. Policy: ${violations.length === 0 ? "all checks pass" : `${violations.length} violation(s)`}.`,
        "",
        "| type | count |",
        "|---|---|",
        ...[...counts.entries()].sort().map(([t, n]) => `| \`${t}\` | ${n} |`),
        "",
        "## Policy violations",
        "",
        ...(violations.length ? violations.map((v) => `- ${v.id} ${v.resource}: ${v.message}`) : ["none"]),
        "",
        "## Outputs",
        "",
        ...Object.entries(outputs).map(([k, v]) => `- \`${k}\`: ${secretOutputs.has(k) ? MASK : typeof v === "string" ? v : JSON.stringify(v)}`),
        "",
    ].join("\n");
    fs.writeFileSync(path.join(dir, "summary.md"), summary);
    return { violations, resources: records.length, kubernetesObjects: k8s.length };
}

/** `npm run plan -- <stack>`: returns the exit code; a usage error is one line on stderr. */
export async function main(args: string[], stderr: (text: string) => void = (t) => process.stderr.write(t)): Promise<number> {
    const stack = args[0];
    if (!stack) {
        stderr(`usage: npm run plan -- <stack>; stacks: ${stackNames().join(", ")}\n`);
        return 2;
    }
    try {
        const { violations, resources } = await plan(stack, path.join(ROOT, "plan-out"));
        process.stdout.write(`plan-out/${stack}: ${resources} resources, ${violations.length} policy violation(s)\n`);
        return violations.length === 0 ? 0 : 1;
    } catch (err) {
        if (err instanceof PlanUsageError) {
            stderr(`${err.message}\n`);
            return 2;
        }
        stderr(`the program failed to evaluate: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
        return 1;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
