import { describe, expect, it } from "vitest";
import { one } from "../mocks";
import { build } from "./fixtures";

describe("Tracking: network policies", () => {
    it("isolates the namespace: clients and monitoring in on 5000; DNS, PostgreSQL, HTTPS (not IMDS) and the Pod Identity agent out", async () => {
        await build("sandbox");
        const pol = (n: string) => one("kubernetes:networking.k8s.io/v1:NetworkPolicy", `tracking-${n}`).inputs.spec;
        expect(pol("default-deny")).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        expect(pol("allow-clients").ingress).toEqual([
            { from: [{ namespaceSelector: { matchLabels: { "mlplatform.io/mlflow-client": "true" } } }], ports: [{ protocol: "TCP", port: 5000 }] },
            { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 5000 }] },
            { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "mlflow-auth-bootstrap" } } }], ports: [{ protocol: "TCP", port: 5000 }] },
        ]);
        expect(pol("allow-egress").egress.slice(1)).toEqual([
            { to: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ protocol: "TCP", port: 5432 }] },
            { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/16", "172.20.0.0/16", "169.254.169.254/32"] } }], ports: [{ protocol: "TCP", port: 443 }] },
            { to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [{ protocol: "TCP", port: 80 }] },
        ]);
    });
});
