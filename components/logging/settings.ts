/** The logging layer's config keys and their validation: Elasticsearch, Kibana and Fluentd. */
import { KeyTable, Settings, viaComponent } from "../shared/settings";
import { LOGGING_PRESETS, LoggingArgs, resolveLoggingArgs } from ".";

const preset = <K extends keyof typeof LOGGING_PRESETS.sandbox>(k: K) => ({ sandbox: LOGGING_PRESETS.sandbox[k], production: LOGGING_PRESETS.production[k] });

export const LOGGING_KEYS = {
    elasticsearchNodes: { type: "integer", description: "Elasticsearch nodes: 1, or 3 to 9 (production at least 3, spread over zones).", default: preset("elasticsearchNodes"), docs: { production: "`3` (production refuses fewer)" } },
    elasticsearchStorageGiB: { type: "integer", description: "Elasticsearch data volume per node, GiB (gp3).", default: preset("elasticsearchStorageGiB") },
    elasticsearchMemory: { type: "string", description: "Elasticsearch memory per node (request = limit), e.g. 4Gi; the JVM heap is half.", default: preset("elasticsearchMemory") },
    elasticsearchRetentionDays: { type: "integer", description: "Days container logs stay searchable; the index lifecycle policy deletes older data.", default: preset("retentionDays") },
    kibana: { type: "boolean", description: "Run Kibana (reached by port-forward).", default: preset("kibana") },
    fluentdBufferLimitGiB: { type: "integer", description: "Per-node cap of Fluentd's on-disk buffer while Elasticsearch is unreachable, GiB.", default: preset("fluentdBufferLimitGiB") },
} as const satisfies KeyTable;

export function resolveLoggingSettings(s: Settings<keyof typeof LOGGING_KEYS>): LoggingArgs {
    const l: LoggingArgs = {
        ...LOGGING_PRESETS[s.preset],
        elasticsearchNodes: s.int("elasticsearchNodes", 1, 9),
        elasticsearchStorageGiB: s.int("elasticsearchStorageGiB", 5, 16384),
        elasticsearchMemory: s.str("elasticsearchMemory")!,
        retentionDays: s.int("elasticsearchRetentionDays", 1, 3650),
        kibana: s.bool("kibana"),
        fluentdBufferLimitGiB: s.int("fluentdBufferLimitGiB", 1, 50),
    };
    if (s.preset === "production" && l.elasticsearchNodes! < 3) {
        s.fail("elasticsearchNodes", l.elasticsearchNodes, "production runs at least 3 Elasticsearch nodes across zones (checklist ES-05)");
    }
    viaComponent(s, {
        elasticsearchNodes: "elasticsearchNodes", elasticsearchStorageGiB: "elasticsearchStorageGiB", elasticsearchMemory: "elasticsearchMemory",
        retentionDays: "elasticsearchRetentionDays", fluentdBufferLimitGiB: "fluentdBufferLimitGiB",
    }, "elasticsearchNodes", () => resolveLoggingArgs(l));
    return l;
}
