/**
 * A new user's first deploy, as the README tells it: their own sandbox stack, made by the documented
 * command, without editing tracked files, with physical names of its own.
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_KEYS, namePrefixFor, parseConfig } from "../config";
import { NAME_PREFIX } from "../components/tracking";
import { checkStack, ProjectFile } from "./pulumi-cli-config";
import { ROOT } from "./stack";

const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const quickStart = readme.slice(readme.indexOf("## The two commands"));
/** The first shell block of the quick start: the deploy command. */
const deploy = /```sh\n(.*)\n```/.exec(quickStart)?.[1] ?? "";
const USER = "alice";
const stack = `${USER}-sandbox`;

/** The stack file the deploy command's `pulumi config set` calls write (`--path 'k[0]'` makes a list). */
function stackFileOf(command: string): Record<string, unknown> {
    const config: Record<string, unknown> = {};
    for (const m of command.matchAll(/pulumi config set (--path )?'?([\w:]+)(\[0\])?'? ("[^"]*"|\S+)/g)) {
        const key = m[2].includes(":") ? m[2] : `mlplatform:${m[2]}`;
        const value = m[4].startsWith('"$(curl') ? "198.51.100.7/32" : m[4];
        config[key] = m[3] ? [value] : value;
    }
    return config;
}

describe("the README's deploy command", () => {
    it("creates the user's own stack, not dev, and deploys it", () => {
        expect(deploy).toContain('pulumi stack init "$USER-sandbox"');
        expect(deploy).not.toMatch(/\bdev\b/);
        expect(deploy).toMatch(/&& pulumi up$/);
    });

    it("sets a config the Pulumi CLI accepts and the program resolves to the sandbox preset", () => {
        const config = stackFileOf(deploy.replace(/\$USER/g, USER));
        expect(config).toEqual({ "mlplatform:preset": "sandbox", "aws:region": "us-west-2", "mlplatform:publicAccessCidrs": ["198.51.100.7/32"] });
        const project: ProjectFile = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
        expect(checkStack(project, stack, { config }).error).toBeUndefined();
        const raw = Object.fromEntries(Object.entries(config).filter(([k]) => k.startsWith("mlplatform:")).map(([k, v]) => [k.slice("mlplatform:".length), v]));
        const cfg = parseConfig(raw, { project: "mlplatform", stack, region: config["aws:region"] as string });
        expect(cfg.preset).toBe("sandbox");
        expect(cfg.network.azCount).toBe(CONFIG_KEYS.azCount.default.sandbox);
        expect(cfg.cluster.publicAccessCidrs).toEqual(["198.51.100.7/32"]);
        // Its own physical names: nothing shared with CI's dev stack.
        expect(cfg.namePrefix).toBe("mlplatform-alice-sandbox");
    });

    it("writes a stack file git ignores, while dev's and prod's stay tracked", () => {
        const patterns = fs.readFileSync(path.join(ROOT, ".gitignore"), "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
        // Patterns without a slash match the file name at any depth; `*` is any run of non-slash characters.
        const ignored = (file: string) => patterns.some((p) => !p.includes("/") && new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`).test(file));
        expect(ignored(`Pulumi.${stack}.yaml`)).toBe(true);
        expect(ignored("Pulumi.john.doe-sandbox.yaml")).toBe(true);
        for (const tracked of fs.readdirSync(ROOT).filter((f) => /^Pulumi\.(dev|prod)\.yaml$|^Pulumi\.yaml$/.test(f))) {
            expect(ignored(tracked), tracked).toBe(false);
        }
    });
});

describe("namePrefixFor: physical names from any stack name, within AWS limits", () => {
    const names = ["dev", "prod", "alice-sandbox", "Alice_Sandbox", "john.doe-sandbox", "a", "9lives", "---", "x".repeat(100), "émile-sandbox",
        "alexandra-experiments-sandbox", "alexandra-experiments2-sandbox", "alexandra-experiments-sandbox-2"];

    it.each(names)("%s gives a valid RDS/bucket/cluster prefix (at most 29 characters, single hyphens)", (name) => {
        const p = namePrefixFor("mlplatform", name);
        expect(p).toMatch(NAME_PREFIX);
        expect(p).not.toContain("--");
        expect(p.length).toBeLessThanOrEqual(29);
    });

    it("keeps short names readable and unchanged", () => {
        expect(namePrefixFor("mlplatform", "dev")).toBe("mlplatform-dev");
        expect(namePrefixFor("mlplatform", "Alice_Sandbox")).toBe("mlplatform-alice-sandbox");
    });

    it("never gives two long stack names the same prefix", () => {
        const long = names.filter((n) => `mlplatform-${n}`.length > 29);
        expect(long.length).toBeGreaterThan(2);
        expect(new Set(long.map((n) => namePrefixFor("mlplatform", n))).size).toBe(long.length);
        expect(namePrefixFor("mlplatform", "alexandra-experiments-sandbox")).toMatch(/^mlplatform-alexandra-e-[0-9a-f]{6}$/);
    });
});
