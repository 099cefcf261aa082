import { beforeAll, describe, expect, it } from "vitest";
import type { GraphNode } from "../scripts/bench-critical-path";
import { checkTargets, TARGETS } from "../scripts/bench-targets";
import { allocatable, capacityReport, cpuMilli, memoryMiB, podRequests, requestLines } from "../scripts/bench-requests";
import { allRecords } from "./mocks";
import { loadStack } from "./stack";

const rec = (name: string, type: string, inputs: any): GraphNode => ({
    urn: `urn:${name}`, type, name, inputs, parent: "", dependencies: [], provider: "", custom: true, remote: false,
});
const container = (cpu: string, memory: string) => ({ name: "c", resources: { requests: { cpu, memory } } });
const cpuGroup = (desired: number, type = "m7i.xlarge") => rec("cpu", "aws:eks/nodeGroup:NodeGroup", { amiType: "AL2023_x86_64_STANDARD", instanceTypes: [type], scalingConfig: { desiredSize: desired } });

describe("request accounting", () => {
    it("reads quantities and applies Kubernetes' init-container rule", () => {
        expect([cpuMilli("250m"), cpuMilli("1"), cpuMilli(undefined)]).toEqual([250, 1000, 0]);
        expect([memoryMiB("1Gi"), memoryMiB("64Mi"), memoryMiB(undefined)]).toEqual([1024, 64, 0]);
        expect(() => memoryMiB("lots")).toThrow("unreadable memory quantity lots");
        expect(podRequests({ containers: [container("100m", "64Mi"), container("50m", "64Mi")], initContainers: [container("500m", "32Mi")] }))
            .toEqual({ cpuMilli: 500, memoryMiB: 128 });
    });

    it("counts typed workloads by replicas, DaemonSets per node, and nothing that only runs on GPU nodes", () => {
        const podSpec = { containers: [container("100m", "128Mi")] };
        const lines = requestLines([
            rec("api", "kubernetes:apps/v1:Deployment", { spec: { replicas: 3, template: { spec: podSpec } } }),
            rec("agent", "kubernetes:apps/v1:DaemonSet", { spec: { template: { spec: podSpec } } }),
            rec("gpu-agent", "kubernetes:apps/v1:DaemonSet", { spec: { template: { spec: { ...podSpec, nodeSelector: { "nvidia.com/gpu.present": "true" } } } } }),
        ]);
        expect(lines).toEqual([
            { what: "api × 3", cpuMilli: 300, memoryMiB: 384, perNode: false },
            { what: "agent", cpuMilli: 100, memoryMiB: 128, perNode: true },
        ]);
    });

    it("sizes Helm releases from the values, else the chart's defaults, and refuses an unknown chart", () => {
        const eck = (values: any) => requestLines([rec("op", "kubernetes:helm.sh/v3:Release", { chart: "eck-operator", values })]);
        expect(eck({})).toEqual([{ what: "op elastic-operator", cpuMilli: 100, memoryMiB: 150, perNode: false }]);
        expect(eck({ replicaCount: 2, resources: { requests: { cpu: "50m", memory: "100Mi" } } })).toEqual([{ what: "op elastic-operator × 2", cpuMilli: 100, memoryMiB: 200, perNode: false }]);
        expect(() => requestLines([rec("q", "kubernetes:helm.sh/v3:Release", { chart: "oci://example.com/charts/unknown", values: {} })]))
            .toThrow("no pod table for chart oci://example.com/charts/unknown (q); add it to CHART_PODS in scripts/bench-requests.ts");
        // An OCI reference is matched by the chart's name.
        expect(requestLines([rec("k", "kubernetes:helm.sh/v3:Release", { chart: "oci://registry.k8s.io/kueue/charts/kueue", values: {} })]))
            .toEqual([{ what: "k kueue-controller-manager", cpuMilli: 500, memoryMiB: 512, perNode: false }]);
        // metrics-server chart 3.13.1 values.yaml: replicas 1, requests 100m / 200Mi.
        expect(requestLines([rec("m", "kubernetes:helm.sh/v3:Release", { chart: "metrics-server", values: {} })]))
            .toEqual([{ what: "m metrics-server", cpuMilli: 100, memoryMiB: 200, perNode: false }]);
        expect(requestLines([rec("m", "kubernetes:helm.sh/v3:Release", { chart: "metrics-server", values: { replicas: 2, resources: { requests: { cpu: "50m", memory: "100Mi" } } } })]))
            .toEqual([{ what: "m metrics-server × 2", cpuMilli: 100, memoryMiB: 200, perNode: false }]);
        expect(() => requestLines([rec("a", "aws:eks/addon:Addon", { addonName: "metrics-server" })]))
            .toThrow("no pod table for EKS add-on metrics-server (a)");
    });

    it("computes allocatable as nodeadm reserves it (11 MiB x max pods + 255 MiB, 6/1/0.5/0.25 % CPU) less 100Mi eviction", () => {
        // m7i.xlarge: 58 max pods; CPU reserve 60 + 10 + 10 = 80m.
        expect(allocatable("m7i.xlarge")).toEqual({ cpuMilli: 3920, memoryMiB: 16384 - (11 * 58 + 255) - 100 });
        // m7i.2xlarge adds 0.25 % of 4 more cores.
        expect(allocatable("m7i.2xlarge").cpuMilli).toBe(8000 - 90);
        expect(() => allocatable("x9.huge")).toThrow("no instance figures for x9.huge");
    });

    it("multiplies DaemonSets by the desired node count and fails the benchmark when requests crowd the nodes", () => {
        const big = rec("big", "kubernetes:apps/v1:Deployment", { spec: { template: { spec: { containers: [container("3500m", "1Gi")] } } } });
        const ds = rec("ds", "kubernetes:apps/v1:DaemonSet", { spec: { template: { spec: { containers: [container("100m", "100Mi")] } } } });
        const one = capacityReport([cpuGroup(1), big, ds]);
        expect(one.requested).toEqual({ cpuMilli: 3600, memoryMiB: 1124 });
        expect(one.cpuFraction).toBe(0.92);
        expect(capacityReport([cpuGroup(2), big, ds]).requested.cpuMilli).toBe(3700);
        const stack = { criticalPathMinutes: 16, floorMinutes: 13, ratioToFloor: 1.2, chain: [], idleMonthlyUsd: 100, idleGpuMonthlyUsd: 0, costLines: [], evaluateMs: 1 };
        const [miss] = checkTargets({ stacks: { dev: { ...stack, capacity: one } } });
        expect(miss).toContain(`dev: idle pods request 3600m CPU / 1124 MiB of 1 × m7i.xlarge allocatable 3920m / 15391 MiB (92 % / 7 %, target <= ${Math.round(TARGETS.maxRequestFraction * 100)} %)`);
        expect(miss).toContain("3500m 1024 MiB  big");
        expect(checkTargets({ stacks: { dev: { ...stack, capacity: capacityReport([cpuGroup(2), big, ds]) } } })).toEqual([]);
    });

    it("sums the desired nodes of every CPU group (one per AZ, issue 19), whichever comes first, and ignores GPU groups", () => {
        const big = rec("big", "kubernetes:apps/v1:Deployment", { spec: { template: { spec: { containers: [container("3500m", "1Gi")] } } } });
        const ds = rec("ds", "kubernetes:apps/v1:DaemonSet", { spec: { template: { spec: { containers: [container("100m", "100Mi")] } } } });
        const gpu = rec("gpu", "aws:eks/nodeGroup:NodeGroup", { amiType: "AL2023_x86_64_NVIDIA", instanceTypes: ["g5.xlarge"], scalingConfig: { desiredSize: 1 } });
        // The sandbox: 1 node in the first AZ's group, the second at zero.
        expect(capacityReport([cpuGroup(0), cpuGroup(1), gpu, big, ds])).toEqual(capacityReport([cpuGroup(1), big, ds]));
        // Production: one node in each of three groups is three nodes.
        const three = capacityReport([cpuGroup(1), cpuGroup(1), cpuGroup(1), gpu, big, ds]);
        expect(three).toEqual(capacityReport([cpuGroup(3), big, ds]));
        expect(three.nodes).toBe(3);
    });
});

describe("the sandbox's idle platform", () => {
    beforeAll(async () => {
        await loadStack("dev");
    });

    it("fits its one CPU node with headroom, every layer's pods counted", () => {
        const c = capacityReport(allRecords());
        expect(c.nodes).toBe(1);
        expect(Math.max(c.cpuFraction, c.memoryFraction)).toBeLessThanOrEqual(TARGETS.maxRequestFraction);
        const what = c.lines.map((l) => l.what).join("\n");
        for (const pod of ["coredns", "hub", "prometheus", "elasticsearch", "kibana", "fluentd", "tracking-server", "cluster-autoscaler", "elastic-operator", "kueue-controller-manager"]) {
            expect(what).toContain(pod);
        }
    });
});
