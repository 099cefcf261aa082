/**
 * Alert rules for model endpoints. Metric sources: the scoring wrapper's request histogram
 * (scoring-app.ts, job `model-endpoint`, labels `namespace` and `model` from the ServiceMonitor) and
 * kube-state-metrics' HPA series (kube-prometheus-stack).
 */
import { RuleGroup } from "../monitoring/rules";
import { SERVING_APP } from "./endpoint";
import { REQUEST_METRIC } from "./scoring-app";

/** Thresholds; the README quotes them. */
export const SERVING_THRESHOLDS = {
    /** Share of /invocations answered with 5xx. */
    errorRatio: 0.05,
    /** p95 latency of /invocations, seconds. */
    p95LatencySeconds: 1,
} as const;

const runbookBase = "https://github.com/mlplatform/runbooks#";

/** The serving rule group (one PrometheusRule, in the monitoring namespace). */
export function servingRuleGroup(): RuleGroup {
    const sel = `job="${SERVING_APP}",handler="/invocations"`;
    const t = SERVING_THRESHOLDS;
    return {
        name: "mlplatform-model-serving",
        component: "serving",
        rules: [
            {
                alert: "ModelEndpointHighErrorRate",
                expr: `sum by (namespace, model) (rate(${REQUEST_METRIC}_count{${sel},status=~"5.."}[5m])) / sum by (namespace, model) (rate(${REQUEST_METRIC}_count{${sel}}[5m])) > ${t.errorRatio}`,
                for: "10m",
                severity: "warning",
                summary: "Model {{ $labels.namespace }}/{{ $labels.model }} answers {{ $value | humanizePercentage }} of predictions with 5xx",
                description: "More than 5% of /invocations requests have failed for 10 minutes (504 = MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT exceeded).",
                runbook: `${runbookBase}model-errors: kubectl -n {{ $labels.namespace }} logs deploy/{{ $labels.model }} -c server; a new model version (rollout) is the usual cause: roll back modelUri.`,
            },
            {
                alert: "ModelEndpointHighLatency",
                expr: `histogram_quantile(0.95, sum by (namespace, model, le) (rate(${REQUEST_METRIC}_bucket{${sel}}[5m]))) > ${t.p95LatencySeconds}`,
                for: "10m",
                severity: "warning",
                summary: "Model {{ $labels.namespace }}/{{ $labels.model }} p95 latency is {{ $value | humanizeDuration }}",
                description: "The 95th percentile of /invocations has been above 1 s for 10 minutes.",
                runbook: `${runbookBase}model-latency: check the HPA (kubectl -n {{ $labels.namespace }} get hpa {{ $labels.model }}); at maxReplicas raise it (and the team quota) or the cpu request.`,
            },
            {
                alert: "ModelEndpointDown",
                expr: `sum by (namespace, model) (up{job="${SERVING_APP}"}) == 0`,
                for: "5m",
                severity: "critical",
                summary: "No replica of model {{ $labels.namespace }}/{{ $labels.model }} answers",
                description: "Every replica of the endpoint has failed its scrape for 5 minutes; callers get connection errors.",
                runbook: `${runbookBase}model-down: kubectl -n {{ $labels.namespace }} describe deploy/{{ $labels.model }}; logs of the fetch-model init container show registry or credential errors.`,
            },
            {
                alert: "ModelEndpointAtMaxReplicas",
                expr: `max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas) >= max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas)`,
                for: "30m",
                severity: "warning",
                summary: "Autoscaler {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has been at maxReplicas for 30 minutes",
                description: "The endpoint cannot scale further; latency grows with load.",
                runbook: `${runbookBase}model-max-replicas: raise maxReplicas in the models config (within the team quota) and pulumi up.`,
            },
        ],
    };
}
