/** The whole program with several teams, as a platform admin would add them to a stack file. */
import { beforeAll, describe, expect, it } from "vitest";
import { byType } from "./mocks";
import { loadStack } from "./stack";
import { stackInvariants } from "./stack-suite";

const TEAMS = [
    { name: "vision", memberPrincipalArns: ["arn:aws:iam::111122223333:role/vision-ds"], leadPrincipalArns: ["arn:aws:iam::111122223333:role/vision-lead"], quota: { cpu: "32", memory: "128Gi", gpu: 4, storage: "1Ti", pods: 100 }, extraNamespaces: ["staging"] },
    { name: "nlp", memberPrincipalArns: ["arn:aws:iam::111122223333:role/nlp-ds"], quota: { cpu: "16", memory: "64Gi", gpu: 0, storage: "500Gi", pods: 50 } },
    { name: "forecast", leadPrincipalArns: ["arn:aws:iam::111122223333:role/forecast-lead"], quota: { cpu: "8", memory: "32Gi", gpu: 1, storage: "100Gi", pods: 20 } },
];

let outputs: Record<string, unknown>;
beforeAll(async () => {
    outputs = await loadStack("dev", {
        "mlplatform:teams": JSON.stringify(TEAMS),
        "mlplatform:auditorPrincipalArns": JSON.stringify(["arn:aws:iam::111122223333:role/auditor"]),
        // The teams' nominal GPUs (vision 2 of its 4, forecast 1) must fit the GPU group: 3 g5.xlarge.
        "mlplatform:gpuMaxSize": "3",
    });
});

describe("dev stack with three teams", () => {
    stackInvariants("sandbox");

    it("gives each team its namespaces and exports them", () => {
        expect(outputs.teamNamespaces).toEqual({ vision: ["vision", "vision-staging"], nlp: ["nlp"], forecast: ["forecast"] });
        const quotas = byType("kubernetes:core/v1:ResourceQuota").map((q) => [q.inputs.metadata.namespace, q.inputs.spec.hard["requests.nvidia.com/gpu"]]);
        expect(quotas).toEqual([["vision", "4"], ["vision-staging", "4"], ["nlp", "0"], ["forecast", "1"]]);
    });

    it("gives each team a ClusterQueue in the cohort and a LocalQueue in each namespace, and scrapes Kueue", () => {
        expect(byType("kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue").map((q) => [q.inputs.metadata.name, q.inputs.spec.cohortName])).toEqual([["vision", "mlplatform"], ["nlp", "mlplatform"], ["forecast", "mlplatform"]]);
        expect(byType("kubernetes:kueue.x-k8s.io/v1beta2:LocalQueue").map((q) => q.inputs.metadata.namespace)).toEqual(["vision", "vision-staging", "nlp", "forecast"]);
        expect(outputs.trainingQueues).toEqual({ vision: "training", nlp: "training", forecast: "training" });
        const monitor = byType("kubernetes:monitoring.coreos.com/v1:ServiceMonitor").find((m) => m.inputs.metadata.name === "kueue");
        expect(monitor?.inputs.metadata.namespace).toBe("kueue-system");
    });

    it("points each ResourceFlavor at nodes its node group labels, and the GPU flavor at the GPU group's taint", () => {
        const cpus = byType("aws:eks/nodeGroup:NodeGroup", "cluster-cpu-");
        const gpus = byType("aws:eks/nodeGroup:NodeGroup", "cluster-gpu-");
        const flavors = Object.fromEntries(byType("kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor").map((f) => [f.inputs.metadata.name, f.inputs.spec]));
        // One CPU group per AZ (issue 19): the CPU flavor must reach every one of them.
        expect(cpus).toHaveLength(2);
        for (const cpu of cpus) {
            expect(cpu.inputs.labels).toMatchObject(flavors["cpu-nodes"].nodeLabels);
        }
        // One GPU group per AZ (issue 19): the flavor must reach every one of them.
        expect(gpus).toHaveLength(2);
        for (const gpu of gpus) {
            expect(gpu.inputs.labels).toMatchObject(flavors["gpu-nodes"].nodeLabels);
            // EKS spells the effect NO_SCHEDULE; Kubernetes (and Kueue) NoSchedule.
            expect(gpu.inputs.taints.map((t: any) => ({ ...t, effect: t.effect === "NO_SCHEDULE" ? "NoSchedule" : t.effect }))).toEqual(flavors["gpu-nodes"].nodeTaints);
        }
    });

    it("creates one access entry per principal, all for this cluster", () => {
        const entries = byType("aws:eks/accessEntry:AccessEntry");
        expect(entries).toHaveLength(5);
        for (const e of entries) {
            expect(e.inputs.clusterName).toBe("mlplatform-dev");
        }
    });
});
