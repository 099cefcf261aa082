/**
 * The checks `npm run verify` runs against a live stack, in order. Each creates only throwaway
 * objects named after the run id, and registers their deletion before it waits on them, so a
 * failure or a timeout still cleans up. The checks live by what they verify: checks-cluster.ts,
 * checks-platform.ts, checks-teams.ts; what they share is in context.ts.
 */
import { gpuFromZero, gpuIdle, nodesReady, workloadsAvailable } from "./checks-cluster";
import { logShipping, notebookSpawn, scrapeTargetsUp, trackingRoundTrip, watchdogDelivered } from "./checks-platform";
import { modelEndpoints, queueAdmission, teamIsolation } from "./checks-teams";
import { VerifyContext } from "./context";
import { Check } from "./runner";

export { ADDON_WORKLOADS, gpuFromZero, gpuIdle, nodesReady, workloadsAvailable } from "./checks-cluster";
export { logShipping, notebookSpawn, scrapeTargetsUp, trackingRoundTrip, watchdogDelivered } from "./checks-platform";
export { modelEndpoints, queueAdmission, teamIsolation } from "./checks-teams";
export type { VerifyContext } from "./context";

/** Every check, in the order the report lists them. */
export function allChecks(opts: { gpu: boolean; waitScaleDown: boolean }): Check<VerifyContext>[] {
    return [
        nodesReady,
        workloadsAvailable,
        gpuIdle,
        notebookSpawn,
        trackingRoundTrip,
        logShipping,
        scrapeTargetsUp,
        watchdogDelivered,
        teamIsolation,
        queueAdmission,
        modelEndpoints,
        ...(opts.gpu ? [gpuFromZero(opts)] : []),
    ];
}
