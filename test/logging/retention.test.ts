/** Retention (components/logging/retention.ts): the ILM documents, the install script and its Job. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DATA_STREAM, ES_CA_DIR } from "../../components/logging/client";
import { ILM_PASSWORD_FILE, ilmInstallScript, ilmPolicyBody, indexTemplateBody, rolloverGiB } from "../../components/logging/retention";
import { LOGGING_VERSIONS } from "../../components/shared/versions";
import { SECRET_CHECKS } from "../../policy/checks-secrets";
import { byType } from "../mocks";
import { build, ilmCm, PRESET_ARGS, PRESETS, T } from "./harness";

describe("retention documents", () => {
    it("deletes after retentionDays and rolls over by age and size", () => {
        expect(ilmPolicyBody(30, 20)).toEqual({
            policy: {
                _meta: { managed_by: "mlplatform (pulumi)" },
                phases: {
                    hot: { min_age: "0ms", actions: { rollover: { max_age: "1d", max_primary_shard_size: "20gb" } } },
                    delete: { min_age: "30d", actions: { delete: {} } },
                },
            },
        });
        expect(rolloverGiB(10)).toBe(2);
        expect(rolloverGiB(1000)).toBe(50);
    });

    it("templates the data stream with the ILM policy and the replica count, above the built-in logs template", () => {
        const t = indexTemplateBody(1);
        expect(t.index_patterns).toEqual(["logs-k8s-*"]);
        expect(DATA_STREAM).toMatch(/^logs-k8s-/);
        expect(t.data_stream).toEqual({});
        expect(t.priority).toBeGreaterThan(100);
        expect(t.template.settings).toEqual({ "index.lifecycle.name": "logs-k8s", "index.number_of_shards": 1, "index.number_of_replicas": 1 });
        // `app` and `app.kubernetes.io/name` on one pod would otherwise clash in dynamic mapping.
        expect(t.template.mappings.properties.kubernetes.properties).toEqual({ labels: { type: "flattened" }, annotations: { type: "flattened" } });
    });

    it("installs policy, template and data stream with verified TLS and no secret in the script", () => {
        const s = ilmInstallScript("https://logs-es-http.logging.svc:9200");
        expect(s).toContain(`--cacert "$CA"`);
        expect(s).toContain(`CA='${ES_CA_DIR}/ca.crt'`);
        expect(s).not.toMatch(/--insecure|\s-k\s/);
        expect(s).toContain("put '_ilm/policy/logs-k8s' /etc/ilm/ilm-policy.json");
        expect(s).toContain("put '_index_template/logs-k8s' /etc/ilm/index-template.json");
        expect(s).toContain(`$ES/_data_stream/${DATA_STREAM}`);
        // SEC-01: curl reads the password file itself; nothing expands it onto a command line.
        expect(s).not.toContain("ES_PASSWORD");
        expect(s).toContain(`--variable 'espw@${ILM_PASSWORD_FILE}' --expand-user 'elastic:{{espw}}'`);
    });

    it("keeps the elastic password off every process's argv when the script really runs (SEC-01)", () => {
        // A fake curl records its argv; the old script (`-u "elastic:$ES_PASSWORD"`) puts the password there.
        const dir = mkdtempSync(join(tmpdir(), "ilm-"));
        const log = join(dir, "argv");
        writeFileSync(join(dir, "curl"), `#!/bin/sh\nprintf '%s\\n' "$@" >> '${log}'\n: > /tmp/body\nprintf 200\n`, { mode: 0o755 });
        const run = (script: string) => {
            writeFileSync(log, "");
            const r = spawnSync("sh", ["-c", script], { env: { PATH: `${dir}:/usr/bin:/bin`, ES_PASSWORD: "s3cr3t-elastic-pw" }, encoding: "utf8" });
            expect(r.status, r.stderr).toBe(0);
            return readFileSync(log, "utf8");
        };
        const script = ilmInstallScript("https://logs-es-http.logging.svc:9200");
        const argv = run(script);
        expect(argv).toContain("--expand-user");
        expect(argv).toContain("elastic:{{espw}}");
        expect(argv).not.toContain("s3cr3t-elastic-pw");
        const old = script.replace(`--variable 'espw@${ILM_PASSWORD_FILE}' --expand-user 'elastic:{{espw}}'`, `-u "elastic:$ES_PASSWORD"`);
        expect(run(old)).toContain("elastic:s3cr3t-elastic-pw");
        // And the SEC-01 check refuses the old script in the Job's ConfigMap.
        const cm = { type: "kubernetes:core/v1:ConfigMap", name: "logs-ilm", inputs: { data: { "install.sh": old } } };
        expect(SECRET_CHECKS[0].evaluate([cm], "sandbox").map((x) => x.message)).toEqual([expect.stringMatching(/install\.sh passes a credential/)]);
        expect(SECRET_CHECKS[0].evaluate([{ ...cm, inputs: { data: { "install.sh": script } } }], "sandbox")).toEqual([]);
    });

});

describe.each(PRESETS)("Retention (%s preset)", (env, args) => {
    const prod = env === "production";

    it("installs the retention policy through a restricted Job with the elastic user's secretKeyRef", async () => {
        await build(args);
        const data = ilmCm().inputs.data;
        expect(JSON.parse(data["ilm-policy.json"]).policy.phases.delete.min_age).toBe(`${args.retentionDays}d`);
        expect(JSON.parse(data["index-template.json"]).template.settings["index.number_of_replicas"]).toBe(prod ? 1 : 0);
        const job = byType(T.job)[0].inputs;
        expect(job.spec).toMatchObject({ backoffLimit: 6 });
        expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
        const pod = job.spec.template.spec;
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 100 });
        const c = pod.containers[0];
        expect(c.image).toBe(LOGGING_VERSIONS.curlImage);
        // The password only as a mounted file (SEC-01), not even in the environment.
        expect(c.env).toBeUndefined();
        expect(c.volumeMounts).toContainEqual({ name: "es-user", mountPath: "/etc/es-user", readOnly: true });
        expect(pod.volumes).toContainEqual({ name: "es-user", secret: { secretName: "logs-es-elastic-user", items: [{ key: "elastic", path: "elastic" }], defaultMode: 0o440 } });
        expect(pod.volumes).toContainEqual({ name: "es-ca", secret: { secretName: "logs-es-http-certs-public", items: [{ key: "ca.crt", path: "ca.crt" }] } });
    });
});

describe("re-running the retention job", () => {
    it("changes the Job's pod template when retentionDays changes, so Pulumi replaces and re-runs it", async () => {
        const hash = async (days: number) => {
            await build({ ...PRESET_ARGS.sandbox, retentionDays: days });
            return byType(T.job)[0].inputs.spec.template.metadata.annotations["mlplatform.io/config-hash"];
        };
        const a = await hash(7);
        expect(await hash(7)).toBe(a);
        expect(await hash(14)).not.toBe(a);
    });
});
