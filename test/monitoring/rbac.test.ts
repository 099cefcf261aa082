/** The chart's RBAC written by the program (rbac.ts). */
import { describe, expect, it } from "vitest";
import { build, byType, kpsValues, one, RELEASE } from "./fixtures";

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
});
