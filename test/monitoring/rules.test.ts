/** The platform's alert rules as PrometheusRule objects, under promtool (rules.ts, prometheus-rules.ts). */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { platformRuleGroups } from "../../components/monitoring/rules";
import { build, byType, CR_RULE, one, recordedGroups, RELEASE, ruleRecords, run, SANDBOX, TARGETS, useTmpDirs } from "./fixtures";

const tmpDir = useTmpDirs();

describe("Monitoring: alert rules", () => {
    it("declares one PrometheusRule per group after the chart's CRDs, each alert with severity, summary, description and runbook", async () => {
        const m = await build();
        const rules = ruleRecords();
        // Kueue is not among these targets; its group is tested in test/queues/alerts.test.ts.
        expect(rules.map((r) => r.inputs.metadata.name)).toEqual(platformRuleGroups().map((g) => g.name).filter((n) => n !== "mlplatform-queues"));
        expect(m.ruleGroups).toHaveLength(7);
        const kps = one(RELEASE, "mon-kube-prometheus-stack");
        for (const r of rules) {
            expect(r.inputs.apiVersion).toBe("monitoring.coreos.com/v1");
            expect(r.inputs.metadata.namespace).toBe("monitoring");
            expect(r.dependencies).toContain(kps.urn);
        }
        const alerts = recordedGroups().flatMap((g) => g.rules);
        expect(alerts.map((a: any) => a.alert)).toEqual([
            "PlatformNodeNotReady", "PlatformPodCrashLooping", "PlatformPersistentVolumeNearlyFull",
            "GPUNodeIdle", "GPUXidError", "GPUHighTemperature",
            "MLflowDown", "MLflowBackendUnavailable", "MLflowHighErrorRate",
            "JupyterHubDown", "FluentdBufferGrowing", "FluentdOutputErrors", "FluentdDeadLetterRecords",
            "ElasticsearchClusterNotGreen", "ElasticsearchDiskNearlyFull",
        ]);
        for (const a of alerts) {
            expect(["critical", "warning"]).toContain(a.labels.severity);
            expect(a.labels.component).toMatch(/.+/);
            expect(Object.keys(a.annotations).sort()).toEqual(["description", "runbook", "summary"]);
            expect(a.annotations.runbook.length).toBeGreaterThan(20);
        }
    });

    it("declares a service's rules only when that service is scraped", async () => {
        const m = await build({ ...SANDBOX, targets: [TARGETS[0]], gpuMetrics: false });
        expect(m.ruleGroups).toEqual(["mlplatform-nodes", "mlplatform-workloads", "mlplatform-mlflow"]);
        expect(byType(RELEASE, "mon-dcgm")).toHaveLength(0);
    });

    it("passes promtool check rules on every declared group", async () => {
        await build();
        const dir = tmpDir();
        for (const r of byType(CR_RULE)) {
            fs.writeFileSync(path.join(dir, `${r.inputs.metadata.name}.yaml`), stringify(r.inputs.spec));
        }
        const files = byType(CR_RULE).map((r) => `${r.inputs.metadata.name}.yaml`);
        const out = run("promtool", ["check", "rules", ...files], dir);
        expect(out.match(/SUCCESS/g)).toHaveLength(7);
    });

    it("passes promtool test rules: every alert fires on a failing series and stays quiet on a healthy one", async () => {
        await build();
        const dir = tmpDir();
        // Expressions, durations and labels exactly as declared. Annotations are left out because promtool
        // compares their rendered text; `check rules` above validates their templates.
        const groups = recordedGroups().map((g) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...rule }: any) => rule) }));
        fs.writeFileSync(path.join(dir, "platform-rules.yaml"), stringify({ groups }));
        const testFile = path.join(__dirname, "..", "alerts", "platform-rules.test.yaml");
        fs.copyFileSync(testFile, path.join(dir, "platform-rules.test.yaml"));
        expect(run("promtool", ["test", "rules", "platform-rules.test.yaml"], dir)).toMatch(/SUCCESS/);

        const cases = parse(fs.readFileSync(testFile, "utf8")).tests.flatMap((t: any) => t.alert_rule_test);
        for (const g of groups) {
            for (const rule of g.rules) {
                const mine = cases.filter((c: any) => c.alertname === rule.alert);
                expect(mine.some((c: any) => c.exp_alerts.length > 0), `${rule.alert} has a firing case`).toBe(true);
                expect(mine.some((c: any) => c.exp_alerts.length === 0), `${rule.alert} has a quiet case`).toBe(true);
            }
        }
    });

    it("promtool test rules fails when a rule breaks (the test is real)", async () => {
        await build();
        const dir = tmpDir();
        const groups = recordedGroups().map((g) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...rule }: any) => ({ ...rule, expr: rule.alert === "GPUHighTemperature" ? "vector(0) > 1" : rule.expr })) }));
        fs.writeFileSync(path.join(dir, "platform-rules.yaml"), stringify({ groups }));
        fs.copyFileSync(path.join(__dirname, "..", "alerts", "platform-rules.test.yaml"), path.join(dir, "platform-rules.test.yaml"));
        expect(() => run("promtool", ["test", "rules", "platform-rules.test.yaml"], dir)).toThrow(/GPUHighTemperature/);
    });
});
