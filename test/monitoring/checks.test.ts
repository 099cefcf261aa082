/** The monitoring checks of the policy pack over what the component declares. */
import { describe, expect, it } from "vitest";
import { MonitoringArgs } from "../../components/monitoring";
import { renderAlertmanagerConfig } from "../../components/monitoring/alertmanager-config";
import { Env } from "../../policy/checks";
import { MONITORING_CHECKS } from "../../policy/checks-monitoring";
import { ResourceRecord } from "../mocks";
import { allRecords, build, PRODUCTION, RELEASE, SANDBOX, SECRET } from "./fixtures";

describe("MONITORING_CHECKS", () => {
    const recorded = async (args: MonitoringArgs): Promise<ResourceRecord[]> => {
        await build(args);
        return allRecords();
    };
    const violations = (rs: ResourceRecord[], env: Env) => MONITORING_CHECKS.flatMap((c) => c.evaluate(rs, env));

    it("pass on the sandbox and production presets", async () => {
        expect(violations(await recorded(SANDBOX), "sandbox")).toEqual([]);
        expect(violations(await recorded(PRODUCTION), "production")).toEqual([]);
    });

    it("production checks fail on the sandbox preset (relaxations are explicit)", async () => {
        const ids = new Set(violations(await recorded(SANDBOX), "production").map((x) => x.id));
        expect([...ids].sort()).toEqual(["PM-02", "PM-03", "PM-04"]);
    });

    const mutate = (rs: ResourceRecord[], type: string, name: string, fn: (inputs: any) => void): ResourceRecord[] =>
        rs.map((r) => {
            if (r.type !== type || r.name !== name) {
                return r;
            }
            const inputs = JSON.parse(JSON.stringify(r.inputs));
            fn(inputs);
            return { ...r, inputs };
        });
    const kps = "mon-kube-prometheus-stack";
    it.each<[string, Env, string, string, (i: any) => void]>([
        ["PM-01", "sandbox", RELEASE, kps, (i) => { i.values.prometheus.prometheusSpec.storageSpec = {}; }],
        ["PM-01", "sandbox", RELEASE, kps, (i) => { i.values.prometheus.prometheusSpec.retentionSize = "10GB"; }],
        ["PM-02", "production", RELEASE, kps, (i) => { i.values.alertmanager.alertmanagerSpec.replicas = 1; }],
        ["PM-02", "sandbox", RELEASE, kps, (i) => { delete i.values.alertmanager.alertmanagerSpec.storage; }],
        ["PM-03", "production", RELEASE, kps, (i) => { i.values.prometheus.prometheusSpec.podAntiAffinity = "soft"; }],
        ["PM-03", "sandbox", RELEASE, kps, (i) => { i.values.alertmanager.podDisruptionBudget.enabled = true; }],
        ["PM-04", "production", SECRET, "mon-alertmanager-config", (i) => { i.stringData["alertmanager.yaml"] = renderAlertmanagerConfig({ slackWebhookUrl: "https://x" }); }],
        ["PM-04", "sandbox", RELEASE, kps, (i) => { i.values.alertmanager.alertmanagerSpec.useExistingSecret = false; }],
        // PM-04: a name is not a receiver; the root and critical routes need a receiver with an integration.
        ["PM-04", "production", SECRET, "mon-alertmanager-config", (i) => { const c = JSON.parse(i.stringData["alertmanager.yaml"]); c.route.receiver = "pager"; i.stringData["alertmanager.yaml"] = JSON.stringify(c); }],
        ["PM-04", "production", SECRET, "mon-alertmanager-config", (i) => { const c = JSON.parse(i.stringData["alertmanager.yaml"]); c.receivers.push({ name: "pager" }); for (const r of c.route.routes) if (r.matchers.includes('severity = "critical"')) r.receiver = "pager"; i.stringData["alertmanager.yaml"] = JSON.stringify(c); }],
        ["PM-04", "production", SECRET, "mon-alertmanager-config", (i) => { const c = JSON.parse(i.stringData["alertmanager.yaml"]); c.route.routes.reverse(); i.stringData["alertmanager.yaml"] = JSON.stringify(c); }],
        ["PM-04", "production", SECRET, "mon-alertmanager-config", (i) => { const c = JSON.parse(i.stringData["alertmanager.yaml"]); c.route.routes[0].receiver = c.route.receiver; i.stringData["alertmanager.yaml"] = JSON.stringify(c); }],
        ["K8S-03", "sandbox", RELEASE, "mon-dcgm-exporter", (i) => { i.values.securityContext.privileged = true; }],
        ["K8S-04", "sandbox", RELEASE, "mon-dcgm-exporter", (i) => { i.values.securityContext.capabilities.add = ["SYS_ADMIN", "NET_ADMIN"]; }],
        ["K8S-08", "sandbox", RELEASE, kps, (i) => { delete i.values.grafana.resources.limits; }],
        ["K8S-10", "sandbox", RELEASE, "mon-dcgm-exporter", (i) => { i.values.image.tag = "latest"; }],
        ["K8S-10", "sandbox", RELEASE, kps, (i) => { i.version = "88.x"; }],
    ])("%s fails on a mutated %s fixture", async (id, env, type, name, fn) => {
        const base = await recorded(env === "production" ? PRODUCTION : SANDBOX);
        const found = violations(mutate(base, type, name, fn), env);
        expect(found.map((x) => x.id)).toEqual([id]);
    });
});
