import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { spawnSync } from "node:child_process";
import { DB_UPGRADE_SCRIPT } from "../../components/tracking/server";
import { MLFLOW_METRICS_SECRET } from "../../components/tracking/credentials";
import { resolveTrackingArgs } from "../../components/tracking";
import { authIni, BOOTSTRAP_SCRIPT, HUB_MLFLOW_HOOK, MLFLOW_AUTH_SECRET, mlflowIdentities } from "../../components/tracking/auth";
import { allRecords, one, resolve } from "../mocks";
import { Agent, base, build, INGRESS, T } from "./fixtures";

describe("Tracking: authentication (ML-04)", () => {
    it("runs the basic-auth app with a generated admin password that is only in Secrets, a separate auth database and a CSRF key", async () => {
        await build("production", { ingress: INGRESS });
        const auth = one(T.secret, "tracking-auth-secret");
        expect(auth.inputs.metadata).toMatchObject({ name: MLFLOW_AUTH_SECRET, namespace: "mlflow" });
        const admin = "mock-secret-tracking-admin-password";
        expect(auth.inputs.stringData["admin-password"]).toBe(admin);
        expect(auth.inputs.stringData["flask-secret-key"]).toBe("mock-secret-tracking-flask-secret-key");
        const ini = auth.inputs.stringData["basic_auth.ini"];
        expect(ini).toContain(`admin_password = ${admin}\n`);
        expect(ini).toContain("admin_username = platform-admin\n");
        expect(ini).toContain("default_permission = READ\n");
        // Its own database: the auth app's Alembic history would collide with the tracking schema's.
        expect(ini).toMatch(/database_uri = postgresql\+psycopg2:\/\/mlflow:.+@tracking-db\.mock\.us-west-2\.rds\.amazonaws\.com:5432\/mlflow_auth\?sslmode=require\n/);
        expect(auth.secretPaths.some((p) => p === "stringData" || p.startsWith("stringData."))).toBe(true);
        // The admin password is in the auth Secret and nowhere else (no ConfigMap, env value or argv).
        const holders = allRecords().filter((r) => JSON.stringify(r.inputs).includes(admin)).map((r) => `${r.type}::${r.name}`);
        expect(holders).toEqual([`${T.secret}::tracking-auth-secret`]);
    });

    it("generates one user per team and reader, always a metrics reader, and a Job that registers them from mounted files", async () => {
        const t = await build("sandbox", { teams: ["vision", "nlp"], mlflowReaders: ["serving"] });
        const users = one(T.secret, "tracking-users-secret");
        expect(Object.keys(users.inputs.stringData).sort()).toEqual(["reader-metrics", "reader-serving", "team-nlp", "team-vision"]);
        expect(users.inputs.stringData["team-nlp"]).toBe("mock-secret-tracking-user-team-nlp");
        expect(t.teamCredentials.vision.username).toBe("team-vision");
        expect(await resolve(t.teamCredentials.vision.password)).toBe("mock-secret-tracking-user-team-vision");
        expect(await pulumi.isSecret(t.teamCredentials.vision.password)).toBe(true);
        expect(t.readerCredentials.serving.username).toBe("reader-serving");
        const job = one("kubernetes:batch/v1:Job", "tracking-auth-bootstrap");
        const pod = job.inputs.spec.template.spec;
        const [c] = pod.containers;
        expect(c.command).toEqual(["python", "-c", BOOTSTRAP_SCRIPT]);
        expect(JSON.parse(c.env.find((e: any) => e.name === "MLFLOW_IDENTITIES").value).map((i: any) => i.username))
            .toEqual(["team-vision", "team-nlp", "reader-metrics", "reader-serving"]);
        // Passwords only as files: no env value or argument holds one.
        expect(JSON.stringify(job.inputs)).not.toContain("mock-secret");
        expect(pod.volumes.filter((x: any) => x.secret).map((x: any) => x.secret.secretName)).toEqual(["mlflow-auth", "mlflow-users"]);
        expect(BOOTSTRAP_SCRIPT).toContain("users/create");
        expect(BOOTSTRAP_SCRIPT).toContain("users/update-password");
        expect(BOOTSTRAP_SCRIPT).not.toMatch(/is_admin|update-admin/);
        // It runs after the server and its Service exist.
        expect(job.dependencies).toEqual(expect.arrayContaining([one(T.deployment, "tracking-server").urn, one("kubernetes:core/v1:Service", "tracking-svc").urn]));
        // Prometheus scrapes /metrics (protected too) as the metrics reader.
        const metrics = one(T.secret, "tracking-metrics-secret").inputs.stringData;
        expect(metrics).toEqual({ MLFLOW_TRACKING_USERNAME: "reader-metrics", MLFLOW_TRACKING_PASSWORD: "mock-secret-tracking-user-reader-metrics" });
        expect(await resolve(t.scrapeTargets[0].basicAuthSecret)).toBe(MLFLOW_METRICS_SECRET);
    });

    it("refuses bad identity names and unsafe INI values before any resource exists", () => {
        expect(() => mlflowIdentities(["Vision"], [])).toThrow(/teams \(Vision\) must be a lowercase name/);
        expect(() => mlflowIdentities([], ["serving", "serving"])).toThrow(/mlflowReaders \(serving\) is listed twice/);
        expect(() => resolveTrackingArgs({ ...base(), podIdentityAgent: new Agent(), teams: ["a b"] })).toThrow(/teams \(a b\)/);
        expect(() => authIni("pass\nword", "postgresql://x")).toThrow(/adminPassword \(secret\) must not contain a newline/);
    });

    it("escapes '%' the way ConfigParser's BasicInterpolation reads it back", () => {
        const ini = authIni("pw%1", "postgresql://u:p%40@h/db");
        const r = spawnSync("python3", ["-c", "import configparser, sys\nc = configparser.ConfigParser()\nc.read_string(sys.stdin.read())\nprint(c['mlflow']['database_uri'] + ' ' + c['mlflow']['admin_password'])"], { input: ini, encoding: "utf8" });
        expect(r.stderr).toBe("");
        expect(r.stdout.trim()).toBe("postgresql://u:p%40@h/db pw%1");
    });

    it("ships Python that compiles (the server's init, the bootstrap Job, the hub hook)", () => {
        const r = spawnSync("python3", ["-c", "import sys\nfor i, src in enumerate(sys.stdin.read().split('\\0')):\n    compile(src, f'script{i}', 'exec')"], {
            input: [DB_UPGRADE_SCRIPT, BOOTSTRAP_SCRIPT, HUB_MLFLOW_HOOK].join("\0"),
            encoding: "utf8",
        });
        if (r.error) {
            throw new Error(`python3 is needed to compile the shipped Python scripts: ${r.error.message}`);
        }
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
    });
});
