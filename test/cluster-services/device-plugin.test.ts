import { describe, expect, it } from "vitest";
import { CHARTS } from "../../components/shared/versions";
import { one } from "../mocks";
import { build } from "./fixture";

describe("ClusterServices: NVIDIA device plugin", () => {
    it("runs the NVIDIA device plugin only on GPU nodes, tolerating their taint, in a privileged namespace with a reason", async () => {
        await build();
        const rel = one("kubernetes:helm.sh/v3:Release", "svc-nvidia-device-plugin");
        expect(rel.inputs.chart).toBe(CHARTS.nvidiaDevicePlugin.chart);
        expect(rel.inputs.version).toBe(CHARTS.nvidiaDevicePlugin.version);
        expect(rel.inputs.repositoryOpts).toEqual({ repo: CHARTS.nvidiaDevicePlugin.repo });
        expect(rel.inputs.namespace).toBe("nvidia-device-plugin");
        expect(rel.inputs.values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms)
            .toEqual([{ matchExpressions: [{ key: "nvidia.com/gpu.present", operator: "In", values: ["true"] }] }]);
        expect(rel.inputs.values.tolerations).toContainEqual({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
        const ns = one("kubernetes:core/v1:Namespace", "svc-nvidia");
        expect(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
        expect(ns.inputs.metadata.annotations["mlplatform.io/pod-security-reason"]).toMatch(/hostPath/);
    });
});
