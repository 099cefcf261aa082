/**
 * What {@link Logging} takes: every value resolved. Defaults, presets and validation live in one
 * place, the layer's settings (settings.ts `resolveLoggingSettings`).
 */

/** Arguments of {@link Logging}. */
export interface LoggingArgs {
    /** StorageClass of the Elasticsearch volumes. */
    readonly storageClassName: string;
    /**
     * Elasticsearch nodes (all master-eligible, data and ingest): 1, or 3 or more. Two give no
     * quorum advantage over one (losing either stops the cluster).
     */
    readonly elasticsearchNodes: number;
    /** Volume per Elasticsearch node, GiB (ECK's default would be 1Gi). */
    readonly elasticsearchStorageGiB: number;
    /** Memory request and limit per Elasticsearch node; the JVM heap is sized to half of it. */
    readonly elasticsearchMemory: string;
    /** CPU request per Elasticsearch node (no CPU limit). */
    readonly elasticsearchCpu: string;
    /** Spread Elasticsearch nodes across zones (topologySpreadConstraints, maxSkew 1). */
    readonly zoneSpread: boolean;
    /**
     * Delete Elasticsearch volumes when the cluster is deleted (ECK `DeleteOnScaledownAndClusterDeletion`,
     * sandbox); otherwise only on scale-down and retained on deletion (`DeleteOnScaledownOnly`).
     */
    readonly deleteVolumesWithWorkload: boolean;
    /** Install Kibana (reach it with `kubectl port-forward`). */
    readonly kibana: boolean;
    /** Days logs are kept; the ILM policy deletes backing indices this long after rollover. */
    readonly retentionDays: number;
    /** Fluentd's on-disk buffer cap per node (`total_limit_size`), GiB; keep it well below the node's free disk. */
    readonly fluentdBufferLimitGiB: number;
    /** Fluentd memory request per node. */
    readonly fluentdMemory: string;
    /** Fluentd memory limit per node. */
    readonly fluentdMemoryLimit: string;
    /** Deploy the Elasticsearch Prometheus exporter (scrape target `elasticsearch`). */
    readonly exporter: boolean;
}
