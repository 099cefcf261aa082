import { describe, expect, it } from "vitest";
import { cpuMilli, formatCpu, formatMemory, parseQuantity, QueueSettingsError, resolveQueueArgs, resolveTeamQueue, TeamQueueSpec } from "../../components/queues/settings";
import { TeamSpec } from "../../components/tenancy";

const arn = (n: string) => `arn:aws:iam::123456789012:role/${n}`;
const team = (name: string, gpu: number, queue?: TeamQueueSpec, extra: Partial<TeamSpec> = {}): TeamSpec => ({
    name, memberPrincipalArns: [arn(name)], leadPrincipalArns: [], quota: { cpu: "32", memory: "128Gi", gpu, storage: "1Ti", pods: 100 }, queue, ...extra,
});

describe("queue settings: defaults", () => {
    it("defaults borrowing to half the team's GPU quota and nominal to the rest, so quota = nominal + borrowing", () => {
        const q = resolveTeamQueue(team("vision", 4), 0);
        expect(q.gpuFlavor.gpu).toBe(2);
        expect(q.gpuBorrowingLimit).toBe(2);
        expect(q.gpuFlavor.gpu + q.gpuBorrowingLimit).toBe(4);
    });

    it("gives a one-GPU team its GPU as nominal quota (nothing to borrow)", () => {
        const q = resolveTeamQueue(team("forecast", 1), 0);
        expect([q.gpuFlavor.gpu, q.gpuBorrowingLimit]).toEqual([1, 0]);
    });

    it("splits CPU and memory evenly between the flavors when the team can use GPUs; all on CPU nodes otherwise", () => {
        const gpuTeam = resolveTeamQueue(team("vision", 4), 0);
        expect(gpuTeam.cpuFlavor).toEqual({ cpuMilli: 16000, memoryBytes: 64 * 2 ** 30 });
        expect(gpuTeam.gpuFlavor).toEqual({ cpuMilli: 16000, memoryBytes: 64 * 2 ** 30, gpu: 2 });
        const cpuTeam = resolveTeamQueue(team("nlp", 0), 0);
        expect(cpuTeam.cpuFlavor).toEqual({ cpuMilli: 32000, memoryBytes: 128 * 2 ** 30 });
        expect(cpuTeam.gpuFlavor).toEqual({ cpuMilli: 0, memoryBytes: 0, gpu: 0 });
    });

    it("lists the team's namespaces, extra namespaces included", () => {
        expect(resolveTeamQueue(team("vision", 0, undefined, { extraNamespaces: ["staging"] }), 0).namespaces).toEqual(["vision", "vision-staging"]);
    });

    it("takes explicit values", () => {
        const q = resolveTeamQueue(team("vision", 6, { gpu: 4, gpuBorrowingLimit: 2, gpuNodeCpu: "8", gpuNodeMemory: "48Gi" }), 0);
        expect(q.gpuFlavor).toEqual({ cpuMilli: 8000, memoryBytes: 48 * 2 ** 30, gpu: 4 });
        expect(q.cpuFlavor).toEqual({ cpuMilli: 24000, memoryBytes: 80 * 2 ** 30 });
        expect(q.gpuBorrowingLimit).toBe(2);
    });
});

describe("queue settings: errors name the key", () => {
    it.each<[string, TeamSpec, RegExp]>([
        ["nominal + borrowing above the ResourceQuota", team("vision", 4, { gpu: 4, gpuBorrowingLimit: 2 }),
            /^teams\[0\]\.queue\.gpu \(4\) \+ teams\[0\]\.queue\.gpuBorrowingLimit \(2\) = 6 exceeds teams\[0\]\.quota\.gpu \(4\): Kueue would admit borrowed Jobs whose pods the namespace ResourceQuota then refuses; raise quota\.gpu to at least 6/],
        ["borrowing on a team without GPU quota", team("nlp", 0, { gpuBorrowingLimit: 1 }), /teams\[0\]\.queue\.gpu \(0\) \+ teams\[0\]\.queue\.gpuBorrowingLimit \(1\) = 1 exceeds teams\[0\]\.quota\.gpu \(0\)/],
        ["negative borrowing", team("vision", 4, { gpuBorrowingLimit: -1 }), /^teams\[0\]\.queue\.gpuBorrowingLimit -1 must be a whole number >= 0$/],
        ["fractional GPUs", team("vision", 4, { gpu: 1.5 }), /^teams\[0\]\.queue\.gpu 1\.5 must be a whole number >= 0$/],
        ["GPU-node CPU above the quota", team("vision", 4, { gpuNodeCpu: "64" }), /^teams\[0\]\.queue\.gpuNodeCpu \(64\) exceeds teams\[0\]\.quota\.cpu \(32\)/],
        ["GPU-node memory not a quantity", team("vision", 4, { gpuNodeMemory: "lots" }), /^teams\[0\]\.queue\.gpuNodeMemory "lots" must be a Kubernetes quantity/],
        ["no CPU for GPU Jobs", team("vision", 4, { gpuNodeCpu: "0" }), /^teams\[0\]\.queue\.gpuNodeCpu and gpuNodeMemory must be above 0 when the team can use GPUs/],
        ["a misspelt key", team("vision", 4, { gpuBorrowLimit: 1 } as any), /^teams\[0\]\.queue\.gpuBorrowLimit is not a queue setting; valid: gpu, gpuBorrowingLimit, gpuNodeCpu, gpuNodeMemory$/],
    ])("%s", (_what, t, message) => {
        const call = () => resolveTeamQueue(t, 0);
        expect(call).toThrow(QueueSettingsError);
        expect(call).toThrow(message);
        try {
            call();
        } catch (e) {
            expect((e as QueueSettingsError).key).toBe("teams");
        }
    });

    it("refuses a GPU node group too small for the cohort's nominal GPUs, naming gpuMaxSize", () => {
        const teams = [team("vision", 4, { gpu: 3, gpuBorrowingLimit: 1 }), team("forecast", 1)];
        const call = () => resolveQueueArgs({ teams, gpuMaxSize: 3, gpuInstanceTypes: ["g5.xlarge"] });
        expect(call).toThrow("gpuMaxSize (3) x 1 GPU(s) per g5.xlarge = 3 GPUs cannot hold the teams' nominal GPU quota (vision 3, forecast 1; 4 in total): raise gpuMaxSize to at least 4 or lower teams[].queue.gpu");
        try {
            call();
        } catch (e) {
            expect((e as QueueSettingsError).key).toBe("gpuMaxSize");
        }
    });

    it("counts GPUs per node from the instance type (4 per g5.12xlarge)", () => {
        const teams = [team("vision", 8, { gpu: 8, gpuBorrowingLimit: 0 })];
        expect(resolveQueueArgs({ teams, gpuMaxSize: 2, gpuInstanceTypes: ["g5.12xlarge"] })).toMatchObject({ cohortGpus: 8, gpuCapacity: 8 });
        expect(() => resolveQueueArgs({ teams, gpuMaxSize: 1, gpuInstanceTypes: ["g5.12xlarge"] })).toThrow(/raise gpuMaxSize to at least 2/);
    });
});

describe("quantities", () => {
    it.each([["16", 16], ["500m", 0.5], ["64Gi", 64 * 2 ** 30], ["1.5", 1.5], ["1k", 1000]])("parses %s", (q, n) => {
        expect(parseQuantity(q)).toBe(n);
    });
    it("refuses what is not a quantity", () => {
        expect(parseQuantity("16 cores")).toBeUndefined();
    });
    it("formats back to what the API server accepts", () => {
        expect(formatCpu(cpuMilli("16")!)).toBe("16");
        expect(formatCpu(1500)).toBe("1500m");
        expect(formatMemory(64 * 2 ** 30)).toBe("64Gi");
        expect(formatMemory(1536 * 2 ** 20)).toBe("1536Mi");
    });
});
