/**
 * Assertions every stack file must pass: the program evaluates, every Kubernetes object is
 * schema-valid, the security checklist holds for the stack's preset, every resource has a parent
 * component, and no image or chart is unpinned.
 */
import { expect, it } from "vitest";
import { runChecks } from "../policy/all-checks";
import { Env, zonesOf } from "../policy/checks";
import { isGpuNodeGroup } from "../policy/checks-cluster";
import { idleMonthlyCost } from "../scripts/bench-cost";
import { GraphNode } from "../scripts/bench-critical-path";
import { HAS_SHARED, invalidObjects, isK8sObject } from "./k8s-schema";
import { allRecords, ResourceRecord } from "./mocks";

export function stackInvariants(env: Env): void {
    const records = (): ResourceRecord[] => allRecords();

    it("passes every security checklist item for its preset", () => {
        expect(runChecks(records(), env)).toEqual([]);
    });

    it("declares only schema-valid Kubernetes objects", async () => {
        expect(records().filter(isK8sObject).length).toBeGreaterThan(0);
        expect(await invalidObjects(records(), { skipEck: true })).toEqual([]);
    });

    it.skipIf(!HAS_SHARED)("declares ECK and Kueue objects valid against their CRD schemas (NOT RUN when ../shared is absent)", async () => {
        expect(await invalidObjects(records())).toEqual([]);
    });

    it("parents every resource to a platform component (or the stack, for providers and components)", () => {
        for (const r of records()) {
            const topLevel = r.type.startsWith("pulumi:providers:") || r.type.startsWith("mlplatform:index:");
            if (topLevel) {
                expect(r.parent, r.name).toMatch(/pulumi:pulumi:Stack|^$/);
            } else {
                expect(r.parent, `${r.type} ${r.name}`).toMatch(/::mlplatform:index:[A-Za-z]+::/);
            }
        }
    });

    it("pins every Helm chart to an exact version", () => {
        for (const r of records().filter((x) => x.type === "kubernetes:helm.sh/v3:Release")) {
            expect(r.inputs.version, r.name).toMatch(/^\d+\.\d+\.\d+$/);
        }
    });

    it("never uses a latest or untagged image", () => {
        const images = JSON.stringify(records().map((r) => r.inputs)).match(/"(image|repository)":"[^"]*"|"tag":"[^"]*"/g) ?? [];
        for (const m of images) {
            expect(m).not.toMatch(/:latest"|"tag":"latest"|"tag":""/);
        }
    });

    it("routes every AWS resource through the stack's tagged provider", () => {
        for (const r of records().filter((x) => x.custom && x.type.startsWith("aws:"))) {
            expect(r.provider, `${r.type} ${r.name}`).toMatch(/pulumi:providers:aws::aws::/);
        }
    });

    // Issue 19: cluster-autoscaler 1.35.2 builds a group-at-zero's template node in its first AZ
    // (cloudprovider/aws/aws_manager.go getAsgTemplate) and models a group with nodes on a running
    // node of it (mixed_nodeinfos_processor.go), so each group must be one AZ, and every AZ (where
    // notebook homes, Elasticsearch and Prometheus volumes live) needs its own group of each pool.
    it.each(["cpu", "gpu"])("runs one %s group per AZ, each in one AZ only by the network's subnet-to-AZ mapping", (pool) => {
        const all = records();
        const privateAzs = new Set(all.filter((r) => r.type === "aws:ec2/subnet:Subnet" && r.inputs.tags?.tier === "private").map((r) => r.inputs.availabilityZone));
        expect(privateAzs.size).toBeGreaterThanOrEqual(2);
        const groups = all.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup" && isGpuNodeGroup(r as any) === (pool === "gpu"));
        const zones = groups.map((g) => [...(zonesOf(g as any, "subnetIds", all as any) ?? [])]);
        expect(zones.map((z) => z.length), `AZs per ${pool} group`).toEqual(groups.map(() => 1));
        expect(groups.map((g) => g.inputs.subnetIds.length)).toEqual(groups.map(() => 1));
        expect(new Set(zones.flat())).toEqual(privateAzs);
        expect(groups).toHaveLength(privateAzs.size);
        // Identical but for the subnet and sizes: balance-similar-node-groups treats them as one set,
        // and a pod that fits one AZ's group fits every other's.
        const shape = (g: ResourceRecord) => JSON.stringify({ ...g.inputs, subnetIds: undefined, scalingConfig: undefined });
        expect(new Set(groups.map(shape)).size).toBe(1);
        expect(new Set(groups.map((g) => g.inputs.scalingConfig.maxSize)).size).toBe(1);
        // Every group's ASG carries the node-pool label for its template node at zero (the sandbox's
        // second CPU group idles at zero): aws_manager.go extractLabelsFromAsg.
        for (const g of groups) {
            const tags = all.filter((t) => t.type === "aws:autoscaling/tag:Tag" && t.name.startsWith(`${g.name}-asg-`)).map((t) => t.inputs.tag);
            expect(tags, g.name).toContainEqual({ key: "k8s.io/cluster-autoscaler/node-template/label/mlplatform.io/node-pool", value: pool, propagateAtLaunch: false });
            expect(g.inputs.labels["mlplatform.io/node-pool"]).toBe(pool);
        }
    });

    it("makes the Kubernetes provider wait for every CPU group, so objects are created after and deleted before all of them", () => {
        const all = records();
        const provider = all.find((r) => r.type === "pulumi:providers:kubernetes")!;
        const cpus = all.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup" && !isGpuNodeGroup(r as any));
        expect(cpus.length).toBeGreaterThanOrEqual(2);
        for (const g of cpus) {
            expect(provider.dependencies, g.name).toContain(g.urn);
        }
    });

    it("lets every GPU group take GPU notebooks and costs nothing for GPUs while idle", () => {
        const all = records();
        const gpus = all.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup" && isGpuNodeGroup(r as any));
        const hub = all.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "jupyterhub")!;
        const gpuProfiles = (hub.inputs.values.singleuser.profileList as any[]).filter((p) => p.kubespawner_override?.extra_resource_limits?.["nvidia.com/gpu"] !== undefined);
        expect(gpuProfiles.length).toBeGreaterThan(0);
        for (const p of gpuProfiles) {
            for (const g of gpus) {
                expect(g.inputs.labels, `${p.slug} on ${g.name}`).toMatchObject(p.kubespawner_override.node_selector);
                for (const t of g.inputs.taints) {
                    expect(p.kubespawner_override.tolerations).toContainEqual(expect.objectContaining({ key: t.key, effect: t.effect === "NO_SCHEDULE" ? "NoSchedule" : t.effect }));
                }
            }
        }
        // The presets keep gpuMinSize 0: no GPU node runs, in any AZ, until a pod asks for one.
        expect(idleMonthlyCost(all as unknown as GraphNode[]).gpuUsd).toBe(0);
    });
}

