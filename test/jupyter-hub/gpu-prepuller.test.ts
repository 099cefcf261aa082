import { describe, expect, it } from "vitest";
import { DEFAULT_PROFILES } from "../../components/jupyter-hub/settings";
import { NOTEBOOK_VERSIONS } from "../../components/shared/versions";
import { WORKLOAD_CHECKS } from "../../policy/checks-workloads";
import { invalidObjects } from "../k8s-schema";
import { allRecords, byType, one } from "../mocks";
import { asRes, build, SANDBOX } from "./fixtures";

describe("GPU image pre-puller", () => {
    it("pre-pulls the GPU profiles' images on GPU nodes only, from the moment a node joins, without a GPU", async () => {
        await build({ ...SANDBOX, profiles: [...DEFAULT_PROFILES, { ...DEFAULT_PROFILES[2], slug: "gpu-custom", image: "example.com/gpu:1.0" }] });
        const ds = one("kubernetes:apps/v1:DaemonSet", "jh-gpu-prepuller");
        const spec = ds.inputs.spec.template.spec;
        expect(ds.inputs.metadata).toMatchObject({ name: "gpu-image-prepuller", namespace: "jupyterhub" });
        expect(spec.nodeSelector).toEqual({ "nvidia.com/gpu.present": "true" });
        expect(spec.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        expect(spec.initContainers.map((c: any) => c.image)).toEqual([NOTEBOOK_VERSIONS.gpuImage, "example.com/gpu:1.0"]);
        // Scheduled before the device plugin advertises GPUs: it asks for none, and sees none.
        for (const c of [...spec.initContainers, ...spec.containers]) {
            expect(JSON.stringify(c.resources)).not.toContain("nvidia.com/gpu");
        }
        expect(spec.initContainers.every((c: any) => c.env.some((e: any) => e.name === "NVIDIA_VISIBLE_DEVICES" && e.value === "void"))).toBe(true);
        expect(spec.containers.map((c: any) => c.image)).toEqual([NOTEBOOK_VERSIONS.pauseImage]);
        expect(spec.automountServiceAccountToken).toBe(false);
        expect(await invalidObjects(allRecords())).toEqual([]);
        const violations = WORKLOAD_CHECKS.flatMap((c) => c.evaluate(asRes(allRecords()), "sandbox"));
        expect(violations).toEqual([]);
    });

    it("creates no pre-puller when no profile asks for a GPU", async () => {
        await build({ ...SANDBOX, profiles: [DEFAULT_PROFILES[0]] });
        expect(byType("kubernetes:apps/v1:DaemonSet")).toEqual([]);
    });
});
