/** The project files users edit stay in step with the code. */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_KEYS } from "../config";
import { renderPulumiYaml, renderReadme } from "../scripts/gen-config-docs";
import * as versions from "../components/shared/versions";
import { ROOT } from "./stack";

const pulumiYaml = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("Pulumi.yaml", () => {
    it("is what scripts/gen-config-docs.ts generates from the key tables", () => {
        expect(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).toBe(renderPulumiYaml());
    });

    it("declares exactly the keys every stack must set (required in CONFIG_KEYS), with their types and descriptions", () => {
        const declared = pulumiYaml.config as Record<string, any>;
        const required = Object.entries(CONFIG_KEYS).filter(([, spec]) => "required" in spec && spec.required === true);
        expect(required.map(([k]) => k)).toEqual(["preset"]);
        expect(Object.keys(declared).sort()).toEqual(required.map(([k]) => k).sort());
        for (const [key, spec] of required) {
            expect(declared[key].type, key).toBe(spec.type.endsWith("[]") ? "array" : spec.type);
            expect(declared[key].description, key).toBe(spec.description);
            expect(declared[key].default, key).toBeUndefined();
        }
    });

    it("uses the Node.js runtime with TypeScript", () => {
        expect(pulumiYaml.runtime.name).toBe("nodejs");
        expect(pulumiYaml.name).toBe("mlplatform");
    });
});

describe("README", () => {
    it("has the config table scripts/gen-config-docs.ts generates from the layers' key tables (run `npm run docs`)", () => {
        expect(readme).toBe(renderReadme(readme));
    });

    it("documents every config key in its reference table", () => {
        for (const key of Object.keys(CONFIG_KEYS)) {
            expect(readme, key).toMatch(new RegExp(`\\|\\s*\`${key}\`\\s*\\|`));
        }
    });
});

describe("pinned versions", () => {
    it("never says latest and pins every chart to an exact version", () => {
        const text = JSON.stringify(versions);
        expect(text).not.toMatch(/latest/i);
        const charts = JSON.stringify(versions).match(/"version":"[^"]*"/g) ?? [];
        expect(charts.length).toBeGreaterThan(3);
        for (const c of charts) {
            expect(c).toMatch(/"version":"\d+\.\d+\.\d+"/);
        }
    });

    it("pins every image to an explicit tag", () => {
        const images = JSON.stringify(versions).match(/"[a-z0-9.\-/]+\.(io|com|dev)\/[^"]+"|"[a-z0-9-]+\/[a-z0-9-]+:[^"]+"/g) ?? [];
        expect(images.length).toBeGreaterThan(3);
        for (const i of images) {
            expect(i, i).toMatch(/:[A-Za-z0-9._-]+"$/);
        }
    });

    it("has add-on versions for every supported Kubernetes version and an autoscaler image per minor", () => {
        for (const v of Object.keys(versions.KUBERNETES_VERSIONS)) {
            expect(versions.IMAGES.clusterAutoscaler[v], v).toMatch(new RegExp(`:v${v.replace(".", "\\.")}\\.\\d+$`));
        }
        expect(Object.keys(versions.KUBERNETES_VERSIONS)).toContain(versions.DEFAULT_KUBERNETES_VERSION);
    });
});

describe("package.json scripts", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;

    // Node resolves require("./components/logging") to a stale bin/components/logging.js (a file)
    // before bin/components/logging/index.js (a folder), so a checkout that compiled before the
    // layers became folders would run old code. Every script that runs bin/ builds from an empty bin/.
    it("builds into an empty bin/ before running anything from it", () => {
        expect(scripts.build).toMatch(/rmSync\('bin'.*&& tsc$/);
        const runners = Object.entries(scripts).filter(([, cmd]) => cmd.includes("node bin/"));
        expect(runners.length).toBeGreaterThan(3);
        for (const [name, cmd] of runners) {
            expect(cmd, name).toMatch(/^npm run --silent build && node bin\//);
        }
    });
});
