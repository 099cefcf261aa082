import { beforeAll, describe, expect, it } from "vitest";
import { blockedBehindCluster, criticalPath, durationOf, floorMinutes, GraphNode, idleMonthlyCost, PRICES } from "../scripts/bench-model";
import { allRecords } from "./mocks";
import { loadStack } from "./stack";

const node = (name: string, type: string, deps: string[] = [], extra: Partial<GraphNode> = {}): GraphNode => ({
    urn: `urn:${name}`, type, name, inputs: {}, parent: "", dependencies: deps.map((d) => `urn:${d}`), provider: "", custom: true, remote: false, ...extra,
});

describe("critical path model", () => {
    it("sums the longest chain and spells it out", () => {
        const g = [
            node("vpc", "aws:ec2/vpc:Vpc"),
            node("nat", "aws:ec2/natGateway:NatGateway", ["vpc"]),
            node("eks", "eks:index:Cluster", ["vpc"], { custom: false, remote: true }),
            node("ng", "aws:eks/nodeGroup:NodeGroup", ["eks"]),
            node("db", "aws:rds/instance:Instance", ["vpc"]),
        ];
        const p = criticalPath(g);
        expect(p.minutes).toBe(13.1);
        expect(p.chain.map((c) => c.name)).toEqual(["vpc", "eks", "ng"]);
    });

    it("expands a dependency on a component into its children", () => {
        const g = [
            node("comp", "mlplatform:index:X", [], { custom: false }),
            node("slow", "aws:rds/instance:Instance", [], { parent: "urn:comp", inputs: { multiAz: true } }),
            node("after", "aws:eks/addon:Addon", ["comp"]),
        ];
        expect(criticalPath(g).minutes).toBe(16);
    });

    it("refuses a cycle", () => {
        expect(() => criticalPath([node("a", "x:y:Z", ["b"]), node("b", "x:y:Z", ["a"])])).toThrow("dependency cycle");
    });

    it("finds cluster-independent resources stuck behind the cluster", () => {
        const g = [
            node("eks", "eks:index:Cluster", [], { custom: false, remote: true }),
            node("bucket", "aws:s3/bucket:Bucket", ["eks"]),
            node("key", "aws:kms/key:Key"),
        ];
        expect(blockedBehindCluster(g)).toEqual(["aws:s3/bucket:Bucket bucket"]);
    });

    it("prices helm charts by chart and Multi-AZ RDS by its standby", () => {
        expect(durationOf(node("r", "kubernetes:helm.sh/v3:Release", [], { inputs: { chart: "kube-prometheus-stack" } }))).toBe(3);
        expect(durationOf(node("d", "aws:rds/instance:Instance", [], { inputs: { multiAz: true } }))).toBe(15);
        expect(durationOf(node("c", "mlplatform:index:X", [], { custom: false }))).toBe(0);
    });
});

describe("idle cost model", () => {
    it("charges node groups at desired size, Spot at a fraction, and fails loudly on unknown prices", () => {
        const ng = (desired: number, type: string, capacity: string) => node(`ng-${type}`, "aws:eks/nodeGroup:NodeGroup", [], {
            inputs: { scalingConfig: { desiredSize: desired }, instanceTypes: [type], capacityType: capacity, amiType: type.startsWith("g") ? "AL2023_x86_64_NVIDIA" : "AL2023_x86_64_STANDARD" },
        });
        const c = idleMonthlyCost([ng(2, "m7i.xlarge", "SPOT"), ng(0, "g5.xlarge", "ON_DEMAND")]);
        expect(c.gpuUsd).toBe(0);
        expect(c.totalUsd).toBeCloseTo(2 * (0.2016 * PRICES.spotFraction * 730 + 20 * 0.08), 1);
        expect(() => idleMonthlyCost([ng(1, "x9.huge", "ON_DEMAND")])).toThrow("no EC2 price for x9.huge");
    });
});

describe("the dev stack", () => {
    beforeAll(async () => {
        await loadStack("dev");
    });

    it("puts the control plane and a node group on the critical path", () => {
        const p = criticalPath(allRecords());
        expect(p.chain.map((c) => c.type)).toContain("eks:index:Cluster");
        expect(p.minutes).toBeGreaterThanOrEqual(floorMinutes());
    });

    it("never makes data stores, IAM or KMS wait for the cluster", () => {
        expect(blockedBehindCluster(allRecords())).toEqual([]);
    });

    it("costs nothing for GPUs while idle", () => {
        expect(idleMonthlyCost(allRecords()).gpuUsd).toBe(0);
    });
});
