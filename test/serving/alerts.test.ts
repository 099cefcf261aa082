/** The serving alert rules, exactly as the Serving component declares them, through promtool. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { Serving } from "../../components/serving";
import { resolveModels } from "../../components/serving/settings";
import { allRecords, buildComponent } from "../mocks";
import { TEAMS } from "./fixtures";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Runs a tool; CI installs promtool, so a missing binary fails the test. */
function run(tool: string, args: string[], cwd: string): string {
    try {
        return execFileSync(tool, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e: any) {
        if (e.code === "ENOENT") {
            throw new Error(`${tool} is not installed (apt-get install prometheus)`);
        }
        throw new Error(`${tool} ${args.join(" ")} failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
    }
}

async function declaredSpec(): Promise<any> {
    await buildComponent(() => new Serving("serving", { models: resolveModels([{ name: "churn", team: "vision", modelUri: "models:/churn/3" }], TEAMS), trackingUri: "http://mlflow:5000", monitoring: [] }));
    const rules = allRecords().filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule");
    expect(rules).toHaveLength(1);
    return rules[0].inputs.spec;
}

/** Writes the rules (annotations dropped: promtool compares their rendered text) beside the test file. */
function workDir(spec: any, mutate: (rule: any) => any = (r) => r): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlp-serving-"));
    dirs.push(dir);
    const groups = spec.groups.map((g: any) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...rule }: any) => mutate(rule)) }));
    fs.writeFileSync(path.join(dir, "serving-rules.yaml"), stringify({ groups }));
    fs.copyFileSync(path.join(__dirname, "..", "alerts", "serving-rules.test.yaml"), path.join(dir, "serving-rules.test.yaml"));
    return dir;
}

describe("serving alert rules", () => {
    it("pass promtool check rules, annotations included", async () => {
        const spec = await declaredSpec();
        const dir = workDir(spec);
        fs.writeFileSync(path.join(dir, "full.yaml"), stringify(spec));
        expect(run("promtool", ["check", "rules", "full.yaml"], dir)).toMatch(/SUCCESS: 4 rules found/);
    });

    it("pass promtool test rules, with a firing and a quiet case for every alert", async () => {
        const spec = await declaredSpec();
        expect(run("promtool", ["test", "rules", "serving-rules.test.yaml"], workDir(spec))).toMatch(/SUCCESS/);
        const cases = parse(fs.readFileSync(path.join(__dirname, "..", "alerts", "serving-rules.test.yaml"), "utf8")).tests.flatMap((t: any) => t.alert_rule_test);
        for (const rule of spec.groups[0].rules) {
            const mine = cases.filter((c: any) => c.alertname === rule.alert);
            expect(mine.some((c: any) => c.exp_alerts.length > 0), `${rule.alert} fires`).toBe(true);
            expect(mine.some((c: any) => c.exp_alerts.length === 0), `${rule.alert} stays quiet`).toBe(true);
        }
    });

    it("fails promtool when a rule breaks (the cases are real)", async () => {
        const spec = await declaredSpec();
        const dir = workDir(spec, (r) => (r.alert === "ModelEndpointHighLatency" ? { ...r, expr: r.expr.replace('handler="/invocations"', 'handler="/ping"') } : r));
        expect(() => run("promtool", ["test", "rules", "serving-rules.test.yaml"], dir)).toThrow(/ModelEndpointHighLatency/);
    });
});
