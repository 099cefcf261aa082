/**
 * The platform's alert rules as typed data. The monitoring component turns each group into one
 * `PrometheusRule`; the tests run `promtool check rules` and `promtool test rules`
 * (`test/alerts/*.test.yaml`) on exactly what the component declares.
 *
 * Metric sources: kube-state-metrics and the kubelet (shipped by kube-prometheus-stack), NVIDIA
 * DCGM exporter, MLflow's prometheus_flask_exporter (`mlflow server --expose-prometheus`; MLflow
 * sets `defaults_prefix="mlflow"` in mlflow/server/prometheus_exporter.py, hence `mlflow_http_*`),
 * JupyterHub's `/hub/metrics`, fluent-plugin-prometheus and elasticsearch-exporter.
 *
 * Also the rule API other layers use for their own alerts: `RuleGroup`/`AlertRule` and
 * `prometheusRuleSpec` (queues/alerts.ts joins the list below; serving declares its own PrometheusRule).
 */
import { DEAD_LETTER_METRIC } from "../shared/fluentd-config";
import { NAMESPACES } from "../shared/platform";
import { queueRuleGroup } from "../queues/alerts";

/** Alert severity; Alertmanager routes on it and inhibits warnings while a critical fires. */
export type Severity = "critical" | "warning";

/** One alerting rule. */
export interface AlertRule {
    /** Alert name (CamelCase, unique across the platform). */
    readonly alert: string;
    /** PromQL expression; every result series is an alert. */
    readonly expr: string;
    /** How long the expression must hold before the alert fires (Prometheus duration). */
    readonly for: string;
    readonly severity: Severity;
    /** One line for the page title. May use `{{ $labels.x }}` and `{{ $value }}`. */
    readonly summary: string;
    /** What it means and what it costs. */
    readonly description: string;
    /** What the operator does first. */
    readonly runbook: string;
}

/** A named group of rules, evaluated together; one `PrometheusRule` object each. */
export interface RuleGroup {
    /** Group name, also the PrometheusRule's role suffix. */
    readonly name: string;
    /** Value of the `component` label every alert of the group carries (inhibition uses it). */
    readonly component: string;
    /** Scrape job the group needs; the group is declared only when that job is scraped. */
    readonly requiresJob?: string;
    readonly rules: readonly AlertRule[];
}

/**
 * `job` label values the rules match. A layer's `ScrapeTarget.name` becomes the job label, so a
 * layer that wants these alerts names its target accordingly.
 */
export const MONITORING_JOBS = {
    mlflow: "mlflow",
    jupyterhub: "jupyterhub",
    fluentd: "fluentd",
    elasticsearch: "elasticsearch",
    dcgm: "dcgm-exporter",
} as const;

/** Namespaces whose crash-looping pods and filling volumes page the platform team. */
export const PLATFORM_NAMESPACES: readonly string[] = [NAMESPACES.mlflow, NAMESPACES.jupyterhub, NAMESPACES.logging, NAMESPACES.monitoring, NAMESPACES.gpu, NAMESPACES.kueue, NAMESPACES.fluentd];

/** Thresholds the rules use; exported so tests and the README quote the same numbers. */
export const THRESHOLDS = {
    gpuIdleUtilPercent: 5,
    gpuIdleFor: "1h",
    gpuTempCelsius: 85,
    pvcFreeRatio: 0.1,
    mlflowErrorRatio: 0.05,
    mlflowBackendErrorRatio: 0.5,
    fluentdBufferBytes: 256 * 1024 * 1024,
    fluentdRetries: 10,
    esDiskFreeRatio: 0.15,
} as const;

const runbookBase = "https://github.com/mlplatform/runbooks#";

/** The platform's rule groups, in a stable order. */
export function platformRuleGroups(platformNamespaces: readonly string[] = PLATFORM_NAMESPACES): RuleGroup[] {
    const ns = platformNamespaces.join("|");
    const j = MONITORING_JOBS;
    const t = THRESHOLDS;
    // Share of MLflow requests answered 5xx: a warning at a few percent, critical when most fail (the backend).
    const mlflow5xxRatio = `sum by (job) (rate(mlflow_http_request_total{job="${j.mlflow}",status=~"5.."}[5m])) / sum by (job) (rate(mlflow_http_request_total{job="${j.mlflow}"}[5m]))`;
    return [
        {
            name: "mlplatform-nodes",
            component: "nodes",
            rules: [{
                alert: "PlatformNodeNotReady",
                expr: `kube_node_status_condition{condition="Ready",status="true"} == 0`,
                for: "5m",
                severity: "critical",
                summary: "Node {{ $labels.node }} is not Ready",
                description: "Node {{ $labels.node }} has reported Ready=false or Unknown for 5 minutes; its pods are being evicted or are unreachable.",
                runbook: `${runbookBase}node-not-ready: kubectl describe node {{ $labels.node }}; check the EC2 instance and the managed node group health; cordon and let the ASG replace it.`,
            }],
        },
        {
            name: "mlplatform-workloads",
            component: "workloads",
            rules: [
                {
                    alert: "PlatformPodCrashLooping",
                    expr: `max by (namespace, pod, container) (max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff",namespace=~"${ns}"}[5m])) >= 1`,
                    for: "15m",
                    severity: "warning",
                    summary: "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is crash-looping",
                    description: "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} has been in CrashLoopBackOff for 15 minutes.",
                    runbook: `${runbookBase}pod-crash-looping: kubectl -n {{ $labels.namespace }} logs {{ $labels.pod }} -c {{ $labels.container }} --previous; check recent config or image changes.`,
                },
                {
                    alert: "PlatformPersistentVolumeNearlyFull",
                    expr: `kubelet_volume_stats_available_bytes{namespace=~"${ns}"} / kubelet_volume_stats_capacity_bytes{namespace=~"${ns}"} < ${t.pvcFreeRatio}`,
                    for: "10m",
                    severity: "warning",
                    summary: "PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is over 90% full",
                    description: "Only {{ $value | humanizePercentage }} of PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is free.",
                    runbook: `${runbookBase}pvc-nearly-full: expand the PVC (the gp3 StorageClass allows expansion) or lower the workload's retention.`,
                },
            ],
        },
        {
            name: "mlplatform-gpu",
            component: "gpu",
            requiresJob: j.dcgm,
            rules: [
                {
                    alert: "GPUNodeIdle",
                    expr: `max by (Hostname) (avg_over_time(DCGM_FI_DEV_GPU_UTIL{job="${j.dcgm}"}[30m])) < ${t.gpuIdleUtilPercent}`,
                    for: t.gpuIdleFor,
                    severity: "warning",
                    summary: "GPU node {{ $labels.Hostname }} has idle GPUs",
                    description: `No GPU on {{ $labels.Hostname }} has averaged more than ${t.gpuIdleUtilPercent}% utilisation for over an hour; the node still costs its on-demand price.`,
                    runbook: `${runbookBase}gpu-node-idle: find the pods holding nvidia.com/gpu on the node (kubectl describe node) and ask their owners to stop them; JupyterHub culls idle servers on its own.`,
                },
                {
                    alert: "GPUXidError",
                    expr: `max by (Hostname, gpu) (max_over_time(DCGM_FI_DEV_XID_ERRORS{job="${j.dcgm}"}[5m])) > 0`,
                    for: "1m",
                    severity: "critical",
                    summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reported XID {{ $value }}",
                    description: "The NVIDIA driver reported an XID error; jobs on this GPU may have failed and the GPU may need a reset.",
                    runbook: `${runbookBase}gpu-xid: look the XID up in NVIDIA's XID table; for 48/63/64/79/94/95 cordon and drain the node and let the node group replace it.`,
                },
                {
                    alert: "GPUHighTemperature",
                    expr: `max by (Hostname, gpu) (DCGM_FI_DEV_GPU_TEMP{job="${j.dcgm}"}) > ${t.gpuTempCelsius}`,
                    for: "10m",
                    severity: "warning",
                    summary: "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is at {{ $value }}°C",
                    description: `The GPU has been above ${t.gpuTempCelsius}°C for 10 minutes and will throttle.`,
                    runbook: `${runbookBase}gpu-temperature: check DCGM_FI_DEV_THERMAL_VIOLATION; if it persists, drain the node so AWS retires the host.`,
                },
            ],
        },
        {
            name: "mlplatform-mlflow",
            component: "mlflow",
            requiresJob: j.mlflow,
            rules: [
                {
                    alert: "MLflowDown",
                    expr: `(sum by (job) (up{job="${j.mlflow}"}) == 0) or absent(up{job="${j.mlflow}"})`,
                    for: "5m",
                    severity: "critical",
                    summary: "MLflow tracking server is down",
                    description: "No MLflow replica has answered a scrape for 5 minutes; experiment logging from notebooks fails.",
                    runbook: `${runbookBase}mlflow-down: kubectl -n ${NAMESPACES.mlflow} get pods; kubectl -n ${NAMESPACES.mlflow} logs deploy/mlflow.`,
                },
                {
                    alert: "MLflowBackendUnavailable",
                    // MLflow's /health does not touch the database, but every tracking API call does: an
                    // unreachable RDS backend shows as (nearly) all requests failing with 5xx.
                    expr: `${mlflow5xxRatio} > ${t.mlflowBackendErrorRatio}`,
                    for: "5m",
                    severity: "critical",
                    summary: "MLflow cannot reach its backend store (RDS)",
                    description: "{{ $value | humanizePercentage }} of MLflow requests fail with 5xx, the signature of an unreachable or refusing PostgreSQL backend.",
                    runbook: `${runbookBase}mlflow-backend: check the RDS instance status and events, its security group, and the mlflow pod logs for OperationalError.`,
                },
                {
                    alert: "MLflowHighErrorRate",
                    expr: `${mlflow5xxRatio} > ${t.mlflowErrorRatio}`,
                    for: "10m",
                    severity: "warning",
                    summary: "MLflow is answering {{ $value | humanizePercentage }} of requests with 5xx",
                    description: "More than 5% of MLflow requests have failed for 10 minutes.",
                    runbook: `${runbookBase}mlflow-errors: kubectl -n ${NAMESPACES.mlflow} logs deploy/mlflow; check S3 artifact access and the database.`,
                },
            ],
        },
        {
            name: "mlplatform-jupyterhub",
            component: "jupyterhub",
            requiresJob: j.jupyterhub,
            rules: [{
                alert: "JupyterHubDown",
                expr: `(sum by (job) (up{job="${j.jupyterhub}"}) == 0) or absent(up{job="${j.jupyterhub}"})`,
                for: "5m",
                severity: "critical",
                summary: "JupyterHub is down",
                description: "The hub has not answered a scrape for 5 minutes; users cannot log in or start servers (running servers keep working).",
                runbook: `${runbookBase}jupyterhub-down: kubectl -n ${NAMESPACES.jupyterhub} get pods; kubectl -n ${NAMESPACES.jupyterhub} logs deploy/hub.`,
            }],
        },
        {
            name: "mlplatform-logging",
            component: "logging",
            requiresJob: j.fluentd,
            rules: [
                {
                    alert: "FluentdBufferGrowing",
                    expr: `(sum by (pod) (fluentd_output_status_buffer_total_bytes{job="${j.fluentd}"}) > ${t.fluentdBufferBytes}) and (sum by (pod) (deriv(fluentd_output_status_buffer_total_bytes{job="${j.fluentd}"}[15m])) > 0)`,
                    for: "15m",
                    severity: "warning",
                    summary: "Fluentd {{ $labels.pod }} buffer is growing",
                    description: "The file buffer holds over 256 MiB and keeps growing: logs are not draining to Elasticsearch fast enough.",
                    runbook: `${runbookBase}fluentd-buffer: check Elasticsearch health and the fluentd pod logs; the buffer survives restarts, so do not delete it.`,
                },
                {
                    alert: "FluentdOutputErrors",
                    expr: `(sum by (pod) (increase(fluentd_output_status_num_errors{job="${j.fluentd}"}[10m])) > 0) or (sum by (pod) (fluentd_output_status_retry_count{job="${j.fluentd}"}) > ${t.fluentdRetries})`,
                    for: "15m",
                    severity: "critical",
                    summary: "Fluentd {{ $labels.pod }} cannot write to Elasticsearch",
                    description: "The Elasticsearch output keeps failing or retrying; logs are not reaching Elasticsearch and are piling up in the buffer.",
                    runbook: `${runbookBase}fluentd-output: kubectl -n ${NAMESPACES.fluentd} logs {{ $labels.pod }}; check the Elasticsearch credentials secret and cluster health.`,
                },
                {
                    // The counter is born at 1 with the first dead letter, which increase() cannot
                    // see: a series younger than the window counts too.
                    alert: "FluentdDeadLetterRecords",
                    expr: `(sum by (pod) (increase(${DEAD_LETTER_METRIC}{job="${j.fluentd}"}[15m])) > 0) or (sum by (pod) (${DEAD_LETTER_METRIC}{job="${j.fluentd}"}) unless sum by (pod) (${DEAD_LETTER_METRIC}{job="${j.fluentd}"} offset 15m))`,
                    for: "0m",
                    severity: "warning",
                    summary: "Fluentd {{ $labels.pod }} dead-lettered records Elasticsearch refused",
                    description: "Elasticsearch refused records as malformed (HTTP 400, e.g. a mapping conflict); they are not in Elasticsearch but kept on the node.",
                    runbook: `${runbookBase}fluentd-dead-letter: kubectl -n ${NAMESPACES.fluentd} logs {{ $labels.pod }} | grep '400 - Rejected' for the reason; the records are in /var/lib/fluentd/dead-letter/records.*.log on that pod's node (kubectl -n ${NAMESPACES.fluentd} exec {{ $labels.pod }} -- ls /var/lib/fluentd/dead-letter).`,
                },
            ],
        },
        {
            name: "mlplatform-elasticsearch",
            component: "elasticsearch",
            requiresJob: j.elasticsearch,
            rules: [
                {
                    alert: "ElasticsearchClusterNotGreen",
                    expr: `max by (cluster) (elasticsearch_cluster_health_status{job="${j.elasticsearch}",color="green"}) == 0`,
                    for: "15m",
                    severity: "warning",
                    summary: "Elasticsearch cluster {{ $labels.cluster }} is not green",
                    description: "Some shards have been unassigned for 15 minutes (yellow: replicas missing; red: primaries missing).",
                    runbook: `${runbookBase}es-not-green: GET _cluster/allocation/explain; check node count and disk watermarks.`,
                },
                {
                    alert: "ElasticsearchDiskNearlyFull",
                    expr: `min by (cluster, name) (elasticsearch_filesystem_data_available_bytes{job="${j.elasticsearch}"} / elasticsearch_filesystem_data_size_bytes{job="${j.elasticsearch}"}) < ${t.esDiskFreeRatio}`,
                    for: "10m",
                    severity: "critical",
                    summary: "Elasticsearch node {{ $labels.name }} disk is over 85% full",
                    description: "Past the low watermark Elasticsearch stops allocating shards; past the flood stage it makes indices read-only and logs are lost to the buffer.",
                    runbook: `${runbookBase}es-disk: shorten index retention (ILM) or expand the data PVC.`,
                },
            ],
        },
        // Training queues (components/queues/alerts.ts); declared only when Kueue is scraped.
        queueRuleGroup(),
    ];
}

/** A certificate as {@link certificateRuleGroup} needs it: its end of validity as Unix seconds. */
export interface CertificateExpiry {
    readonly name: string;
    readonly notAfterUnix: number;
    readonly renewalWindowHours: number;
}

/** A certificate's end of validity (RFC 3339) as Unix seconds; throws naming the certificate when it is not a time. */
export function notAfterUnix(name: string, notAfter: string): number {
    const ms = Date.parse(notAfter);
    if (Number.isNaN(ms)) {
        throw new Error(`certificate ${name}: notAfter ${JSON.stringify(notAfter)} is not an RFC 3339 time`);
    }
    return Math.floor(ms / 1000);
}

/** Warn this long before a certificate expires (or when its renewal window opens, if that is later). */
export const CERTIFICATE_WARN_DAYS = 14;
/** Page this long before a certificate expires. */
export const CERTIFICATE_CRITICAL_DAYS = 3;

/**
 * Alerts for certificates the program issues. No exporter sees them (Elasticsearch's HTTP
 * certificate is read by Fluentd and the exporter, not scraped), but their end of validity is known
 * when the program runs, so the rule compares the clock with it: `vector(time()) > <unix seconds>`
 * (a bare `time() > x` compares two scalars, which PromQL allows only with `bool`), one series per
 * certificate through `label_replace`. The tls provider renews a certificate only in a `pulumi up`
 * inside its renewal window, so the warning means "nobody has updated this stack for a while".
 */
export function certificateRuleGroup(certs: readonly CertificateExpiry[]): RuleGroup {
    const day = 86_400;
    const at = (c: CertificateExpiry, seconds: number) =>
        `label_replace(vector(time()), "certificate", "${c.name}", "", "") > ${c.notAfterUnix - seconds}`;
    const warnSeconds = (c: CertificateExpiry) => Math.min(CERTIFICATE_WARN_DAYS * day, c.renewalWindowHours * 3_600);
    return {
        name: "mlplatform-certificates",
        component: "certificates",
        rules: [
            {
                alert: "PlatformCertificateRenewalDue",
                expr: certs.map((c) => at(c, warnSeconds(c))).join(" or "),
                for: "0s",
                severity: "warning",
                summary: "Certificate {{ $labels.certificate }} expires within 14 days and no pulumi up has renewed it",
                description: "The program issues this certificate and renews it only when `pulumi up` runs inside its renewal window; when it expires, its clients (Fluentd, the Elasticsearch exporter) refuse the connection and logs pile up in Fluentd's buffer.",
                runbook: `${runbookBase}certificate-renewal: run \`pulumi up\` for this stack (the preview shows the certificate replaced); Elasticsearch reloads it without a restart.`,
            },
            {
                alert: "PlatformCertificateExpiring",
                expr: certs.map((c) => at(c, CERTIFICATE_CRITICAL_DAYS * day)).join(" or "),
                for: "0s",
                severity: "critical",
                summary: "Certificate {{ $labels.certificate }} expires within 3 days",
                description: "After expiry its clients refuse the connection: logs stop reaching Elasticsearch and, once Fluentd's buffer is full, are lost.",
                runbook: `${runbookBase}certificate-renewal: run \`pulumi up\` for this stack now.`,
            },
        ],
    };
}

/** The `spec.groups` of a PrometheusRule for one group, with severity and component labels. */
export function prometheusRuleSpec(group: RuleGroup) {
    return {
        groups: [{
            name: group.name,
            rules: group.rules.map((r) => ({
                alert: r.alert,
                expr: r.expr,
                for: r.for,
                labels: { severity: r.severity, component: group.component },
                annotations: { summary: r.summary, description: r.description, runbook: r.runbook },
            })),
        }],
    };
}
