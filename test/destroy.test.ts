/**
 * Clean destroy (design.md, "Destroy without leftovers"), checked on the recorded dependency graph
 * of every stack file: each object that makes EBS volumes reaches the EBS CSI add-on, no sandbox
 * has a load balancer, production's load balancers reach their controller, sandbox state never
 * blocks destroy, production data is protected. The walk is generic, so each layer the program
 * adds is covered as soon as index.ts builds it.
 */
import * as fs from "fs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { Env } from "../policy/checks";
import { D, destroyFindings, destroyProblems, GraphRes, makesLoadBalancer, makesVolumes, providerUrn, reachableFrom } from "../policy/destroy";
import { VOLUME_DRAIN_ROLE, waitForVolumesGone } from "../components/cluster/volume-drain";
import { allRecords, ResourceRecord, resetRecords } from "./mocks";
import { loadStack, PROD_SECRETS, ROOT, stackConfig } from "./stack";

const STACKS = fs.readdirSync(ROOT).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => s !== undefined).sort();
const envOf = (stack: string): Env => (stackConfig(stack)["mlplatform:preset"] === "production" ? "production" : "sandbox");

// One program evaluation per stack file; the module registry is reset in between so index.ts runs
// again with the next stack's config (the recorder and the Pulumi runtime stay the same).
const recorded = new Map<string, ResourceRecord[]>();
beforeAll(async () => {
    for (const stack of STACKS) {
        resetRecords();
        vi.resetModules();
        const secrets = envOf(stack) === "production" ? PROD_SECRETS : {};
        await loadStack(stack, secrets, Object.keys(secrets));
        recorded.set(stack, allRecords());
    }
}, 180_000);

describe("the walk itself (synthetic graphs)", () => {
    const node = (name: string, type: string, extra: Partial<GraphRes> = {}): GraphRes => ({
        urn: `urn:pulumi:t::p::${type}::${name}`, type, name, inputs: {}, parent: "", dependencies: [], provider: "", ...extra,
    });
    const csi = node("csi", D.addon, { inputs: { addonName: "aws-ebs-csi-driver" } });
    const provider = (deps: string[]) => node("k8s", "pulumi:providers:kubernetes", { dependencies: deps });
    const pvc = (extra: Partial<GraphRes> = {}) => node("data", D.pvc, { provider: `${provider([]).urn}::k8s-id`, ...extra });

    it("reads the provider URN out of an `urn::id` reference", () => {
        expect(providerUrn("urn:pulumi:dev::mlplatform::pulumi:providers:kubernetes::k8s::04da6b54-80e4-46f7-96ec-b56ff0331ba9"))
            .toBe("urn:pulumi:dev::mlplatform::pulumi:providers:kubernetes::k8s");
    });

    it("accepts a PVC whose provider waits for the EBS CSI add-on", () => {
        expect(destroyProblems([csi, provider([csi.urn!]), pvc()], "sandbox")).toEqual([]);
    });

    it("fails a PVC whose provider does not depend on the EBS CSI add-on", () => {
        expect(destroyProblems([csi, provider([]), pvc()], "sandbox")).toEqual([
            `${D.pvc} data makes EBS volumes but does not depend on the EBS CSI add-on: destroy could remove the driver first and leak the volumes`,
        ]);
    });

    it("follows parents and property dependencies transitively", () => {
        const component = node("tracking", "mlplatform:index:Tracking", { dependencies: [csi.urn!] });
        expect(destroyProblems([csi, provider([]), component, pvc({ parent: component.urn })], "sandbox")).toEqual([]);
        expect(destroyProblems([csi, provider([]), pvc({ propertyDependencies: { spec: [csi.urn!] } })], "sandbox")).toEqual([]);
        const middle = node("mid", "aws:iam/role:Role", { dependencies: [csi.urn!] });
        expect(reachableFrom(pvc({ dependencies: [middle.urn!] }), new Map([[middle.urn!, middle]]))).toContain(csi.urn);
    });

    it("recognises every kind of volume maker, and nothing else", () => {
        const make = (type: string, inputs: object) => makesVolumes(node("x", type, { inputs }));
        expect(make(D.pvc, {})).toBeDefined();
        expect(make(D.statefulSet, { spec: { volumeClaimTemplates: [{}] } })).toBeDefined();
        expect(make(D.statefulSet, { spec: {} })).toBeUndefined();
        expect(make(D.elasticsearch, {})).toBeDefined();
        expect(make(D.release, { chart: "kube-prometheus-stack", values: { prometheus: { prometheusSpec: { storageSpec: { volumeClaimTemplate: {} } } } } })).toBeDefined();
        expect(make(D.release, { chart: "jupyterhub", values: {} })).toMatch(/JupyterHub/);
        expect(make(D.release, { chart: "jupyterhub", values: { singleuser: { storage: { type: "none" } }, hub: { db: { type: "sqlite-memory" } } } })).toBeUndefined();
        expect(make(D.release, { chart: "cluster-autoscaler", values: {} })).toBeUndefined();
    });

    it("recognises every kind of load-balancer maker, JupyterHub's default proxy included", () => {
        const make = (type: string, inputs: object) => makesLoadBalancer(node("x", type, { inputs }));
        expect(make(D.service, { spec: { type: "LoadBalancer" } })).toBeDefined();
        expect(make(D.service, { spec: { type: "ClusterIP" } })).toBeUndefined();
        expect(make(D.ingress, {})).toBeDefined();
        expect(make(D.release, { chart: "jupyterhub", values: {} })).toMatch(/proxy/);
        expect(make(D.release, { chart: "jupyterhub", values: { proxy: { service: { type: "ClusterIP" } } } })).toBeUndefined();
        expect(make(D.release, { chart: "x", values: { server: { ingress: { enabled: true } } } })).toBeDefined();
        // Key order must not matter (z2jh's ingress block has annotations before enabled).
        expect(make(D.release, { chart: "jupyterhub", values: { proxy: { service: { type: "ClusterIP" } }, ingress: { annotations: { a: "b" }, enabled: true } } })).toMatch(/Ingress/);
        expect(make(D.release, { chart: "x", values: { ingress: { annotations: { a: "b" }, enabled: false } } })).toBeUndefined();
    });

    it("fails any load balancer in a sandbox, and one without its controller in production", () => {
        const lb = node("web", D.service, { inputs: { spec: { type: "LoadBalancer" } } });
        expect(destroyProblems([lb], "sandbox")[0]).toMatch(/makes a load balancer in a sandbox/);
        expect(destroyProblems([lb], "production")[0]).toMatch(/does not depend on a load-balancer controller/);
        const ctrl = node("lbc", D.release, { inputs: { chart: "aws-load-balancer-controller" } });
        expect(destroyProblems([ctrl, lb], "production")[0]).toMatch(/does not depend on a load-balancer controller/);
        expect(destroyProblems([ctrl, { ...lb, dependencies: [ctrl.urn!] }], "production")).toEqual([]);
    });

    it("fails sandbox state that refuses deletion, and unprotected production data", () => {
        const db = node("db", D.rdsInstance, { inputs: { deletionProtection: false, skipFinalSnapshot: false } });
        const bucket = node("b", D.bucket, { inputs: {} });
        expect(destroyProblems([db, bucket], "sandbox")).toEqual([
            "db: a sandbox database must skip the final snapshot and have no deletion protection",
            "b: a sandbox bucket must be forceDestroy, or destroy fails on its objects",
        ]);
        expect(destroyProblems([db, bucket], "production")).toEqual([
            `${D.rdsInstance} db holds production data but is not protected`,
            "db: skipFinalSnapshot false without finalSnapshotIdentifier makes delete fail",
            `${D.bucket} b holds production data but is not protected`,
        ]);
        expect(destroyProblems([{ ...db, protect: true }], "sandbox")).toContain(`${D.rdsInstance} db is protected in a sandbox`);
        expect(destroyProblems([db], "sandbox", new Set([db.urn!]))).toContain(`${D.rdsInstance} db is protected in a sandbox`);
        expect(destroyProblems([{ ...bucket, retainOnDelete: true, inputs: { forceDestroy: true } }], "sandbox")).toEqual([
            `${D.bucket} b is retained on delete in a sandbox, so destroy leaves it behind`,
        ]);
        // A retained Patch keeps only its field ownership; the patched object goes with its owner.
        expect(destroyProblems([node("pvc-grow", "kubernetes:core/v1:PersistentVolumeClaimPatch", { retainOnDelete: true })], "sandbox")).toEqual([]);
        const cluster = node("eks", D.eksCluster, { inputs: { deletionProtection: true } });
        expect(destroyProblems([cluster], "sandbox")).toEqual(["eks: deletion protection on a sandbox cluster blocks destroy"]);
        const compliantDb = { ...db, protect: true, inputs: { deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "final" } };
        expect(destroyProblems([compliantDb, { ...bucket, protect: true }], "production")).toEqual([]);
        expect(destroyProblems([{ ...bucket, protect: true, inputs: { forceDestroy: true } }], "production")).toEqual(["b: forceDestroy would delete production data with the bucket"]);
    });
});

describe.each(STACKS)("stack %s destroys cleanly", (stack) => {
    const records = () => recorded.get(stack)!;
    const env = envOf(stack);

    it("was evaluated on its own (every URN names this stack)", () => {
        expect(records().length).toBeGreaterThan(50);
        expect(records().filter((r) => !r.urn.startsWith(`urn:pulumi:${stack}::mlplatform::`))).toEqual([]);
    });

    it("has no destroy problem for its preset", () => {
        expect(destroyProblems(records(), env)).toEqual([]);
    });

    it("reaches the EBS CSI add-on from every volume maker, through the Kubernetes provider", () => {
        const byUrn = new Map(records().map((r) => [r.urn, r]));
        const csi = records().filter((r) => r.type === D.addon && r.inputs.addonName === "aws-ebs-csi-driver");
        expect(csi).toHaveLength(1);
        const makers = records().filter((r) => makesVolumes(r) !== undefined);
        // Monitoring's Prometheus and Alertmanager claim volumes today; later layers add more.
        expect(makers.length).toBeGreaterThan(0);
        for (const m of makers) {
            expect(reachableFrom(m, byUrn).has(csi[0].urn), `${m.type} ${m.name}`).toBe(true);
        }
        const provider = records().find((r) => r.type === "pulumi:providers:kubernetes")!;
        expect(provider.dependencies).toContain(csi[0].urn);
    });

    if (env === "sandbox") {
        it("declares no LoadBalancer Service, Ingress, protected or retained resource", () => {
            expect(records().filter((r) => makesLoadBalancer(r) !== undefined).map((r) => r.name)).toEqual([]);
            // Patches are exempt: retaining one keeps nothing (see policy/destroy.ts).
            expect(records().filter((r) => r.protect || (r.retainOnDelete && !r.type.endsWith("Patch"))).map((r) => r.name)).toEqual([]);
        });
    } else {
        it("protects every production data store it declares", () => {
            const data = records().filter((r) => [D.rdsInstance, D.rdsCluster, D.bucket, D.bucketV2, D.elasticsearch].includes(r.type as never));
            expect(data.filter((r) => !r.protect).map((r) => r.name)).toEqual([]);
        });
    }

    if (env === "sandbox") {
        // DESTROY-04: delete order is the reverse of the dependency walk. Every volume maker reaches
        // the drain (deleted before it), the drain reaches the EBS CSI add-on and the CPU nodes (deleted
        // after its wait), and the drain does not reach any volume maker (no cycle to break).
        it("orders the volume drain between every volume maker and the EBS CSI add-on and nodes", () => {
            const byUrn = new Map(records().map((r) => [r.urn, r]));
            const drains = records().filter((r) => r.inputs.role === VOLUME_DRAIN_ROLE);
            expect(drains.map((d) => d.inputs.storageClassName)).toEqual(["gp3"]);
            const drain = drains[0];
            const csi = records().find((r) => r.type === D.addon && r.inputs.addonName === "aws-ebs-csi-driver")!;
            // One CPU group per AZ (issue 19): the drain waits before every one of them goes.
            const cpus = records().filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup" && r.inputs.labels?.["mlplatform.io/node-pool"] === "cpu");
            expect(cpus.map((g) => g.name)).toEqual(["cluster-cpu-1", "cluster-cpu-2"]);
            const fromDrain = reachableFrom(drain, byUrn);
            expect(fromDrain.has(csi.urn)).toBe(true);
            for (const cpu of cpus) {
                expect(fromDrain.has(cpu.urn), cpu.name).toBe(true);
            }
            const makers = records().filter((r) => makesVolumes(r) !== undefined);
            for (const m of makers) {
                expect(reachableFrom(m, byUrn).has(drain.urn), `${m.type} ${m.name}`).toBe(true);
                expect(fromDrain.has(m.urn), `${m.type} ${m.name}`).toBe(false);
            }
        });

        it("deletes every Kubernetes object before any CPU group (one per AZ), so no pod outlives the nodes of its AZ", () => {
            const byUrn = new Map(records().map((r) => [r.urn, r]));
            const cpus = records().filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup" && r.inputs.labels?.["mlplatform.io/node-pool"] === "cpu");
            expect(cpus.length).toBe(2);
            const k8s = records().filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:"));
            expect(k8s.length).toBeGreaterThan(50);
            for (const r of k8s) {
                const reached = reachableFrom(r, byUrn);
                expect(cpus.filter((g) => !reached.has(g.urn)).map((g) => g.name), `${r.type} ${r.name}`).toEqual([]);
            }
        });

        it("fails DESTROY-04 without the drain, or with the provider not waiting on it (mutated graphs)", () => {
            const drain = records().find((r) => r.inputs.role === VOLUME_DRAIN_ROLE)!;
            const without = records().filter((r) => r !== drain);
            expect(destroyFindings(without, env).filter((p) => p.id === "DESTROY-04").map((p) => p.resource.type)).toEqual([D.storageClass]);
            const detached = records().map((r) => (r.type === "pulumi:providers:kubernetes" ? { ...r, dependencies: r.dependencies.filter((u) => u !== drain.urn) } : r));
            expect(destroyFindings(detached, env).filter((p) => p.id === "DESTROY-04").length).toBe(records().filter((r) => makesVolumes(r) !== undefined).length);
            const early = records().map((r) => (r === drain ? { ...r, dependencies: [] } : r));
            expect(destroyFindings(early, env).filter((p) => p.id === "DESTROY-04").map((p) => p.resource.name)).toEqual([drain.name]);
        });
    }

    it("fails once a volume maker loses its path to the driver (mutated graph)", () => {
        // Cut the provider's dependencies: every Kubernetes object then may outlive the driver.
        const cut = records().map((r) => (r.type === "pulumi:providers:kubernetes" ? { ...r, dependencies: [] } : r));
        const found = destroyFindings(cut, env).filter((p) => p.id === "DESTROY-01");
        expect(found.length).toBe(records().filter((r) => makesVolumes(r) !== undefined).length);
    });
});

describe("the volume drain's wait (DESTROY-04)", () => {
    const clock = () => {
        let t = 0;
        return { now: () => t, sleep: async (ms: number) => { t += ms; } };
    };

    it("polls until no Delete-policy PV of its StorageClass remains; Retain PVs and other classes are not waited for", async () => {
        const lists = [
            [{ name: "pv-a", storageClassName: "gp3", reclaimPolicy: "Delete", phase: "Released" }, { name: "pv-kept", storageClassName: "gp3", reclaimPolicy: "Retain" }],
            [{ name: "pv-a", storageClassName: "gp3", reclaimPolicy: "Delete", phase: "Released" }, { name: "pv-other", storageClassName: "io2", reclaimPolicy: "Delete" }],
            [{ name: "pv-kept", storageClassName: "gp3", reclaimPolicy: "Retain" }],
        ];
        let calls = 0;
        await waitForVolumesGone(async () => lists[Math.min(calls++, lists.length - 1)], "gp3", { timeoutMs: 60_000, intervalMs: 10_000, ...clock() });
        expect(calls).toBe(3);
    });

    it("fails the destroy after the timeout, naming the PVs left", async () => {
        const left = [{ name: "pvc-1234", storageClassName: "gp3", reclaimPolicy: "Delete", phase: "Bound" }];
        await expect(waitForVolumesGone(async () => left, "gp3", { timeoutMs: 30_000, intervalMs: 10_000, ...clock() }))
            .rejects.toThrow(/1 PersistentVolume\(s\) of StorageClass gp3 still exist after 30s: pvc-1234 \(Bound\)/);
    });
});
