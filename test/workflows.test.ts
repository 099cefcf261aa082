/**
 * The GitHub Actions workflows, parsed: pinned actions, Node 22, the policy pack on every preview
 * and deploy, an approval gate before prod, and a destroy that proves nothing is left behind.
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "./stack";

const DIR = path.join(ROOT, ".github", "workflows");
const load = (f: string) => parse(fs.readFileSync(path.join(DIR, f), "utf8"));
const steps = (wf: any) => Object.values<any>(wf.jobs).flatMap((j) => j.steps ?? []);
const uses = (wf: any) => steps(wf).map((s) => s.uses).filter(Boolean) as string[];
const runs = (wf: any) => steps(wf).map((s) => s.run ?? "").join("\n");

describe.each(["preview.yml", "up.yml", "destroy-sandbox.yml"])("%s", (file) => {
    const wf = load(file);

    it("pins every action to a major version tag", () => {
        expect(uses(wf).length).toBeGreaterThan(0);
        for (const u of uses(wf)) {
            expect(u).toMatch(/^[\w.-]+\/[\w.-]+@v\d+(\.\d+){0,2}$/);
        }
    });

    it("sets up Node 22 and installs with npm ci", () => {
        for (const job of Object.values<any>(wf.jobs).filter((j) => (j.steps ?? []).some((s: any) => s.run?.includes("npm")))) {
            expect(job.steps.find((s: any) => s.uses?.startsWith("actions/setup-node@")).with["node-version"]).toBe(22);
            expect(job.steps.some((s: any) => s.run?.startsWith("npm ci"))).toBe(true);
        }
    });

    it("takes credentials from secrets or OIDC only", () => {
        const text = fs.readFileSync(path.join(DIR, file), "utf8");
        expect(text).not.toMatch(/AKIA[0-9A-Z]{16}/);
        for (const s of steps(wf).filter((x) => x.uses?.startsWith("aws-actions/configure-aws-credentials@"))) {
            expect(s.with["role-to-assume"]).toBe("${{ secrets.AWS_ROLE_ARN }}");
        }
    });
});

describe("preview.yml", () => {
    const wf = load("preview.yml");

    it("runs on pull requests", () => {
        expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    });

    it("previews each affected stack with the policy pack and its environment's config, commenting on the PR", () => {
        const job = wf.jobs.preview;
        expect(job.strategy.matrix.stack).toBe("${{ fromJSON(needs.stacks.outputs.affected) }}");
        const preview = job.steps.find((s: any) => s.uses?.startsWith("pulumi/actions@"));
        expect(preview.with).toMatchObject({
            command: "preview",
            "stack-name": "${{ matrix.stack }}",
            policyPacks: "policy",
            policyPackConfigs: "policy/${{ steps.env.outputs.env }}.json",
            "comment-on-pr": true,
            "cloud-url": "${{ secrets.PULUMI_BACKEND_URL }}",
        });
        expect(job.permissions["pull-requests"]).toBe("write");
        expect(job.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    });

    it("attaches the offline plan of every stack, without secrets, also for forks", () => {
        const job = wf.jobs.plan;
        expect(job.if).toBeUndefined();
        expect(JSON.stringify(job)).not.toContain("secrets.");
        expect(job.steps.map((s: any) => s.run).filter(Boolean)).toContain("npm run plan -- ${{ matrix.stack }}");
        const upload = job.steps.find((s: any) => s.uses?.startsWith("actions/upload-artifact@"));
        expect(upload.if).toBe("always()");
        expect(upload.with.path).toBe("plan-out/${{ matrix.stack }}");
    });
});

describe("up.yml", () => {
    const wf = load("up.yml");

    it("deploys dev, then prod behind the approval environment, with the policy pack", () => {
        expect(wf.on).toEqual({ push: { branches: ["main"] } });
        expect(wf.jobs.prod.needs).toBe("dev");
        expect(wf.jobs.prod.environment).toBe("production");
        const up = (job: string) => wf.jobs[job].steps.find((s: any) => s.uses?.startsWith("pulumi/actions@")).with;
        expect(up("dev")).toMatchObject({ command: "up", "stack-name": "dev", policyPacks: "policy", policyPackConfigs: "policy/sandbox.json" });
        expect(up("prod")).toMatchObject({ command: "up", "stack-name": "prod", policyPacks: "policy", policyPackConfigs: "policy/production.json" });
        expect(wf.concurrency["cancel-in-progress"]).toBe(false);
    });

    it.each(["dev", "prod"])("verifies %s right after deploying it and attaches the report even when verify fails", (job) => {
        const jobSteps: any[] = wf.jobs[job].steps;
        const upAt = jobSteps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
        const verifyAt = jobSteps.findIndex((s) => /npm run verify -- \S+ --report (\S+)/.test(s.run ?? ""));
        expect(verifyAt).toBe(upAt + 1);
        expect(jobSteps[verifyAt].run).toContain(`npm run verify -- ${job} --report verify-out/${job}.json`);
        const attach = jobSteps[verifyAt + 1];
        expect(attach.uses).toMatch(/^actions\/upload-artifact@v\d+$/);
        expect(attach.if).toBe("always()");
        expect(attach.with.path).toBe(`verify-out/${job}.json`);
    });
});

describe("destroy-sandbox.yml", () => {
    const wf = load("destroy-sandbox.yml");
    const text = runs(wf);

    it("runs on demand and on a schedule", () => {
        expect(Object.keys(wf.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
        expect(wf.on.workflow_dispatch.inputs.pattern.required).toBe(true);
    });

    it("destroys only stacks with the sandbox preset", () => {
        expect(text).toContain("pulumi config get mlplatform:preset");
        expect(text).toMatch(/if \[ "\$preset" = sandbox \]/);
        expect(text).toContain("pulumi destroy --stack \"$s\" --yes");
    });

    it("fails unless the state is empty and no AWS resource carries the stack's tag", () => {
        const verify = wf.jobs.destroy.steps.find((s: any) => s.name === "verify nothing is left");
        expect(verify.if).toContain("always()");
        expect(verify.run).toContain("pulumi stack export --stack \"$s\"");
        expect(verify.run).toContain("aws resourcegroupstaggingapi get-resources");
        expect(verify.run).toContain("Key=mlplatform:stack,Values=$s");
        expect(verify.run).toContain("exit \"$failed\"");
    });
});
