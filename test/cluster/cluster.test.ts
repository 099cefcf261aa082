import { describe, expect, it } from "vitest";
import { ClusterArgs, resolveClusterArgs } from "../../components/cluster";
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

    it("documents its defaults truthfully", () => {
        const r = resolveClusterArgs(base);
        expect(r.serviceCidr).toBe("172.20.0.0/16");
        expect(r.adminPrincipalArns).toEqual([]);
        expect(r.controlPlaneLogTypes).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
        expect(r.logRetentionDays).toBe(90);
        expect(r.deletionProtection).toBe(true);
        expect(r.kmsDeletionWindowDays).toBe(30);
        expect(r.controlPlaneAzCount).toBe(base.privateSubnetIds.length);
        expect(resolveClusterArgs({ ...base, publicAccessCidrs: undefined }).publicAccessCidrs).toEqual([]);
    });

    it.each<[Partial<ClusterArgs>, string]>([
        [{ kubernetesVersion: "1.20" }, "kubernetesVersion (1.20) is not supported; use one of"],
        [{ privateSubnetIds: ["a"] }, "privateSubnetIds has 1 subnet(s); EKS needs at least two AZs"],
        [{ controlPlaneAzCount: 3 }, "controlPlaneAzCount (3) must be from 2 (an EKS minimum) to the 2 AZs of privateSubnetIds"],
        [{ publicAccessCidrs: ["0.0.0.0/0"] }, "publicAccessCidrs contains 0.0.0.0/0"],
        [{ controlPlaneLogTypes: ["api"] }, "controlPlaneLogTypes (api) must include audit"],
        [{ kmsDeletionWindowDays: 31 }, "kmsDeletionWindowDays (31) must be between 7 and 30"],
        [{ cpuNodeGroup: { ...base.cpuNodeGroup, minSize: 0 } }, "cpuNodeGroup sizes must satisfy 1 <= minSize (0)"],
        [{ gpuNodeGroup: { ...base.gpuNodeGroup, minSize: 4 } }, "gpuNodeGroup sizes must satisfy 0 <= minSize (4) <= desiredSize (0) <= maxSize (3)"],
        [{ gpuNodeGroup: { ...base.gpuNodeGroup, instanceTypes: [] } }, "gpuNodeGroup.instanceTypes is empty"],
        [{ gpuNodeGroup: { ...base.gpuNodeGroup, instanceTypes: ["m7i.large"] } }, "must be NVIDIA types with the same GPU count"],
        [{ gpuNodeGroup: { ...base.gpuNodeGroup, instanceTypes: ["g5.xlarge", "g6.xlarge"] } }, "gpuNodeGroup.instanceTypes (g5.xlarge,g6.xlarge) must share one GPU model; they have nvidia-a10g, nvidia-l4"],
        [{ cpuNodeGroup: { ...base.cpuNodeGroup, diskSizeGiB: 8 } }, "cpuNodeGroup.diskSizeGiB (8) must be at least 20"],
    ])("rejects %o", (bad, message) => {
        expect(() => resolveClusterArgs({ ...base, ...bad })).toThrow(message);
    });
});
