import { describe, expect, it } from "vitest";
import { defaultDenyIngress, fromNamespace, ingressAllow, platformNamespace, SAME_NAMESPACE } from "../components/shared/namespace";
import { TENANCY_CHECKS } from "../policy/checks-tenancy";
import { invalidObjects } from "./k8s-schema";
import { allRecords, byType, resetRecords, settle } from "./mocks";

describe("platformNamespace / defaultDenyIngress (NS-01, NS-09)", () => {
    it("labels the level with its reason and denies ingress except the named allows", async () => {
        resetRecords();
        platformNamespace("serving-ns", { name: "serving", level: "baseline", reason: "model servers need writable roots", labels: { "app.kubernetes.io/name": "serving" } }, {});
        defaultDenyIngress("serving-ns", "serving", [
            { role: "monitoring", from: [fromNamespace("monitoring")], ports: [{ protocol: "TCP", port: 8080 }] },
            { role: "same-namespace", from: [SAME_NAMESPACE] },
        ], {});
        await settle();
        const [ns] = byType("kubernetes:core/v1:Namespace");
        expect(ns.inputs.metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "baseline", "app.kubernetes.io/name": "serving" });
        expect(ns.inputs.metadata.annotations).toEqual({ "mlplatform.io/pod-security-reason": "model servers need writable roots" });
        const pols = byType("kubernetes:networking.k8s.io/v1:NetworkPolicy");
        expect(pols.map((p) => [p.inputs.metadata.name, p.inputs.spec]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
            ["allow-monitoring", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 8080 }] }] }],
            ["allow-same-namespace", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: {} }] }] }],
            ["deny-ingress", { podSelector: {}, policyTypes: ["Ingress"] }],
        ]);
        expect(await invalidObjects(allRecords())).toEqual([]);
        // The namespace passes NS-09 with its deny, and fails without it.
        const ns09 = TENANCY_CHECKS.find((c) => c.id === "NS-09")!;
        expect(ns09.evaluate(allRecords(), "production")).toEqual([]);
        expect(ns09.evaluate(allRecords().filter((r) => r.inputs.metadata?.name !== "deny-ingress"), "production").map((x) => x.id)).toEqual(["NS-09"]);
    });

    it("refuses an allow that would admit every source, and a role used twice", () => {
        expect(() => ingressAllow("x", "serving", { role: "all", from: [] }, {})).toThrow('ingress allow "all" has an empty from, which admits every source; name the peers');
        expect(() => defaultDenyIngress("x", "serving", [{ role: "a", from: [SAME_NAMESPACE] }, { role: "a", from: [SAME_NAMESPACE] }], {})).toThrow('ingress allow "a" is declared twice');
    });

    it("refuses a level below restricted without a reason", () => {
        expect(() => platformNamespace("x", { name: "x", level: "privileged", labels: {} }, {})).toThrow("a namespace at Pod Security level privileged needs a reason");
    });
});
