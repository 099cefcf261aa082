import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SECRET_CHECKS } from "../../policy/checks-secrets";
import { describe, expect, it } from "vitest";
import {
    DATA_STREAM, ES_CA_DIR, ILM_PASSWORD_FILE, ES_NAME, esRolesYaml, FLUENTD_PASSWORD_ENV, FLUENTD_ROLE, FLUENTD_STATE_DIR, ilmInstallScript, ilmPolicyBody, indexTemplateBody,
    Logging, LoggingArgs, LOGGING_PRESETS, resolveLoggingArgs, rolloverGiB,
} from "../../components/logging";
import { DEAD_LETTER_METRIC, fluentdConfigProblems, ID_KEY, parseFluentdConfig, renderFluentdConfig, FluentdSettings } from "../../components/shared/fluentd-config";
import { esOutputs, itemOutcome, ItemOutcome, startProblems } from "../../policy/fluentd-es-plugin";
import { LOGGING_VERSIONS } from "../../components/shared/versions";
import { Check, Env, Res } from "../../policy/checks";
import { LOGGING_CHECKS } from "../../policy/checks-logging";
import { WORKLOAD_CHECKS } from "../../policy/checks-workloads";
import { HAS_SHARED, invalidObjects } from "../k8s-schema";
import { allRecords, byType, one, resetRecords, resolve, ResourceRecord, settle } from "../mocks";

const T = {
    ns: "kubernetes:core/v1:Namespace",
    cm: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    sa: "kubernetes:core/v1:ServiceAccount",
    ds: "kubernetes:apps/v1:DaemonSet",
    deploy: "kubernetes:apps/v1:Deployment",
    job: "kubernetes:batch/v1:Job",
    cr: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    crb: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    np: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    release: "kubernetes:helm.sh/v3:Release",
    es: "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch",
    kb: "kubernetes:kibana.k8s.elastic.co/v1:Kibana",
    password: "random:index/randomPassword:RandomPassword",
} as const;

const PRESETS: [Env, LoggingArgs][] = [["sandbox", LOGGING_PRESETS.sandbox], ["production", LOGGING_PRESETS.production]];

async function build(args: LoggingArgs = LOGGING_PRESETS.sandbox) {
    resetRecords();
    const l = new Logging("logging", args);
    await resolve(l.elasticUserCommand);
    await settle();
    return l;
}

const fluentConf = () => byType(T.cm).map((c) => c.inputs.data?.["fluent.conf"]).find((x) => typeof x === "string") as string;
const fluentd = () => one(T.ds, "logging-fluentd");
const ilmCm = () => byType(T.cm).find((c) => c.inputs.data?.["ilm-policy.json"] !== undefined)!;
/** True when the input at a dotted path was a Pulumi secret (or inside one). */
const secretAt = (r: ResourceRecord, path: string) => r.secretPaths.some((p) => path === p || path.startsWith(`${p}.`));
const run = (checks: readonly Check[], rs: readonly Res[], env: Env) => checks.flatMap((c) => c.evaluate(rs, env));
const clone = <X>(x: X): X => JSON.parse(JSON.stringify(x));
/** Records with one record's inputs changed. */
function mutate(records: ResourceRecord[], type: string, pick: (r: ResourceRecord) => boolean, fn: (inputs: any) => void): ResourceRecord[] {
    return records.map((r) => {
        if (r.type !== type || !pick(r)) {
            return r;
        }
        const inputs = clone(r.inputs);
        fn(inputs);
        return { ...r, inputs };
    });
}
const isFluentdCm = (r: ResourceRecord) => r.inputs.data?.["fluent.conf"] !== undefined;
const editConf = (records: ResourceRecord[], fn: (text: string) => string) => mutate(records, T.cm, isFluentdCm, (i) => {
    i.data["fluent.conf"] = fn(i.data["fluent.conf"]);
});

const SETTINGS: FluentdSettings = {
    containerLogPath: "/var/log/containers/*.log",
    excludePaths: ["/var/log/containers/fluentd-*_logging_*.log"],
    stateDir: "/var/lib/fluentd",
    elasticsearch: {
        host: "logs-es-http.logging.svc", port: 9200, caFile: "/etc/elasticsearch-ca/ca.crt", user: "fluentd",
        passwordEnv: "FLUENT_ELASTICSEARCH_PASSWORD", dataStreamName: "logs-k8s-default",
    },
    buffer: { flushIntervalSeconds: 5, chunkLimitMiB: 8, totalLimitGiB: 4, retryMaxIntervalSeconds: 60, flushThreadCount: 2 },
    metricsPort: 24231,
};

describe("Fluentd configuration generator", () => {
    const text = renderFluentdConfig(SETTINGS);
    const sections = parseFluentdConfig(text);
    const find = (name: string, type: string) => sections.find((s) => s.name === name && s.params["@type"] === type)!;
    const ship = () => sections.find((s) => s.name === "label" && s.arg === "@SHIP")!;
    const esMatch = () => ship().children.find((c) => c.name === "match" && c.arg === "kubernetes.**")!;

    it("tails CRI container logs with a position file on the host, excluding Fluentd's own logs", () => {
        const tail = find("source", "tail");
        expect(tail.params).toMatchObject({
            path: "/var/log/containers/*.log",
            exclude_path: '["/var/log/containers/fluentd-*_logging_*.log"]',
            pos_file: "/var/lib/fluentd/pos/containers.log.pos",
            read_from_head: "true",
            tag: "kubernetes.*",
        });
        expect(tail.children).toEqual([{ name: "parse", arg: "", params: { "@type": "cri" }, children: [] }]);
    });

    it("joins CRI partial lines, then ships through one label where records get Kubernetes metadata", () => {
        const filters = sections.filter((s) => s.name === "filter");
        expect(filters.map((f) => [f.arg, f.params["@type"]])).toEqual([["kubernetes.**", "concat"]]);
        // Fragments that time out take the same path as joined lines instead of becoming error events.
        expect(filters[0].params).toMatchObject({ timeout_label: "@SHIP" });
        expect(sections.find((s) => s.name === "match")!.params).toMatchObject({ "@type": "relabel", "@label": "@SHIP" });
        expect(ship().children.filter((c) => c.name === "filter").map((f) => [f.arg, f.params["@type"]])).toEqual([["kubernetes.**", "kubernetes_metadata"], ["kubernetes.**", "elasticsearch_genid"]]);
        expect(filters[0].params).toMatchObject({ key: "message", use_partial_cri_logtag: "true", partial_cri_logtag_key: "logtag", partial_cri_stream_key: "cri_stream_unused", stream_identity_key: "stream" });
    });

    it("sends to the data stream with op_type create over verified TLS with the password from the environment", () => {
        const m = esMatch();
        expect(m.params).toMatchObject({
            "@type": "elasticsearch",
            index_name: "logs-k8s-default",
            write_operation: "create",
            include_timestamp: "true",
            host: "logs-es-http.logging.svc",
            port: "9200",
            scheme: "https",
            ssl_verify: "true",
            ca_file: "/etc/elasticsearch-ca/ca.crt",
            user: "fluentd",
            password: "\"#{ENV['FLUENT_ELASTICSEARCH_PASSWORD']}\"",
            reload_connections: "false",
            reload_on_failure: "false",
        });
        expect(text).toContain("    password \"#{ENV['FLUENT_ELASTICSEARCH_PASSWORD']}\"\n");
    });

    // fluent-plugin-elasticsearch v6.0.0: out_elasticsearch_data_stream.rb configure (lines 54-67)
    // and out_elasticsearch.rb configure / handle_last_seen_es_major_version; see policy/fluentd-es-plugin.ts.
    it("cannot contact Elasticsearch while configuring, so Fluentd starts and buffers while it is down", () => {
        expect(startProblems(text)).toEqual([]);
        expect(esMatch().params).toMatchObject({ verify_es_version_at_startup: "false", default_elasticsearch_version: "9", reconnect_on_error: "true" });
        for (const key of ["template_name", "template_file", "templates", "enable_ilm", "data_stream_name"]) {
            expect(esMatch().params[key]).toBeUndefined();
        }
    });

    it.each([
        ["the data stream output (it creates policy, template and stream in configure)", (t: string) => t.replace("@type elasticsearch\n", "@type elasticsearch_data_stream\n    data_stream_name logs-k8s-default\n"), /elasticsearch_data_stream creates/],
        ["a version check at start", (t: string) => t.replace("verify_es_version_at_startup false", "verify_es_version_at_startup true"), /verify_es_version_at_startup/],
        ["the version check's default", (t: string) => t.replace("    verify_es_version_at_startup false\n", ""), /verify_es_version_at_startup/],
        ["template installation at start", (t: string) => t.replace("    write_operation create\n", "    write_operation create\n    template_name logs-k8s\n    template_file /etc/t.json\n"), /template_name with template_file/],
    ])("the start-path rule flags %s", (_label, breakIt, message) => {
        expect(startProblems(breakIt(text)).join("\n")).toMatch(message);
    });

    // elasticsearch_error_handler.rb (v6.0.0) handle_error, reproduced in itemOutcome.
    it.each<[number, string | undefined, ItemOutcome]>([
        [201, undefined, "written"],
        [409, "version_conflict_engine_exception", "duplicate"],
        [429, "es_rejected_execution_exception", "retried"],
        [503, "unavailable_shards_exception", "retried"],
        [500, "out_of_memory_error", "retried"],
        [403, "cluster_block_exception", "retried"],
        [404, "index_not_found_exception", "retried"],
        [400, "document_parsing_exception", "dead-letter"],
        [400, "illegal_argument_exception", "dead-letter"],
    ])("a bulk item answered %i %s is %s", (status, type, want) => {
        expect(itemOutcome(sections, esMatch(), status, type)).toBe(want);
    });

    it("would lose rejected items under the old data stream output, the plugin's default unrecoverable types, or a stripped id", () => {
        const outcome = (t: string, status: number, type: string) => {
            const ss = parseFluentdConfig(t);
            return itemOutcome(ss, esOutputs(ss)[0], status, type);
        };
        expect(outcome(text.replace("@type elasticsearch\n", "@type elasticsearch_data_stream\n"), 429, "es_rejected_execution_exception")).toBe("dropped");
        expect(outcome(text.replace("    unrecoverable_error_types []\n", ""), 429, "es_rejected_execution_exception")).toBe("chunk-unrecoverable");
        expect(outcome(text.replace("    write_operation create\n", "    write_operation create\n    remove_keys log_id\n"), 429, "es_rejected_execution_exception")).toBe("dropped");
        expect(outcome(text.replace(/<label @ERROR>[\s\S]*?\n<\/label>\n/, ""), 400, "document_parsing_exception")).toBe("dropped");
        expect(outcome(text.replace("    id_key log_id\n", "").replace("    emit_error_for_missing_id true\n", ""), 201, "")).toBe("dropped");
    });

    it("gives every record an id before the output, and keeps it in the document", () => {
        const filters = ship().children.filter((c) => c.name === "filter");
        expect(filters.map((f) => f.params["@type"])).toEqual(["kubernetes_metadata", "elasticsearch_genid"]);
        expect(filters[1].params.hash_id_key).toBe(ID_KEY);
        expect(esMatch().params).toMatchObject({ id_key: ID_KEY, emit_error_for_missing_id: "true" });
        expect(esMatch().params.remove_keys).toBeUndefined();
    });

    it("dead-letters malformed records to hourly JSON files on the host and counts them", () => {
        const error = sections.find((s) => s.name === "label" && s.arg === "@ERROR")!;
        const filter = error.children.find((c) => c.name === "filter")!;
        expect(filter.params["@type"]).toBe("prometheus");
        expect(filter.children[0]).toMatchObject({ name: "metric", params: { name: DEAD_LETTER_METRIC, type: "counter" } });
        const out = error.children.find((c) => c.name === "match")!;
        expect(out.arg).toBe("**");
        expect(out.params).toMatchObject({ "@type": "file", path: "/var/lib/fluentd/dead-letter/records", append: "true" });
        expect(out.children.find((c) => c.name === "buffer")).toMatchObject({
            arg: "time",
            params: { "@type": "file", path: "/var/lib/fluentd/buffer/dead-letter", timekey: "1h", overflow_action: "block", retry_forever: "true" },
        });
        // Only unrecoverable chunks reach <secondary> under retry_forever (fluentd 1.19.3 output.rb).
        expect(esMatch().children.find((c) => c.name === "secondary")!.params).toEqual({
            "@type": "secondary_file", "@id": "out_elasticsearch_unrecoverable", directory: "/var/lib/fluentd/dead-letter/unrecoverable",
        });
    });

    it("exposes Fluentd's Prometheus metrics (prometheus, prometheus_monitor, prometheus_output_monitor)", () => {
        expect(find("source", "prometheus").params).toMatchObject({ bind: "0.0.0.0", port: "24231", metrics_path: "/metrics" });
        expect(find("source", "prometheus_monitor")).toBeDefined();
        // prometheus_output_monitor is what emits fluentd_output_status_{buffer_total_bytes,num_errors,retry_count}.
        expect(find("source", "prometheus_output_monitor")).toBeDefined();
    });

    it("is well formed, with only known top-level directives", () => {
        expect(fluentdConfigProblems(text)).toEqual([]);
        expect(sections.map((s) => s.name)).toEqual(["system", "source", "source", "source", "source", "filter", "match", "label", "label", "label"]);
    });

    it("uses the buffer limit it is given", () => {
        const t = renderFluentdConfig({ ...SETTINGS, buffer: { ...SETTINGS.buffer, totalLimitGiB: 8 } });
        expect(t).toContain("    total_limit_size 8GB\n");
    });

    it.each([
        ["an unclosed section", (t: string) => t.replace("</parse>", ""), /<parse> is never closed|closes <parse>/],
        ["a mismatched close", (t: string) => t.replace("  </buffer>", "  </buffers>"), /<\/buffers> closes <buffer>/],
        ["a stray close", (t: string) => `${t}</match>\n`, /<\/match> closes nothing/],
        ["an unknown top-level directive", (t: string) => t.replace("<system>", "<sytem>").replace("</system>", "</sytem>"), /unknown top-level directive <sytem>/],
        ["@type outside a directive", (t: string) => `@type stdout\n${t}`, /@type outside any directive/],
        ["a parameter at top level", (t: string) => `${t}flush_interval 1s\n`, /flush_interval outside any directive/],
        ["a plugin section without @type", (t: string) => t.replace("    @type file\n", ""), /<buffer> has no @type/],
        ["a duplicate key", (t: string) => t.replace("    overflow_action block\n", "    overflow_action block\n    overflow_action drop_oldest_chunk\n"), /overflow_action set twice in <buffer>/],
        ["a match without a pattern", (t: string) => t.replace("<match kubernetes.**>", "<match>"), /<match> needs a pattern/],
        ["a malformed tag", (t: string) => t.replace("<parse>", "<parse"), /malformed tag <parse/],
    ])("the guard catches %s", (_label, breakIt, message) => {
        const problems = fluentdConfigProblems(breakIt(text));
        expect(problems.length).toBeGreaterThan(0);
        expect(problems.join("\n")).toMatch(message);
    });
});

describe("resolveLoggingArgs", () => {
    it("applies every documented default", () => {
        expect(resolveLoggingArgs({})).toEqual({
            storageClassName: "gp3",
            elasticsearchNodes: 1,
            elasticsearchStorageGiB: 10,
            elasticsearchMemory: "2Gi",
            elasticsearchCpu: "500m",
            zoneSpread: false,
            deleteVolumesWithWorkload: false,
            kibana: false,
            retentionDays: 7,
            fluentdBufferLimitGiB: 4,
            fluentdMemory: "256Mi",
            fluentdMemoryLimit: "512Mi",
            exporter: true,
        });
        expect(resolveLoggingArgs({ elasticsearchNodes: 3 }).zoneSpread).toBe(true);
    });

    it.each([
        [{ elasticsearchNodes: 2 }, "elasticsearchNodes (2) must be 1 or a whole number from 3 to 9: two master-eligible nodes cannot lose either"],
        [{ elasticsearchNodes: 0 }, "elasticsearchNodes (0) must be 1 or a whole number from 3 to 9: two master-eligible nodes cannot lose either"],
        [{ elasticsearchNodes: 3.5 }, "elasticsearchNodes (3.5) must be 1 or a whole number from 3 to 9: two master-eligible nodes cannot lose either"],
        [{ elasticsearchStorageGiB: 1 }, "elasticsearchStorageGiB (1) must be a whole number from 5 to 16384"],
        [{ elasticsearchMemory: "2G" }, 'elasticsearchMemory (2G) must be a quantity in Mi or Gi of at least 1024Mi, e.g. "2Gi"'],
        [{ elasticsearchMemory: "512Mi" }, 'elasticsearchMemory (512Mi) must be a quantity in Mi or Gi of at least 1024Mi, e.g. "2Gi"'],
        [{ elasticsearchCpu: "lots" }, 'elasticsearchCpu (lots) must be a CPU quantity like "500m" or "2"'],
        [{ zoneSpread: true }, "zoneSpread (true) needs elasticsearchNodes (1) >= 3"],
        [{ retentionDays: 0 }, "retentionDays (0) must be a whole number from 1 to 3650"],
        [{ fluentdBufferLimitGiB: 100 }, "fluentdBufferLimitGiB (100) must be a whole number from 1 to 50"],
        [{ fluentdMemory: "1Gi", fluentdMemoryLimit: "512Mi" }, "fluentdMemoryLimit (512Mi) must be >= fluentdMemory (1Gi)"],
        [{ storageClassName: "GP3" }, "storageClassName (GP3) must be a StorageClass name (lowercase DNS subdomain)"],
    ] as [LoggingArgs, string][])("rejects %j", (args, message) => {
        expect(() => resolveLoggingArgs(args)).toThrow(message);
    });

    it("throws before registering any resource", () => {
        resetRecords();
        expect(() => new Logging("bad", { elasticsearchNodes: 2 })).toThrow(/elasticsearchNodes \(2\)/);
        expect(allRecords().filter((r) => r.type !== "mlplatform:index:Logging")).toEqual([]);
    });
});

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

    it("gives Fluentd's role only writes to the data stream and cluster monitor", () => {
        const roles = JSON.parse(esRolesYaml());
        expect(roles[FLUENTD_ROLE]).toEqual({
            cluster: ["monitor"],
            indices: [{ names: ["logs-k8s-*"], privileges: ["create_doc", "create_index", "view_index_metadata", "auto_configure"] }],
        });
    });
});

describe.each(PRESETS)("Logging (%s preset)", (env, args) => {
    const prod = env === "production";

    it("declares the expected resources, all parented to the component", async () => {
        const l = await build(args);
        const counts = (type: string) => byType(type).length;
        expect(counts(T.ns)).toBe(2);
        expect(counts(T.release)).toBe(1);
        expect(counts(T.es)).toBe(1);
        expect(counts(T.kb)).toBe(prod ? 0 : 1);
        expect(counts(T.ds)).toBe(1);
        expect(counts(T.job)).toBe(1);
        expect(counts(T.deploy)).toBe(1);
        expect(counts(T.cr)).toBe(1);
        expect(counts(T.crb)).toBe(1);
        // Elasticsearch's own policy, plus deny-ingress and three allows in logging and deny-ingress in elastic-system (NS-09).
        expect(counts(T.np)).toBe(6);
        expect(byType(T.np).filter((p) => p.inputs.metadata.name === "deny-ingress").map((p) => p.inputs.metadata.namespace).sort()).toEqual(["elastic-system", "logging"]);
        expect(counts(T.secret)).toBe(3);
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

    it("pins the ECK operator chart and limits it to the logging namespace", async () => {
        await build(args);
        const rel = one(T.release, "logging-eck-operator");
        expect(rel.inputs).toMatchObject({ chart: "eck-operator", version: LOGGING_VERSIONS.eckOperatorChart.version, repositoryOpts: { repo: "https://helm.elastic.co" }, namespace: "elastic-system" });
        expect(rel.inputs.values.managedNamespaces).toEqual(["logging"]);
        expect(rel.inputs.values.resources).toEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi", cpu: null } });
        expect(one(T.ns, "logging-operator-ns").inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
        const es = one(T.es, "logging-elasticsearch");
        expect(es.dependencies).toContain(rel.urn);
    });

    it("declares Elasticsearch per preset: version, nodes, disks, deletion policy, zone spread", async () => {
        await build(args);
        const spec = one(T.es, "logging-elasticsearch").inputs.spec;
        expect(spec.version).toBe(LOGGING_VERSIONS.elasticsearch);
        expect(spec.volumeClaimDeletePolicy).toBe(prod ? "DeleteOnScaledownOnly" : "DeleteOnScaledownAndClusterDeletion");
        expect(spec.auth).toEqual({ fileRealm: [{ secretName: "logs-fluentd-user" }, { secretName: "logs-es-exporter-user" }], roles: [{ secretName: "logs-roles" }] });
        expect(spec.http).toBeUndefined();
        const [set] = spec.nodeSets;
        expect(set.count).toBe(args.elasticsearchNodes);
        expect(set.config).toEqual({ "node.store.allow_mmap": false });
        expect(set.volumeClaimTemplates).toEqual([{
            metadata: { name: "elasticsearch-data" },
            spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: `${args.elasticsearchStorageGiB}Gi` } } },
        }]);
        const c = set.podTemplate.spec.containers[0];
        expect(c.resources).toEqual({ requests: { cpu: "500m", memory: args.elasticsearchMemory }, limits: { memory: args.elasticsearchMemory } });
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
        expect(set.podTemplate.spec.topologySpreadConstraints).toEqual(prod
            ? [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { "elasticsearch.k8s.elastic.co/cluster-name": "logs" } } }]
            : undefined);
    });

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

    it("lets only clients, monitoring and the operator reach Elasticsearch", async () => {
        await build(args);
        const np = one(T.np, "logging-elasticsearch").inputs.spec;
        expect(np.podSelector).toEqual({ matchLabels: { "elasticsearch.k8s.elastic.co/cluster-name": "logs" } });
        expect(np.ingress[0].ports).toEqual([{ protocol: "TCP", port: 9200 }]);
        expect(np.ingress[0].from).toContainEqual({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "elastic-system" } } });
        expect(np.ingress[0].from).toContainEqual({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } });
        expect(np.ingress[1]).toEqual({ ports: [{ protocol: "TCP", port: 9300 }], from: [{ podSelector: { matchLabels: { "elasticsearch.k8s.elastic.co/cluster-name": "logs" } } }] });
        // Every pod selector in the policy matches a pod the component declares (or ECK's Kibana pods).
        const podLabels = allRecords().map((r) => r.inputs.spec?.template?.metadata?.labels).filter(Boolean);
        for (const from of np.ingress[0].from.filter((f: any) => f.podSelector && !f.podSelector.matchLabels["kibana.k8s.elastic.co/name"])) {
            expect(podLabels.some((l: any) => Object.entries(from.podSelector.matchLabels).every(([k, x]) => l[k] === x)), JSON.stringify(from)).toBe(true);
        }
    });

    it("validates every built-in Kubernetes object against its schema", async () => {
        await build(args);
        expect(await invalidObjects(allRecords(), { skipEck: true })).toEqual([]);
    });

    it.skipIf(!HAS_SHARED)("validates the Elasticsearch and Kibana objects against ECK's CRD schemas (NOT RUN when ../shared is absent)", async () => {
        await build(args);
        expect(await invalidObjects(allRecords())).toEqual([]);
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
        ["FL-06: baseline namespace", "sandbox", (rs) => mutate(rs, T.ns, (r) => r.name === "logging-ns", (i) => {
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
        await build(env === "production" ? LOGGING_PRESETS.production : LOGGING_PRESETS.sandbox);
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
        await build(LOGGING_PRESETS.production);
        expect(ids(mutate(allRecords(), T.es, es, fn), "production")).toEqual(["ES-05"]);
    });

    it("ES-05 production: index replicas 0", async () => {
        await build(LOGGING_PRESETS.production);
        const rs = mutate(allRecords(), T.cm, (r) => r.inputs.data?.["index-template.json"] !== undefined, (i) => {
            i.data["index-template.json"] = JSON.stringify(indexTemplateBody(0));
        });
        expect(ids(rs, "production")).toEqual(["ES-05"]);
    });

    it("ES-05: the sandbox preset fails production expectations", async () => {
        await build(LOGGING_PRESETS.sandbox);
        const messages = run(LOGGING_CHECKS, allRecords(), "production").map((x) => x.message);
        expect(messages).toEqual(expect.arrayContaining([
            "1 master-eligible nodes; production needs >= 3",
            "volumeClaimDeletePolicy is DeleteOnScaledownAndClusterDeletion; production keeps volumes (DeleteOnScaledownOnly)",
        ]));
    });
});

describe("re-running the retention job", () => {
    it("changes the Job's pod template when retentionDays changes, so Pulumi replaces and re-runs it", async () => {
        const hash = async (days: number) => {
            await build({ ...LOGGING_PRESETS.sandbox, retentionDays: days });
            return byType(T.job)[0].inputs.spec.template.metadata.annotations["mlplatform.io/config-hash"];
        };
        const a = await hash(7);
        expect(await hash(7)).toBe(a);
        expect(await hash(14)).not.toBe(a);
    });
});

describe("secrets stay secret", () => {
    it("marks the Fluentd and exporter passwords secret in their Secrets", async () => {
        await build();
        const s = byType(T.secret).filter((x) => x.inputs.type === "kubernetes.io/basic-auth");
        expect(s).toHaveLength(2);
        for (const x of s) {
            expect(secretAt(x, "stringData.password"), x.name).toBe(true);
        }
    });
});
