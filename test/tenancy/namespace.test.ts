import { describe, expect, it } from "vitest";
import { MLFLOW_CREDENTIALS_SECRET } from "../../components/tracking/auth";
import { byType, one } from "../mocks";
import { base, build, inNs, teams } from "./fixtures";

describe("Tenancy: team namespaces", () => {
    it("creates one restricted, MLflow-admitted namespace per team and extra namespace", async () => {
        const t = await build();
        expect(t.namespaces).toEqual({ vision: ["vision", "vision-staging"], nlp: ["nlp"], forecast: ["forecast"] });
        const names = byType("kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata.name);
        expect(names).toEqual(["vision", "vision-staging", "nlp", "forecast"]);
        for (const n of byType("kubernetes:core/v1:Namespace")) {
            expect(n.inputs.metadata.labels).toMatchObject({
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
                "pod-security.kubernetes.io/warn": "restricted",
                "mlplatform.io/mlflow-client": "true",
            });
        }
        expect(one("kubernetes:core/v1:Namespace", "teams-vision-staging-ns").inputs.metadata.labels["mlplatform.io/team"]).toBe("vision");
    });

    it.each([["vision", "4"], ["nlp", "0"], ["forecast", "1"]])("quotas team %s at %s GPUs, with cpu, memory, storage and pods", async (team, gpus) => {
        await build();
        const [q] = inNs("kubernetes:core/v1:ResourceQuota", team);
        const spec = teams.find((x) => x.name === team)!.quota;
        expect(q.inputs.spec.hard).toEqual({
            "requests.cpu": spec.cpu,
            "requests.memory": spec.memory,
            "requests.nvidia.com/gpu": gpus,
            "requests.storage": spec.storage,
            pods: `${spec.pods}`,
            "services.loadbalancers": "0",
            "services.nodeports": "0",
        });
    });

    it("sets default requests and a memory limit, no CPU limit", async () => {
        await build();
        const [lr] = inNs("kubernetes:core/v1:LimitRange", "nlp");
        expect(lr.inputs.spec.limits).toEqual([{ type: "Container", defaultRequest: { cpu: "250m", memory: "512Mi" }, default: { memory: "2Gi" } }]);
    });
});

describe("Tenancy: MLflow credentials (ML-04)", () => {
    it("writes the team's MLflow user into a mlflow-credentials Secret in each of its namespaces, keyed by the client's env names", async () => {
        await build({ ...base, mlflowCredentials: { vision: { username: "team-vision", password: "vision-pw" }, nlp: { username: "team-nlp", password: "nlp-pw" } } });
        const secrets = byType("kubernetes:core/v1:Secret").filter((s) => s.inputs.metadata.name === MLFLOW_CREDENTIALS_SECRET);
        expect(secrets.map((s) => s.inputs.metadata.namespace)).toEqual(["vision", "vision-staging", "nlp"]);
        expect(secrets[0].inputs.stringData).toEqual({ MLFLOW_TRACKING_USERNAME: "team-vision", MLFLOW_TRACKING_PASSWORD: "vision-pw" });
        expect(secrets[2].inputs.stringData.MLFLOW_TRACKING_USERNAME).toBe("team-nlp");
        // Created after the namespace it lives in.
        const ns = one("kubernetes:core/v1:Namespace", "teams-nlp-ns");
        expect(secrets[2].dependencies).toContain(ns.urn);
    });
});
