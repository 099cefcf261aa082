/**
 * Assertions every stack file must pass: the program evaluates, every Kubernetes object is
 * schema-valid, the security checklist holds for the stack's preset, every resource has a parent
 * component, and no image or chart is unpinned.
 */
import { expect, it } from "vitest";
import { runChecks } from "../policy/all-checks";
import { Env } from "../policy/checks";
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
}
