/** The Monitoring component as a whole: secrets, outputs, schema and parentage (index.ts). */
import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { invalidObjects } from "../k8s-schema";
import { resolve } from "../mocks";
import { alertmanagerYaml, allRecords, build, DMS, one, PRODUCTION, SECRET, SLACK, SMTP_PASSWORD } from "./fixtures";

describe("Monitoring", () => {
    it("keeps the Grafana password and every receiver secret out of Helm values, ConfigMaps and plain outputs", async () => {
        const m = await build(PRODUCTION);
        expect(await pulumi.isSecret(m.grafanaAdminPassword)).toBe(true);
        expect(await resolve(m.grafanaAdminPassword)).toBe("mock-secret-mon-grafana-admin");
        expect(await pulumi.isSecret(m.grafanaPortForward)).toBe(false);
        const grafana = one(SECRET, "mon-grafana-admin");
        expect(grafana.inputs.metadata).toMatchObject({ name: "grafana-admin", namespace: "monitoring" });
        expect(grafana.inputs.stringData).toEqual({ "admin-user": "admin", "admin-password": "mock-secret-mon-grafana-admin" });
        const yamlText = alertmanagerYaml();
        for (const s of [SLACK, SMTP_PASSWORD, DMS]) {
            expect(yamlText).toContain(s);
        }
        for (const r of allRecords().filter((x) => x.type !== SECRET && x.type !== "random:index/randomPassword:RandomPassword")) {
            const text = JSON.stringify(r.inputs);
            for (const s of [SLACK, SMTP_PASSWORD, DMS, "mock-secret-mon-grafana-admin"]) {
                expect(text.includes(s), `${r.type} ${r.name} contains a secret`).toBe(false);
            }
        }
    });

    it("exports port-forward commands for Grafana, Prometheus and Alertmanager", async () => {
        const m = await build();
        expect(await resolve(m.grafanaPortForward)).toBe("kubectl -n monitoring port-forward svc/kube-prometheus-stack-grafana 3000:80");
        expect(await resolve(m.prometheusPortForward)).toBe("kubectl -n monitoring port-forward svc/kps-prometheus 9090:9090");
        expect(await resolve(m.alertmanagerPortForward)).toBe("kubectl -n monitoring port-forward svc/kps-alertmanager 9093:9093");
        expect(await resolve(m.namespace)).toBe("monitoring");
    });

    it("declares only schema-valid objects, all parented to the component", async () => {
        await build(PRODUCTION);
        expect(await invalidObjects(allRecords())).toEqual([]);
        for (const r of allRecords().filter((x) => x.type !== "mlplatform:index:Monitoring")) {
            expect(r.parent, r.name).toMatch(/::mlplatform:index:Monitoring::mon$/);
        }
    });
});
