/** The queue settings as a stack file reaches them: errors are ConfigErrors naming the config key. */
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, RawConfig } from "../../config";

const ctx = { project: "mlplatform", stack: "dev", region: "us-west-2" };
const parse = (raw: RawConfig) => parseConfig({ preset: "sandbox", publicAccessCidrs: '["203.0.113.10/32"]', ...raw }, ctx);
const team = (name: string, gpu: number, queue?: Record<string, unknown>) => ({
    name, memberPrincipalArns: [`arn:aws:iam::123456789012:role/${name}`], quota: { cpu: "8", memory: "32Gi", gpu, storage: "100Gi", pods: 20 }, ...(queue ? { queue } : {}),
});

describe("queue config", () => {
    it("accepts a team's queue block and keeps it on the team", () => {
        const c = parse({ teams: JSON.stringify([team("vision", 2, { gpu: 1, gpuBorrowingLimit: 1 })]) });
        expect(c.teams[0].queue).toEqual({ gpu: 1, gpuBorrowingLimit: 1 });
    });

    it.each<[string, RawConfig, string]>([
        ["borrowing beyond the team's ResourceQuota, naming teams", { teams: JSON.stringify([team("vision", 2, { gpu: 2, gpuBorrowingLimit: 1 })]) },
            "Invalid config mlplatform:teams = [{"],
        ["the cohort's GPUs beyond the GPU group, naming gpuMaxSize", { gpuMaxSize: "1", teams: JSON.stringify([team("vision", 1), team("nlp", 1)]) },
            "Invalid config mlplatform:gpuMaxSize = 1: gpuMaxSize (1) x 1 GPU(s) per g5.xlarge = 1 GPUs cannot hold the teams' nominal GPU quota (vision 1, nlp 1; 2 in total)"],
    ])("refuses %s", (_what, raw, message) => {
        expect(() => parse(raw)).toThrow(ConfigError);
        expect(() => parse(raw)).toThrow(message);
    });

    it("says which queue setting is wrong and how to fix it", () => {
        expect(() => parse({ teams: JSON.stringify([team("vision", 2, { gpu: 2, gpuBorrowingLimit: 1 })]) }))
            .toThrow("teams[0].queue.gpu (2) + teams[0].queue.gpuBorrowingLimit (1) = 3 exceeds teams[0].quota.gpu (2)");
    });
});
