/** The production stack with model endpoints: the checklist (K8S-12/13 with HPA-owned replicas) holds. */
import { beforeAll, describe, expect, it } from "vitest";
import { byType } from "../mocks";
import { loadStack, PROD_SECRETS } from "../stack";
import { stackInvariants } from "../stack-suite";

const TEAMS = [{ name: "vision", memberPrincipalArns: ["arn:aws:iam::111122223333:role/vision-ds"], quota: { cpu: "32", memory: "128Gi", gpu: 4, storage: "1Ti", pods: 100 } }];
const MODELS = [
    { name: "churn", team: "vision", modelUri: "models:/churn@champion" },
    { name: "detector", team: "vision", modelUri: "models:/detector/2", gpu: 1, cpu: "2", memory: "8Gi" },
];

beforeAll(async () => {
    await loadStack("prod", { ...PROD_SECRETS, "mlplatform:teams": JSON.stringify(TEAMS), "mlplatform:models": JSON.stringify(MODELS) }, Object.keys(PROD_SECRETS));
});

describe("prod stack with model endpoints", () => {
    stackInvariants("production");

    it("runs every endpoint from at least 2 replicas behind a PodDisruptionBudget", () => {
        expect(byType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").map((h) => h.inputs.spec.minReplicas)).toEqual([2, 2]);
        expect(byType("kubernetes:policy/v1:PodDisruptionBudget").filter((p) => p.name.startsWith("serving-"))).toHaveLength(2);
    });
});
