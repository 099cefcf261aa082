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

    it("documents its defaults truthfully and validates", () => {
        const agent = {} as pulumi.Resource;
        const r = resolveClusterServicesArgs({ clusterName: "x", region: "us-west-2", kubernetesVersion: "1.35", podIdentityAgent: agent });
        expect(r.storageReclaimPolicy).toBe("Retain");
        expect(r.scaleDownUnneededMinutes).toBe(10);
        expect(r.loadBalancerController).toBe(false);
        expect(() => resolveClusterServicesArgs({ clusterName: "x", region: "us-west-2", kubernetesVersion: "1.20", podIdentityAgent: agent }))
            .toThrow("kubernetesVersion (1.20) has no pinned cluster-autoscaler image");
        expect(() => resolveClusterServicesArgs({ clusterName: "x", region: "us-west-2", kubernetesVersion: "1.35", podIdentityAgent: agent, scaleDownUnneededMinutes: 0 }))
            .toThrow("scaleDownUnneededMinutes (0) must be a whole number from 1 to 120");
        expect(() => resolveClusterServicesArgs({ clusterName: "x", region: "us-west-2", kubernetesVersion: "1.35", podIdentityAgent: agent, loadBalancerController: true }))
            .toThrow("vpcId (undefined) must be set when loadBalancerController is true");
        expect(() => resolveClusterServicesArgs({ clusterName: "x", region: "us-west-2", kubernetesVersion: "1.35", podIdentityAgent: agent, loadBalancerController: true, vpcId: "subnet-0abc1234" }))
            .toThrow("vpcId (subnet-0abc1234) must be a VPC ID");
        expect(resolveClusterServicesArgs({ clusterName: "x", region: "us-west-2", kubernetesVersion: "1.35", podIdentityAgent: agent, loadBalancerController: true, vpcId: VPC }).vpcId).toBe(VPC);
    });
});
