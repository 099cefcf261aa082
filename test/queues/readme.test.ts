/** The README's training-job wait times are the GPU start-up model's figures (components/shared/gpu-startup.ts). */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { defaultPodsReadyTimeoutSeconds } from "../../components/queues/settings";
import { coldStartSeconds, warmStartSeconds } from "../../components/shared/gpu-startup";

const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
const section = readme.slice(readme.indexOf("### Run a training job"), readme.indexOf("### Find logs"));

describe("README: Run a training job", () => {
    it("covers submit, admission, scale-up, logs, the MLflow run and scale-down", () => {
        for (const step of ["**Submit**", "**Watch admission**", "**GPU scale-up**", "**Logs**", "**The run in MLflow**", "**Scale-down**"]) {
            expect(section).toContain(step);
        }
    });

    it("states the model's wait times and Kueue's timeout", () => {
        const pre = coldStartSeconds();
        const noPre = coldStartSeconds({ prePull: false });
        const warm = warmStartSeconds();
        const t = defaultPodsReadyTimeoutSeconds();
        for (const text of [
            `p50 **${pre.p50} s**, p95 **${pre.p95} s** for the example`,
            `p50 **${noPre.p50} s**,\n   p95 **${noPre.p95} s** for another image`,
            `p50 **${warm.p50} s**, p95 **${warm.p95} s**`,
            `after **${t} s (${t / 60} min)**`,
        ]) {
            expect(section).toContain(text);
        }
    });
});
