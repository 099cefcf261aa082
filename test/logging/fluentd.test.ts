/** Fluentd (components/logging/fluentd.ts): RBAC, scheduling, mounts and credentials of the DaemonSet. */
import { describe, expect, it } from "vitest";
import { FLUENTD_PASSWORD_ENV, FLUENTD_STATE_DIR } from "../../components/logging/fluentd";
import { LOGGING_VERSIONS } from "../../components/shared/versions";
import { fluentdConfigProblems } from "../../components/shared/fluentd-config";
import { classify, summary } from "../day2/harness";
import { allRecords, byType, one, ResourceRecord } from "../mocks";
import { build, fluentConf, fluentd, PRESETS, secretAt, T } from "./harness";

describe.each(PRESETS)("Fluentd (%s preset)", (_env, args) => {
    it("gives Fluentd a ClusterRole that only reads pods and namespaces, bound to its own ServiceAccount", async () => {
        await build(args);
        expect(one(T.cr, "logging-fluentd").inputs.rules).toEqual([{ apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "list", "watch"] }]);
        const crb = one(T.crb, "logging-fluentd").inputs;
        expect(crb.subjects).toEqual([{ kind: "ServiceAccount", name: one(T.sa, "logging-fluentd").inputs.metadata?.name ?? "logging-fluentd", namespace: "fluentd" }]);
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
        // NS-10: Fluentd (root, hostPath) in a privileged namespace of its own; logging holds the data
        // store and is restricted.
        const ns = one(T.ns, "logging-fluentd-ns").inputs.metadata;
        expect(ns.name).toBe("fluentd");
        expect(fluentd().inputs.metadata.namespace).toBe("fluentd");
        expect(ns.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
        expect(ns.annotations["mlplatform.io/pod-security-reason"]).toMatch(/hostPath/);
        const logging = one(T.ns, "logging-ns").inputs.metadata;
        expect(logging.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
        expect(logging.annotations).toBeUndefined();
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
        expect(env.find((e: any) => e.name === FLUENTD_PASSWORD_ENV)).toEqual({ name: FLUENTD_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: "elasticsearch-fluentd-user", key: "password" } } });
        // The copy in Fluentd's namespace carries the file-realm user's own generated password, as a secret.
        const copy = one(T.secret, "logging-fluentd-credentials");
        expect(copy.inputs.metadata).toMatchObject({ name: "elasticsearch-fluentd-user", namespace: "fluentd" });
        expect(copy.inputs.stringData).toEqual({ password: "mock-secret-logging-fluentd-password" });
        expect(secretAt(copy, "stringData.password")).toBe(true);
        expect(one(T.secret, "logging-fluentd-user").inputs.stringData.password).toBe(copy.inputs.stringData.password);
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


    it("verifies Elasticsearch with the platform CA's certificate from a ConfigMap in its own namespace (no key)", async () => {
        await build(args);
        const spec = fluentd().inputs.spec.template.spec;
        const cm = one(T.cm, "logging-fluentd-ca").inputs;
        expect(cm.metadata).toMatchObject({ name: "elasticsearch-ca", namespace: "fluentd" });
        expect(cm.data).toEqual({ "ca.crt": "-----BEGIN CERTIFICATE-----mock-logging-ca" });
        expect(spec.volumes).toContainEqual({ name: "es-ca", configMap: { name: "elasticsearch-ca", items: [{ key: "ca.crt", path: "ca.crt" }] } });
        expect(spec.containers[0].volumeMounts).toContainEqual({ name: "es-ca", mountPath: "/etc/elasticsearch-ca", readOnly: true });
        expect(fluentConf()).toContain("ca_file /etc/elasticsearch-ca/ca.crt");
        // Its own log files are the ones in its own namespace.
        expect(fluentConf()).toContain("/var/log/containers/fluentd-*_fluentd_*.log");
    });

    it("is deleted before its replacement starts, so two collectors never share a node's position files", async () => {
        await build(args);
        expect(fluentd().deleteBeforeReplace).toBe(true);
    });

    it("admits only Prometheus, on the metrics port, into its namespace", async () => {
        await build(args);
        const policies = byType(T.np).filter((p) => p.inputs.metadata.namespace === "fluentd");
        expect(policies.map((p) => [p.inputs.metadata.name, p.inputs.spec.ingress])).toEqual([
            ["deny-ingress", undefined],
            ["allow-monitoring", [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 24231 }] }]],
        ]);
    });
});

describe("moving a live stack's Fluentd into its own namespace (day 2)", () => {
    // The graph before this change, rebuilt from today's by undoing exactly what the move changed.
    const NEW = new Set(["logging-fluentd-ns", "logging-fluentd-ns-deny-ingress", "logging-fluentd-ns-allow-monitoring", "logging-ns-allow-fluentd", "logging-fluentd-ca",
        "logging-fluentd-credentials", "logging-ca-key", "logging-ca", "logging-http-key", "logging-http-csr", "logging-http-cert"]);
    function before(after: ResourceRecord[]): ResourceRecord[] {
        return after.filter((r) => !NEW.has(r.name)).map((r) => {
            const inputs = JSON.parse(JSON.stringify(r.inputs));
            if (["logging-fluentd", "logging-fluentd-config"].includes(r.name) && inputs.metadata?.namespace === "fluentd") {
                inputs.metadata.namespace = "logging";
            }
            if (r.type === T.crb) {
                inputs.subjects[0].namespace = "logging";
            }
            if (r.type === T.es) {
                delete inputs.spec.http;
            }
            return { ...r, inputs };
        });
    }

    it("replaces only Fluentd's namespaced objects (the DaemonSet deleted first) and updates Elasticsearch in place", async () => {
        await build();
        const after = allRecords();
        const changes = classify(before(after), after);
        expect(summary(changes).filter((l) => l.startsWith("replaced") || l.startsWith("deleted")).sort()).toEqual([
            "replaced kubernetes:apps/v1:DaemonSet logging-fluentd",
            "replaced kubernetes:core/v1:ConfigMap logging-fluentd-config",
            "replaced kubernetes:core/v1:ServiceAccount logging-fluentd",
        ]);
        const ds = changes.find((c) => c.type === T.ds)!;
        expect(ds.deleteBeforeReplace).toBe(true);
        const es = changes.find((c) => c.type === T.es)!;
        expect([es.outcome, es.paths, es.operatorRecreates]).toEqual(["updated", ["spec.http"], []]);
    });
});
