import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { median, parseArgs, publish } from "../scripts/bench";
import { ADDON_POD_START_MINUTES, blockedBehindCluster, podMinutes, criticalPath, dependencyMap, durationOf, floorMinutes, GraphNode } from "../scripts/bench-critical-path";
import { billedInstanceType, idleMonthlyCost, PRICES } from "../scripts/bench-cost";
import { gpuLevers } from "../scripts/bench-gpu";
import { BenchResults, checkTargets, TARGETS } from "../scripts/bench-targets";
import { coldStartSeconds, warmStartSeconds } from "../components/shared/gpu-startup";
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

    it("holds a resource whose pods need a CPU node until the group is ready, even without the edge", () => {
        const g = [
            node("eks", "eks:index:Cluster", [], { custom: false, remote: true }),
            node("cpu", "aws:eks/nodeGroup:NodeGroup", ["eks"], { inputs: { amiType: "AL2023_x86_64_STANDARD" } }),
            node("gpu", "aws:eks/nodeGroup:NodeGroup", ["eks"], { inputs: { amiType: "AL2023_x86_64_NVIDIA" } }),
            // Created with the nodes: only its pod start (ADDON_POD_START_MINUTES) follows them.
            node("coredns", "aws:eks/addon:Addon", ["eks"], { inputs: { addonName: "coredns" } }),
            // A chart that does not wait for the group in the graph still needs all its time after it.
            node("kps", "kubernetes:helm.sh/v3:Release", ["eks"], { inputs: { chart: "kube-prometheus-stack" } }),
            // GPU-only charts and DaemonSet add-ons need no CPU node.
            node("dp", "kubernetes:helm.sh/v3:Release", ["eks"], { inputs: { chart: "nvidia-device-plugin" } }),
            node("cni", "aws:eks/addon:Addon", ["eks"], { inputs: { addonName: "vpc-cni" } }),
        ];
        const p = criticalPath(g);
        expect(p.minutes).toBe(14);
        expect(p.chain).toEqual([
            { type: "eks:index:Cluster", name: "eks", minutes: 10 },
            { type: "aws:eks/nodeGroup:NodeGroup", name: "cpu", minutes: 3 },
            { type: "kubernetes:helm.sh/v3:Release", name: "kps", minutes: 1 },
        ]);
        expect(criticalPath(g.filter((n) => n.name !== "kps")).minutes).toBe(13 + ADDON_POD_START_MINUTES);
        expect(podMinutes(g[5])).toBe(0);
        expect(podMinutes(g[6])).toBe(0);
    });

    it("with one CPU group per AZ (issue 19), holds such a resource until the slowest CPU group is ready, and ignores GPU groups", () => {
        const g = [
            node("eks", "eks:index:Cluster", [], { custom: false, remote: true }),
            node("cpu-1", "aws:eks/nodeGroup:NodeGroup", ["eks"], { inputs: { amiType: "AL2023_x86_64_STANDARD" } }),
            // A second AZ's group that happens to start later (behind a NAT gateway here).
            node("slow", "aws:ec2/natGateway:NatGateway", ["eks"]),
            node("cpu-2", "aws:eks/nodeGroup:NodeGroup", ["slow"], { inputs: { amiType: "AL2023_x86_64_STANDARD" } }),
            // Finishes last; kps must not wait for it (GPU groups start at zero on a fresh stack).
            node("gpu-1", "aws:eks/nodeGroup:NodeGroup", ["cpu-2"], { inputs: { amiType: "AL2023_x86_64_NVIDIA" } }),
            node("kps", "kubernetes:helm.sh/v3:Release", ["eks"], { inputs: { chart: "kube-prometheus-stack" } }),
        ];
        const p = criticalPath(g);
        expect(durationOf(g[2])).toBeGreaterThan(0);
        expect(p.chain.map((c) => c.name)).toEqual(["eks", "slow", "cpu-2", "gpu-1"]);
        const kps = criticalPath(g.filter((n) => n.name !== "gpu-1"));
        expect(kps.chain.map((c) => c.name)).toEqual(["eks", "slow", "cpu-2", "kps"]);
        // With the GPU group in the graph, kps still ends at cpu-2's finish plus its own minute.
        expect(p.minutes).toBe(kps.minutes + 3 - 1);
    });

    it("times JupyterHub by its pre-puller hook, which holds the install until every node pulled", () => {
        const hub = (values: any) => node("hub", "kubernetes:helm.sh/v3:Release", [], { inputs: { chart: "jupyterhub", values } });
        expect(durationOf(hub({}))).toBe(3);
        expect(durationOf(hub({ prePuller: { hook: { enabled: true } } }))).toBe(3);
        expect(durationOf(hub({ prePuller: { hook: { enabled: false } } }))).toBe(1.5);
    });

    it("makes a child wait for its component's dependsOn (the SDK awaits parent.urn)", () => {
        const g = [
            node("db", "aws:rds/instance:Instance"),
            node("comp", "mlplatform:index:X", ["db"], { custom: false }),
            node("child", "kubernetes:apps/v1:Deployment", [], { parent: "urn:comp" }),
        ];
        expect(criticalPath(g).chain.map((c) => c.name)).toEqual(["db", "child"]);
        expect(criticalPath(g).minutes).toBe(7);
    });

    it("refuses a cycle", () => {
        expect(() => criticalPath([node("a", "x:y:Z", ["b"]), node("b", "x:y:Z", ["a"])])).toThrow("dependency cycle");
    });

    it("charges a Job for the start of the Elasticsearch it depends on, after the nodes its pods need", () => {
        const g = [
            node("eks", "eks:index:Cluster", [], { custom: false, remote: true }),
            node("cpu", "aws:eks/nodeGroup:NodeGroup", ["eks"], { inputs: { amiType: "AL2023_x86_64_STANDARD" } }),
            node("es", "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", ["eks"]),
            node("ilm", "kubernetes:batch/v1:Job", ["es"]),
            node("kibana", "kubernetes:kibana.k8s.elastic.co/v1:Kibana", ["es"]),
        ];
        const p = criticalPath(g);
        // Nodes at 13, Elasticsearch answers 2 min later, the Job runs 0.5 min.
        expect(p.minutes).toBe(15.5);
        expect(p.chain).toEqual([
            { type: "eks:index:Cluster", name: "eks", minutes: 10 },
            { type: "aws:eks/nodeGroup:NodeGroup", name: "cpu", minutes: 3 },
            { type: "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", name: "es (ready)", minutes: 2 },
            { type: "kubernetes:batch/v1:Job", name: "ilm", minutes: 0.5 },
        ]);
        // Only Jobs wait for it to answer: another custom resource needs only the object.
        expect(criticalPath(g.filter((n) => n.name !== "ilm")).minutes).toBe(13);
    });

    it("does not let a node group finish before the CNI add-on its nodes need, even without the edge", () => {
        const g = [
            node("slow", "aws:ec2/natGateway:NatGateway"),
            node("slower", "aws:ec2/natGateway:NatGateway", ["slow"]),
            node("cni", "aws:eks/addon:Addon", ["slower"], { inputs: { addonName: "vpc-cni" } }),
            node("cpu", "aws:eks/nodeGroup:NodeGroup", [], { inputs: { amiType: "AL2023_x86_64_STANDARD" } }),
        ];
        // The CNI is ACTIVE at 5 min; the group alone would be done at 3.
        expect(criticalPath(g).minutes).toBe(5);
        expect(criticalPath(g.filter((n) => n.name !== "cni")).minutes).toBe(4);
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
        expect(durationOf(node("r", "kubernetes:helm.sh/v3:Release", [], { inputs: { chart: "kube-prometheus-stack" } }))).toBe(1);
        expect(durationOf(node("r", "kubernetes:helm.sh/v3:Release", [], { inputs: { chart: "jupyterhub" } }))).toBe(3);
        expect(durationOf(node("d", "aws:rds/instance:Instance", [], { inputs: { multiAz: true } }))).toBe(15);
        expect(durationOf(node("c", "mlplatform:index:X", [], { custom: false }))).toBe(0);
    });
});

describe("timings", () => {
    it("reports the median of the runs, not one noisy run", () => {
        expect(median([1300, 900, 1000])).toBe(1000);
        expect(median([1000, 1400])).toBe(1200);
        expect(() => median([])).toThrow("median of no values");
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

    it("bills a Spot group at its most expensive listed type (any pool may be picked) and an on-demand group at its first", () => {
        const ng = (types: string[], capacity: string) => node(`ng-${capacity}`, "aws:eks/nodeGroup:NodeGroup", [], {
            inputs: { scalingConfig: { desiredSize: 1 }, instanceTypes: types, capacityType: capacity, amiType: "AL2023_x86_64_STANDARD" },
        });
        const spot = idleMonthlyCost([ng(["m6a.xlarge", "m7i.xlarge", "m5.xlarge"], "SPOT")]);
        expect(spot.totalUsd).toBeCloseTo(0.2016 * PRICES.spotFraction * 730 + 20 * 0.08, 1);
        expect(spot.lines[0].item).toContain("m7i.xlarge SPOT");
        const onDemand = idleMonthlyCost([ng(["m6a.xlarge", "m7i.xlarge"], "ON_DEMAND")]);
        expect(onDemand.totalUsd).toBeCloseTo(0.1728 * 730 + 20 * 0.08, 1);
        expect(billedInstanceType(["m6a.xlarge"], "SPOT")).toBe("m6a.xlarge");
    });

    it("bills a node pool split into one group per AZ (issue 19) as one line, rounded once, the same as one group", () => {
        const ng = (name: string, desired: number) => node(name, "aws:eks/nodeGroup:NodeGroup", [], {
            inputs: { scalingConfig: { desiredSize: desired }, instanceTypes: ["m7i.xlarge"], capacityType: "ON_DEMAND", amiType: "AL2023_x86_64_STANDARD", labels: { "mlplatform.io/node-pool": "cpu" } },
        });
        const one = idleMonthlyCost([ng("cpu", 3)]);
        const split = idleMonthlyCost([ng("cpu-1", 1), ng("cpu-2", 1), ng("cpu-3", 1)]);
        expect(split.totalUsd).toBe(one.totalUsd);
        expect(split.lines).toEqual([{ item: "3 × m7i.xlarge ON_DEMAND (cpu-1, cpu-2, cpu-3) + root volumes", monthlyUsd: one.lines[0].monthlyUsd }]);
        // A group at zero adds nothing (the sandbox's second AZ).
        expect(idleMonthlyCost([ng("cpu-1", 1), ng("cpu-2", 0)]).lines.map((l) => l.item)).toEqual(["1 × m7i.xlarge ON_DEMAND (cpu-1) + root volumes"]);
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

    it("installs the layers' charts without waiting for the device plugin and autoscaler releases", () => {
        const records = allRecords();
        const deps = dependencyMap(records);
        const release = (chart: string) => records.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === chart)!;
        const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
            from === to || (!seen.has(from) && (seen.add(from), (deps.get(from) ?? []).some((d) => reaches(d, to, seen))));
        const storageClass = records.find((r) => r.type === "kubernetes:storage.k8s.io/v1:StorageClass")!;
        for (const chart of ["jupyterhub", "kube-prometheus-stack", "eck-operator"]) {
            for (const other of ["cluster-autoscaler", "nvidia-device-plugin"]) {
                expect(reaches(release(chart).urn, release(other).urn), `${chart} waits for ${other}`).toBe(false);
            }
            expect(reaches(release(chart).urn, storageClass.urn), `${chart} waits for the StorageClass`).toBe(true);
        }
    });

    it("times kube-prometheus-stack as a Deployment chart only while its values give helm --wait nothing slower to hold for", () => {
        // CHART_DURATIONS["kube-prometheus-stack"]: helm --wait checks the release's own Deployments,
        // DaemonSets, StatefulSets, PVCs and (with waitForJobs) Jobs. Admission-webhook patch Jobs or
        // a Grafana volume to bind would make the install longer than the 1 min it is timed at.
        const kps = allRecords().find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "kube-prometheus-stack")!;
        expect(kps.inputs.skipAwait ?? false).toBe(false);
        expect(kps.inputs.values.prometheusOperator.admissionWebhooks.enabled).toBe(false);
        expect(kps.inputs.values.grafana.persistence.enabled).toBe(false);
        expect(durationOf(kps as unknown as GraphNode)).toBe(1);
    });

    it("makes the ILM Job wait for Elasticsearch in the graph, so the model charges its start", () => {
        const records = allRecords();
        const es = records.find((r) => r.type === "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch")!;
        const ilm = records.find((r) => r.type === "kubernetes:batch/v1:Job" && r.name === "logging-ilm")!;
        expect(ilm.dependencies).toContain(es.urn);
    });

    it("costs nothing for GPUs while idle", () => {
        expect(idleMonthlyCost(allRecords()).gpuUsd).toBe(0);
    });
});

/** Results that meet every target; each test breaks one thing. */
function passing(): Record<string, any> & { stacks: Record<string, any>; gpuNotebookStart?: any; manyTeams?: any; testSuite?: any } {
    const stack = (usd: number) => ({
        resources: 10, evaluateMs: 500, peakRssMiB: 100, criticalPathMinutes: 16, floorMinutes: 13, ratioToFloor: 1.23,
        chain: [{ type: "eks:index:Cluster", name: "cluster-eks", minutes: 10 }, { type: "aws:eks/nodeGroup:NodeGroup", name: "cluster-cpu", minutes: 3 }],
        idleMonthlyUsd: usd, idleGpuMonthlyUsd: 0,
        costLines: [{ item: "EKS control plane cluster-eks", monthlyUsd: 73 }, { item: "2 × m7i.large SPOT (cluster-cpu) + root volumes", monthlyUsd: usd - 73 }],
    });
    return {
        generatedAt: "2026-11-27T00:00:00.000Z", node: "v22",
        stacks: { dev: stack(170), prod: stack(1000) },
        gpuNotebookStart: { coldP50Seconds: 200, coldP95Seconds: 330, warmP50Seconds: 20, warmP95Seconds: 28, startTimeoutSeconds: 420, coldWithoutPullMitigations: { p50: 400, p95: 600 } },
        manyTeams: { stack: "dev", teams: 50, resources: 900, evaluateMs: 2000, peakRssMiB: 300 },
        testSuite: { wallSeconds: 50, passed: true },
    };
}

describe("benchmark targets and exit", () => {
    it("meets every target with passing results", () => {
        expect(checkTargets(passing() as BenchResults)).toEqual([]);
    });

    it("prints the chain when the critical path misses 1.25x the floor", () => {
        const r = passing();
        r.stacks.prod = { ...r.stacks.prod, criticalPathMinutes: 18.5, ratioToFloor: 1.42 };
        const [miss, ...rest] = checkTargets(r as BenchResults);
        expect(rest).toEqual([]);
        expect(miss).toContain(`prod: fresh-stack critical path 18.5 min is 1.42× the 13-min floor (target <= ${TARGETS.maxRatioToFloor}×, 16.25 min)`);
        expect(miss).toContain("10 min  cluster-eks (eks:index:Cluster)");
        expect(miss).toContain("3 min  cluster-cpu (aws:eks/nodeGroup:NodeGroup)");
    });

    it("prints the cost lines, largest first, when an idle stack costs too much", () => {
        const r = passing();
        r.stacks.dev = { ...r.stacks.dev, idleMonthlyUsd: 237.26 };
        const misses = checkTargets(r as BenchResults);
        expect(misses).toHaveLength(1);
        expect(misses[0]).toMatch(/^dev: idle cost \$237\.26\/month exceeds \$180; the lines, largest first:\n {4}\$97\.00 {2}2 × m7i\.large SPOT/);
        expect(misses[0].indexOf("$97.00")).toBeLessThan(misses[0].indexOf("$73.00"));
    });

    it("names each GPU figure that misses, and a spawn timeout below the cold p95", () => {
        const r = passing();
        r.gpuNotebookStart = { ...r.gpuNotebookStart!, coldP50Seconds: 276, warmP95Seconds: 65, startTimeoutSeconds: 300, coldP95Seconds: 510 };
        const [miss] = checkTargets(r as BenchResults);
        expect(miss).toContain("cold p50 276 s > 240 s; cold p95 510 s > 360 s; warm p95 65 s > 30 s; spawn timeout 300 s < cold p95 510 s");
        expect(miss).toContain("imagePull");
    });

    it("says what the GPU targets would take, from the shared model: the largest image that meets them, and an unreachable warm target", () => {
        const levers = gpuLevers(TARGETS.gpu);
        const gib = Number(/at most (\d+(?:\.\d+)?) GiB unpacked/.exec(levers[0])![1]);
        const at = coldStartSeconds({ imageUnpackedGiB: gib });
        expect(at.p50 <= TARGETS.gpu.coldP50Seconds && at.p95 <= TARGETS.gpu.coldP95Seconds).toBe(true);
        expect(coldStartSeconds({ imageUnpackedGiB: gib + 0.2 }).p95).toBeGreaterThan(TARGETS.gpu.coldP95Seconds);
        expect(levers[1]).toContain(`warm: p95 ${warmStartSeconds().p95} s`);
        // A target the model meets produces no lever line for it.
        expect(gpuLevers({ coldP50Seconds: 3600, coldP95Seconds: 3600, warmP95Seconds: 3600 })[1]).toBeUndefined();
    });

    it("fails on idle GPU spend in the sandbox, slow evaluation, a slow or failed suite", () => {
        const r = passing();
        r.stacks.dev = { ...r.stacks.dev, idleGpuMonthlyUsd: 5, evaluateMs: 1500 };
        r.manyTeams = { ...r.manyTeams!, evaluateMs: 3500 };
        r.testSuite = { wallSeconds: 90, passed: true };
        expect(checkTargets(r as BenchResults)).toEqual([
            "dev: the sandbox pays $5 a month for idle GPUs; it must be 0",
            "dev: evaluation under mocks took 1500 ms (target < 1000 ms)",
            "dev with 50 teams: evaluation took 3500 ms (target < 3000 ms)",
            "the test suite took 90 s (target < 60 s)",
        ]);
        r.testSuite = { wallSeconds: 10, passed: false };
        expect(checkTargets(r as BenchResults)).toContain("the test suite failed");
    });

    it("writes results.json and the README only with --write", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
        const readme = "# x\n<!-- bench:start -->\nold\n<!-- bench:end -->\n";
        fs.writeFileSync(path.join(root, "README.md"), readme);
        let printed = "";
        const r = passing();
        r.stacks.dev = { ...r.stacks.dev, idleMonthlyUsd: 237.26 };
        const misses = publish(r, parseArgs([]).write, root, (t) => { printed += t; });
        expect(misses).toHaveLength(1);
        expect(fs.existsSync(path.join(root, "bench", "results.json"))).toBe(false);
        expect(fs.readFileSync(path.join(root, "README.md"), "utf8")).toBe(readme);
        expect(printed).toContain("| `dev` |");
        publish(r, parseArgs(["--write", "--no-tests"]).write, root, () => undefined);
        expect(JSON.parse(fs.readFileSync(path.join(root, "bench", "results.json"), "utf8")).stacks.dev.idleMonthlyUsd).toBe(237.26);
        expect(fs.readFileSync(path.join(root, "README.md"), "utf8")).toContain("$237.26");
        fs.rmSync(root, { recursive: true });
    });

    it("refuses an unknown argument, naming the valid ones", () => {
        expect(() => parseArgs(["--wirte"])).toThrow("unknown argument(s) --wirte; valid: --write, --no-tests");
        expect(parseArgs(["--no-tests"])).toEqual({ write: false, tests: false });
    });
});
