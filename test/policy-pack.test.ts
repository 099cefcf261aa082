/**
 * The policy pack's policies, called directly with synthetic validateStack arguments (the way
 * pulumi-policy and AWSGuard test theirs; constructing the PolicyPack would start a server).
 */
import * as fs from "fs";
import * as path from "path";
import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { beforeAll, describe, expect, it } from "vitest";
import { CHECKS } from "../policy/all-checks";
import { envOf, platformPolicies, toRes } from "../policy/policies";
import { policyConfig } from "../policy/policy-config";
import { allRecords, ResourceRecord } from "./mocks";
import { loadStack, PROD_SECRETS, ROOT } from "./stack";

/** What the engine would pass for the recorded resources. */
function policyResources(records: ResourceRecord[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const out = records.map((r) => {
        const p = { type: r.type, name: r.name, urn: r.urn, props: structuredClone(r.inputs), opts: { protect: r.protect }, dependencies: [], propertyDependencies: {} } as unknown as PolicyResource;
        byUrn.set(r.urn, p);
        return p;
    });
    records.forEach((r, i) => {
        (out[i] as any).dependencies = r.dependencies.map((d) => byUrn.get(d)).filter((d) => d !== undefined);
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

let prod: PolicyResource[];
beforeAll(async () => {
    await loadStack("prod", PROD_SECRETS, Object.keys(PROD_SECRETS));
    prod = policyResources(allRecords());
});

describe("policy pack", () => {
    it("has one mandatory policy per check, uniquely named", () => {
        const policies = platformPolicies();
        expect(policies).toHaveLength(CHECKS.length);
        expect(new Set(policies.map((p) => p.name)).size).toBe(policies.length);
        for (const p of policies) {
            expect(p.enforcementLevel).toBe("mandatory");
            expect(p.description).toMatch(/^[A-Z0-9]+-\d{2}: /);
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
