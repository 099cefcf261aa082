/** The DCGM exporter on GPU nodes (dcgm.ts). */
import { describe, expect, it } from "vitest";
import { MONITORING_VERSIONS } from "../../components/shared/versions";
import { build, CR_SM, one, RELEASE } from "./fixtures";

describe("Monitoring: GPU metrics", () => {
    it("runs the DCGM exporter only on GPU nodes, tolerating the taint, in the privileged GPU namespace, with a ServiceMonitor", async () => {
        await build();
        const rel = one(RELEASE, "mon-dcgm-exporter");
        expect(rel.inputs).toMatchObject({ chart: "dcgm-exporter", version: MONITORING_VERSIONS.dcgmExporterChart.version, namespace: "nvidia-device-plugin", repositoryOpts: { repo: MONITORING_VERSIONS.dcgmExporterChart.repo } });
        const v = rel.inputs.values;
        expect(`${v.image.repository}:${v.image.tag}`).toBe(MONITORING_VERSIONS.dcgmExporterImage);
        expect(v.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{ matchExpressions: [{ key: "nvidia.com/gpu.present", operator: "In", values: ["true"] }] }]);
        expect(v.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        expect(v.serviceMonitor).toEqual({ enabled: false });
        expect(v.securityContext).toMatchObject({ privileged: false, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } });
        const sm = one(CR_SM, "mon-monitor-dcgm-exporter");
        expect(sm.inputs.metadata.namespace).toBe("nvidia-device-plugin");
        expect(sm.inputs.spec.endpoints[0]).toMatchObject({ port: "metrics", interval: "15s", relabelings: [{ action: "replace", targetLabel: "job", replacement: "dcgm-exporter" }] });
    });

});
