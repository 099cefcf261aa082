/**
 * The logging layer's arguments: what {@link Logging} takes, the preset table and the validation
 * that applies defaults (config.ts reuses it).
 */
import { DEFAULT_STORAGE_CLASS } from "../cluster-services";
import { wholeNumber } from "../shared/validate";

/** Arguments of {@link Logging}. */
export interface LoggingArgs {
    /**
     * StorageClass of the Elasticsearch volumes.
     * @default "gp3"
     */
    readonly storageClassName?: string;
    /**
     * Elasticsearch nodes (all master-eligible, data and ingest): 1, or 3 or more. Two give no
     * quorum advantage over one (losing either stops the cluster).
     * @default 1
     */
    readonly elasticsearchNodes?: number;
    /**
     * Volume per Elasticsearch node, GiB (ECK's default would be 1Gi).
     * @default 10
     */
    readonly elasticsearchStorageGiB?: number;
    /**
     * Memory request and limit per Elasticsearch node; the JVM heap is sized to half of it.
     * @default "2Gi"
     */
    readonly elasticsearchMemory?: string;
    /**
     * CPU request per Elasticsearch node (no CPU limit).
     * @default "500m"
     */
    readonly elasticsearchCpu?: string;
    /**
     * Spread Elasticsearch nodes across zones (topologySpreadConstraints, maxSkew 1).
     * @default - true when elasticsearchNodes >= 3
     */
    readonly zoneSpread?: boolean;
    /**
     * Delete Elasticsearch volumes when the cluster is deleted (ECK `DeleteOnScaledownAndClusterDeletion`,
     * sandbox); otherwise only on scale-down and retained on deletion (`DeleteOnScaledownOnly`).
     * @default false
     */
    readonly deleteVolumesWithWorkload?: boolean;
    /**
     * Install Kibana (reach it with `kubectl port-forward`).
     * @default false
     */
    readonly kibana?: boolean;
    /**
     * Days logs are kept; the ILM policy deletes backing indices this long after rollover.
     * @default 7
     */
    readonly retentionDays?: number;
    /**
     * Fluentd's on-disk buffer cap per node (`total_limit_size`), GiB; keep it well below the node's free disk.
     * @default 4
     */
    readonly fluentdBufferLimitGiB?: number;
    /**
     * Fluentd memory request per node.
     * @default "256Mi"
     */
    readonly fluentdMemory?: string;
    /**
     * Fluentd memory limit per node.
     * @default "512Mi"
     */
    readonly fluentdMemoryLimit?: string;
    /**
     * Deploy the Elasticsearch Prometheus exporter (scrape target `elasticsearch`).
     * @default true
     */
    readonly exporter?: boolean;
}

/** {@link LoggingArgs} with defaults applied. */
export interface ResolvedLoggingArgs {
    readonly storageClassName: string;
    readonly elasticsearchNodes: number;
    readonly elasticsearchStorageGiB: number;
    readonly elasticsearchMemory: string;
    readonly elasticsearchCpu: string;
    readonly zoneSpread: boolean;
    readonly deleteVolumesWithWorkload: boolean;
    readonly kibana: boolean;
    readonly retentionDays: number;
    readonly fluentdBufferLimitGiB: number;
    readonly fluentdMemory: string;
    readonly fluentdMemoryLimit: string;
    readonly exporter: boolean;
}

/** Suggested values per environment; config.ts picks one by preset. */
export const LOGGING_PRESETS = {
    sandbox: {
        elasticsearchNodes: 1,
        elasticsearchStorageGiB: 10,
        elasticsearchMemory: "2Gi",
        deleteVolumesWithWorkload: true,
        kibana: true,
        retentionDays: 7,
        fluentdBufferLimitGiB: 4,
    },
    production: {
        elasticsearchNodes: 3,
        elasticsearchStorageGiB: 100,
        elasticsearchMemory: "4Gi",
        deleteVolumesWithWorkload: false,
        kibana: false,
        retentionDays: 30,
        fluentdBufferLimitGiB: 8,
    },
} as const satisfies Record<"sandbox" | "production", LoggingArgs>;


/** Mebibytes in a memory quantity like `512Mi` or `2Gi`; undefined when it is not one. */
function mebibytes(q: string): number | undefined {
    const m = /^([1-9]\d*)(Mi|Gi)$/.exec(q);
    return m === null ? undefined : Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
}

function memory(arg: string, value: string, minMi: number): number {
    const mi = mebibytes(value);
    if (mi === undefined || mi < minMi) {
        throw new Error(`${arg} (${value}) must be a quantity in Mi or Gi of at least ${minMi}Mi, e.g. "2Gi"`);
    }
    return mi;
}

/** Applies defaults and validates plain fields (config.ts reuses it). Throws before any resource exists. */
export function resolveLoggingArgs(args: LoggingArgs): ResolvedLoggingArgs {
    const storageClassName = args.storageClassName ?? DEFAULT_STORAGE_CLASS;
    if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(storageClassName)) {
        throw new Error(`storageClassName (${storageClassName}) must be a StorageClass name (lowercase DNS subdomain)`);
    }
    const elasticsearchNodes = args.elasticsearchNodes ?? 1;
    if (!Number.isInteger(elasticsearchNodes) || elasticsearchNodes < 1 || elasticsearchNodes === 2 || elasticsearchNodes > 9) {
        throw new Error(`elasticsearchNodes (${elasticsearchNodes}) must be 1 or a whole number from 3 to 9: two master-eligible nodes cannot lose either`);
    }
    const elasticsearchStorageGiB = args.elasticsearchStorageGiB ?? 10;
    wholeNumber("elasticsearchStorageGiB", elasticsearchStorageGiB, 5, 16384);
    const elasticsearchMemory = args.elasticsearchMemory ?? "2Gi";
    memory("elasticsearchMemory", elasticsearchMemory, 1024);
    const elasticsearchCpu = args.elasticsearchCpu ?? "500m";
    if (!/^([1-9]\d*m|\d+(\.\d+)?)$/.test(elasticsearchCpu) || elasticsearchCpu === "0") {
        throw new Error(`elasticsearchCpu (${elasticsearchCpu}) must be a CPU quantity like "500m" or "2"`);
    }
    const zoneSpread = args.zoneSpread ?? elasticsearchNodes >= 3;
    if (zoneSpread && elasticsearchNodes < 3) {
        throw new Error(`zoneSpread (true) needs elasticsearchNodes (${elasticsearchNodes}) >= 3`);
    }
    const retentionDays = args.retentionDays ?? 7;
    wholeNumber("retentionDays", retentionDays, 1, 3650);
    const fluentdBufferLimitGiB = args.fluentdBufferLimitGiB ?? 4;
    // Nodes have 20 GiB+ root volumes; the buffer must leave room for images and logs themselves.
    wholeNumber("fluentdBufferLimitGiB", fluentdBufferLimitGiB, 1, 50);
    const fluentdMemory = args.fluentdMemory ?? "256Mi";
    const fluentdMemoryLimit = args.fluentdMemoryLimit ?? "512Mi";
    const req = memory("fluentdMemory", fluentdMemory, 128);
    const lim = memory("fluentdMemoryLimit", fluentdMemoryLimit, 128);
    if (lim < req) {
        throw new Error(`fluentdMemoryLimit (${fluentdMemoryLimit}) must be >= fluentdMemory (${fluentdMemory})`);
    }
    return {
        storageClassName,
        elasticsearchNodes,
        elasticsearchStorageGiB,
        elasticsearchMemory,
        elasticsearchCpu,
        zoneSpread,
        deleteVolumesWithWorkload: args.deleteVolumesWithWorkload ?? false,
        kibana: args.kibana ?? false,
        retentionDays,
        fluentdBufferLimitGiB,
        fluentdMemory,
        fluentdMemoryLimit,
        exporter: args.exporter ?? true,
    };
}
