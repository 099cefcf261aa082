/**
 * The policy pack's policies, called directly with synthetic validateStack arguments (the way
 * pulumi-policy and AWSGuard test theirs; constructing the PolicyPack would start a server).
 */
import * as fs from "fs";
import * as path from "path";
import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { CHECKS } from "../policy/all-checks";
import { EXCEPTIONS } from "../policy/checks";
import { DESTROY_CHECKS } from "../policy/destroy";
import { envOf, packLayers, platformPolicies, toRes } from "../policy/policies";
import { policyConfig } from "../policy/policy-config";
import { allRecords, ResourceRecord, resetRecords } from "./mocks";
import { loadStack, PROD_SECRETS, ROOT, stackConfig } from "./stack";

/** What the engine would pass for the recorded resources. */
function policyResources(records: ResourceRecord[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const out = records.map((r) => {
        const p = { type: r.type, name: r.name, urn: r.urn, props: structuredClone(r.inputs), opts: { protect: r.protect }, dependencies: [], propertyDependencies: {} } as unknown as PolicyResource;
        byUrn.set(r.urn, p);
        return p;
    });
    const known = (urns: string[]) => urns.map((d) => byUrn.get(d)).filter((d) => d !== undefined);
    records.forEach((r, i) => {
        const p = out[i] as any;
        p.dependencies = known(r.dependencies);
        p.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, ds]) => [k, known(ds)]));
        p.parent = byUrn.get(r.parent);
        // The engine gives the provider as {type, name, urn, props}; the reference in a record is `urn::id`.
        const providerUrn = r.provider ? r.provider.slice(0, r.provider.lastIndexOf("::")) : "";
        const provider = byUrn.get(providerUrn);
        p.provider = provider ? { type: provider.type, name: provider.name, urn: provider.urn, props: { id: r.provider.slice(r.provider.lastIndexOf("::") + 2) } } : undefined;
    });
    return out;
}

function violations(resources: PolicyResource[], config: { env?: string }, tags: Record<string, string> = {}): string[] {
    const found: string[] = [];
    for (const policy of platformPolicies()) {
        const args = {
            resources,
            stackTags: new Map(Object.entries(tags)),
            getConfig: () => config,
            notApplicable: () => {
                throw new Error("not applicable");
            },
        } as unknown as StackValidationArgs;
        policy.validateStack!(args, (message: string) => {
            found.push(`${policy.name}: ${message}`);
        });
    }
    return found;
}

const STACKS = fs.readdirSync(ROOT).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => s !== undefined).sort();
const presetOf = (stack: string) => (stackConfig(stack)["mlplatform:preset"] === "production" ? "production" : "sandbox");

// Every stack file's recorded resources, as the engine would hand them to the pack. The module
// registry is reset between stacks so index.ts runs again with the next stack's config.
const stacks = new Map<string, PolicyResource[]>();
let prod: PolicyResource[];
beforeAll(async () => {
    for (const stack of STACKS) {
        resetRecords();
        vi.resetModules();
        const secrets = presetOf(stack) === "production" ? PROD_SECRETS : {};
        await loadStack(stack, secrets, Object.keys(secrets));
        stacks.set(stack, policyResources(allRecords()));
    }
    prod = stacks.get("prod")!;
}, 180_000);

describe("policy pack", () => {
    it.each(STACKS)("passes stack file %s with its preset's policy config", (stack) => {
        expect(stacks.get(stack)!.length).toBeGreaterThan(50);
        expect(violations(stacks.get(stack)!, { env: presetOf(stack) })).toEqual([]);
    });

    it("has one mandatory policy per check (the checklist and the destroy rules), uniquely named", () => {
        const policies = platformPolicies();
        expect(policies).toHaveLength(CHECKS.length + DESTROY_CHECKS.length);
        expect(Object.values(packLayers()).flat()).toEqual(expect.arrayContaining([...CHECKS, ...DESTROY_CHECKS]));
        expect(new Set(policies.map((p) => p.name)).size).toBe(policies.length);
        for (const p of policies) {
            expect(p.enforcementLevel).toBe("mandatory");
            expect(p.description).toMatch(/^[A-Z0-9]+-\d{2}: /);
            expect(p.name).toMatch(/^[a-z0-9-]+$/);
        }
    });

    it("passes the prod stack as production", () => {
        expect(violations(prod, { env: "production" })).toEqual([]);
    });

    it("reports a non-compliant resource with its check, resource and reason", () => {
        const mutated = prod.map((r) => (r.name === "cluster-gpu-lt" ? { ...r, props: { ...r.props, metadataOptions: { ...r.props.metadataOptions, httpPutResponseHopLimit: 2 } } } : r));
        expect(violations(mutated, { env: "production" })).toEqual([
            expect.stringMatching(/^foundation-ng-02: aws:ec2\/launchTemplate:LaunchTemplate::cluster-gpu-lt: metadataOptions/),
        ]);
    });

    it("reports the violating resource's URN, so the preview shows it on that resource", () => {
        const found: (string | undefined)[] = [];
        const mutated = prod.map((r) => (r.name === "cluster-gpu-lt" ? { ...r, props: { ...r.props, metadataOptions: {} } } : r));
        const policy = platformPolicies().find((p) => p.name === "foundation-ng-02")!;
        policy.validateStack({ resources: mutated, stackTags: new Map(), getConfig: () => ({ env: "production" }), notApplicable: () => undefined as never } as unknown as StackValidationArgs, (_m, urn) => found.push(urn));
        expect(found).toEqual([prod.find((r) => r.name === "cluster-gpu-lt")!.urn]);
    });

    it("runs the destroy graph walk: a Kubernetes provider cut loose from the EBS CSI add-on fails", () => {
        const cut = prod.map((r) => (r.type === "pulumi:providers:kubernetes" ? { ...r, dependencies: [] } : r));
        const found = violations(cut, { env: "production" });
        expect(found.length).toBeGreaterThan(0);
        expect(found.every((f) => f.startsWith("delivery-destroy-01: ") && f.includes("does not depend on the EBS CSI add-on"))).toBe(true);
    });

    it("carries provider, parent and property dependencies into the checks' shape", () => {
        const release = prod.find((r) => r.name === "monitoring-kube-prometheus-stack")!;
        const res = toRes(release);
        expect(res.provider).toMatch(/^urn:pulumi:prod::mlplatform::pulumi:providers:kubernetes::k8s::/);
        expect(res.parent).toMatch(/::mlplatform:index:Monitoring::monitoring$/);
    });

    it("marks an excepted check not applicable, with its reason, instead of running it", () => {
        const policy = platformPolicies().find((p) => p.name === "foundation-eks-07")!;
        const mutable = EXCEPTIONS as unknown as { id: string; env: string; reason: string }[];
        mutable.push({ id: "EKS-07", env: "sandbox", reason: "test exception" });
        try {
            const reasons: string[] = [];
            const reported: string[] = [];
            const args = { resources: prod, stackTags: new Map(), getConfig: () => ({ env: "sandbox" }), notApplicable: (reason: string) => {
                reasons.push(reason);
                throw new Error("not applicable");
            } } as unknown as StackValidationArgs;
            expect(() => policy.validateStack(args, (m) => reported.push(m))).toThrow("not applicable");
            expect(reasons).toEqual(["EKS-07 is excepted for sandbox: test exception"]);
            expect(reported).toEqual([]);
        } finally {
            mutable.pop();
        }
        expect(EXCEPTIONS).toEqual([]);
    });

    it("applies the sandbox rules to a sandbox: production's protected cluster fails there", () => {
        expect(violations(prod, { env: "sandbox" })).toContainEqual(expect.stringMatching(/^foundation-eks-07: .*blocks sandbox destroy/));
    });

    it("takes the environment from config, then the preset tag, else production", () => {
        const args = (config: object, tags: Record<string, string>) => ({ getConfig: () => config, stackTags: new Map(Object.entries(tags)) }) as unknown as StackValidationArgs;
        expect(envOf(args({ env: "sandbox" }, { "mlplatform:preset": "production" }))).toBe("sandbox");
        expect(envOf(args({}, { "mlplatform:preset": "sandbox" }))).toBe("sandbox");
        expect(envOf(args({}, {}))).toBe("production");
    });

    it("maps engine resources to the checks' shape", () => {
        const r = toRes(prod.find((x) => x.name === "cluster-eks")!);
        expect(r.type).toBe("eks:index:Cluster");
        expect(r.dependencies!.length).toBeGreaterThan(0);
        expect(r.inputs.authenticationMode).toBe("API");
    });

    it.each(["sandbox", "production"] as const)("ships an up-to-date %s policy config", (env) => {
        const file = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", `${env}.json`), "utf8"));
        expect(file).toEqual(policyConfig(env));
    });

    it("is laid out as a Pulumi policy pack", () => {
        expect(fs.readFileSync(path.join(ROOT, "policy", "PulumiPolicy.yaml"), "utf8")).toMatch(/runtime: nodejs/);
        expect(JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8")).main).toBe("index.ts");
    });
});
