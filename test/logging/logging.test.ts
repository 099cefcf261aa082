/** The Logging component as a whole: what it declares, schemas, and the logging checks on it and on mutated fixtures. */
import { describe, expect, it } from "vitest";
import { ES_NAME } from "../../components/logging";
import { indexTemplateBody } from "../../components/logging/retention";
import { FLUENTD_PASSWORD_ENV } from "../../components/logging/fluentd";
import { Env } from "../../policy/checks";
import { LOGGING_CHECKS } from "../../policy/checks-logging";
import { WORKLOAD_CHECKS } from "../../policy/checks-workloads";
import { invalidObjects } from "../k8s-schema";
import { allRecords, byType, resolve, ResourceRecord } from "../mocks";
import { build, editConf, fluentConf, mutate, PRESET_ARGS, PRESETS, run, T } from "./harness";

describe.each(PRESETS)("Logging (%s preset)", (env, args) => {
    const prod = env === "production";

    it("declares the expected resources, all parented to the component", async () => {
        const l = await build(args);
        const counts = (type: string) => byType(type).length;
        expect(counts(T.ns)).toBe(3);
        expect(counts(T.release)).toBe(1);
        expect(counts(T.es)).toBe(1);
        expect(counts(T.kb)).toBe(prod ? 0 : 1);
        expect(counts(T.ds)).toBe(1);
        expect(counts(T.job)).toBe(1);
        expect(counts(T.deploy)).toBe(1);
        expect(counts(T.cr)).toBe(1);
        expect(counts(T.crb)).toBe(1);
        // Elasticsearch's own policy, deny-ingress and four allows in logging, deny-ingress in elastic-system,
        // deny-ingress and the monitoring allow in fluentd (NS-09).
        expect(counts(T.np)).toBe(9);
        expect(byType(T.np).filter((p) => p.inputs.metadata.name === "deny-ingress").map((p) => p.inputs.metadata.namespace).sort()).toEqual(["elastic-system", "fluentd", "logging"]);
        // Two file-realm users, the roles, the HTTP certificate, Fluentd's copy of its password.
        expect(counts(T.secret)).toBe(5);
        expect(counts("tls:index/privateKey:PrivateKey")).toBe(2);
        for (const r of allRecords().filter((x) => x.type !== "mlplatform:index:Logging")) {
            expect(r.urn, r.name).toContain("mlplatform:index:Logging$");
            expect(r.name.startsWith("logging-"), r.name).toBe(true);
        }
        expect(l.elasticsearchName).toBe(ES_NAME);
        expect(await resolve(l.namespace)).toBe("logging");
        expect(await resolve(l.elasticUserCommand)).toBe("kubectl -n logging get secret logs-es-elastic-user -o go-template='{{.data.elastic | base64decode}}'");
        expect(l.kibanaPortForward === undefined).toBe(prod);
        if (!prod) {
            expect(await resolve(l.kibanaPortForward)).toBe("kubectl -n logging port-forward svc/logs-kb-http 5601");
        }
        expect(l.scrapeTargets.map((t) => [t.name, t.kind, t.port])).toEqual([["fluentd", "PodMonitor", "metrics"], ["elasticsearch", "PodMonitor", "http"]]);
        expect(l.fluentdConfig).toBe(fluentConf());
    });


    it("validates every built-in Kubernetes object against its schema", async () => {
        await build(args);
        expect(await invalidObjects(allRecords(), { skipEck: true })).toEqual([]);
    });


    it("passes the logging checks and the workload checks", async () => {
        await build(args);
        expect(run(LOGGING_CHECKS, allRecords(), env)).toEqual([]);
        expect(run(WORKLOAD_CHECKS, allRecords(), env)).toEqual([]);
    });
});

describe("LOGGING_CHECKS catch non-compliant resources", () => {
    const ids = (rs: ResourceRecord[], env: Env) => [...new Set(run(LOGGING_CHECKS, rs, env).map((x) => x.id))].sort();
    const ds = (r: ResourceRecord) => r.name === "logging-fluentd";
    const es = () => true;

    it.each<[string, Env, (rs: ResourceRecord[]) => ResourceRecord[], string[]]>([
        ["FL-01: memory buffer", "sandbox", (rs) => editConf(rs, (t) => t.replace("@type file", "@type memory")), ["FL-01"]],
        ["FL-01: buffer off the hostPath", "sandbox", (rs) => editConf(rs, (t) => t.replace("path /var/lib/fluentd/buffer/elasticsearch", "path /tmp/buffer")), ["FL-01"]],
        ["FL-01: dead letter off the hostPath", "sandbox", (rs) => editConf(rs, (t) => t.replace("path /var/lib/fluentd/dead-letter/records", "path /tmp/dead-letter/records")), ["FL-01"]],
        ["FL-01: secondary off the hostPath", "sandbox", (rs) => editConf(rs, (t) => t.replace("directory /var/lib/fluentd/dead-letter/unrecoverable", "directory /tmp/unrecoverable")), ["FL-01"]],
        ["FL-01: no pos_file", "sandbox", (rs) => editConf(rs, (t) => t.replace(/ {2}pos_file .*\n/, "")), ["FL-01"]],
        ["FL-01: writable /var/log", "sandbox", (rs) => mutate(rs, T.ds, ds, (i) => {
            i.spec.template.spec.containers[0].volumeMounts.find((m: any) => m.name === "varlog").readOnly = false;
        }), ["FL-01"]],
        ["FL-02: retry_forever off", "sandbox", (rs) => editConf(rs, (t) => t.replace("retry_forever true", "retry_forever false")), ["FL-02"]],
        ["FL-02: data stream output", "sandbox", (rs) => editConf(rs, (t) => t.replace("@type elasticsearch\n", "@type elasticsearch_data_stream\n    data_stream_name logs-k8s-default\n")), ["FL-02"]],
        ["FL-02: 429 aborts the chunk", "sandbox", (rs) => editConf(rs, (t) => t.replace("    unrecoverable_error_types []\n", "")), ["FL-02"]],
        ["FL-02: no dead letter", "sandbox", (rs) => editConf(rs, (t) => t.replace(/<label @ERROR>[\s\S]*?\n<\/label>\n/, "")), ["FL-02"]],
        ["FL-02: version check at start", "sandbox", (rs) => editConf(rs, (t) => t.replace("verify_es_version_at_startup false", "verify_es_version_at_startup true")), ["FL-02"]],
        ["FL-03: throw_exception", "sandbox", (rs) => editConf(rs, (t) => t.replace("overflow_action block", "overflow_action throw_exception")), ["FL-03"]],
        ["FL-03: no total_limit_size", "sandbox", (rs) => editConf(rs, (t) => t.replace(/ {4}total_limit_size .*\n/, "")), ["FL-03"]],
        ["FL-03: 64GB buffer", "sandbox", (rs) => editConf(rs, (t) => t.replace(/total_limit_size .*/, "total_limit_size 64GB")), ["FL-03"]],
        ["FL-03: 10GB buffer on the smallest (20 GiB) node disk", "sandbox", (rs) => editConf(rs, (t) => t.replace(/total_limit_size \d+GB/, "total_limit_size 10GB")), ["FL-03"]],
        ["FL-01: no Fluentd DaemonSet", "sandbox", (rs) => rs.filter((r) => !ds(r)), ["FL-01"]],
        ["FL-04: http", "sandbox", (rs) => editConf(rs, (t) => t.replace("scheme https", "scheme http")), ["FL-04"]],
        ["FL-04: no verification", "sandbox", (rs) => editConf(rs, (t) => t.replace("ssl_verify true", "ssl_verify false")), ["FL-04"]],
        ["FL-04: literal password in conf", "sandbox", (rs) => editConf(rs, (t) => t.replace(/password ".*"/, "password hunter2")), ["FL-04"]],
        ["FL-04: literal password env", "sandbox", (rs) => mutate(rs, T.ds, ds, (i) => {
            i.spec.template.spec.containers[0].env[0] = { name: FLUENTD_PASSWORD_ENV, value: "hunter2" };
        }), ["FL-04"]],
        ["FL-05: GPU taint not tolerated", "sandbox", (rs) => mutate(rs, T.ds, ds, (i) => {
            i.spec.template.spec.tolerations = [{ key: "node.kubernetes.io/not-ready", operator: "Exists" }];
        }), ["FL-05"]],
        ["FL-05: no priority class", "sandbox", (rs) => mutate(rs, T.ds, ds, (i) => {
            delete i.spec.template.spec.priorityClassName;
        }), ["FL-05"]],
        ["FL-05: no memory limit", "sandbox", (rs) => mutate(rs, T.ds, ds, (i) => {
            delete i.spec.template.spec.containers[0].resources.limits;
        }), ["FL-05"]],
        ["FL-06: baseline namespace", "sandbox", (rs) => mutate(rs, T.ns, (r) => r.name === "logging-fluentd-ns", (i) => {
            i.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline";
        }), ["FL-06"]],
        ["FL-06 + K8S-01: writable root", "sandbox", (rs) => mutate(rs, T.ds, ds, (i) => {
            i.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
        }), ["FL-06", "K8S-01"]],
        ["K8S-01: root with a capability", "sandbox", (rs) => mutate(rs, T.ds, ds, (i) => {
            i.spec.template.spec.containers[0].securityContext.capabilities.add = ["DAC_READ_SEARCH"];
        }), ["K8S-01"]],
        ["NS-04: fluentd reads secrets", "sandbox", (rs) => mutate(rs, T.cr, (r) => r.name === "logging-fluentd", (i) => {
            i.rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["get"] });
        }), ["NS-04"]],
        ["NS-04: fluentd patches pods", "sandbox", (rs) => mutate(rs, T.cr, (r) => r.name === "logging-fluentd", (i) => {
            i.rules[0].verbs.push("patch");
        }), ["NS-04"]],
        ["ES-04: no data claim", "sandbox", (rs) => mutate(rs, T.es, es, (i) => {
            i.spec.nodeSets[0].volumeClaimTemplates = [];
        }), ["ES-04"]],
        ["ES-04: no size", "sandbox", (rs) => mutate(rs, T.es, es, (i) => {
            delete i.spec.nodeSets[0].volumeClaimTemplates[0].spec.resources;
        }), ["ES-04"]],
        ["ES-04: no storage class", "sandbox", (rs) => mutate(rs, T.es, es, (i) => {
            delete i.spec.nodeSets[0].volumeClaimTemplates[0].spec.storageClassName;
        }), ["ES-04"]],
        ["ES-05: sandbox retains volumes", "sandbox", (rs) => mutate(rs, T.es, es, (i) => {
            i.spec.volumeClaimDeletePolicy = "DeleteOnScaledownOnly";
        }), ["ES-05"]],
        ["ES-05: no ILM delete phase", "sandbox", (rs) => mutate(rs, T.cm, (r) => r.inputs.data?.["ilm-policy.json"] !== undefined, (i) => {
            i.data["ilm-policy.json"] = JSON.stringify({ policy: { phases: { hot: {} } } });
        }), ["ES-05"]],
    ])("%s", async (_label, env, fn, expected) => {
        await build(env === "production" ? PRESET_ARGS.production : PRESET_ARGS.sandbox);
        const base = allRecords();
        expect(ids(base, env)).toEqual([]);
        expect(ids(fn(base), env)).toEqual(expected);
    });

    it.each<[string, (i: any) => void]>([
        ["two nodes", (i) => {
            i.spec.nodeSets[0].count = 2;
        }],
        ["no zone spread", (i) => {
            delete i.spec.nodeSets[0].podTemplate.spec.topologySpreadConstraints;
        }],
        ["volumes deleted with the cluster", (i) => {
            i.spec.volumeClaimDeletePolicy = "DeleteOnScaledownAndClusterDeletion";
        }],
    ])("ES-05 production: %s", async (_label, fn) => {
        await build(PRESET_ARGS.production);
        expect(ids(mutate(allRecords(), T.es, es, fn), "production")).toEqual(["ES-05"]);
    });

    it("ES-05 production: index replicas 0", async () => {
        await build(PRESET_ARGS.production);
        const rs = mutate(allRecords(), T.cm, (r) => r.inputs.data?.["index-template.json"] !== undefined, (i) => {
            i.data["index-template.json"] = JSON.stringify(indexTemplateBody(0));
        });
        expect(ids(rs, "production")).toEqual(["ES-05"]);
    });

    it("ES-05: the sandbox preset fails production expectations", async () => {
        await build(PRESET_ARGS.sandbox);
        const messages = run(LOGGING_CHECKS, allRecords(), "production").map((x) => x.message);
        expect(messages).toEqual(expect.arrayContaining([
            "1 master-eligible nodes; production needs >= 3",
            "volumeClaimDeletePolicy is DeleteOnScaledownAndClusterDeletion; production keeps volumes (DeleteOnScaledownOnly)",
        ]));
    });
});

describe("NS-10: Fluentd (root, hostPath) never shares a namespace with Elasticsearch", () => {
    const ns10 = (rs: ResourceRecord[]) => run(WORKLOAD_CHECKS, rs, "sandbox").filter((x) => x.id === "NS-10").map((x) => x.message);
    const intoLogging = (i: any) => {
        i.metadata.namespace = "logging";
    };

    it("passes with Fluentd in its own namespace", async () => {
        await build();
        expect(ns10(allRecords())).toEqual([]);
    });

    it("fails when the DaemonSet moves back beside Elasticsearch, even in a restricted namespace", async () => {
        await build();
        const rs = mutate(allRecords(), T.ds, (r) => r.name === "logging-fluentd", intoLogging);
        expect(ns10(rs)).toEqual(["fluentd (hostPath, root) share namespace logging with data store elasticsearch logs"]);
    });

    it("fails for any root or host-namespace pod beside a data store, not only Fluentd", async () => {
        await build();
        const rs = mutate(allRecords(), T.deploy, () => true, (i) => {
            i.spec.template.spec.hostNetwork = true;
        });
        expect(ns10(rs)).toEqual(["elasticsearch-exporter (host namespaces) share namespace logging with data store elasticsearch logs"]);
    });

    it("fails when Elasticsearch moves into Fluentd's namespace", async () => {
        await build();
        const rs = mutate(allRecords(), T.es, () => true, (i) => {
            i.metadata.namespace = "fluentd";
        });
        expect(ns10(rs)).toContainEqual("fluentd (hostPath, root) share namespace fluentd with data store elasticsearch logs");
    });
});
