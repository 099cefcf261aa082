/** Grafana's dashboards (grafana.ts, dashboards.ts). */
import { describe, expect, it } from "vitest";
import { DASHBOARDS } from "../../components/monitoring/dashboards";
import { build, byType, one } from "./fixtures";

describe("Monitoring: dashboards", () => {
    it("provisions the GPU and services dashboards as sidecar ConfigMaps of valid Grafana JSON", async () => {
        await build();
        const cms = byType("kubernetes:core/v1:ConfigMap", "mon-dashboard-");
        expect(cms.map((c) => c.name).sort()).toEqual(["mon-dashboard-gpu", "mon-dashboard-services"]);
        for (const c of cms) {
            expect(c.inputs.metadata.labels.grafana_dashboard).toBe("1");
            expect(c.inputs.metadata.namespace).toBe("monitoring");
            const [file, json] = Object.entries(c.inputs.data as Record<string, string>)[0];
            const d = JSON.parse(json);
            expect(file).toBe(`${d.uid}.json`);
            expect(d.panels.length).toBeGreaterThan(3);
            expect(d.panels.every((p: any) => p.targets.length > 0 && p.datasource.uid === "${datasource}")).toBe(true);
        }
        expect(JSON.parse(one("kubernetes:core/v1:ConfigMap", "mon-dashboard-gpu").inputs.data["mlplatform-gpu.json"]).title).toBe(DASHBOARDS.gpu.title);
    });

});
