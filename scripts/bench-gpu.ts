/**
 * GPU notebook time-to-ready in `npm run bench`: the wait a GPU notebook user sees and the levers
 * that would meet the targets, both read from the one stage model in
 * components/shared/gpu-startup.ts (this file keeps no GPU numbers of its own).
 */

import type { TARGETS } from "./bench-targets";
import { coldStartSeconds, GPU_IMAGE_UNPACKED_GIB, gpuStartTimeoutSeconds, gpuStartupFigures, GpuStartupFigures, warmStartSeconds } from "../components/shared/gpu-startup";

/** What a GPU notebook user waits for, in seconds, as the platform deploys it and without its pull mitigations. */
export interface GpuNotebookStart extends GpuStartupFigures {
    /** The GPU profile's start timeout (cold p95 plus margin). */
    readonly startTimeoutSeconds: number;
    /** Cold p50/p95 without FastImagePull and pre-pull, to show what they save. */
    readonly coldWithoutPullMitigations: { readonly p50: number; readonly p95: number };
}

/**
 * GPU notebook wait times from the one stage model in components/shared/gpu-startup.ts (the
 * stages, their figures and sources live there; this file keeps no GPU numbers of its own).
 */
export function gpuNotebookStart(): GpuNotebookStart {
    return {
        ...gpuStartupFigures(),
        startTimeoutSeconds: gpuStartTimeoutSeconds(),
        coldWithoutPullMitigations: coldStartSeconds({ fastImagePull: false, prePull: false }),
    };
}

/**
 * What the GPU model says it would take to meet the targets, from the same stage table (no
 * figure of its own): the largest GPU image whose pull still meets the cold targets, and whether
 * the warm target is reachable at all by what the platform controls.
 */
export function gpuLevers(t: typeof TARGETS.gpu): string[] {
    const fits = (gib: number) => {
        const c = coldStartSeconds({ imageUnpackedGiB: gib });
        return c.p50 <= t.coldP50Seconds && c.p95 <= t.coldP95Seconds;
    };
    const out: string[] = [];
    if (!fits(0)) {
        out.push("cold: even with no image pull at all the other stages miss the cold targets; only a warm GPU node (gpuMinSize >= 1, billed while idle) avoids them");
    } else {
        let lo = 0;
        let hi = 64;
        while (hi - lo > 0.1) {
            const mid = (lo + hi) / 2;
            [lo, hi] = fits(mid) ? [mid, hi] : [lo, mid];
        }
        out.push(`cold: the targets hold for a GPU image of at most ${Math.floor(lo * 10) / 10} GiB unpacked (today ${GPU_IMAGE_UNPACKED_GIB} GiB): a slimmer CUDA image variant is the lever; the other stages are the autoscaler's fixed 30 s GPU buffer, EC2 and the device plugin`);
    }
    const warm = warmStartSeconds();
    if (warm.p95 > t.warmP95Seconds) {
        out.push(`warm: p95 ${warm.p95} s is the model's volume (create + attach) and server-start stages alone; no setting of the platform shortens them in the model, so the warm target (${t.warmP95Seconds} s) is not met`);
    }
    return out;
}

