import { describe, expect, it } from "vitest";
import { ClusterArgs, resolveClusterArgs } from "../../components/cluster";
import { KUBERNETES_VERSIONS } from "../../components/shared/versions";
import { allRecords } from "../mocks";
import { base, build } from "./fixture";

describe("Cluster: outputs and arguments", () => {
    it("keeps the kubeconfig secret and parents every child", async () => {
        const c = await build();
        const pulumi = await import("@pulumi/pulumi");
        expect(await pulumi.isSecret(c.kubeconfigJson)).toBe(true);
        for (const r of allRecords().filter((x) => x.type !== "mlplatform:index:Cluster")) {
            expect(r.parent, r.name).toMatch(/::mlplatform:index:Cluster::c$/);
        }
        expect(c.workloadPrerequisites).toHaveLength(3);
    });

    it("derives the pinned add-ons and the GPU nodes' count and model from its arguments", () => {
        const r = resolveClusterArgs({ ...base, gpuNodeGroup: { ...base.gpuNodeGroup, instanceTypes: ["g5.12xlarge", "g5.24xlarge"] } });
        expect(r.addonVersions).toBe(KUBERNETES_VERSIONS["1.35"]);
        expect(r.gpusPerNode).toBe(4);
        expect(r.gpuAccelerator).toBe("nvidia-a10g");
    });

    it.each<[Partial<ClusterArgs>]>([
        [{ kubernetesVersion: "1.20" }],
        [{ gpuNodeGroup: { ...base.gpuNodeGroup, instanceTypes: ["m7i.large"] } }],
    ])("refuses %o, which the cluster settings never hand it, naming the settings module", (bad) => {
        expect(() => resolveClusterArgs({ ...base, ...bad })).toThrow("is not one the cluster settings accept (components/cluster/settings.ts)");
    });
});
