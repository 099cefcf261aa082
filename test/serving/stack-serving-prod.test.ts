/** The production stack with model endpoints, one exposed: the checklist (K8S-12/13 with HPA-owned replicas, ML-03 on the exposure) holds. */
import { beforeAll, describe, expect, it } from "vitest";
import { byType, one } from "../mocks";
import { loadStack, PROD_SECRETS } from "../stack";
import { stackInvariants } from "../stack-suite";

const TEAMS = [{ name: "vision", memberPrincipalArns: ["arn:aws:iam::111122223333:role/vision-ds"], quota: { cpu: "32", memory: "128Gi", gpu: 4, storage: "1Ti", pods: 100 } }];
const MODELS = [
    { name: "churn", team: "vision", modelUri: "models:/churn@champion", expose: true },
    { name: "detector", team: "vision", modelUri: "models:/detector/2", gpu: 1, cpu: "2", memory: "8Gi" },
];

let outputs: Record<string, any>;
beforeAll(async () => {
    outputs = await loadStack("prod", {
        ...PROD_SECRETS,
        "mlplatform:teams": JSON.stringify(TEAMS),
        "mlplatform:models": JSON.stringify(MODELS),
        "mlplatform:servingIngressHost": "models.ml.example.com",
        "mlplatform:oidcIssuer": "https://idp.example.com",
    }, Object.keys(PROD_SECRETS));
});

describe("prod stack with model endpoints", () => {
    stackInvariants("production");

    it("runs every endpoint from at least 2 replicas behind a PodDisruptionBudget", () => {
        expect(byType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").map((h) => h.inputs.spec.minReplicas)).toEqual([2, 2]);
        expect(byType("kubernetes:policy/v1:PodDisruptionBudget").filter((p) => p.name.startsWith("serving-vision-"))).toHaveLength(2);
    });

    it("serves the exposed model through the endpoints' Ingress and auth proxy, with the stack's certificate, issuer and client, after the load-balancer controller", () => {
        expect(outputs.modelEndpoints["vision/churn"].publicUrl).toBe("https://models.ml.example.com/vision/churn/invocations");
        expect(outputs.modelEndpoints["vision/detector"].publicUrl).toBeUndefined();
        const ingress = one("kubernetes:networking.k8s.io/v1:Ingress", "serving-gateway-ingress");
        expect(ingress.inputs.metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]).toBe("arn:aws:acm:us-west-2:111122223333:certificate/00000000-0000-4000-8000-000000000000");
        expect(ingress.dependencies.some((u) => u.endsWith("::cluster-services-lb-controller"))).toBe(true);
        const args = one("kubernetes:apps/v1:Deployment", "serving-gateway-proxy").inputs.spec.template.spec.containers[0].args;
        expect(args).toEqual(expect.arrayContaining(["--oidc-issuer-url=https://idp.example.com", "--client-id=jupyterhub", "--skip-jwt-bearer-tokens=true"]));
        expect(one("kubernetes:core/v1:Secret", "serving-gateway-secret").inputs.stringData["client-secret"]).toBe(PROD_SECRETS["mlplatform:oidcClientSecret"]);
    });
});
