import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { Monitoring } from "../../components/monitoring";
import { queueRuleGroup } from "../../components/queues/alerts";
import { KUEUE_JOB, KUEUE_METRICS_SELECTOR } from "../../components/queues/kueue-release";
import { buildComponent, byType } from "../mocks";
import { SANDBOX } from "../monitoring/fixtures";

const CR_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function promtool(args: string[], cwd: string): string {
    try {
        return execFileSync("promtool", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e: any) {
        if (e.code === "ENOENT") {
            throw new Error("promtool is not installed (apt-get install prometheus)");
        }
        throw new Error(`promtool ${args.join(" ")} failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
    }
}

/** The queue group exactly as the Monitoring component declares it when Kueue is scraped. */
async function declaredQueueGroup(kueueScraped = true): Promise<any | undefined> {
    const targets = kueueScraped ? [{ name: KUEUE_JOB, namespace: "kueue-system", selector: { ...KUEUE_METRICS_SELECTOR }, port: "https" }] : [];
    await buildComponent(() => new Monitoring("mon", { ...SANDBOX, targets, gpuMetrics: false }), (m) => [m.grafanaPortForward]);
    return byType(CR_RULE).flatMap((r) => r.inputs.spec.groups).find((g: any) => g.name === "mlplatform-queues");
}

function writeAndTest(group: any): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlp-queues-"));
    dirs.push(dir);
    // Annotations left out: promtool compares their rendered text; `check rules` validates the templates.
    const rules = { groups: [{ ...group, rules: group.rules.map(({ annotations: _a, ...r }: any) => r) }] };
    fs.writeFileSync(path.join(dir, "queue-rules.yaml"), stringify(rules));
    fs.copyFileSync(path.join(__dirname, "..", "alerts", "queue-rules.test.yaml"), path.join(dir, "queue-rules.test.yaml"));
    return promtool(["test", "rules", "queue-rules.test.yaml"], dir);
}

/**
 * Kueue 0.19.2 metric names (kubernetes-sigs/kueue pkg/metrics/metrics.go, Subsystem "kueue" + Name)
 * that the alerts may use.
 */
const KUEUE_METRICS = ["kueue_pending_workloads", "kueue_admitted_active_workloads", "kueue_reserving_active_workloads", "kueue_cluster_queue_nominal_quota",
    "kueue_cluster_queue_resource_usage", "kueue_cluster_queue_borrowing_limit", "kueue_cluster_queue_status", "kueue_admitted_workloads_total", "kueue_evicted_workloads_total"];

describe("Prometheus can scrape Kueue's authenticated metrics", () => {
    it("keeps the cluster-wide Prometheus role (nonResourceURLs /metrics) and bearer token files in ServiceMonitors", async () => {
        await declaredQueueGroup();
        const kps = byType("kubernetes:helm.sh/v3:Release").find((r) => r.name === "mon-kube-prometheus-stack")!;
        const prometheus = kps.inputs.values.prometheus ?? {};
        // kube-prometheus-stack templates/prometheus/clusterrole.yaml grants `get` on /metrics only when
        // prometheus.rbac.namespaced is off; Kueue's metrics server authorizes the scrape with a
        // SubjectAccessReview on that URL (kueue v0.19.2 cmd/kueue/main.go: SecureServing, filters.WithAuthenticationAndAuthorization).
        expect(prometheus.rbac?.namespaced ?? false).toBe(false);
        // prometheus-operator refuses ServiceMonitors with bearerTokenFile when this is denied.
        expect(prometheus.prometheusSpec?.arbitraryFSAccessThroughSMs?.deny ?? false).toBe(false);
    });
});

describe("queue alerts", () => {
    it("are declared only when Kueue is scraped, with both alerts", async () => {
        expect(await declaredQueueGroup(false)).toBeUndefined();
        const g = await declaredQueueGroup();
        expect(g.rules.map((r: any) => r.alert)).toEqual(["KueueJobsPendingWithQuotaAvailable", "GPUNodesUpWithoutAdmittedWork"]);
        expect(g.rules.map((r: any) => r.labels)).toEqual([{ severity: "warning", component: "queues" }, { severity: "warning", component: "queues" }]);
    });

    it("use only Kueue 0.19.2's metric names", () => {
        const used = new Set(queueRuleGroup().rules.flatMap((r) => r.expr.match(/kueue_[a-z_]+/g) ?? []));
        expect([...used].filter((m) => !KUEUE_METRICS.includes(m))).toEqual([]);
        expect(used.size).toBe(3);
    });

    it("pass promtool check rules", async () => {
        const g = await declaredQueueGroup();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlp-queues-"));
        dirs.push(dir);
        fs.writeFileSync(path.join(dir, "q.yaml"), stringify({ groups: [g] }));
        expect(promtool(["check", "rules", "q.yaml"], dir)).toMatch(/SUCCESS: 2 rules found/);
    });

    it("pass promtool test rules: each fires on a failing series and stays quiet on healthy ones", async () => {
        const g = await declaredQueueGroup();
        expect(writeAndTest(g)).toMatch(/SUCCESS/);
        const cases = fs.readFileSync(path.join(__dirname, "..", "alerts", "queue-rules.test.yaml"), "utf8");
        for (const r of g.rules) {
            expect(cases).toContain(`alertname: ${r.alert}\n        exp_alerts:\n          - exp_labels`);
            expect(cases).toContain(`{eval_time: 40m, alertname: ${r.alert}, exp_alerts: []}`.replace("40m", r.alert.startsWith("Kueue") ? "20m" : "40m"));
        }
    });

    it.each(["KueueJobsPendingWithQuotaAvailable", "GPUNodesUpWithoutAdmittedWork"])("promtool test rules fails when %s breaks (the cases are real)", async (alert) => {
        const g = await declaredQueueGroup();
        const broken = { ...g, rules: g.rules.map((r: any) => (r.alert === alert ? { ...r, expr: "vector(0) > 1" } : r)) };
        expect(() => writeAndTest(broken)).toThrow(new RegExp(alert));
    });
});
