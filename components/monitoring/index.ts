/**
 * Monitoring and alerting: kube-prometheus-stack (prometheus.ts) with Alertmanager's configuration
 * (alertmanager.ts), Grafana's credentials and dashboards (grafana.ts), node-exporter in a
 * privileged namespace of its own (node-exporter.ts) and the chart's RBAC written by the program
 * (rbac.ts); the NVIDIA DCGM exporter on GPU nodes (dcgm.ts), ServiceMonitors for the platform's
 * services (monitors.ts) and the platform's alert rules as PrometheusRule objects
 * (prometheus-rules.ts, rules from rules.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { alertmanagerConfigSecret } from "./alertmanager";
import { MonitoringArgs, resolveMonitoringArgs } from "./args";
import { dcgmExporter } from "./dcgm";
import { grafanaAdmin, grafanaDashboards } from "./grafana";
import { monitorNamespaces, scrapeMonitors } from "./monitors";
import { monitoringIngress, monitoringNamespace } from "./namespace";
import { nodeExporterNamespace } from "./node-exporter";
import { FULLNAME, KPS_RELEASE, kubePrometheusStack } from "./prometheus";
import { certificatePrometheusRule, platformPrometheusRules } from "./prometheus-rules";
import { chartRbac } from "./rbac";

export { ALERTMANAGER_CONFIG_SECRET } from "./alertmanager";
export { MonitoringArgs, ResolvedMonitoringArgs, resolveMonitoringArgs } from "./args";
export { MonitoringEmailArgs } from "./settings";
export { GRAFANA_ADMIN_SECRET } from "./grafana";
export { monitorSpec } from "./monitors";
export { FULLNAME, KPS_RELEASE } from "./prometheus";

/**
 * Monitoring and alerting: kube-prometheus-stack (Prometheus, Alertmanager, Grafana,
 * kube-state-metrics, node-exporter), the NVIDIA DCGM exporter on GPU nodes, ServiceMonitors for
 * the platform's services, the platform's alert rules as PrometheusRule objects, the Alertmanager
 * configuration in a Secret, and Grafana dashboards as ConfigMaps. Needs a Kubernetes provider.
 */
export class Monitoring extends pulumi.ComponentResource {
    /** Namespace of Prometheus, Alertmanager and Grafana. */
    public readonly namespace: pulumi.Output<string>;
    /** Grafana admin password (secret). */
    public readonly grafanaAdminPassword: pulumi.Output<string>;
    /** `kubectl port-forward` for Grafana on localhost:3000. */
    public readonly grafanaPortForward: pulumi.Output<string>;
    /** `kubectl port-forward` for Prometheus on localhost:9090. */
    public readonly prometheusPortForward: pulumi.Output<string>;
    /** `kubectl port-forward` for Alertmanager on localhost:9093. */
    public readonly alertmanagerPortForward: pulumi.Output<string>;
    /** Names of the PrometheusRule groups declared. */
    public readonly ruleGroups: string[];

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:Monitoring", name, {}, opts);
        const a = resolveMonitoringArgs(args);

        const namespace = monitoringNamespace(this, name).metadata.name;
        const agentNs = nodeExporterNamespace(this, name);
        monitoringIngress(this, name, namespace);
        const grafana = grafanaAdmin(this, name, namespace);
        const alertmanagerSecret = alertmanagerConfigSecret(this, name, namespace, a);
        const watched = monitorNamespaces(a);
        const rbac = chartRbac(this, name, namespace, watched, [agentNs]);
        const kps = kubePrometheusStack(this, name, namespace, a, watched.map((m) => m.namespace), [grafana.secret, alertmanagerSecret, agentNs, ...rbac]);
        grafanaDashboards(this, name, namespace);

        const targets = [...a.targets, ...(a.gpuMetrics ? [dcgmExporter(this, name, a.gpuNamespace)] : [])];
        // Monitors and rules are custom resources whose CRDs the chart installs.
        const afterCrds = { parent: this, dependsOn: [kps] };
        scrapeMonitors(name, targets, afterCrds);
        const groups = platformPrometheusRules(name, namespace, a.platformNamespaces, new Set(targets.map((t) => t.name)), afterCrds);
        certificatePrometheusRule(name, namespace, a.certificates, afterCrds);

        this.namespace = namespace;
        this.grafanaAdminPassword = pulumi.secret(grafana.password.result);
        this.grafanaPortForward = pulumi.interpolate`kubectl -n ${namespace} port-forward svc/${KPS_RELEASE}-grafana 3000:80`;
        this.prometheusPortForward = pulumi.interpolate`kubectl -n ${namespace} port-forward svc/${FULLNAME}-prometheus 9090:9090`;
        this.alertmanagerPortForward = pulumi.interpolate`kubectl -n ${namespace} port-forward svc/${FULLNAME}-alertmanager 9093:9093`;
        this.ruleGroups = [...groups.map((g) => g.name), ...(a.certificates.length > 0 ? ["mlplatform-certificates"] : [])];
        this.registerOutputs({
            namespace: this.namespace,
            grafanaAdminPassword: this.grafanaAdminPassword,
            grafanaPortForward: this.grafanaPortForward,
            prometheusPortForward: this.prometheusPortForward,
            alertmanagerPortForward: this.alertmanagerPortForward,
        });
    }
}
