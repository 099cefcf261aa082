/**
 * Grafana dashboards as code: typed panels rendered to dashboard JSON, which the monitoring
 * component puts in ConfigMaps the Grafana sidecar loads (label `grafana_dashboard: "1"`).
 *
 * @see https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/
 */
import { MONITORING_JOBS } from "./rules";

/** One time-series panel. */
export interface Panel {
    readonly title: string;
    /** PromQL, one query per series group. */
    readonly queries: readonly { expr: string; legend: string }[];
    /** Grafana unit id (`percent`, `celsius`, `bytes`, `reqps`, `percentunit`). */
    readonly unit: string;
}

/** A dashboard: a uid (stable URL), a title and its panels, laid out two per row. */
export interface Dashboard {
    readonly uid: string;
    readonly title: string;
    readonly panels: readonly Panel[];
}

const j = MONITORING_JOBS;

/** The dashboards the platform provisions, keyed by the ConfigMap role. */
export const DASHBOARDS: Readonly<Record<string, Dashboard>> = {
    gpu: {
        uid: "mlplatform-gpu",
        title: "ML platform / GPUs",
        panels: [
            { title: "GPU utilisation", unit: "percent", queries: [{ expr: `DCGM_FI_DEV_GPU_UTIL{job="${j.dcgm}"}`, legend: "{{Hostname}} gpu {{gpu}}" }] },
            { title: "GPU memory used", unit: "decmbytes", queries: [{ expr: `DCGM_FI_DEV_FB_USED{job="${j.dcgm}"}`, legend: "{{Hostname}} gpu {{gpu}}" }] },
            { title: "GPU temperature", unit: "celsius", queries: [{ expr: `DCGM_FI_DEV_GPU_TEMP{job="${j.dcgm}"}`, legend: "{{Hostname}} gpu {{gpu}}" }] },
            { title: "GPU power draw", unit: "watt", queries: [{ expr: `DCGM_FI_DEV_POWER_USAGE{job="${j.dcgm}"}`, legend: "{{Hostname}} gpu {{gpu}}" }] },
            { title: "XID errors (last value)", unit: "none", queries: [{ expr: `DCGM_FI_DEV_XID_ERRORS{job="${j.dcgm}"}`, legend: "{{Hostname}} gpu {{gpu}}" }] },
            { title: "GPUs requested by pods", unit: "none", queries: [{ expr: `sum by (namespace) (kube_pod_container_resource_requests{resource="nvidia_com_gpu"})`, legend: "{{namespace}}" }] },
        ],
    },
    services: {
        uid: "mlplatform-services",
        title: "ML platform / Services",
        panels: [
            { title: "Targets up", unit: "none", queries: Object.values(j).map((job) => ({ expr: `sum(up{job="${job}"})`, legend: job })) },
            { title: "MLflow requests by status", unit: "reqps", queries: [{ expr: `sum by (status) (rate(mlflow_http_request_total{job="${j.mlflow}"}[5m]))`, legend: "{{status}}" }] },
            { title: "MLflow 5xx ratio", unit: "percentunit", queries: [{ expr: `sum(rate(mlflow_http_request_total{job="${j.mlflow}",status=~"5.."}[5m])) / sum(rate(mlflow_http_request_total{job="${j.mlflow}"}[5m]))`, legend: "5xx" }] },
            { title: "JupyterHub running servers", unit: "none", queries: [{ expr: `sum(jupyterhub_running_servers{job="${j.jupyterhub}"})`, legend: "servers" }] },
            { title: "Fluentd buffer", unit: "bytes", queries: [{ expr: `sum by (pod) (fluentd_output_status_buffer_total_bytes{job="${j.fluentd}"})`, legend: "{{pod}}" }] },
            { title: "Fluentd output errors and retries", unit: "none", queries: [
                { expr: `sum by (pod) (increase(fluentd_output_status_num_errors{job="${j.fluentd}"}[5m]))`, legend: "errors {{pod}}" },
                { expr: `sum by (pod) (fluentd_output_status_retry_count{job="${j.fluentd}"})`, legend: "retries {{pod}}" },
            ] },
            { title: "Elasticsearch health (1 = that colour)", unit: "none", queries: [{ expr: `elasticsearch_cluster_health_status{job="${j.elasticsearch}"}`, legend: "{{color}}" }] },
            { title: "Elasticsearch disk free", unit: "percentunit", queries: [{ expr: `elasticsearch_filesystem_data_available_bytes{job="${j.elasticsearch}"} / elasticsearch_filesystem_data_size_bytes{job="${j.elasticsearch}"}`, legend: "{{name}}" }] },
        ],
    },
};

/** Renders a dashboard to Grafana's JSON model (schema 39, Prometheus datasource variable). */
export function renderDashboard(d: Dashboard): string {
    return JSON.stringify({
        uid: d.uid,
        title: d.title,
        tags: ["mlplatform"],
        timezone: "browser",
        schemaVersion: 39,
        editable: false,
        refresh: "1m",
        time: { from: "now-6h", to: "now" },
        templating: {
            list: [{ name: "datasource", type: "datasource", query: "prometheus", label: "Data source", current: {}, hide: 0 }],
        },
        panels: d.panels.map((p, i) => ({
            id: i + 1,
            type: "timeseries",
            title: p.title,
            datasource: { type: "prometheus", uid: "${datasource}" },
            gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
            fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
            targets: p.queries.map((q, k) => ({ refId: String.fromCharCode(65 + k), expr: q.expr, legendFormat: q.legend })),
        })),
    }, null, 2);
}
