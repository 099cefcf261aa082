/**
 * Test files share a worker (`isolate: false` in vitest.config.mts); test/setup.ts must still start
 * each file as a fresh process would. These tests dirty the shared state and check the reset.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { allRecords, hasMockState, registerMockState, resetHarness, settle } from "./mocks";

describe("test harness between files of one worker", () => {
    it("resetHarness leaves no record, no canned state and no stack config behind", async () => {
        pulumi.runtime.setAllConfig({ "mlplatform:teams": "[]" }, []);
        registerMockState("kubernetes:core/v1:Namespace", () => ({}));
        new k8s.core.v1.Namespace("dirty", {});
        await settle();
        expect(allRecords().map((r) => r.name)).toContain("dirty");
        expect(new pulumi.Config("mlplatform").get("teams")).toBe("[]");

        resetHarness();
        expect(allRecords()).toEqual([]);
        expect(hasMockState("kubernetes:core/v1:Namespace")).toBe(false);
        expect(new pulumi.Config("mlplatform").get("teams")).toBeUndefined();
    });

    it("every instance of test/mocks.ts (one per file after vi.resetModules) reads and resets the same records", async () => {
        new k8s.core.v1.Namespace("seen-by-all", {});
        await settle();
        vi.resetModules();
        const fresh = await import("./mocks");
        expect(fresh.allRecords().map((r) => r.name)).toContain("seen-by-all");
        fresh.resetRecords();
        expect(allRecords()).toEqual([]);
    });

    it("a file's import of the program after vi.resetModules runs it again (setup.ts resets the module graph per file)", async () => {
        const a = await import("../components/shared/labels");
        vi.resetModules();
        const b = await import("../components/shared/labels");
        expect(b).not.toBe(a);
    });
});
