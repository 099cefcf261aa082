/** A run without promtool/amtool stops with one message that says how to install them. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { needsTools } from "./global-setup";
import { installHint, missingTools, TOOL_TEST_FILES } from "./tools";
import { ROOT } from "./stack";

describe("promtool and amtool", () => {
    it("are found here (CI installs them; the README lists them)", () => {
        expect(missingTools()).toEqual([]);
    });

    it("knows every test file that runs them, so a filtered run of one still gets the single message", () => {
        const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
        const runners = files(path.join(ROOT, "test"))
            .filter((f) => f.endsWith(".test.ts") && !f.endsWith("tools.test.ts"))
            .filter((f) => /["'`](promtool|amtool)["'`]/.test(fs.readFileSync(f, "utf8")))
            .map((f) => path.relative(ROOT, f))
            .sort();
        expect(runners).toEqual([...TOOL_TEST_FILES].sort());
    });

    it("names how to install them on Debian/Ubuntu, macOS and from the release tarballs", () => {
        const hint = installHint(["promtool", "amtool"]);
        expect(hint).toContain("promtool and amtool not found on PATH");
        expect(hint).toContain("apt-get install prometheus prometheus-alertmanager");
        expect(hint).toContain("brew install prometheus alertmanager");
        expect(hint).toContain("https://github.com/prometheus/prometheus/releases");
        expect(hint).toContain("https://github.com/prometheus/alertmanager/releases");
    });

    it.each([
        [["run"], true],
        [["run", "test/monitoring/rules.test.ts"], true],
        [["run", "monitoring"], true],
        [["run", "test/serving/alerts.test.ts"], true],
        [["run", "test/config.test.ts"], false],
        [["run", "--reporter=dot", "test/plan.test.ts"], false],
    ])("a vitest run with %j needs them: %s", (argv, needed) => {
        expect(needsTools(argv)).toBe(needed);
    });

    it("a whole run without them stops with that message alone, before any test", () => {
        // PATH without the tools: only node's own folder (vitest is started by absolute path).
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "no-tools-"));
        fs.symlinkSync(process.execPath, path.join(bin, "node"));
        const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", "test/monitoring/rules.test.ts"], {
            cwd: ROOT, encoding: "utf8", env: { PATH: bin, HOME: os.tmpdir() }, timeout: 120_000,
        });
        fs.rmSync(bin, { recursive: true, force: true });
        const out = r.stdout + r.stderr;
        expect(r.status, out).toBe(1);
        expect(out).toContain(installHint(["promtool", "amtool"]));
        expect(out).not.toMatch(/\bat .*\.ts:\d+/);
        expect(out).not.toContain("FAIL");
    });
});

describe("CI output", () => {
    it("is a few lines on success: dots and the summary, no line per test, no logs of passing tests", () => {
        const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ci-out-")), "results.json");
        const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", "test/ajv.test.ts", `--outputFile.json=${json}`], {
            cwd: ROOT, encoding: "utf8", env: { ...process.env, CI: "true" }, timeout: 120_000,
        });
        const out = r.stdout + r.stderr;
        expect(r.status, out).toBe(0);
        const tests = JSON.parse(fs.readFileSync(json, "utf8")).numPassedTests;
        expect(tests).toBeGreaterThan(1);
        // Per file: nothing; per test: one dot. The whole suite stays far below 300 lines.
        expect(out.split("\n").length, out).toBeLessThan(15);
        expect(out).not.toContain("ajv.test.ts >");
        fs.rmSync(path.dirname(json), { recursive: true, force: true });
    });
});
