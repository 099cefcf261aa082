import { GPU_NODE_LABEL, GPU_RESOURCE, GPU_TOLERATION } from "../shared/gpu";
import { gpuStartTimeoutSeconds } from "../shared/gpu-startup";
import { ResolvedJupyterHubArgs } from "./args";

/**
 * KubeSpawner `start_timeout` for CPU profiles, seconds: the z2jh 4.4.0 default
 * (`jupyterhub/values.yaml` `singleuser.startTimeout: 300`). CPU nodes are running and the CPU
 * image is pre-pulled, so a CPU spawn that takes longer is broken and should fail fast.
 */
export const CPU_START_TIMEOUT_SECONDS = 300;
/**
 * JupyterHub `Spawner.http_timeout`, seconds: how long the hub waits for a started server to answer
 * (jupyterhub 5.5.0 `jupyterhub/spawner.py`, default 30). On a node that just unpacked the image
 * jupyter-server reads everything from a cold page cache; the start-up model allows 25 s at p95
 * (components/shared/gpu-startup.ts `serverStart`), too close to 30 for comfort.
 */
export const SERVER_HTTP_TIMEOUT_SECONDS = 60;

/**
 * Spawn timeouts, seconds. How the real code applies them (read, not assumed):
 * - jupyterhub 5.5.0 `jupyterhub/user.py` `spawn()` calls `spawner.start()` and then
 *   `asyncio.wait_for(f, timeout=spawner.start_timeout)`: the hub's own limit is read right after
 *   `start()` returns.
 * - kubespawner 7.0.0 `KubeSpawner.start()` only schedules `_start()`, and `_start()` first awaits
 *   `load_user_options()`, which applies the profile's `kubespawner_override` with `setattr`
 *   (`_apply_overrides`). So a profile's `start_timeout` is set after the hub read its limit: it
 *   governs only KubeSpawner's own wait for the pod (`exponential_backoff(..., timeout=self.start_timeout)`).
 * So the class-wide value (`singleuser.startTimeout` -> `c.KubeSpawner.start_timeout`, z2jh
 * `files/hub/jupyterhub_config.py`) must be the longest any profile needs (the GPU one, from the
 * start-up model); CPU profiles get the shorter value as an override, which makes KubeSpawner
 * give up on them first.
 */
export function startTimeouts(a: ResolvedJupyterHubArgs): { hub: number; cpu: number; gpu: number } {
    const gpu = gpuStartTimeoutSeconds();
    return { hub: a.profiles.some((p) => p.gpus > 0) ? gpu : CPU_START_TIMEOUT_SECONDS, cpu: CPU_START_TIMEOUT_SECONDS, gpu };
}
/** The z2jh `profileList`. */
export function profileList(a: ResolvedJupyterHubArgs) {
    const timeouts = startTimeouts(a);
    return a.profiles.map((p) => {
        const override: Record<string, unknown> = {
            image: p.image,
            start_timeout: p.gpus > 0 ? timeouts.gpu : timeouts.cpu,
            cpu_guarantee: p.cpuGuarantee,
            cpu_limit: p.cpuLimit,
            // KubeSpawner's byte units K/M/G/T are powers of 1024, so "16Gi" is written "16G".
            mem_guarantee: p.memoryGuarantee.replace(/i$/, ""),
            mem_limit: p.memoryLimit.replace(/i$/, ""),
        };
        if (p.gpus > 0) {
            Object.assign(override, {
                extra_resource_limits: { [GPU_RESOURCE]: String(p.gpus) },
                tolerations: [{ ...GPU_TOLERATION }],
                node_selector: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value },
                // The hub's idle culler has one timeout for all servers, so a GPU server stops itself
                // sooner: jupyter-server exits after this long with no kernels, terminals or requests,
                // and culls idle kernels (a running kernel counts as busy and is not culled).
                args: [
                    `--ServerApp.shutdown_no_activity_timeout=${a.gpuCullTimeoutMinutes * 60}`,
                    `--MappingKernelManager.cull_idle_timeout=${a.gpuCullTimeoutMinutes * 60}`,
                    "--MappingKernelManager.cull_interval=300",
                    "--MappingKernelManager.cull_connected=True",
                ],
            });
        }
        return {
            display_name: p.displayName,
            slug: p.slug,
            description: p.description,
            ...(p.default ? { default: true } : {}),
            kubespawner_override: override,
        };
    });
}
