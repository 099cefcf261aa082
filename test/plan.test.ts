import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { platformPolicies } from "../policy/policies";
import { main, MASK, plan } from "../scripts/plan";
import { resetRecords } from "./mocks";

const out = fs.mkdtempSync(path.join(os.tmpdir(), "mlp-plan-"));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

let result: Awaited<ReturnType<typeof plan>>;
let dev: Awaited<ReturnType<typeof plan>>;
beforeAll(async () => {
    result = await plan("prod", out);
    // index.ts runs again, with the dev stack file's config.
    resetRecords();
    vi.resetModules();
    const again = await import("../scripts/plan");
    dev = await again.plan("dev", out);
}, 180_000);

describe("offline plan (dev)", () => {
    const file = (f: string) => fs.readFileSync(path.join(out, "dev", f), "utf8");

    it("writes the four parts for the sandbox stack", () => {
        expect(fs.readdirSync(path.join(out, "dev")).sort()).toEqual(["manifests", "policy.json", "resources.json", "summary.md"]);
        const resources = JSON.parse(file("resources.json"));
        expect(resources).toHaveLength(dev.resources);
        expect(resources.every((r: any) => !JSON.stringify(r).includes("urn:pulumi:prod"))).toBe(true);
        expect(resources.find((r: any) => r.name === "cluster-eks").inputs.deletionProtection).toBe(false);
    });

    it("passes every policy of the pack as a sandbox, destroy rules included", () => {
        const policy = JSON.parse(file("policy.json"));
        expect(policy).toEqual({ env: "sandbox", policies: platformPolicies().map((p) => p.name), violations: [] });
        expect(policy.policies).toContain("delivery-destroy-02");
        expect(dev.violations).toEqual([]);
    });

    it("summarises counts, policy and outputs", () => {
        const summary = file("summary.md");
        expect(summary).toMatch(/^# Offline plan: stack `dev` \(sandbox\)/);
        expect(summary).toContain(`${dev.resources} resources`);
        expect(summary).toContain("| `aws:eks/addon:Addon` | 5 |");
        expect(summary).toContain("- `clusterName`: mlplatform-dev");
        expect(summary).toContain(`- \`grafanaAdminPassword\`: ${MASK}`);
        expect(summary).not.toContain("mock-secret-");
    });
});

describe("offline plan (prod)", () => {
    const file = (f: string) => fs.readFileSync(path.join(out, "prod", f), "utf8");

    it("writes the resource tree with parents and dependencies", () => {
        const resources = JSON.parse(file("resources.json"));
        expect(resources).toHaveLength(result.resources);
        const eks = resources.find((r: any) => r.name === "cluster-eks");
        expect(eks.parent).toBe("mlplatform:index:Cluster::cluster");
        expect(eks.dependsOn).toContain("mlplatform:index:Cluster$aws:cloudwatch/logGroup:LogGroup::cluster-control-plane-logs");
    });

    it("writes every Kubernetes object as a manifest and Helm values apart", () => {
        const files = fs.readdirSync(path.join(out, "prod", "manifests"));
        expect(files).toContain("cluster-services-gp3.StorageClass.yaml");
        expect(files).toContain("monitoring-kube-prometheus-stack.helm-values.yaml");
        expect(file("manifests/cluster-services-gp3.StorageClass.yaml")).toMatch(/^apiVersion: storage.k8s.io\/v1\nkind: StorageClass\n/);
    });

    it("writes one file per Kubernetes object and per Helm release (none overwrites another)", () => {
        const files = fs.readdirSync(path.join(out, "prod", "manifests"));
        const releases = JSON.parse(file("resources.json")).filter((r: any) => r.type === "kubernetes:helm.sh/v3:Release").length;
        expect(result.kubernetesObjects).toBeGreaterThan(40);
        expect(files.filter((f) => !f.endsWith(".helm-values.yaml"))).toHaveLength(result.kubernetesObjects);
        expect(files.filter((f) => f.endsWith(".helm-values.yaml"))).toHaveLength(releases);
        // Logical names repeat across kinds (Fluentd's ClusterRole and ClusterRoleBinding).
        expect(files.filter((f) => /^logging-fluentd\.ClusterRole(Binding)?\.yaml$/.test(f))).toHaveLength(2);
    });

    it("masks secrets everywhere", () => {
        const all = fs.readdirSync(path.join(out, "prod", "manifests")).map((f) => file(`manifests/${f}`)).join("\n") + file("resources.json") + file("summary.md");
        expect(all).not.toContain("test-webhook-secret");
        expect(all).not.toContain("mock-secret-");
        expect(file("manifests/monitoring-alertmanager-config.Secret.yaml")).toContain(`alertmanager.yaml: "${MASK}"`);
    });

    it("records the policy results and a summary", () => {
        expect(JSON.parse(file("policy.json"))).toEqual({ env: "production", policies: platformPolicies().map((p) => p.name), violations: [] });
        expect(result.violations).toEqual([]);
        expect(file("summary.md")).toMatch(/^# Offline plan: stack `prod` \(production\)/);
        expect(file("summary.md")).toContain("all checks pass");
        expect(file("summary.md")).toContain(`- \`kubeconfig\`: ${MASK}`);
    });
});

describe("npm run plan -- <stack>", () => {
    it.each([["nope"], ["../prod"]])("refuses the unknown stack %s in one line that lists the stacks", async (stack) => {
        const err: string[] = [];
        expect(await main([stack], (t) => err.push(t))).toBe(2);
        expect(err).toEqual([`no stack file Pulumi.${stack}.yaml; stacks: dev, prod (usage: npm run plan -- <stack>)\n`]);
    });

    it("asks for a stack when none is given", async () => {
        const err: string[] = [];
        expect(await main([], (t) => err.push(t))).toBe(2);
        expect(err.join("")).toBe("usage: npm run plan -- <stack>; stacks: dev, prod\n");
    });
});
