/** The generated Fluentd configuration (components/shared/fluentd-config.ts) and the Elasticsearch output's rules it relies on. */
import { describe, expect, it } from "vitest";
import { DEAD_LETTER_METRIC, fluentdConfigProblems, ID_KEY, parseFluentdConfig, renderFluentdConfig, FluentdSettings } from "../../components/shared/fluentd-config";
import { esOutputs, itemOutcome, ItemOutcome, startProblems } from "../../policy/fluentd-es-plugin";

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
