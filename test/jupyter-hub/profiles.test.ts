import { describe, expect, it } from "vitest";
import { DEFAULT_PROFILES } from "../../components/jupyter-hub/settings";
import { GPU_TOLERATION } from "../../components/shared/gpu";
import { coldStartSeconds, gpuStartTimeoutSeconds, gpuStartupStages } from "../../components/shared/gpu-startup";
import { NOTEBOOK_VERSIONS } from "../../components/shared/versions";
import { build, PRODUCTION, SANDBOX, values } from "./fixtures";

describe("profiles and spawn timeouts", () => {
    it("offers the default profiles with limits, GPU toleration and shorter GPU idle shutdown", async () => {
        await build();
        const list = values().singleuser.profileList;
        expect(list.map((p: any) => p.slug)).toEqual(["small-cpu", "large-cpu", "gpu"]);
        expect(list[0]).toEqual({
            display_name: "Small CPU",
            slug: "small-cpu",
            description: "1 CPU, 4 GiB RAM",
            default: true,
            kubespawner_override: { image: NOTEBOOK_VERSIONS.cpuImage, start_timeout: 300, cpu_guarantee: 1, cpu_limit: 1, mem_guarantee: "4G", mem_limit: "4G" },
        });
        expect(list[1].kubespawner_override).toEqual({ image: NOTEBOOK_VERSIONS.cpuImage, start_timeout: 300, cpu_guarantee: 3, cpu_limit: 4, mem_guarantee: "12G", mem_limit: "16G" });
        expect(list[1].default).toBeUndefined();
        expect(list[2].kubespawner_override).toEqual({
            image: NOTEBOOK_VERSIONS.gpuImage,
            start_timeout: gpuStartTimeoutSeconds(),
            cpu_guarantee: 3,
            cpu_limit: 4,
            mem_guarantee: "12G",
            mem_limit: "16G",
            extra_resource_limits: { "nvidia.com/gpu": "1" },
            tolerations: [{ ...GPU_TOLERATION }],
            node_selector: { "nvidia.com/gpu.present": "true" },
            args: ["--ServerApp.shutdown_no_activity_timeout=1800", "--MappingKernelManager.cull_idle_timeout=1800", "--MappingKernelManager.cull_interval=300", "--MappingKernelManager.cull_connected=True"],
        });
        expect(list[2].kubespawner_override.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        expect(values().cull).toEqual({ enabled: true, timeout: 3600, every: 300 });
        // Only the default image is pre-pulled: the pullers never run on the tainted GPU nodes.
        // No install-time hook (it held helm install until every node pulled); the continuous puller stays.
        expect(values().prePuller).toMatchObject({ pullProfileListImages: false, hook: { enabled: false }, continuous: { enabled: true } });
        expect(Object.keys(values().prePuller).sort()).toEqual(["containerSecurityContext", "continuous", "hook", "pause", "pullProfileListImages", "resources"]);
    });

    it("gives GPU spawns the model's timeout at the hub and the GPU profile, CPU profiles the chart's 300 s", async () => {
        await build();
        const v = values();
        const [small, large, gpu] = v.singleuser.profileList.map((p: any) => p.kubespawner_override.start_timeout);
        // jupyterhub 5.5.0 user.py reads spawner.start_timeout before kubespawner 7.0.0 applies the
        // profile (in _start -> load_user_options), so the class-wide value is the hub's limit.
        expect(v.singleuser.startTimeout).toBeGreaterThanOrEqual(coldStartSeconds().p95);
        expect(v.singleuser.startTimeout).toBeGreaterThan(300);
        expect(gpu).toBe(v.singleuser.startTimeout);
        expect(gpu).toBeGreaterThanOrEqual(coldStartSeconds().p95);
        expect([small, large]).toEqual([300, 300]);
        // Users see the pod's events (scale-up, pulling, started) on the spawn page.
        expect(v.singleuser.events).toBe(true);
        // The hub waits long enough for a server starting on a cold page cache.
        const serverStart = gpuStartupStages().find((s) => s.key === "serverStart")!;
        expect(v.hub.config.KubeSpawner.http_timeout).toBeGreaterThan(serverStart.p95Seconds * 2);
    });

    it("keeps the chart's 300 s at the hub when no profile asks for a GPU", async () => {
        await build({ ...SANDBOX, profiles: [DEFAULT_PROFILES[0]] });
        expect(values().singleuser.startTimeout).toBe(300);
    });

    it("lets nothing in front of the hub cut a long spawn: no proxy timeout flag, no short ALB idle timeout", async () => {
        await build(PRODUCTION);
        const v = values();
        expect(JSON.stringify(v.proxy.chp.extraCommandLineFlags ?? [])).not.toMatch(/timeout/);
        const attrs = v.ingress.annotations["alb.ingress.kubernetes.io/load-balancer-attributes"] ?? "";
        const idle = /idle_timeout\.timeout_seconds=(\d+)/.exec(attrs);
        // The progress stream writes every 8 s (jupyterhub 5.5.0 SpawnProgressAPIHandler.keepalive_interval); ALB default idle is 60 s.
        expect(idle === null || Number(idle[1]) > 8).toBe(true);
    });

    it("takes custom profiles and timeouts", async () => {
        await build({
            ...SANDBOX,
            cullTimeoutMinutes: 90,
            gpuCullTimeoutMinutes: 20,
            profiles: [
                { slug: "tiny", displayName: "Tiny", description: "0.5 CPU", cpuGuarantee: 0.5, cpuLimit: 1, memoryGuarantee: "512Mi", memoryLimit: "1Gi" },
                { slug: "multi-gpu", displayName: "4 GPUs", description: "", cpuGuarantee: 16, cpuLimit: 16, memoryGuarantee: "64Gi", memoryLimit: "64Gi", gpus: 4, image: "example.com/gpu:1.0", default: true },
            ],
        });
        const v = values();
        expect(v.cull.timeout).toBe(5400);
        expect(v.singleuser.cpu).toEqual({ guarantee: 16, limit: 16 });
        expect(v.singleuser.memory).toEqual({ guarantee: "64G", limit: "64G" });
        expect(v.singleuser.profileList[0].kubespawner_override).toEqual({ image: NOTEBOOK_VERSIONS.cpuImage, start_timeout: 300, cpu_guarantee: 0.5, cpu_limit: 1, mem_guarantee: "512M", mem_limit: "1G" });
        const gpu = v.singleuser.profileList[1].kubespawner_override;
        expect(gpu.image).toBe("example.com/gpu:1.0");
        expect(gpu.extra_resource_limits).toEqual({ "nvidia.com/gpu": "4" });
        expect(gpu.args[0]).toBe("--ServerApp.shutdown_no_activity_timeout=1200");
    });
});
