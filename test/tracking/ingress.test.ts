import { describe, expect, it } from "vitest";
import { allRecords, one } from "../mocks";
import { build, INGRESS, T } from "./fixtures";

describe("Tracking: ingress", () => {
    it("puts an authenticated HTTPS Ingress in front when configured", async () => {
        const t = await build("production", { ingress: INGRESS });
        const ing = one("kubernetes:networking.k8s.io/v1:Ingress", "tracking-ingress").inputs;
        expect(ing.spec.ingressClassName).toBe("alb");
        expect(ing.spec.rules[0].host).toBe("mlflow.example.com");
        const ann = ing.metadata.annotations;
        expect(ann["alb.ingress.kubernetes.io/certificate-arn"]).toBe(INGRESS.certificateArn);
        expect(ann["alb.ingress.kubernetes.io/listen-ports"]).toBe('[{"HTTPS":443}]');
        expect(ann["alb.ingress.kubernetes.io/auth-type"]).toBe("oidc");
        expect(JSON.parse(ann["alb.ingress.kubernetes.io/auth-idp-oidc"])).toMatchObject({ issuer: "https://login.example.com", secretName: "mlflow-oidc" });
        const oidc = one(T.secret, "tracking-oidc-secret");
        expect(oidc.inputs.stringData).toEqual({ clientID: "mlflow", clientSecret: "oidc-client-secret-value" });
        expect(oidc.secretPaths.some((p) => p.startsWith("stringData"))).toBe(true);
        expect(allRecords().filter((r) => JSON.stringify(r.inputs).includes("oidc-client-secret-value")).map((r) => r.name)).toEqual(["tracking-oidc-secret"]);
        expect(t.url).toBe("https://mlflow.example.com");
        expect(one("kubernetes:core/v1:ConfigMap", "tracking-config").inputs.data.MLFLOW_SERVER_ALLOWED_HOSTS.split(",")).toContain("mlflow.example.com");
        expect(one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "tracking-allow-clients").inputs.spec.ingress[2]).toEqual({ from: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ protocol: "TCP", port: 5000 }] });
    });

    it("lets the load-balancer controller read only the OIDC Secret, before the Ingress exists", async () => {
        await build("production", { ingress: INGRESS });
        const role = one("kubernetes:rbac.authorization.k8s.io/v1:Role", "tracking-oidc-reader");
        expect(role.inputs.rules).toEqual([{ apiGroups: [""], resources: ["secrets"], resourceNames: ["mlflow-oidc"], verbs: ["get", "list", "watch"] }]);
        const binding = one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "tracking-oidc-reader");
        expect(binding.inputs.metadata.namespace).toBe("mlflow");
        expect(binding.inputs.subjects).toEqual([{ kind: "ServiceAccount", name: "aws-load-balancer-controller", namespace: "kube-system" }]);
        expect(one("kubernetes:networking.k8s.io/v1:Ingress", "tracking-ingress").dependencies).toContain(binding.urn);
    });
});
