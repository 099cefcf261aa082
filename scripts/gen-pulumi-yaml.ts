/**
 * Regenerates Pulumi.yaml's `config:` declarations from CONFIG_KEYS in config.ts, so the two never
 * drift (test/project-files.test.ts checks them). Run: `npm run build && node bin/scripts/gen-pulumi-yaml.js`.
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
    "# Every key the program reads (generated from CONFIG_KEYS in config.ts by scripts/gen-pulumi-yaml.ts).",
    "# Defaults come from the preset (config.ts, PRESET_VALUES) and are documented in README.md, so they",
    "# are not declared a second time here.",
    "config:",
];
const lines = [...header];
const objectKeys: string[] = [];
for (const [key, spec] of Object.entries(CONFIG_KEYS) as [string, KeySpec][]) {
    if (spec.type === "object[]") {
        // Project config types are string, integer, boolean and arrays of those; a list of objects
        // cannot be declared, so config.ts alone validates it.
        objectKeys.push(key);
        continue;
    }
    lines.push(`  ${key}:`);
    if (spec.type === "string[]") {
        lines.push("    type: array", "    items:", "      type: string");
    } else {
        lines.push(`    type: ${spec.type}`);
    }
    lines.push(`    description: ${JSON.stringify(spec.description)}`);
    if (spec.secret) {
        lines.push("    secret: true");
    }
}
lines.push(...objectKeys.map((k) => `# ${k}: a list of objects, validated by config.ts (see README, "Teams").`));
fs.writeFileSync(path.join(ROOT, "Pulumi.yaml"), `${lines.join("\n")}\n`);
