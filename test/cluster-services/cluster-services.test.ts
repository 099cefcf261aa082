import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { resolveClusterServicesArgs } from "../../components/cluster-services";
import { invalidObjects } from "../k8s-schema";
import { allRecords } from "../mocks";
import { build, LBC, VPC } from "./fixture";

describe("ClusterServices", () => {
    it("declares only schema-valid objects under the component", async () => {
        await build(LBC);
        expect(await invalidObjects(allRecords())).toEqual([]);
        for (const r of allRecords().filter((x) => x.type !== "mlplatform:index:ClusterServices" && x.name !== "agent")) {
            expect(r.parent, r.name).toMatch(/::mlplatform:index:ClusterServices::svc$/);
        }
    });

    it("applies its own default and checks the arguments no config key carries", () => {
        const args = { clusterName: "x", region: "us-west-2", kubernetesVersion: "1.35", podIdentityAgent: {} as pulumi.Resource, storageReclaimPolicy: "Retain", loadBalancerController: true, vpcId: VPC, gpuTotal: { accelerator: "nvidia-a10g", maxGpus: 8 }, maxNodesTotal: 20 } as const;
        const r = resolveClusterServicesArgs(args);
        expect(r.scaleDownUnneededMinutes).toBe(10);
        expect(r.vpcId).toBe(VPC);
        expect(() => resolveClusterServicesArgs({ ...args, scaleDownUnneededMinutes: 0 })).toThrow("scaleDownUnneededMinutes (0) must be a whole number from 1 to 120");
        expect(() => resolveClusterServicesArgs({ ...args, vpcId: "subnet-0abc1234" })).toThrow("vpcId (subnet-0abc1234) must be a VPC ID");
        // The version is the cluster settings' rule (test/cluster/settings.test.ts); here only a lookup.
        expect(() => resolveClusterServicesArgs({ ...args, gpuTotal: { accelerator: "nvidia-a10g", maxGpus: -1 } }))
            .toThrow('gpuTotal ({"accelerator":"nvidia-a10g","maxGpus":-1}) must name a GPU type like nvidia-a10g and a whole number of GPUs >= 0');
        // A colon would break the flag's <type>:<min>:<max> syntax (config/flags/flags.go parseSingleGpuLimit).
        expect(() => resolveClusterServicesArgs({ ...args, gpuTotal: { accelerator: "nvidia:a10g", maxGpus: 1 } })).toThrow('gpuTotal ({"accelerator":"nvidia:a10g","maxGpus":1}) must name a GPU type');
        expect(() => resolveClusterServicesArgs({ ...args, maxNodesTotal: 0 })).toThrow("maxNodesTotal (0) must be a whole number of nodes >= 1 (the cluster's maxNodesTotal: cpuMaxSize + gpuMaxSize)");
        expect(() => resolveClusterServicesArgs({ ...args, maxNodesTotal: 2.5 })).toThrow("maxNodesTotal (2.5) must be a whole number of nodes >= 1");
        expect(() => resolveClusterServicesArgs({ ...args, kubernetesVersion: "1.20" })).toThrow("kubernetesVersion (1.20) is not one the cluster settings accept");
    });
});
