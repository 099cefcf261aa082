/** Fluentd (components/logging/fluentd.ts): RBAC, scheduling, mounts and credentials of the DaemonSet. */
import { describe, expect, it } from "vitest";
import { FLUENTD_PASSWORD_ENV, FLUENTD_STATE_DIR } from "../../components/logging/fluentd";
import { LOGGING_VERSIONS } from "../../components/shared/versions";
import { fluentdConfigProblems } from "../../components/shared/fluentd-config";
import { allRecords, byType, one } from "../mocks";
import { build, fluentConf, fluentd, PRESETS, secretAt, T } from "./harness";

describe.each(PRESETS)("Fluentd (%s preset)", (_env, args) => {
    it("gives Fluentd a ClusterRole that only reads pods and namespaces, bound to its own ServiceAccount", async () => {
        await build(args);
        expect(one(T.cr, "logging-fluentd").inputs.rules).toEqual([{ apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "list", "watch"] }]);
        const crb = one(T.crb, "logging-fluentd").inputs;
        expect(crb.subjects).toEqual([{ kind: "ServiceAccount", name: one(T.sa, "logging-fluentd").inputs.metadata?.name ?? "logging-fluentd", namespace: "logging" }]);
        expect(fluentd().inputs.spec.template.spec.serviceAccountName).toBe(crb.subjects[0].name);
    });

    it("starts Fluentd only after the retention Job, so the data stream is created from the platform's template", async () => {
        await build(args);
        expect(fluentd().dependencies).toContain(one(T.job, "logging-ilm").urn);
    });

    it("schedules Fluentd on every node, GPU and tainted ones included, as system-node-critical", async () => {
        await build(args);
        const spec = fluentd().inputs.spec.template.spec;
        expect(spec.tolerations).toEqual([{ operator: "Exists" }]);
        expect(spec.priorityClassName).toBe("system-node-critical");
        expect(spec.containers[0].resources).toEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } });
        expect(spec.containers[0].image).toBe(LOGGING_VERSIONS.fluentdImage);
        expect(spec.containers[0].ports).toEqual([{ name: "metrics", containerPort: 24231, protocol: "TCP" }]);
        const ns = one(T.ns, "logging-ns").inputs.metadata;
        expect(ns.name).toBe("logging");
        expect(ns.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
        expect(ns.annotations["mlplatform.io/pod-security-reason"]).toMatch(/hostPath/);
    });

    it("mounts node logs read-only; only the state hostPath (and emptyDir /tmp) is writable", async () => {
        await build(args);
        const spec = fluentd().inputs.spec.template.spec;
        const hostVols = spec.volumes.filter((x: any) => x.hostPath).map((x: any) => [x.name, x.hostPath.path]);
        expect(hostVols).toEqual([["varlog", "/var/log"], ["state", FLUENTD_STATE_DIR]]);
        const writable = spec.containers[0].volumeMounts.filter((m: any) => m.readOnly !== true).map((m: any) => m.name);
        expect(writable).toEqual(["state", "tmp"]);
        expect(spec.volumes.find((x: any) => x.name === "tmp")).toEqual({ name: "tmp", emptyDir: { sizeLimit: "256Mi" } });
        expect(spec.containers[0].securityContext).toEqual({
            privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" },
        });
        // Fluentd's conf paths are on the writable state mount.
        const text = fluentConf();
        expect(text).toContain(`pos_file ${FLUENTD_STATE_DIR}/pos/`);
        expect(text).toContain(`path ${FLUENTD_STATE_DIR}/buffer/`);
        expect(text).toContain(`total_limit_size ${args.fluentdBufferLimitGiB}GB`);
        expect(fluentdConfigProblems(text)).toEqual([]);
    });

    it("passes passwords only through secretKeyRef; generated passwords appear only in Secrets", async () => {
        await build(args);
        const env = fluentd().inputs.spec.template.spec.containers[0].env;
        expect(env.find((e: any) => e.name === FLUENTD_PASSWORD_ENV)).toEqual({ name: FLUENTD_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: "logs-fluentd-user", key: "password" } } });
        const passwords = byType(T.password).map((p) => `mock-secret-${p.name}`);
        expect(passwords).toHaveLength(2);
        const users = byType(T.secret).filter((s) => s.inputs.type === "kubernetes.io/basic-auth");
        expect(users.map((s) => s.inputs.stringData.username)).toEqual(["fluentd", "es-exporter"]);
        for (const s of users) {
            expect(secretAt(s, "stringData.password"), s.name).toBe(true);
            expect(passwords).toContain(s.inputs.stringData.password);
        }
        for (const r of allRecords().filter((x) => x.type !== T.secret)) {
            const text = JSON.stringify(r.inputs);
            for (const p of passwords) {
                expect(text.includes(p), `${r.type} ${r.name}`).toBe(false);
            }
        }
        for (const r of allRecords()) {
            for (const c of [...(r.inputs.spec?.template?.spec?.containers ?? [])]) {
                for (const e of c.env ?? []) {
                    if (/PASSWORD/.test(e.name)) {
                        expect(e.value, `${r.name} ${e.name}`).toBeUndefined();
                        expect(e.valueFrom.secretKeyRef).toBeDefined();
                    }
                }
            }
        }
    });

});
