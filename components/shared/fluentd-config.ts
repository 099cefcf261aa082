/**
 * The Fluentd configuration (`fluent.conf`) the logging layer ships, generated from typed settings,
 * and a well-formedness check for generated text.
 *
 * Written for Fluentd 1.19 with the plugins in `fluent/fluentd-kubernetes-daemonset`'s Elasticsearch 9
 * image (see `LOGGING_VERSIONS.fluentdImage`; its Gemfile.lock at tag v1.19.3-1.1 pins fluentd 1.19.3,
 * fluent-plugin-elasticsearch 6.0.0, elasticsearch 9.5.0, elastic-transport 8.5.3): in_tail +
 * fluent-plugin-parser-cri (`@type cri`), fluent-plugin-concat (CRI partial lines),
 * fluent-plugin-kubernetes_metadata_filter, fluent-plugin-elasticsearch 6.0.0 (`@type elasticsearch`
 * and `@type elasticsearch_genid`) and fluent-plugin-prometheus 2.2.
 *
 * Why the plain `elasticsearch` output and not `elasticsearch_data_stream` (both read at
 * uken/fluent-plugin-elasticsearch v6.0.0):
 * - `out_elasticsearch_data_stream.rb` `configure` (lines 54-67) creates the ILM policy, template and
 *   data stream on every start, even under `--dry-run`. An unreachable host reaches it as
 *   `Elastic::Transport::Transport::Error` (elastic-transport `transport/base.rb` `perform_request`
 *   wraps `Faraday::ConnectionFailed` into it), which `retry_operate`
 *   (`elasticsearch_index_template.rb` line 57) does not rescue: it rescues the Faraday classes, the
 *   HTTP-status classes of `Transport::Errors` and `Timeout::Error`. It becomes a `ConfigError`
 *   (line 65) and Fluentd exits: every pod crash-loops while Elasticsearch is down.
 * - Its `write` (lines 287-291) only logs a bulk response with `errors`: items refused with 429 or
 *   5xx are dropped.
 * - `out_elasticsearch.rb` `configure` contacts Elasticsearch only to detect its version
 *   (`handle_last_seen_es_major_version`, skipped with `verify_es_version_at_startup false`) and to
 *   install templates (`template_name` + `template_file`, or `templates`; none here). Its bulk errors
 *   go through `elasticsearch_error_handler.rb`: 200/201 ok; 409 on `create` is a duplicate (line 95,
 *   so a retried chunk with the same ids writes nothing twice); 400 (malformed, mapping conflict) and
 *   `json_parse_exception` become error events (lines 97-108, 121-123), i.e. the `@ERROR` label, our
 *   dead letter; every other status with an error type (429 `es_rejected_execution_exception`, 5xx)
 *   is re-emitted through `RetryStreamError` (lines 125, 142) unless its type is in
 *   `unrecoverable_error_types`, which by default holds `es_rejected_execution_exception` and aborts
 *   the chunk (lines 118-119): we empty it. A failed request as a whole (connection refused, HTTP 429
 *   or 5xx for the bulk call) raises `RecoverableRequestFailure` (`out_elasticsearch.rb` `send_bulk`),
 *   and the buffer retries the chunk forever.
 *
 * Not in CI: `fluentd --dry-run` on this text with the real plugins. Debian 12 packages no fluentd
 * and rubygems is out of reach, so CI cannot install it. Run by hand (2026-11, fluentd 1.19.3 and the
 * plugin versions above, kubernetes_metadata_filter 3.7.1) it passed with no Elasticsearch to talk to,
 * where the previous data stream output failed at once ("Failed to create data stream ... Connection
 * refused"). The rules it relies on are reproduced in policy/fluentd-es-plugin.ts and tested.
 *
 * @see https://docs.fluentd.org/configuration/buffer-section
 * @see https://github.com/uken/fluent-plugin-elasticsearch/blob/v6.0.0/lib/fluent/plugin/elasticsearch_error_handler.rb
 */

/** Where Fluentd sends logs. */
export interface FluentdElasticsearchSettings {
    /** Service host, e.g. `logs-es-http.logging.svc`. */
    readonly host: string;
    readonly port: number;
    /** PEM CA file inside the container, used to verify the server certificate. */
    readonly caFile: string;
    /** Elasticsearch user (a file-realm user with write access to the data stream). */
    readonly user: string;
    /** Environment variable holding the password (set from a Secret via `secretKeyRef`). */
    readonly passwordEnv: string;
    /**
     * Data stream to write, e.g. `logs-k8s-default`. Its index template and ILM policy are installed
     * by the platform's Job before Fluentd starts; Fluentd never creates them.
     */
    readonly dataStreamName: string;
}

/** File buffer and retry settings (checklist FL-01..FL-03). */
export interface FluentdBufferSettings {
    readonly flushIntervalSeconds: number;
    readonly chunkLimitMiB: number;
    /** Total on-disk buffer; must stay below the node's free disk. */
    readonly totalLimitGiB: number;
    readonly retryMaxIntervalSeconds: number;
    readonly flushThreadCount: number;
}

/** Everything the generated configuration depends on. */
export interface FluentdSettings {
    /** Glob of container log files (CRI format; symlinks into /var/log/pods). */
    readonly containerLogPath: string;
    /** Globs not to tail (Fluentd's own logs, to avoid a feedback loop). */
    readonly excludePaths: readonly string[];
    /** Writable host directory for position files and buffers. */
    readonly stateDir: string;
    readonly elasticsearch: FluentdElasticsearchSettings;
    readonly buffer: FluentdBufferSettings;
    /** Port of the Prometheus endpoint. */
    readonly metricsPort: number;
}

/** Record key `elasticsearch_genid` fills and the output sends as `_id`. */
export const ID_KEY = "log_id";
/** Elasticsearch major version assumed without asking the cluster (`default_elasticsearch_version`). */
export const ES_MAJOR = 9;
/** Counter of dead-lettered records (fluent-plugin-prometheus `<filter>` in the `@ERROR` label). */
export const DEAD_LETTER_METRIC = "fluentd_dead_letter_records_total";

/** Where dead-lettered records and unrecoverable chunks are kept on the node. */
export function deadLetterDir(s: FluentdSettings): string {
    return `${s.stateDir}/dead-letter`;
}

/** Renders `fluent.conf`. Pure: the same settings always give the same text. */
export function renderFluentdConfig(s: FluentdSettings): string {
    const es = s.elasticsearch;
    const b = s.buffer;
    return `# Generated by components/shared/fluentd-config.ts; do not edit by hand.
<system>
  log_level info
</system>

# Fluentd's own metrics for Prometheus (fluent-plugin-prometheus): fluentd_output_status_* series.
<source>
  @type prometheus
  @id in_prometheus
  bind 0.0.0.0
  port ${s.metricsPort}
  metrics_path /metrics
</source>

<source>
  @type prometheus_monitor
  @id in_prometheus_monitor
</source>

<source>
  @type prometheus_output_monitor
  @id in_prometheus_output_monitor
</source>

# Container logs written by containerd (CRI format); the position file survives restarts on the host.
<source>
  @type tail
  @id in_tail_container_logs
  path ${s.containerLogPath}
  exclude_path ${JSON.stringify([...s.excludePaths])}
  pos_file ${s.stateDir}/pos/containers.log.pos
  read_from_head true
  follow_inodes true
  refresh_interval 10
  tag kubernetes.*
  <parse>
    @type cri
  </parse>
</source>

# containerd splits lines longer than 16 KiB into partial records (logtag P); join them.
<filter kubernetes.**>
  @type concat
  @id filter_concat_cri_partial
  key message
  use_partial_cri_logtag true
  partial_cri_logtag_key logtag
  # Join stdout and stderr fragments separately. The plugin deletes partial_cri_stream_key from every
  # joined record, so it names a key that does not exist and \`stream\` (stdout/stderr) is kept.
  stream_identity_key stream
  partial_cri_stream_key cri_stream_unused
  separator ""
  # A fragment whose last part never arrives is flushed after 60 s into the same pipeline, not dropped
  # as an error event.
  flush_interval 60
  timeout_label @SHIP
</filter>

<match kubernetes.**>
  @type relabel
  @id relabel_ship
  @label @SHIP
</match>

<label @SHIP>
  # Pod, namespace, labels and container from the Kubernetes API (get/list/watch pods and namespaces only).
  <filter kubernetes.**>
    @type kubernetes_metadata
    @id filter_kubernetes_metadata
    skip_master_url true
  </filter>

  # A random id per record (out_elasticsearch \`id_key\`): a chunk retried after a partial success or a
  # timeout sends the same ids, and Elasticsearch answers 409 for those already written, which the
  # error handler counts as duplicates (elasticsearch_error_handler.rb line 95). Records the error
  # handler re-emits (429, 5xx) come back through this label and get a fresh id: they were not written.
  <filter kubernetes.**>
    @type elasticsearch_genid
    @id filter_elasticsearch_genid
    hash_id_key ${ID_KEY}
  </filter>

  # Into the data stream with op_type create (data streams accept nothing else). Nothing here talks
  # to Elasticsearch at start: no version check, no template installation (the platform's Job
  # installs the ILM policy, template and data stream before this DaemonSet starts), so Fluentd
  # starts and buffers to disk while Elasticsearch is down.
  <match kubernetes.**>
    @type elasticsearch
    @id out_elasticsearch
    host ${es.host}
    port ${es.port}
    scheme https
    ssl_verify true
    ca_file ${es.caFile}
    user ${es.user}
    password "#{ENV['${es.passwordEnv}']}"
    index_name ${es.dataStreamName}
    write_operation create
    # The id stays in the document: remove_keys would also strip it from the copy the error handler
    # rebuilds, and a create without _id is skipped there (append_record_to_messages returns false),
    # so rejected records would vanish instead of being retried or dead-lettered.
    id_key ${ID_KEY}
    # A record without an id is an error event (dead letter), not a silent debug-level drop.
    emit_error_for_missing_id true
    # Data streams require @timestamp; taken from the event time.
    include_timestamp true
    suppress_type_name true
    verify_es_version_at_startup false
    default_elasticsearch_version ${ES_MAJOR}
    # Back-pressure (429 es_rejected_execution_exception) and server errors are retried, never abort
    # the chunk (the default list holds es_rejected_execution_exception).
    unrecoverable_error_types []
    # One Service name (in the certificate), no sniffing of pod IPs, which would fail verification.
    reload_connections false
    reconnect_on_error true
    reload_on_failure false
    request_timeout 30s
    log_es_400_reason true
    <buffer>
      @type file
      path ${s.stateDir}/buffer/elasticsearch
      flush_mode interval
      flush_interval ${b.flushIntervalSeconds}s
      flush_thread_count ${b.flushThreadCount}
      chunk_limit_size ${b.chunkLimitMiB}MB
      total_limit_size ${b.totalLimitGiB}GB
      overflow_action block
      retry_type exponential_backoff
      retry_forever true
      retry_max_interval ${b.retryMaxIntervalSeconds}s
    </buffer>
    # With retry_forever only chunks the plugin declares unrecoverable come here (fluentd output.rb):
    # an unreadable bulk response. Kept on the host as msgpack (read with fluent-binlog-reader).
    <secondary>
      @type secondary_file
      @id out_elasticsearch_unrecoverable
      directory ${deadLetterDir(s)}/unrecoverable
    </secondary>
  </match>
</label>

# Dead letter: records Elasticsearch refused as malformed (HTTP 400, json_parse_exception) and records
# the output could not turn into a request. Counted for the FluentdDeadLetterRecords alert, then kept
# as JSON lines on the host, one file per hour: ${deadLetterDir(s)}/records.<YYYYMMDDHH>.log.
<label @ERROR>
  <filter **>
    @type prometheus
    @id filter_dead_letter_count
    <metric>
      name ${DEAD_LETTER_METRIC}
      type counter
      desc Records Elasticsearch refused as malformed, written to the dead-letter files
    </metric>
  </filter>

  <match **>
    @type file
    @id out_dead_letter
    path ${deadLetterDir(s)}/records
    append true
    <format>
      @type json
    </format>
    <inject>
      tag_key fluentd_tag
      time_key fluentd_time
      time_type string
    </inject>
    <buffer time>
      @type file
      path ${s.stateDir}/buffer/dead-letter
      timekey 1h
      timekey_wait 1m
      timekey_use_utc true
      total_limit_size 512MB
      overflow_action block
      retry_forever true
    </buffer>
  </match>
</label>

# Fluentd's own log events stay on stdout only.
<label @FLUENT_LOG>
  <match **>
    @type null
    @id out_fluent_log_null
  </match>
</label>
`;
}

/** Top-level directives Fluentd v1 knows. */
export const TOP_LEVEL_DIRECTIVES = ["source", "match", "filter", "system", "label", "worker"] as const;
/** Sections that must name a plugin with `@type`. */
const PLUGIN_SECTIONS = new Set(["source", "match", "filter", "parse", "buffer", "store", "secondary", "format"]);
/** Sections that need an argument (a tag pattern, label name or worker id). */
const NEEDS_ARG = new Set(["match", "filter", "label", "worker"]);

/**
 * Checks that generated Fluentd configuration text is well formed: every `<section>` closed by a
 * matching `</section>` in order, only known top-level directives, no parameters at top level,
 * `@type` inside every plugin section (and never at top level), no key set twice in one section,
 * and a pattern on `<match>`/`<filter>`. Returns the problems, each with its line number.
 */
export function fluentdConfigProblems(text: string): string[] {
    const problems: string[] = [];
    const stack: { name: string; line: number; keys: Set<string> }[] = [];
    text.split("\n").forEach((raw, i) => {
        const n = i + 1;
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) {
            return;
        }
        const close = /^<\/([a-z_]+)\s*>$/.exec(line);
        const open = /^<([a-z_]+)(?:\s+([^>]*))?>$/.exec(line);
        if (close) {
            const top = stack.pop();
            if (top === undefined) {
                problems.push(`line ${n}: </${close[1]}> closes nothing`);
            } else if (top.name !== close[1]) {
                problems.push(`line ${n}: </${close[1]}> closes <${top.name}> opened on line ${top.line}`);
            } else if (PLUGIN_SECTIONS.has(top.name) && !top.keys.has("@type")) {
                problems.push(`line ${top.line}: <${top.name}> has no @type`);
            }
            return;
        }
        if (open) {
            const [, name, arg] = open;
            if (stack.length === 0 && !(TOP_LEVEL_DIRECTIVES as readonly string[]).includes(name)) {
                problems.push(`line ${n}: unknown top-level directive <${name}>`);
            }
            if (NEEDS_ARG.has(name) && (arg ?? "").trim() === "") {
                problems.push(`line ${n}: <${name}> needs a pattern or name`);
            }
            stack.push({ name, line: n, keys: new Set() });
            return;
        }
        if (line.startsWith("<")) {
            problems.push(`line ${n}: malformed tag ${line}`);
            return;
        }
        const key = line.split(/\s+/)[0];
        const top = stack[stack.length - 1];
        if (top === undefined) {
            problems.push(`line ${n}: ${key} outside any directive`);
            return;
        }
        if (top.keys.has(key)) {
            problems.push(`line ${n}: ${key} set twice in <${top.name}> (line ${top.line})`);
        }
        top.keys.add(key);
    });
    for (const s of stack) {
        problems.push(`line ${s.line}: <${s.name}> is never closed`);
    }
    return problems;
}

/** One parsed section of a Fluentd configuration. */
export interface FluentdSection {
    readonly name: string;
    /** Tag pattern, label name or worker id; "" when none. */
    readonly arg: string;
    /** Parameters, raw values (the last one wins, as in Fluentd). */
    readonly params: Record<string, string>;
    readonly children: FluentdSection[];
}

/**
 * Parses Fluentd configuration text into sections, enough to check what it says (checklist FL-*).
 * Lenient: call {@link fluentdConfigProblems} for well-formedness.
 */
export function parseFluentdConfig(text: string): FluentdSection[] {
    const root: FluentdSection = { name: "", arg: "", params: {}, children: [] };
    const stack = [root];
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) {
            continue;
        }
        const open = /^<([a-z_]+)(?:\s+([^>]*))?>$/.exec(line);
        if (/^<\/[a-z_]+\s*>$/.test(line)) {
            if (stack.length > 1) {
                stack.pop();
            }
        } else if (open) {
            const s: FluentdSection = { name: open[1], arg: (open[2] ?? "").trim(), params: {}, children: [] };
            stack[stack.length - 1].children.push(s);
            stack.push(s);
        } else {
            const m = /^(\S+)\s*(.*)$/.exec(line);
            if (m) {
                stack[stack.length - 1].params[m[1]] = m[2];
            }
        }
    }
    return root.children;
}
