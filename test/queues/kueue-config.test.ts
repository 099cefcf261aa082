/**
 * The rules Kueue applies to its Configuration at start-up (a bad one crash-loops the controller,
 * and with it every Job admission in team namespaces), reproduced from kubernetes-sigs/kueue
 * v0.19.2 `pkg/config/validation.go` for the fields the platform sets.
 */
import { describe, expect, it } from "vitest";
import { kueueConfiguration } from "../../components/queues/kueue-release";
import { defaultPodsReadyTimeoutSeconds } from "../../components/queues/settings";

/** validStrategySets in validation.go. */
const VALID_STRATEGY_SETS = [["LessThanOrEqualToFinalShare"], ["LessThanInitialShare"], ["LessThanOrEqualToFinalShare", "LessThanInitialShare"]];
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Go duration as Kueue writes it here ("720s", "12m"): seconds. */
const seconds = (d: string) => { const m = /^(\d+)(s|m|h)$/.exec(d); return m ? Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as "s" | "m" | "h"] : NaN; };

/** Does a label selector (matchLabels / matchExpressions Exists, In, NotIn) match these labels? */
function matches(sel: any, labels: Record<string, string>): boolean {
    const okLabels = Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    const okExprs = (sel.matchExpressions ?? []).every((e: any) =>
        e.operator === "Exists" ? e.key in labels
            : e.operator === "DoesNotExist" ? !(e.key in labels)
                : e.operator === "In" ? e.values.includes(labels[e.key])
                    : !e.values.includes(labels[e.key]));
    return okLabels && okExprs;
}

function configErrors(c: any): string[] {
    const errs: string[] = [];
    // validateWaitForPodsReady
    const w = c.waitForPodsReady;
    if (w !== undefined) {
        if (!(seconds(w.timeout) > 0)) {
            errs.push("waitForPodsReady.timeout must be a positive duration");
        }
        const r = w.requeuingStrategy ?? {};
        if (r.timestamp !== undefined && !["Creation", "Eviction"].includes(r.timestamp)) {
            errs.push("waitForPodsReady.requeuingStrategy.timestamp: supported values Creation, Eviction");
        }
        for (const k of ["backoffLimitCount", "backoffBaseSeconds", "backoffMaxSeconds"]) {
            if (r[k] !== undefined && r[k] < 0) {
                errs.push(`waitForPodsReady.requeuingStrategy.${k} must be >= 0`);
            }
        }
    }
    // validateFairSharing
    if (c.fairSharing !== undefined && !VALID_STRATEGY_SETS.some((s) => JSON.stringify(s) === JSON.stringify(c.fairSharing.preemptionStrategies))) {
        errs.push(`fairSharing.preemptionStrategies: supported values ${VALID_STRATEGY_SETS.map((s) => s.join(",")).join("; ")}`);
    }
    // validateInternalCertManagement
    const icm = c.internalCertManagement;
    if (icm?.enable) {
        if (icm.webhookServiceName !== undefined && !DNS1035.test(icm.webhookServiceName)) {
            errs.push("internalCertManagement.webhookServiceName must be a DNS-1035 label");
        }
        if (icm.webhookSecretName !== undefined && !DNS1123_SUBDOMAIN.test(icm.webhookSecretName)) {
            errs.push("internalCertManagement.webhookSecretName must be a DNS-1123 subdomain");
        }
    }
    // validateNamespaceSelectorForPodIntegration: never kube-system or Kueue's own namespace.
    if (c.managedJobsNamespaceSelector !== undefined) {
        for (const ns of ["kube-system", c.namespace]) {
            if (matches(c.managedJobsNamespaceSelector, { "kubernetes.io/metadata.name": ns })) {
                errs.push(`managedJobsNamespaceSelector should not match the "${ns}" namespace`);
            }
        }
    }
    return errs;
}

describe("Kueue Configuration, as Kueue validates it at start-up", () => {
    const ours = kueueConfiguration({ podsReadyTimeoutSeconds: defaultPodsReadyTimeoutSeconds() });

    it("passes", () => {
        expect(configErrors(ours)).toEqual([]);
    });

    it.each<[string, (c: any) => void, RegExp]>([
        ["an unsupported fair-sharing strategy order", (c) => { c.fairSharing.preemptionStrategies = ["LessThanInitialShare", "LessThanOrEqualToFinalShare"]; }, /fairSharing\.preemptionStrategies/],
        ["a zero timeout", (c) => { c.waitForPodsReady.timeout = "0s"; }, /waitForPodsReady\.timeout/],
        ["a negative backoff limit", (c) => { c.waitForPodsReady.requeuingStrategy.backoffLimitCount = -1; }, /backoffLimitCount must be >= 0/],
        ["a selector that manages Kueue's own namespace", (c) => { c.managedJobsNamespaceSelector = { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system"] }] }; }, /should not match the "kueue-system" namespace/],
        ["a webhook service name that is not a DNS label", (c) => { c.internalCertManagement.webhookServiceName = "Kueue_Webhook"; }, /webhookServiceName/],
    ])("the reproduction is real: refuses %s", (_what, mutate, message) => {
        const c = JSON.parse(JSON.stringify(ours));
        mutate(c);
        expect(configErrors(c).join("\n")).toMatch(message);
    });
});
