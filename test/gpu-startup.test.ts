import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import {
    AUTOSCALER_GPU_POD_BUFFER_SECONDS,
    AUTOSCALER_SCAN_INTERVAL_SECONDS,
    coldStartSeconds,
    gpuStartTimeoutSeconds,
    gpuStartupFigures,
    gpuStartupStages,
    imagePullSeconds,
    START_TIMEOUT_MARGIN,
    warmStartSeconds,
} from "../components/shared/gpu-startup";
import { gpuNotebookStart } from "../scripts/bench-gpu";
import { gpuLine } from "../scripts/bench";
import { ROOT } from "./stack";

/** z2jh 4.4.0 `jupyterhub/values.yaml`: `singleuser.startTimeout: 300`. */
const CHART_DEFAULT_START_TIMEOUT = 300;

describe("GPU start-up model", () => {
    it("takes the autoscaler's delays from its source: 30 s GPU buffer, 10 s scan", () => {
        expect(AUTOSCALER_GPU_POD_BUFFER_SECONDS).toBe(30);
        expect(AUTOSCALER_SCAN_INTERVAL_SECONDS).toBe(10);
        const ca = gpuStartupStages().find((s) => s.key === "autoscaler")!;
        expect([ca.p50Seconds, ca.p95Seconds]).toEqual([35, 40]);
        expect(ca.source).toContain("unschedulablePodWithGpuTimeBuffer");
    });

    it("names a source for every stage, in order from pending pod to running server", () => {
        const stages = gpuStartupStages();
        expect(stages.map((s) => s.key)).toEqual(["autoscaler", "instance", "devicePlugin", "scheduleVolume", "imagePull", "serverStart"]);
        for (const s of stages) {
            expect(s.source.length, s.key).toBeGreaterThan(20);
            expect(s.p95Seconds, s.key).toBeGreaterThanOrEqual(s.p50Seconds);
        }
    });

    it("makes the pull shorter with FastImagePull and longer for a bigger image", () => {
        expect(imagePullSeconds(true).p95).toBeLessThan(imagePullSeconds(false).p95);
        expect(Math.abs(imagePullSeconds(false, 24).p50 - 2 * imagePullSeconds(false, 12).p50)).toBeLessThanOrEqual(1);
    });

    it("overlaps a pre-pull with the device plugin and scheduling, never below zero", () => {
        const without = coldStartSeconds({ prePull: false });
        const withPrePull = coldStartSeconds({ prePull: true });
        expect(withPrePull.p50).toBeLessThan(without.p50);
        // A tiny image is pulled while the device plugin starts: the pull adds nothing, not a negative time.
        const tiny = coldStartSeconds({ prePull: true, imageUnpackedGiB: 0.1 });
        const stages = gpuStartupStages({ imageUnpackedGiB: 0.1 }).filter((s) => s.key !== "imagePull");
        expect(tiny.p95).toBe(stages.reduce((sum, s) => sum + s.p95Seconds, 0));
    });

    it("puts a cold GPU start past the chart's 300 s default, as issue 13 reports (5-9 minutes unmitigated)", () => {
        const raw = coldStartSeconds({ fastImagePull: false, prePull: false });
        expect(raw.p50).toBeGreaterThanOrEqual(5 * 60);
        expect(raw.p95).toBeGreaterThan(9 * 60);
        expect(coldStartSeconds().p95).toBeGreaterThan(CHART_DEFAULT_START_TIMEOUT);
    });

    it("defaults to what the platform deploys: FastImagePull on GPU nodes and the GPU image pre-puller", () => {
        expect(coldStartSeconds()).toEqual(coldStartSeconds({ fastImagePull: true, prePull: true }));
        expect(gpuStartTimeoutSeconds()).toBe(gpuStartTimeoutSeconds({ fastImagePull: true, prePull: true }));
    });

    it("keeps warm starts to the warm stages only", () => {
        const warm = warmStartSeconds();
        expect(warm).toEqual({ p50: 25, p95: 65 });
        expect(warm.p95).toBeLessThan(coldStartSeconds().p50);
    });

    it("derives the timeout from the cold p95 plus the stated margin, in whole minutes, with no required argument", () => {
        const t = gpuStartTimeoutSeconds();
        const p95 = coldStartSeconds().p95;
        expect(t % 60).toBe(0);
        expect(t).toBeGreaterThanOrEqual(p95 + Math.max(START_TIMEOUT_MARGIN.minSeconds, p95 * START_TIMEOUT_MARGIN.fraction));
        expect(t - 60).toBeLessThan(p95 + Math.max(START_TIMEOUT_MARGIN.minSeconds, p95 * START_TIMEOUT_MARGIN.fraction));
        expect(gpuStartTimeoutSeconds({ fastImagePull: false, prePull: false })).toBeGreaterThan(t);
    });

    it("is what the benchmark reports (the bench keeps no GPU numbers of its own)", () => {
        const b = gpuNotebookStart();
        expect(b).toMatchObject(gpuStartupFigures());
        expect(b.startTimeoutSeconds).toBe(gpuStartTimeoutSeconds());
        expect(b.coldWithoutPullMitigations).toEqual(coldStartSeconds({ fastImagePull: false, prePull: false }));
        expect(gpuLine(b)).toContain(`spawn timeout ${gpuStartTimeoutSeconds()} s`);
    });
});

describe("README GPU wait times", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### GPU wait times"), readme.indexOf("### Preview"));
    const min = (s: number) => `${Math.round(s / 6) / 10} min`;

    it("lists every stage with the model's p50 and p95, in order", () => {
        const rows = section.split("\n").filter((l) => /^\| .* \| \d+ s \| \d+ s \|/.test(l));
        expect(rows.map((r) => r.split("|").slice(2, 4).map((c) => c.trim()))).toEqual(
            gpuStartupStages().map((st) => [`${st.p50Seconds} s`, `${st.p95Seconds} s`]));
    });

    it("states the model's cold, warm and timeout figures", () => {
        const f = gpuStartupFigures();
        const raw = coldStartSeconds({ fastImagePull: false, prePull: false });
        for (const text of [
            `p50 **${f.coldP50Seconds} s (${min(f.coldP50Seconds)})**`,
            `p95 **${f.coldP95Seconds} s (${min(f.coldP95Seconds)})**`,
            `p50 ${raw.p50} s, p95 ${raw.p95} s`,
            `p50 **${f.warmP50Seconds} s**, p95 **${f.warmP95Seconds} s**`,
            `**${gpuStartTimeoutSeconds()} s (${gpuStartTimeoutSeconds() / 60} min)**`,
        ]) {
            expect(section).toContain(text);
        }
    });
});
