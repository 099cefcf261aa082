/** The day-2 classifier itself: replace triggers, ignoreChanges and unknown types. */
import { describe, expect, it } from "vitest";
import { ResourceRecord } from "../mocks";
import { changedPaths, classify, summary, under } from "./harness";

const rec = (type: string, name: string, inputs: Record<string, unknown>, extra: Partial<ResourceRecord> = {}): ResourceRecord => ({
    urn: `urn:${type}::${name}`, type, name, inputs, custom: true, parent: "", dependencies: [], propertyDependencies: {}, provider: "", providers: {},
    protect: false, retainOnDelete: false, deletedWith: "", ignoreChanges: [], deleteBeforeReplace: false, replaceOnChanges: [], remote: false, secretPaths: [], customTimeouts: { create: "", update: "", delete: "" }, aliases: [], ...extra,
});
const NG = "aws:eks/nodeGroup:NodeGroup";

describe("day-2 classifier", () => {
    it("lists changed leaf paths and matches rules by prefix with * wildcards", () => {
        expect(changedPaths({ a: { b: 1, c: [1, 2] } }, { a: { b: 2, c: [1, 3] } })).toEqual(["a.b", "a.c.1"]);
        expect(under("spec.nodeSets.0.name", "spec.nodeSets.*.name")).toBe(true);
        expect(under("instanceTypesX", "instanceTypes")).toBe(false);
    });

    it("replaces on a ForceNew input, updates otherwise, and ignores ignoreChanges paths as the engine does", () => {
        const before = [rec(NG, "cpu", { instanceTypes: ["m5.large"], scalingConfig: { desiredSize: 2, maxSize: 4 } }, { ignoreChanges: ["scalingConfig.desiredSize"] })];
        const bigger = [rec(NG, "cpu", { instanceTypes: ["m5.xlarge"], scalingConfig: { desiredSize: 2, maxSize: 4 } }, { ignoreChanges: ["scalingConfig.desiredSize"] })];
        const resized = [rec(NG, "cpu", { instanceTypes: ["m5.large"], scalingConfig: { desiredSize: 3, maxSize: 6 } }, { ignoreChanges: ["scalingConfig.desiredSize"] })];
        expect(classify(before, bigger)[0]).toMatchObject({ outcome: "replaced", replacedBy: ["instanceTypes.0"] });
        expect(classify(before, resized)[0]).toMatchObject({ outcome: "updated", paths: ["scalingConfig.maxSize"] });
    });

    it("reports operator recreates, created and deleted resources", () => {
        const rel = (gib: string) => rec("kubernetes:helm.sh/v3:Release", "kps", { values: { prometheus: { prometheusSpec: { storageSpec: { volumeClaimTemplate: { spec: { resources: { requests: { storage: gib } } } } } } } } });
        expect(classify([rel("10Gi")], [rel("20Gi")])[0].operatorRecreates).toHaveLength(1);
        expect(classify([rec(NG, "a", {})], [rec(NG, "b", {})]).map((c) => `${c.outcome} ${c.name}`)).toEqual(["created b", "deleted a"]);
    });

    it("treats a rename with an alias as the same resource, as Pulumi does, not a create and a delete", () => {
        const role = (name: string, aliases: string[] = []) => rec("kubernetes:rbac.authorization.k8s.io/v1:Role", name, { metadata: { name: "kps-operator", namespace: "mlflow" } }, { aliases });
        expect(summary(classify([role("mon-0")], [role("mon-mlflow", ["mon-0"])]))).toEqual([]);
        expect(summary(classify([role("mon-0")], [role("mon-mlflow")]))).toEqual([
            "created kubernetes:rbac.authorization.k8s.io/v1:Role mon-mlflow",
            "deleted kubernetes:rbac.authorization.k8s.io/v1:Role mon-0",
        ]);
    });

    it("refuses a resource type without replace triggers", () => {
        expect(() => classify([], [rec("aws:foo/bar:Bar", "x", {})])).toThrow("aws:foo/bar:Bar (x) has no entry in REPLACE_TRIGGERS");
    });
});
