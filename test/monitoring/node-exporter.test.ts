/** node-exporter's privileged namespace and values (node-exporter.ts). */
import { describe, expect, it } from "vitest";
import { build, kpsValues, one, RELEASE } from "./fixtures";

describe("Monitoring: node-exporter", () => {
    it("runs node-exporter in a privileged namespace of its own, so monitoring enforces baseline and audits restricted (NS-10)", async () => {
        await build();
        const ns = one("kubernetes:core/v1:Namespace", "mon-ns");
        expect(ns.inputs.metadata.name).toBe("monitoring");
        expect(ns.inputs.metadata.labels).toMatchObject({
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
        });
        const agents = one("kubernetes:core/v1:Namespace", "mon-node-exporter-ns");
        expect(agents.inputs.metadata.name).toBe("node-exporter");
        expect(agents.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
        expect(agents.inputs.metadata.annotations["mlplatform.io/pod-security-reason"]).toMatch(/hostNetwork, hostPID and hostPath/);
        expect(kpsValues()["prometheus-node-exporter"].namespaceOverride).toBe("node-exporter");
        // The operator must read the ServiceMonitor the subchart puts there.
        expect(kpsValues().prometheusOperator.namespaces.additional).toContain("node-exporter");
        expect(one(RELEASE, "mon-kube-prometheus-stack").dependencies).toContain(agents.urn);
    });
});
