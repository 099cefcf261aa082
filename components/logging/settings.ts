/**
 * The logging layer's config keys, their per-preset defaults and their validation (Elasticsearch,
 * Kibana and Fluentd): the one owner of every logging default. Errors are ConfigErrors naming the
 * key, the bad value and what is valid, raised before any resource exists.
 */
import { DEFAULT_STORAGE_CLASS } from "../cluster-services";
import { KeyTable, Preset, Settings } from "../shared/settings";
import { LoggingArgs } from "./args";

export const LOGGING_KEYS = {
    elasticsearchNodes: { type: "integer", description: "Elasticsearch nodes: 1, or 3 to 9 (production at least 3, spread over zones).", default: { sandbox: 1, production: 3 }, docs: { production: "`3` (production refuses fewer)" } },
    elasticsearchStorageGiB: { type: "integer", description: "Elasticsearch data volume per node, GiB (gp3).", default: { sandbox: 10, production: 100 } },
    elasticsearchMemory: { type: "string", description: "Elasticsearch memory per node (request = limit), e.g. 4Gi; the JVM heap is half.", default: { sandbox: "2Gi", production: "4Gi" } },
    elasticsearchRetentionDays: { type: "integer", description: "Days container logs stay searchable; the index lifecycle policy deletes older data.", default: { sandbox: 7, production: 30 } },
    kibana: { type: "boolean", description: "Run Kibana (reached by port-forward).", default: { sandbox: true, production: false } },
    fluentdBufferLimitGiB: { type: "integer", description: "Per-node cap of Fluentd's on-disk buffer while Elasticsearch is unreachable, GiB.", default: { sandbox: 4, production: 8 } },
} as const satisfies KeyTable;

/**
 * Per-preset values no config key sets: a sandbox's Elasticsearch volumes go with the cluster
 * (ES-05, nothing left after destroy); production keeps them after deletion.
 */
const PRESET_VALUES: Record<Preset, Pick<LoggingArgs, "deleteVolumesWithWorkload">> = {
    sandbox: { deleteVolumesWithWorkload: true },
    production: { deleteVolumesWithWorkload: false },
};

/** Values no config key sets, the same in every stack. */
const FIXED: Pick<LoggingArgs, "storageClassName" | "elasticsearchCpu" | "fluentdMemory" | "fluentdMemoryLimit" | "exporter"> = {
    storageClassName: DEFAULT_STORAGE_CLASS,
    elasticsearchCpu: "500m",
    fluentdMemory: "256Mi",
    fluentdMemoryLimit: "512Mi",
    exporter: true,
};

/** Mebibytes in a memory quantity like `512Mi` or `2Gi`; undefined when it is not one. */
function mebibytes(q: string): number | undefined {
    const m = /^([1-9]\d*)(Mi|Gi)$/.exec(q);
    return m === null ? undefined : Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
}

/** The Logging component's arguments from the stack's config: key table defaults per preset, validated. */
export function resolveLoggingSettings(s: Settings<keyof typeof LOGGING_KEYS>): LoggingArgs {
    const elasticsearchNodes = s.int("elasticsearchNodes", 1, 9);
    if (elasticsearchNodes === 2) {
        s.fail("elasticsearchNodes", elasticsearchNodes, "must be 1 or a whole number from 3 to 9: two master-eligible nodes cannot lose either");
    }
    if (s.preset === "production" && elasticsearchNodes < 3) {
        s.fail("elasticsearchNodes", elasticsearchNodes, "production runs at least 3 Elasticsearch nodes across zones (checklist ES-05)");
    }
    const elasticsearchMemory = s.str("elasticsearchMemory")!;
    if ((mebibytes(elasticsearchMemory) ?? 0) < 1024) {
        s.fail("elasticsearchMemory", elasticsearchMemory, 'must be a quantity in Mi or Gi of at least 1024Mi, e.g. "2Gi"');
    }
    return {
        ...FIXED,
        ...PRESET_VALUES[s.preset],
        elasticsearchNodes,
        elasticsearchStorageGiB: s.int("elasticsearchStorageGiB", 5, 16384),
        elasticsearchMemory,
        // Zone spread needs a node per zone: with 3 or more nodes, never with one.
        zoneSpread: elasticsearchNodes >= 3,
        kibana: s.bool("kibana"),
        retentionDays: s.int("elasticsearchRetentionDays", 1, 3650),
        // Nodes have 20 GiB+ root volumes; the buffer must leave room for images and logs themselves.
        fluentdBufferLimitGiB: s.int("fluentdBufferLimitGiB", 1, 50),
    };
}
