/**
 * The program loads @pulumi/aws, @pulumi/kubernetes and @pulumi/eks module by module
 * (components/shared/aws.ts, kubernetes.ts, cluster/control-plane.ts): their root indexes load
 * every service, API group and helper (~0.25 s of each evaluation). These tests keep it so, and
 * check with the real SDK, in a fresh process (a vitest worker shares loaded modules between
 * files), what a real `pulumi up` relies on: resource references the engine returns still become
 * resources of the services the program imports.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "../stack";

/** Program sources: what `pulumi up` loads (tests, scripts and the policy pack run elsewhere). */
function programFiles(): string[] {
    const out = ["index.ts", "config.ts"];
    const walk = (dir: string): void => {
        for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
            const rel = path.join(dir, e.name);
            if (e.isDirectory()) {
                walk(rel);
            } else if (rel.endsWith(".ts")) {
                out.push(rel);
            }
        }
    };
    walk("components");
    return out;
}

const ROOT_PACKAGES = ["@pulumi/aws", "@pulumi/kubernetes", "@pulumi/eks"];

/** Module specifiers a file imports, re-exports or requires (TypeScript's own scan, comments ignored). */
function specifiers(file: string): string[] {
    return ts.preProcessFile(fs.readFileSync(path.join(ROOT, file), "utf8"), true, true).importedFiles.map((f) => f.fileName);
}

/** The shim compiled as the build compiles it, to run in a fresh `node` (cwd ROOT resolves its packages). */
function compiled(shim: string): string {
    const src = fs.readFileSync(path.join(ROOT, "components/shared", shim), "utf8");
    return ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
}

/** Runs `body` in a fresh node process after loading the SDK and the shims; returns its JSON output. */
function inFreshNode(body: string): any {
    const script = `
        const pulumi = require("@pulumi/pulumi");
        const rpc = require("@pulumi/pulumi/runtime/rpc");
        const load = (code) => { const module = { exports: {} }; new Function("exports", "require", "module", code)(module.exports, require, module); return module.exports; };
        const aws = load(${JSON.stringify(compiled("aws.ts"))});
        const k8s = load(${JSON.stringify(compiled("kubernetes.ts"))});
        const eks = require("@pulumi/eks/cluster");
        const loaded = (m) => require.cache[require.resolve(m)] !== undefined;
        (async () => {
            await pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + "-id", state: a.inputs }), call: () => ({}) }, "p", "s", false);
            ${body}
        })().then((r) => { process.stdout.write(JSON.stringify(r)); process.exit(0); }, (e) => { process.stderr.write(String(e && e.stack)); process.exit(1); });
    `;
    return JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" }));
}

describe("SDK packages load module by module", () => {
    it("no program file imports the root of @pulumi/aws, @pulumi/kubernetes or @pulumi/eks", () => {
        const offenders = programFiles().flatMap((f) => specifiers(f).filter((s) => ROOT_PACKAGES.includes(s)).map((s) => `${f}: ${s}`));
        expect(offenders).toEqual([]);
    });

    it("the shims and the eks cluster class leave the root indexes (and helm's Chart with its YAML loader) unloaded", () => {
        const r = inFreshNode(`
            return { aws: loaded("@pulumi/aws"), k8s: loaded("@pulumi/kubernetes"), eks: loaded("@pulumi/eks"), yaml: loaded("@pulumi/kubernetes/yaml/yaml"),
                     services: Object.keys(aws).length, helm: typeof k8s.helm.v3.Release };
        `);
        expect(r).toEqual({ aws: false, k8s: false, eks: false, yaml: false, services: expect.any(Number), helm: "function" });
    });

    it("an aws:eks/cluster reference from the engine (the eks component's eksCluster) becomes an aws.eks.Cluster; an aws provider reference stays its id", () => {
        // @pulumi/pulumi 3.270.0 runtime/rpc.js deserializeProperty (specialResourceSig): a reference is
        // rebuilt through the module registered for its type; otherwise it falls back to the id or URN.
        // The referenced resources are registered first: rebuilding one reads it back from the engine.
        const r = inFreshNode(`
            const urnOf = (res) => new Promise((done) => res.urn.apply(done));
            const ref = (urn, id) => ({ [rpc.specialSigKey]: rpc.specialResourceSig, urn, id });
            const registered = new aws.eks.Cluster("c", { roleArn: "arn:aws:iam::123456789012:role/r", vpcConfig: { subnetIds: [] } });
            const cluster = rpc.deserializeProperty(ref(await urnOf(registered), "c-id"));
            const provider = rpc.deserializeProperty(ref("urn:pulumi:s::p::pulumi:providers:aws::default", "default-id"));
            await urnOf(cluster);
            await pulumi.runtime.waitForRPCs();
            await new Promise((done) => setTimeout(done, 50));
            return { cluster: cluster instanceof aws.eks.Cluster, provider, eksClass: typeof eks.Cluster };
        `);
        expect(r).toEqual({ cluster: true, provider: "default-id", eksClass: "function" });
    });
});
