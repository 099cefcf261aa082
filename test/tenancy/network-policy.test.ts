import { describe, expect, it } from "vitest";
import { build, inNs } from "./fixtures";

describe("Tenancy: network policies", () => {
    it("denies all traffic by default and allows DNS, the namespace, MLflow, monitoring and (per team) HTTPS out", async () => {
        await build();
        const names = (ns: string) => inNs("kubernetes:networking.k8s.io/v1:NetworkPolicy", ns).map((p) => p.inputs.metadata.name).sort();
        expect(names("vision")).toEqual(["allow-dns", "allow-internet-https", "allow-mlflow", "allow-monitoring", "allow-same-namespace", "default-deny"]);
        expect(names("nlp")).toEqual(["allow-dns", "allow-kubernetes-api", "allow-mlflow", "allow-monitoring", "allow-same-namespace", "default-deny"]);
        const pol = (ns: string, n: string) => inNs("kubernetes:networking.k8s.io/v1:NetworkPolicy", ns).find((p) => p.inputs.metadata.name === n)!.inputs.spec;
        expect(pol("vision", "default-deny")).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        expect(pol("vision", "allow-internet-https").egress).toEqual([{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/16", "172.20.0.0/16", "169.254.169.254/32"] } }], ports: [{ protocol: "TCP", port: 443 }] }]);
        expect(pol("vision", "allow-mlflow").egress).toEqual([{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "mlflow" } } }], ports: [{ protocol: "TCP", port: 5000 }] }]);
        expect(pol("nlp", "allow-kubernetes-api").egress).toEqual([{ to: [{ ipBlock: { cidr: "10.0.0.0/16" } }, { ipBlock: { cidr: "172.20.0.1/32" } }], ports: [{ protocol: "TCP", port: 443 }] }]);
    });
});
