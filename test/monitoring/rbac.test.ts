/** The chart's RBAC written by the program (rbac.ts). */
import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { ScrapeTarget } from "../../components/shared/platform";
import { build, byType, kpsValues, one, RELEASE, SANDBOX } from "./fixtures";

describe("Monitoring: RBAC (NS-08)", () => {
    it("turns the chart's cluster-wide Secret access off and grants the operator Secrets only in the monitoring namespace", async () => {
        await build();
        const v = kpsValues();
        expect(v.global).toEqual({ rbac: { create: false } });
        expect(v.prometheusOperator).toMatchObject({
            prometheusInstanceNamespaces: ["monitoring"],
            alertmanagerInstanceNamespaces: ["monitoring"],
            admissionWebhooks: { enabled: false },
            tls: { enabled: false },
        });
        expect(v.prometheusOperator.namespaces.releaseNamespace).toBe(true);
        expect(v.grafana.rbac).toEqual({ namespaced: true });
        expect(v.grafana.sidecar.dashboards.searchNamespace).toEqual(["monitoring"]);
        expect(v["kube-state-metrics"].collectorsExclude).toEqual(["secrets"]);
        const roles = byType("kubernetes:rbac.authorization.k8s.io/v1:Role");
        const withSecrets = roles.filter((r) => JSON.stringify(r.inputs.rules).includes("secrets")).map((r) => r.inputs.metadata.namespace);
        expect(withSecrets).toEqual(["monitoring"]);
        for (const c of byType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")) {
            expect(JSON.stringify(c.inputs.rules), c.name).not.toMatch(/secrets|"\*"/);
        }
        const subjects = byType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").map((b) => b.inputs.subjects[0].name).sort();
        expect(subjects).toEqual(["kps-operator", "kps-prometheus"]);
        // The release waits for its RBAC, so the operator never starts without it.
        const rel = one(RELEASE, "mon-kube-prometheus-stack");
        for (const r of roles) {
            expect(rel.dependencies).toContain(r.urn);
        }
    });

    // A namespace known only as an Output used to name its Role by its position among the watched
    // namespaces: a layer added or dropped before it renamed it, and the rename fails on a live stack
    // (the new name is created first, and both are `kps-operator` in one namespace).
    it("keys the operator's per-namespace Roles by namespace name, so dropping an earlier layer renames none", async () => {
        const out = (name: string, ns: string): ScrapeTarget => ({ name, namespace: pulumi.output(ns), namespaceName: ns, selector: { app: name }, port: "http" });
        const names = async (targets: ScrapeTarget[]) => {
            await build({ ...SANDBOX, targets });
            return byType("kubernetes:rbac.authorization.k8s.io/v1:Role").filter((r) => r.name.startsWith("mon-operator-monitors-"))
                .map((r) => `${r.name} ${r.inputs.metadata.namespace} [${r.aliases.join(",")}]`).sort();
        };
        const both = await names([out("a", "team-a"), out("b", "team-b")]);
        expect(both).toContain("mon-operator-monitors-team-b team-b [mon-operator-monitors-1]");
        const onlyB = await names([out("b", "team-b")]);
        expect(onlyB).toContain("mon-operator-monitors-team-b team-b [mon-operator-monitors-0]");
        expect(onlyB.filter((n) => n.includes("team-a"))).toEqual([]);
    });

    it("refuses a target whose namespace is an Output without its name", async () => {
        const target: ScrapeTarget = { name: "a", namespace: pulumi.output("team-a"), selector: { app: "a" }, port: "http" };
        await expect(build({ ...SANDBOX, targets: [target] })).rejects.toThrow("targets[a].namespaceName must be set when its namespace is an Output");
        await expect(build({ ...SANDBOX, targets: [{ ...target, namespace: "team-a", namespaceName: "team-b" }] })).rejects.toThrow("targets[a].namespaceName (team-b) differs from its namespace (team-a)");
    });
});
