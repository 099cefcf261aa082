/**
 * ServiceMonitors and PodMonitors: one per scrape target, whose `job` label is the target's name
 * (the label the platform's alert rules match).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../shared/labels";
import { NAMESPACES, ScrapeTarget } from "../shared/platform";
import { ResolvedMonitoringArgs } from "./args";

/** apiVersion of prometheus-operator's custom resources. */
export const MONITOR_API = "monitoring.coreos.com/v1";

/** `spec` of a ServiceMonitor or PodMonitor whose `job` label is the target's name. */
export function monitorSpec(t: ScrapeTarget) {
    const endpoint = {
        port: t.port,
        path: t.path ?? "/metrics",
        interval: `${t.intervalSeconds ?? 30}s`,
        // The job label is what alert rules match, so it must not depend on Service or pod names.
        relabelings: [{ action: "replace", targetLabel: "job", replacement: t.name }],
        ...(t.https === undefined ? {} : {
            scheme: "https",
            tlsConfig: { insecureSkipVerify: t.https.insecureSkipVerify },
            ...(t.https.serviceAccountToken ? { bearerTokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token" } : {}),
        }),
        // A Secret in the monitor's own namespace (prometheus-operator reads it from there).
        ...(t.basicAuthSecret !== undefined
            ? { basicAuth: { username: { name: t.basicAuthSecret, key: "MLFLOW_TRACKING_USERNAME" }, password: { name: t.basicAuthSecret, key: "MLFLOW_TRACKING_PASSWORD" } } }
            : {}),
    };
    const common = { selector: { matchLabels: t.selector }, namespaceSelector: { matchNames: [t.namespace] } };
    return (t.kind ?? "ServiceMonitor") === "PodMonitor"
        ? { ...common, podMetricsEndpoints: [endpoint] }
        : { ...common, endpoints: [endpoint] };
}

/**
 * Namespaces holding ServiceMonitors/PodMonitors, which the operator watches (its `--namespaces`):
 * plain names deduplicated, the monitoring namespace itself left out (the release's own).
 */
export function monitorNamespaces(a: ResolvedMonitoringArgs): pulumi.Input<string>[] {
    const all = [...new Map([...a.targets.map((t) => t.namespace), ...(a.gpuMetrics ? [a.gpuNamespace] : []), NAMESPACES.nodeExporter]
        .map((n, i) => [typeof n === "string" ? n : `#${i}`, n] as const)).values()]
        .filter((n) => n !== NAMESPACES.monitoring);
    // chartRbac names the Role for a namespace known only as an Output by its position here. Fluentd's
    // namespace (added after live stacks existed) goes last, so it shifts no position: a renamed Role
    // would be created before its old name is deleted, and both are `kps-operator` in the same
    // namespace, so `pulumi up` on a live stack would fail with "already exists".
    return [...all.filter((n) => n !== NAMESPACES.fluentd), ...all.filter((n) => n === NAMESPACES.fluentd)];
}

/** One ServiceMonitor or PodMonitor per target, `${name}-monitor-<target>`; `opts` orders them after the CRDs. */
export function scrapeMonitors(name: string, targets: readonly ScrapeTarget[], opts: pulumi.CustomResourceOptions): void {
    for (const t of targets) {
        const kind = t.kind ?? "ServiceMonitor";
        new k8s.apiextensions.CustomResource(`${name}-monitor-${t.name}`, {
            apiVersion: MONITOR_API,
            kind,
            metadata: { name: t.name, namespace: t.namespace, labels: standardLabels(t.name, "metrics", name) },
            spec: monitorSpec(t),
        }, opts);
    }
}
