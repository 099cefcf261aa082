/**
 * Test files share a worker (`isolate: false` in vitest.config.mts); test/setup.ts must still start
 * each file as a fresh process would. These tests dirty the shared state and check the reset.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { allRecords, buildComponentOnce, hasMockState, registerMockState, resetHarness, settle } from "./mocks";

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

    it("the SDK's promises keep their context and leak bookkeeping; only the leak report's frames are dropped (test/setup.ts)", async () => {
        const debuggable = require("@pulumi/pulumi/runtime/debuggable");
        const limit = Error.stackTraceLimit;
        const p: Promise<number> & { _debugId?: number } = Promise.resolve(42);
        const tracked = debuggable.debuggablePromise(p, "resolveURN(harness)");
        expect(typeof p._debugId).toBe("number");
        const report: string = debuggable.promiseDebugString(p);
        expect(report).toMatch(/^CONTEXT\(\d+\): resolveURN\(harness\)\nSTACK_TRACE:\nError/);
        expect(report).not.toContain("\n    at ");
        expect(await tracked).toBe(42);
        const failing = Promise.reject(new Error("boom"));
        const error = await debuggable.debuggablePromise(failing, "failing").catch((e: any) => e);
        expect(error.message).toBe("boom");
        expect(error.promise).toBe(failing);
        // Every other error keeps its frames.
        expect(Error.stackTraceLimit).toBe(limit);
        expect(new Error("mine").stack).toMatch(/harness-isolation\.test\.ts:\d+/);
    });

    it("the SDK still reads the source position of a resource from its stack (Resource.callsites, test/setup.ts)", () => {
        const frames: { file?: string; line?: number }[] = (pulumi.Resource as any).callsites();
        expect(frames[0]).toMatchObject({ file: expect.stringMatching(/@pulumi[\\/]pulumi[\\/]resource\.js$/), line: expect.any(Number) });
    });

    describe("buildComponentOnce (one build per file and key)", () => {
        class Box extends pulumi.ComponentResource {
            constructor(name: string, args: { size: number; secret?: pulumi.Output<string> }) {
                super("mlplatform:index:Box", name);
                new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { labels: { size: String(args.size) } } }, { parent: this });
                this.registerOutputs({});
            }
        }
        let made = 0;
        const box = (args: { size: number; secret?: pulumi.Output<string> }) => buildComponentOnce(["box", args], () => (made++, new Box("box", args)));

        it("an equal key gives the same component and the same records without building again", async () => {
            const args = { size: 1 };
            const first = await box(args);
            const recorded = allRecords();
            expect(recorded.map((r) => r.name)).toEqual(["box", "box-ns"]);
            const again = await box({ size: 1 });
            expect(again).toBe(first);
            expect(allRecords()).toEqual(recorded);
            expect(made).toBe(1);
        });

        it("freezes the records: a test cannot change what the next one reads", async () => {
            await box({ size: 1 });
            const ns = allRecords().find((r) => r.name === "box-ns")!;
            expect(() => { ns.inputs.metadata.labels.size = "2"; }).toThrow(TypeError);
            expect(ns.inputs.metadata.labels.size).toBe("1");
        });

        it("builds again for a changed key: another value, an args object changed in place, another Output", async () => {
            const args = { size: 3 };
            await box(args);
            args.size = 4;
            await box(args);
            expect(allRecords().find((r) => r.name === "box-ns")!.inputs.metadata.labels.size).toBe("4");
            await box({ size: 4, secret: pulumi.secret("a") });
            await box({ size: 4, secret: pulumi.secret("a") });
            expect(made).toBe(5);
        });

        it("keeps nothing across files (test/setup.ts gives each file a fresh test/mocks.ts)", async () => {
            await box({ size: 1 });
            expect(made).toBe(5);
            vi.resetModules();
            const fresh = await import("./mocks");
            await fresh.buildComponentOnce(["box", { size: 1 }], () => (made++, new Box("box", { size: 1 })));
            expect(made).toBe(6);
        });
    });
});
