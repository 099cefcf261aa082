/**
 * Regenerates Pulumi.yaml from CONFIG_KEYS in config.ts, so the two never drift
 * (test/project-files.test.ts checks them). Run: `npm run build && node bin/scripts/gen-pulumi-yaml.js`.
 *
 * Only keys every stack must set (`required` in CONFIG_KEYS) are declared. The Pulumi CLI treats a
 * key declared in the project's namespace without `default` as required in every stack and refuses
 * the stack otherwise (pulumi/pulumi v3.259.0 pkg/workspace/config.go, mergeConfig; reproduced in
 * test/pulumi-cli-config.ts). Optional keys take their defaults from the preset, which differ per
 * stack, so they are documented in the README's config table instead of declared here.
 */
import * as fs from "fs";
import * as path from "path";
import { CONFIG_KEYS, KeySpec } from "../config";
import { ROOT } from "../test/stack";

const header = [
    "name: mlplatform",
    "description: ML platform on EKS (VPC, EKS with CPU and scale-from-zero GPU nodes, MLflow, JupyterHub, logging, monitoring, team isolation), one stack per environment.",
    "runtime:",
    "  name: nodejs",
    "  options:",
    "    packagemanager: npm",
    "    typescript: true",
    "# Generated from CONFIG_KEYS in config.ts by scripts/gen-pulumi-yaml.ts: only the keys every stack",
    "# must set. The Pulumi CLI refuses a stack that leaves a declared key without `default` unset, and",
    "# every other key's default comes from the preset, so those are documented in README.md",
    "# (\"Configuration\") and validated by config.ts, not declared here.",
    "config:",
];

/** The `config:` declaration of one key, as the Pulumi CLI's project schema spells it. */
export function declaration(spec: KeySpec): string[] {
    // Project config types are string, integer, boolean, object and arrays of those; a list of
    // objects cannot describe its fields, so config.ts validates them.
    const type = spec.type.endsWith("[]") ? ["    type: array", "    items:", `      type: ${spec.type.slice(0, -2)}`] : [`    type: ${spec.type}`];
    return [...type, `    description: ${JSON.stringify(spec.description)}`, ...(spec.secret ? ["    secret: true"] : [])];
}

/** Pulumi.yaml's full text. */
export function renderPulumiYaml(): string {
    const lines = [...header];
    for (const [key, spec] of Object.entries(CONFIG_KEYS) as [string, KeySpec][]) {
        if (spec.required === true) {
            lines.push(`  ${key}:`, ...declaration(spec));
        }
    }
    return `${lines.join("\n")}\n`;
}

if (require.main === module) {
    fs.writeFileSync(path.join(ROOT, "Pulumi.yaml"), renderPulumiYaml());
}
