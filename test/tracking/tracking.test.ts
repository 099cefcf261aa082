import { describe, expect, it } from "vitest";
import { Env } from "../../policy/checks";
import { invalidObjects, isK8sObject } from "../k8s-schema";
import { allRecords, byType, one, resolve } from "../mocks";
import { build, INGRESS } from "./fixtures";

describe("Tracking", () => {
    it("exposes a ClusterIP Service, a restricted namespace and the outputs clients need", async () => {
        const t = await build("sandbox");
        const svc = one("kubernetes:core/v1:Service", "tracking-svc").inputs;
        expect(svc.metadata).toMatchObject({ name: "mlflow", namespace: "mlflow" });
        expect(svc.spec).toEqual({ type: "ClusterIP", selector: { "app.kubernetes.io/name": "mlflow", "app.kubernetes.io/instance": "tracking" }, ports: [{ name: "http", port: 5000, targetPort: "http", protocol: "TCP" }] });
        expect(one("kubernetes:core/v1:Namespace", "tracking-ns").inputs.metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted" });
        expect(one("kubernetes:core/v1:ServiceAccount", "tracking-sa").inputs).toMatchObject({ metadata: { name: "mlflow", namespace: "mlflow" }, automountServiceAccountToken: false });
        expect(t.trackingUri).toBe("http://mlflow.mlflow.svc.cluster.local:5000");
        expect(t.portForwardCommand).toBe("kubectl -n mlflow port-forward svc/mlflow 5000:5000");
        expect(await resolve(t.bucketName)).toBe("tracking-artifacts-mock");
        expect(t.url).toBeUndefined();
        expect(t.scrapeTargets).toHaveLength(1);
        expect(t.scrapeTargets[0]).toMatchObject({ name: "mlflow", selector: svc.spec.selector, port: "http", path: "/metrics" });
        expect(await resolve(t.scrapeTargets[0].namespace)).toBe("mlflow");
        expect(byType("kubernetes:networking.k8s.io/v1:Ingress")).toHaveLength(0);
    });

    it.each<[Env]>([["sandbox"], ["production"]])("declares only schema-valid Kubernetes objects, all under the component (%s)", async (env) => {
        await build(env, env === "production" ? { ingress: INGRESS } : {});
        // Namespace, ServiceAccount, ConfigMap, Secret, Deployment, Service, 3 NetworkPolicies; production adds PDB,
        // OIDC Secret, the Role and RoleBinding that let the load-balancer controller read it, and the Ingress.
        expect(allRecords().filter(isK8sObject)).toHaveLength(env === "production" ? 20 : 15);
        expect(await invalidObjects(allRecords())).toEqual([]);
        for (const r of allRecords().filter((x) => x.type !== "mlplatform:index:Tracking" && x.name !== "agent")) {
            expect(r.parent, r.name).toMatch(/::mlplatform:index:Tracking::tracking$/);
        }
    });
});
