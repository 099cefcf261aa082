/**
 * The Pulumi CLI's config step of `pulumi up`/`preview`, applied to Pulumi.yaml and every stack file
 * (rule and sources in test/pulumi-cli-config.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_KEYS, KeySpec } from "../config";
import { declaration } from "../scripts/gen-config-docs";
import { checkStack, projectError, ProjectFile, StackFile } from "./pulumi-cli-config";
import { ROOT } from "./stack";

const read = (file: string) => parse(fs.readFileSync(path.join(ROOT, file), "utf8")) ?? {};
const project: ProjectFile = read("Pulumi.yaml");
const stackFiles = fs.readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));
const stacks = stackFiles.map((f) => [f.slice("Pulumi.".length, -".yaml".length), read(f) as StackFile] as const);

/** A project that declares every key config.ts reads, typed as CONFIG_KEYS says (none required). */
const everyKeyTyped: ProjectFile = {
    name: "mlplatform",
    config: Object.fromEntries(
        (Object.entries(CONFIG_KEYS) as [string, KeySpec][]).map(([k, spec]) => [k, parse(declaration(spec).map((l) => l.slice(4)).join("\n"))]),
    ),
};

describe("the Pulumi CLI's project-config rule", () => {
    it("finds the stack files", () => {
        expect(stacks.map(([s]) => s).sort()).toEqual(expect.arrayContaining(["dev", "prod"]));
    });

    it("loads Pulumi.yaml (Project.Validate)", () => {
        expect(projectError(project)).toBeUndefined();
    });

    it.each(stacks)("accepts Pulumi.%s.yaml: every required key set, values of the declared types", (name, stack) => {
        expect(checkStack(project, name, stack)).toEqual({ missing: [], typeErrors: [], error: undefined });
    });

    it.each(stacks)("Pulumi.%s.yaml sets every key it sets with CONFIG_KEYS' type, and secrets as `secure:`", (name, stack) => {
        expect(projectError(everyKeyTyped)).toBeUndefined();
        expect(checkStack(everyKeyTyped, name, stack).typeErrors).toEqual([]);
    });

    it("accepts a new sandbox stack made by the README's command (preset, region, one CIDR)", () => {
        const stack = { config: { "aws:region": "us-west-2", "mlplatform:preset": "sandbox", "mlplatform:publicAccessCidrs": ["198.51.100.7/32"] } };
        expect(checkStack(project, "alice-sandbox", stack).error).toBeUndefined();
    });

    it("refuses a stack without preset, as the CLI words it", () => {
        expect(checkStack(project, "bob-sandbox", { config: { "aws:region": "us-west-2" } }).error).toBe("Stack 'bob-sandbox' is missing configuration value 'preset'");
    });

    it("refused dev and prod with the Pulumi.yaml of before issue 13 (every key typed, no default)", () => {
        const before: ProjectFile = parse(fs.readFileSync(path.join(__dirname, "fixtures", "Pulumi.before-issue-13.yaml"), "utf8"));
        expect(projectError(before)).toBeUndefined();
        const dev = checkStack(before, "dev", Object.fromEntries(stacks)["dev"]);
        expect(dev.error).toMatch(/^Stack 'dev' is missing configuration values 'adminPrincipalArns', 'alertDeadMansSwitchUrl', .* and 'vpcFlowLogs'$/);
        expect(dev.missing).toHaveLength(71);
        expect(checkStack(before, "prod", Object.fromEntries(stacks)["prod"]).missing).toHaveLength(62);
    });

    describe("reproduces the CLI's checks", () => {
        const p: ProjectFile = {
            name: "mlplatform",
            config: {
                azCount: { type: "integer", default: 2 },
                token: { type: "string", secret: true, default: "x" },
                cidrs: { type: "array", items: { type: "string" }, default: [] },
                flag: { type: "boolean", default: false },
            },
        };
        it.each([
            [{ "mlplatform:azCount": "three" }, "Stack 's' with configuration key 'azCount' must be of type 'integer'"],
            [{ "mlplatform:token": "plain" }, "Stack 's' with configuration key 'token' must be encrypted as it's secret"],
            [{ "mlplatform:cidrs": ["10.0.0.0/8", 1] }, "Stack 's' with configuration key 'cidrs' must be of type 'array<string>'"],
            [{ "mlplatform:cidrs": "10.0.0.0/8" }, "Stack 's' with configuration key 'cidrs' must be of type 'array<string>'"],
            [{ "mlplatform:flag": "yes" }, "Stack 's' with configuration key 'flag' must be of type 'boolean'"],
        ])("refuses %j", (config, error) => {
            expect(checkStack(p, "s", { config }).error).toBe(error);
        });

        it.each([[{ "mlplatform:azCount": 3 }], [{ "mlplatform:azCount": "3" }], [{ "mlplatform:token": { secure: "AAAB" } }], [{ "mlplatform:flag": "true" }], [{}]])("accepts %j", (config) => {
            expect(checkStack(p, "s", { config }).error).toBeUndefined();
        });

        it.each([
            [{ a: { type: "integer", default: "x" } }, "The default value specified for configuration key 'a' is not of the expected type 'integer'"],
            [{ a: { type: "array" } }, "The configuration key 'a' declares an array but does not specify the underlying type via the 'items' attribute"],
            [{ "aws:region": { type: "string", value: "us-west-2" } }, "Configuration key 'aws:region' is not namespaced by the project and should not define a type"],
            [{ a: { default: 1, value: 2 } }, "project config 'a' cannot have both a 'default' and 'value' attribute"],
        ])("refuses to load Pulumi.yaml config %j", (config, error) => {
            expect(projectError({ name: "mlplatform", config })).toBe(error);
        });
    });
});
