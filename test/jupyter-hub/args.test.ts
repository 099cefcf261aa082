import { describe, expect, it } from "vitest";
import { JupyterHub } from "../../components/jupyter-hub";
import { resolveJupyterHubArgs } from "../../components/jupyter-hub/args";
import { NOTEBOOK_VERSIONS } from "../../components/shared/versions";
import { allRecords, resetRecords } from "../mocks";
import { SANDBOX } from "./fixtures";

/** The component's own arguments (no config key sets them); the keys' rules are in settings.test.ts. */
describe("resolveJupyterHubArgs", () => {
    it("applies the documented defaults and fills each profile's image, GPU count and default flag", () => {
        const a = resolveJupyterHubArgs(SANDBOX);
        expect(a.hubStorageGiB).toBe(1);
        expect(a.storageClassName).toBe("gp3");
        expect(a.cpuImage).toBe(NOTEBOOK_VERSIONS.cpuImage);
        expect(a.gpuImage).toBe(NOTEBOOK_VERSIONS.gpuImage);
        expect(a.profiles.map((p) => [p.slug, p.cpuGuarantee, p.cpuLimit, p.memoryGuarantee, p.memoryLimit, p.gpus, p.image, p.default])).toEqual([
            ["small-cpu", 1, 1, "4Gi", "4Gi", 0, NOTEBOOK_VERSIONS.cpuImage, true],
            ["large-cpu", 3, 4, "12Gi", "16Gi", 0, NOTEBOOK_VERSIONS.cpuImage, false],
            ["gpu", 3, 4, "12Gi", "16Gi", 1, NOTEBOOK_VERSIONS.gpuImage, false],
        ]);
        const own = resolveJupyterHubArgs({ ...SANDBOX, cpuImage: "example.com/cpu:1", gpuImage: "example.com/gpu:2", profiles: [{ ...SANDBOX.profiles[2], image: "example.com/other:3" }, SANDBOX.profiles[2], SANDBOX.profiles[0]] });
        expect(own.profiles.map((p) => p.image)).toEqual(["example.com/other:3", "example.com/gpu:2", "example.com/cpu:1"]);
    });

    it.each<[string, Partial<typeof SANDBOX>, string]>([
        ["hub storage", { hubStorageGiB: 1.5 }, "hubStorageGiB (1.5) must be a whole number from 1 to 100"],
        ["latest image", { cpuImage: "quay.io/jupyter/scipy-notebook:latest" }, "cpuImage (quay.io/jupyter/scipy-notebook:latest) must be name:tag with a pinned tag (not latest)"],
        ["untagged image", { gpuImage: "quay.io/jupyter/pytorch-notebook" }, "gpuImage (quay.io/jupyter/pytorch-notebook) must be name:tag with a pinned tag (not latest)"],
    ])("rejects %s", (_, args, message) => {
        expect(() => resolveJupyterHubArgs({ ...SANDBOX, ...args })).toThrow(message);
    });

    it("throws before registering any resource", () => {
        resetRecords();
        expect(() => new JupyterHub("bad", { ...SANDBOX, hubStorageGiB: 0 })).toThrow("hubStorageGiB");
        expect(allRecords().filter((r) => r.type !== "mlplatform:index:JupyterHub")).toHaveLength(0);
    });
});
