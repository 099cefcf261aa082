/** ServiceMonitors and PodMonitors (monitors.ts). */
import { describe, expect, it } from "vitest";
import { monitorSpec } from "../../components/monitoring";
import { build, byType, CR_PM, CR_SM, one, RELEASE } from "./fixtures";

describe("Monitoring: scrape targets", () => {
    it("creates a ServiceMonitor or PodMonitor per target whose job label is the target name, after the CRDs", async () => {
        await build();
        const kps = one(RELEASE, "mon-kube-prometheus-stack");
        const sm = one(CR_SM, "mon-monitor-mlflow");
        expect(sm.inputs.metadata).toMatchObject({ name: "mlflow", namespace: "mlflow" });
        expect(sm.inputs.spec).toEqual({
            selector: { matchLabels: { "app.kubernetes.io/name": "mlflow" } },
            namespaceSelector: { matchNames: ["mlflow"] },
            endpoints: [{ port: "http", path: "/metrics", interval: "30s", relabelings: [{ action: "replace", targetLabel: "job", replacement: "mlflow" }] }],
        });
        const pm = one(CR_PM, "mon-monitor-fluentd");
        expect(pm.inputs.spec.podMetricsEndpoints).toEqual([{ port: "metrics", path: "/metrics", interval: "60s", relabelings: [{ action: "replace", targetLabel: "job", replacement: "fluentd" }] }]);
        expect(one(CR_SM, "mon-monitor-jupyterhub").inputs.spec.endpoints[0].path).toBe("/hub/metrics");
        expect(byType(CR_SM)).toHaveLength(4);
        expect(byType(CR_PM)).toHaveLength(1);
        for (const r of [...byType(CR_SM), ...byType(CR_PM)]) {
            expect(r.dependencies).toContain(kps.urn);
        }
    });

});

describe("monitorSpec: basic auth (ML-04)", () => {
    it("scrapes with the credentials of a Secret in the target's namespace when the target asks for them", () => {
        const spec: any = monitorSpec({ name: "mlflow", namespace: "mlflow", selector: { app: "mlflow" }, port: "http", basicAuthSecret: "mlflow-metrics-credentials" });
        expect(spec.endpoints[0].basicAuth).toEqual({
            username: { name: "mlflow-metrics-credentials", key: "MLFLOW_TRACKING_USERNAME" },
            password: { name: "mlflow-metrics-credentials", key: "MLFLOW_TRACKING_PASSWORD" },
        });
        expect((monitorSpec({ name: "x", namespace: "x", selector: {}, port: "http" }) as any).endpoints[0].basicAuth).toBeUndefined();
    });
});
