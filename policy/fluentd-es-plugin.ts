/**
 * What fluent-plugin-elasticsearch 6.0.0 (the version `LOGGING_VERSIONS.fluentdImage` bundles) does at
 * start and with each bulk item, reproduced from its source (uken/fluent-plugin-elasticsearch, tag
 * v6.0.0) over a parsed `fluent.conf`, so checks FL-02 and the tests judge a configuration the way
 * the plugin would run it. Line numbers are from that tag.
 */
import { FluentdSection, parseFluentdConfig } from "../components/shared/fluentd-config";

/** Output types the plugin registers. */
const ES_OUTPUTS = new Set(["elasticsearch", "elasticsearch_data_stream", "elasticsearch_dynamic"]);
/** `out_elasticsearch.rb` line 160: `unrecoverable_error_types` default. */
const DEFAULT_UNRECOVERABLE = ["out_of_memory_error", "es_rejected_execution_exception"];

const walk = (ss: FluentdSection[]): FluentdSection[] => ss.flatMap((s) => [s, ...walk(s.children)]);
const isTrue = (v: string | undefined) => v === "true" || v === "yes";
/** Fluentd's `:array` type: a JSON array or a comma-separated list. */
function fluentdArray(v: string | undefined): string[] | undefined {
    if (v === undefined) {
        return undefined;
    }
    const t = v.trim();
    return t.startsWith("[") ? (JSON.parse(t) as string[]) : t.split(",").map((x) => x.trim()).filter((x) => x !== "");
}
/** `placeholder?` (out_elasticsearch.rb): `${tag}`, `${key}` or a strftime `%` in the value. */
const hasPlaceholder = (v: string | undefined) => /\$\{[^}]+\}|%[A-Za-z]/.test(v ?? "");

/** `<match>` sections whose `@type` is one of this plugin's outputs. */
export function esOutputs(sections: FluentdSection[]): FluentdSection[] {
    return walk(sections).filter((s) => s.name === "match" && ES_OUTPUTS.has(s.params["@type"] ?? ""));
}

/**
 * Why this output would contact Elasticsearch inside `configure`, where a failure stops Fluentd (a
 * `ConfigError` at start; under `--dry-run` too for the data stream output). Empty when it cannot.
 */
export function contactsElasticsearchAtStart(m: FluentdSection): string[] {
    const p = m.params;
    const out: string[] = [];
    // out_elasticsearch_data_stream.rb lines 47-67: without a placeholder in data_stream_name, creates
    // the ILM policy, template and data stream in configure; the transport's connection error
    // (Elastic::Transport::Transport::Error) escapes retry_operate and becomes a ConfigError.
    if (p["@type"] === "elasticsearch_data_stream" && !hasPlaceholder(p.data_stream_name)) {
        out.push("elasticsearch_data_stream creates its ILM policy, template and data stream in configure");
    }
    // out_elasticsearch.rb handle_last_seen_es_major_version: GET / unless verify_es_version_at_startup false.
    if (p.verify_es_version_at_startup !== "false") {
        out.push("verify_es_version_at_startup is not false (GET / in configure)");
    }
    // out_elasticsearch.rb configure lines 252-274: template_installation_actual / templates_hash_install.
    if (p.template_name !== undefined && p.template_file !== undefined && !isTrue(p.logstash_format) && !hasPlaceholder(p.index_name)) {
        out.push("template_name with template_file installs a template in configure");
    }
    if (p.templates !== undefined) {
        out.push("templates installs templates in configure");
    }
    return out;
}

/** What happens to one record, given Elasticsearch's answer for its bulk item. */
export type ItemOutcome = "written" | "duplicate" | "retried" | "dead-letter" | "chunk-unrecoverable" | "dropped";

/**
 * The fate of one record sent by output `m` in configuration `sections` when its bulk item comes
 * back with `status` and `errorType`: `out_elasticsearch.rb` `write`/`send_bulk` and
 * `elasticsearch_error_handler.rb` `handle_error`, or `out_elasticsearch_data_stream.rb` `write`.
 * "dead-letter" means an error event that a `<label @ERROR>` receives; without that label Fluentd only
 * logs error events, so the outcome is "dropped".
 */
export function itemOutcome(sections: FluentdSection[], m: FluentdSection, status: number, errorType?: string): ItemOutcome {
    const p = m.params;
    const hasErrorLabel = sections.some((s) => s.name === "label" && s.arg === "@ERROR" && s.children.some((c) => c.name === "match" && c.params["@type"] !== "null"));
    const errorEvent: ItemOutcome = hasErrorLabel ? "dead-letter" : "dropped";
    if (p["@type"] === "elasticsearch_data_stream") {
        // write lines 286-291: a response with errors is logged and counted; nothing is re-emitted.
        return [200, 201].includes(status) ? "written" : "dropped";
    }
    const op = p.write_operation ?? "index";
    const idKey = p.id_key;
    if (op !== "index" && idKey === undefined) {
        // append_record_to_messages returns false without _id; write drops the record at debug
        // level unless emit_error_for_missing_id (MissingIdFieldError, an error event).
        return isTrue(p.emit_error_for_missing_id) ? errorEvent : "dropped";
    }
    if ([200, 201].includes(status)) {
        return "written";
    }
    if (op === "create" && status === 409) {
        return "duplicate"; // error handler line 95
    }
    // handle_error rebuilds each request line from the record write() kept, which process_message
    // already stripped of remove_keys: a create/update whose id key was removed is skipped (line 62).
    if (op !== "index" && idKey !== undefined && (fluentdArray(p.remove_keys) ?? []).includes(idKey)) {
        return "dropped";
    }
    if (status === 400) {
        return errorEvent; // lines 97-108
    }
    if (errorType === undefined) {
        return errorEvent; // lines 127-132
    }
    if ((fluentdArray(p.unrecoverable_error_types) ?? DEFAULT_UNRECOVERABLE).includes(errorType)) {
        // lines 118-119: ElasticsearchRequestAbortError, an UnrecoverableError for the whole chunk:
        // fluentd moves the chunk to <secondary> (or its backup directory), it is not retried.
        return "chunk-unrecoverable";
    }
    if (errorType === "json_parse_exception") {
        return errorEvent; // lines 121-123
    }
    return "retried"; // line 125, re-emitted through RetryStreamError (line 142)
}

/** Parses `text` and returns {@link contactsElasticsearchAtStart} for every Elasticsearch output. */
export function startProblems(text: string): string[] {
    return esOutputs(parseFluentdConfig(text)).flatMap((m) => contactsElasticsearchAtStart(m).map((r) => `<match ${m.arg}>: ${r}`));
}
