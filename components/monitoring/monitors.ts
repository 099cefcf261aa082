/**
 * ServiceMonitors and PodMonitors: one per scrape target, whose `job` label is the target's name
 * (the label the platform's alert rules match).
 */
import * as k8s from "../shared/kubernetes";
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

/** A namespace the operator watches for monitors, with the name its Role is keyed by. */
export interface MonitoredNamespace {
    /** The namespace's name. */
    readonly key: string;
    /** The namespace: its name, or the Output of the layer's namespace resource (ordering). */
    readonly namespace: pulumi.Input<string>;
    /**
     * Where this namespace stood in the list when Roles were named by position (namespaces known
     * only as Outputs): the logical name live stacks hold, kept as an alias (chartRbac).
     */
    readonly legacyIndex?: number;
}

/**
 * Namespaces holding ServiceMonitors/PodMonitors, which the operator watches (its `--namespaces`):
 * deduplicated by name, the monitoring namespace itself left out (the release's own).
 */
export function monitorNamespaces(a: ResolvedMonitoringArgs): MonitoredNamespace[] {
    const entries: { key: string; namespace: pulumi.Input<string>; output: boolean }[] = [
        ...a.targets.map((t) => ({ key: t.namespaceName ?? (t.namespace as string), namespace: t.namespace, output: typeof t.namespace !== "string" })),
        ...(a.gpuMetrics ? [{ key: a.gpuNamespace, namespace: a.gpuNamespace, output: false }] : []),
        { key: NAMESPACES.nodeExporter, namespace: NAMESPACES.nodeExporter, output: false },
    ];
    // The first entry per name wins, in the order of first appearance.
    const seen = new Set<string>();
    const all = entries.filter((e) => !seen.has(e.key) && seen.add(e.key) !== undefined).filter((e) => e.key !== NAMESPACES.monitoring);
    // Positions as the earlier, positional naming computed them (Fluentd's namespace last), for the aliases.
    const ordered = [...all.filter((e) => e.key !== NAMESPACES.fluentd), ...all.filter((e) => e.key === NAMESPACES.fluentd)];
    return ordered.map((e, i) => ({ key: e.key, namespace: e.namespace, ...(e.output ? { legacyIndex: i } : {}) }));
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
