/**
 * The GitHub Actions workflows, parsed: pinned actions, Node 22, the policy pack on every preview
 * and deploy, an approval gate before prod, and a destroy that proves nothing is left behind.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
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

    /**
     * Runs the "pick the sandbox stacks" step as the runner does (`shell: bash` is
     * `bash --noprofile --norc -eo pipefail {0}`, GitHub's workflow syntax docs) against a fake
     * `pulumi` (and `jq`, which need not be installed here) whose answers each case decides.
     */
    function pick(stacks: Record<string, string | null>, opts: { lsFails?: boolean; pattern?: string } = {}) {
        const step = wf.jobs.destroy.steps.find((s: any) => s.id === "pick");
        expect(step.shell).toBe("bash");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "destroy-sandbox-"));
        const fake = (name: string, js: string) => {
            fs.writeFileSync(path.join(dir, name), `#!${process.execPath}\n${js}\n`, { mode: 0o755 });
        };
        // null: `pulumi config get` fails for that stack (wrong passphrase, backend error, no key).
        fake("pulumi", `const a = process.argv.slice(2); const stacks = ${JSON.stringify(stacks)};
if (a[0] === "login") process.exit(0);
if (a[0] === "stack" && a[1] === "ls") { if (${opts.lsFails === true}) { console.error("error: could not list stacks"); process.exit(1); } console.log(JSON.stringify(Object.keys(stacks).map((name) => ({ name })))); process.exit(0); }
if (a[0] === "config" && a[1] === "get") { const v = stacks[a[a.indexOf("--stack") + 1]]; if (v === null) { console.error("error: incorrect passphrase"); process.exit(255); } console.log(v); process.exit(0); }
process.exit(99);`);
        fake("jq", `const input = require("fs").readFileSync(0, "utf8"); if (process.argv.slice(2).join(" ") !== "-r .[].name") process.exit(98); for (const s of JSON.parse(input)) console.log(s.name);`);
        const output = path.join(dir, "github-output");
        fs.writeFileSync(output, "");
        const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], {
            encoding: "utf8",
            env: { PATH: `${dir}:${process.env.PATH}`, GITHUB_OUTPUT: output, PULUMI_BACKEND_URL: "s3://state", PATTERN: opts.pattern ?? "-sandbox$" },
        });
        const picked = /^stacks=(.*)$/m.exec(fs.readFileSync(output, "utf8"))?.[1]?.trim().split(/\s+/).filter(Boolean);
        fs.rmSync(dir, { recursive: true, force: true });
        return { status: r.status, out: r.stdout + r.stderr, picked };
    }

    it("picks the sandbox-preset stacks matching the pattern and passes", () => {
        const r = pick({ "alice-sandbox": "sandbox", "fake-sandbox": "production", dev: "sandbox", prod: "production" });
        expect(r.status, r.out).toBe(0);
        expect(r.picked).toEqual(["alice-sandbox"]);
        expect(r.out).toContain("skipping fake-sandbox (preset 'production')");
    });

    it("fails the job when a stack's preset cannot be read, after picking the readable sandboxes", () => {
        const r = pick({ "alice-sandbox": null, "bob-sandbox": "sandbox" });
        expect(r.status, r.out).not.toBe(0);
        expect(r.out).toContain("::error::cannot read mlplatform:preset of stack alice-sandbox");
        expect(r.picked).toEqual(["bob-sandbox"]);
        const destroy = wf.jobs.destroy.steps.find((s: any) => s.name === "destroy");
        expect(destroy.if).toContain("!cancelled()");
    });

    it("fails when the stacks cannot be listed or the pattern is invalid", () => {
        expect(pick({ "alice-sandbox": "sandbox" }, { lsFails: true }).status).not.toBe(0);
        expect(pick({ "alice-sandbox": "sandbox" }, { pattern: "(" }).status).not.toBe(0);
        expect(pick({ "alice-sandbox": "sandbox" }, { pattern: "^nothing$" })).toMatchObject({ status: 0, picked: [] });
    });

    it("fails unless the state is empty and no AWS resource carries the stack's tag", () => {
        const verify = wf.jobs.destroy.steps.find((s: any) => s.name === "verify nothing is left");
        expect(verify.if).toContain("always()");
        expect(verify.run).toContain("pulumi stack export --stack \"$s\"");
        expect(verify.run).toContain("aws resourcegroupstaggingapi get-resources");
        expect(verify.run).toContain("Key=mlplatform:stack,Values=$s");
        expect(verify.run).toContain("exit \"$failed\"");
        // DESTROY-04: the EBS CSI driver tags volumes with the cluster, not the stack tag.
        expect(verify.run).toContain("aws ec2 describe-volumes");
        expect(verify.run).toContain("Name=tag:kubernetes.io/cluster/$cluster,Values=owned");
        expect(wf.jobs.destroy.steps.find((s: any) => s.name === "destroy").run).toContain("pulumi stack output clusterName --stack \"$s\" > \"$RUNNER_TEMP/cluster-$s\"");
    });
});
