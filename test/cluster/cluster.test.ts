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
        expect(c.workloadPrerequisites).toHaveLength(4);
    });

    it.each([2, 3])("makes every workload wait for every CPU group (one per AZ, %i AZs), DNS and the EBS CSI driver", async (azs) => {
        // Issue 19: the Kubernetes provider depends on these; with one CPU group per AZ, a pod whose
        // volume is in any AZ needs that AZ's group, and on destroy every object must go before any group.
        const c = await build({ privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"].slice(0, azs) });
        const urns = await Promise.all(c.workloadPrerequisites.map((r) => new Promise<string>((done) => r.urn.apply(done))));
        const names = urns.map((u) => u.split("::").pop());
        expect(names).toEqual([...Array.from({ length: azs }, (_, i) => `c-cpu-${i + 1}`), "c-coredns", "c-ebs-csi"]);
        const cpuGroups = allRecords().filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup" && r.inputs.labels?.["mlplatform.io/node-pool"] === "cpu");
        expect(cpuGroups.map((g) => g.urn).every((u) => urns.includes(u))).toBe(true);
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
