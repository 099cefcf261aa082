import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DEFAULT_STORAGE_CLASS } from "../cluster-services";
import { GPU_NODE_LABEL, GPU_TOLERATION, NODE_POOL_LABEL } from "../shared/gpu";
import { standardLabels } from "../shared/labels";
import { defaultDenyIngress, fromNamespace, ingressAllow, platformNamespace, SAME_NAMESPACE } from "../shared/namespace";
import { renderAlertmanagerConfig } from "../shared/monitoring-alertmanager";
import { OPERATOR_CLUSTER_RULES, OPERATOR_INSTANCE_RULES, OPERATOR_KUBELET_RULES, OPERATOR_MONITOR_RULES, PROMETHEUS_CLUSTER_RULES } from "../shared/monitoring-rbac";
import { DASHBOARDS, renderDashboard } from "../shared/monitoring-dashboards";
import { MONITORING_JOBS, PLATFORM_NAMESPACES, platformRuleGroups, prometheusRuleSpec } from "../shared/monitoring-rules";
import { NAMESPACES, ScrapeTarget } from "../shared/platform";
import { chartResources, resources } from "../shared/security-context";
import { MONITORING_VERSIONS } from "../shared/versions";
import { wholeNumber } from "../shared/validate";

/** Helm release name; the chart's Service names derive from it and from {@link FULLNAME}. */
export const KPS_RELEASE = "kube-prometheus-stack";
/** `fullnameOverride`, so Services are `kps-prometheus` and `kps-alertmanager` whatever the release is called. */
export const FULLNAME = "kps";
/** Secret holding `alertmanager.yaml`; the Alertmanager object reads its config from it. */
export const ALERTMANAGER_CONFIG_SECRET = "alertmanager-platform";
/** Secret holding Grafana's admin user and password. */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";
const MONITOR_API = "monitoring.coreos.com/v1";
/** dcgm-exporter chart 4.8.2 `values.yaml` `service.port` / container `metrics` port. */
const DCGM_METRICS_PORT = 9400;
const TARGET_NAME = /^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/;

/** E-mail receiver settings. */
export interface MonitoringEmailArgs {
    /** Recipient address. */
    readonly to: string;
    /** Sender address. */
    readonly from: string;
    /** SMTP `host:port` (STARTTLS is required). */
    readonly smarthost: string;
    /** SMTP user. */
    readonly username: string;
    /** SMTP password (secret). */
    readonly password: pulumi.Input<string>;
}

/** Arguments of {@link Monitoring}. */
export interface MonitoringArgs {
    /**
     * What to scrape, one ServiceMonitor or PodMonitor each; `name` becomes the `job` label, which the
     * platform's alert rules match (see `MONITORING_JOBS`). A service's rule group exists only when
     * its job is scraped.
     * @default []
     */
    readonly targets?: readonly ScrapeTarget[];
    /**
     * Prometheus replicas (each scrapes everything; two give HA).
     * @default 1
     */
    readonly prometheusReplicas?: number;
    /**
     * Days Prometheus keeps samples.
     * @default 7
     */
    readonly retentionDays?: number;
    /**
     * Size cap on the TSDB blocks, GiB; at most 85% of `storageGiB` because the WAL is not counted.
     * @default - 80% of storageGiB, rounded down
     */
    readonly retentionSizeGiB?: number;
    /**
     * Prometheus volume size per replica, GiB.
     * @default 20
     */
    readonly storageGiB?: number;
    /**
     * Alertmanager replicas (they gossip, so two or more deduplicate notifications).
     * @default 1
     */
    readonly alertmanagerReplicas?: number;
    /**
     * Alertmanager volume size per replica (silences and notification log), GiB.
     * @default 2
     */
    readonly alertmanagerStorageGiB?: number;
    /**
     * PodDisruptionBudgets for Prometheus and Alertmanager; needs two or more replicas of each,
     * because a budget on one replica blocks node drains.
     * @default false
     */
    readonly podDisruptionBudgets?: boolean;
    /**
     * Spread of replicas across nodes: "hard" refuses to co-locate replicas.
     * @default "soft"
     */
    readonly podAntiAffinity?: "soft" | "hard";
    /**
     * StorageClass for the volumes.
     * @default "gp3"
     */
    readonly storageClassName?: string;
    /**
     * Slack incoming-webhook URL (secret). With it, alerts go to Slack.
     * @default - no Slack receiver
     */
    readonly slackWebhookUrl?: pulumi.Input<string>;
    /**
     * Slack channel; needs `slackWebhookUrl`.
     * @default - the webhook's own channel
     */
    readonly slackChannel?: string;
    /**
     * E-mail receiver.
     * @default - no e-mail receiver
     */
    readonly email?: MonitoringEmailArgs;
    /**
     * URL the always-firing Watchdog alert is sent to (secret); an external service pages when it stops.
     * @default - Watchdog goes to the null receiver
     */
    readonly deadMansSwitchUrl?: pulumi.Input<string>;
    /**
     * Install the NVIDIA DCGM exporter on GPU nodes.
     * @default true
     */
    readonly gpuMetrics?: boolean;
    /**
     * Namespace for the DCGM exporter: it runs as root with SYS_ADMIN and a hostPath, so it needs a
     * privileged namespace, which ClusterServices already makes for the device plugin.
     * @default "nvidia-device-plugin"
     */
    readonly gpuNamespace?: string;
    /**
     * Namespaces whose crash-looping pods and filling volumes alert.
     * @default ["mlflow", "jupyterhub", "logging", "monitoring", "nvidia-device-plugin"]
     */
    readonly platformNamespaces?: readonly string[];
}

/** {@link MonitoringArgs} with defaults applied. */
export interface ResolvedMonitoringArgs {
    readonly targets: readonly ScrapeTarget[];
    readonly prometheusReplicas: number;
    readonly retentionDays: number;
    readonly retentionSizeGiB: number;
    readonly storageGiB: number;
    readonly alertmanagerReplicas: number;
    readonly alertmanagerStorageGiB: number;
    readonly podDisruptionBudgets: boolean;
    readonly podAntiAffinity: "soft" | "hard";
    readonly storageClassName: string;
    readonly slackChannel?: string;
    readonly gpuMetrics: boolean;
    readonly gpuNamespace: string;
    readonly platformNamespaces: readonly string[];
}


/** Applies defaults and validates plain fields (config.ts reuses it). */
export function resolveMonitoringArgs(args: MonitoringArgs): ResolvedMonitoringArgs {
    const prometheusReplicas = args.prometheusReplicas ?? 1;
    const alertmanagerReplicas = args.alertmanagerReplicas ?? 1;
    const retentionDays = args.retentionDays ?? 7;
    const storageGiB = args.storageGiB ?? 20;
    const alertmanagerStorageGiB = args.alertmanagerStorageGiB ?? 2;
    wholeNumber("prometheusReplicas", prometheusReplicas, 1, 5);
    wholeNumber("alertmanagerReplicas", alertmanagerReplicas, 1, 5);
    wholeNumber("retentionDays", retentionDays, 1, 3650);
    wholeNumber("storageGiB", storageGiB, 5, 16384);
    wholeNumber("alertmanagerStorageGiB", alertmanagerStorageGiB, 1, 100);
    const retentionSizeGiB = args.retentionSizeGiB ?? Math.floor(storageGiB * 0.8);
    const maxRetention = Math.floor(storageGiB * 0.85);
    if (!Number.isInteger(retentionSizeGiB) || retentionSizeGiB < 1 || retentionSizeGiB > maxRetention) {
        throw new Error(`retentionSizeGiB (${retentionSizeGiB}) must be a whole number from 1 to ${maxRetention} (85% of storageGiB ${storageGiB}, leaving room for the WAL)`);
    }
    const podDisruptionBudgets = args.podDisruptionBudgets ?? false;
    if (podDisruptionBudgets && (prometheusReplicas < 2 || alertmanagerReplicas < 2)) {
        throw new Error(`podDisruptionBudgets (true) needs prometheusReplicas (${prometheusReplicas}) and alertmanagerReplicas (${alertmanagerReplicas}) >= 2: a budget on one replica blocks node drains`);
    }
    const podAntiAffinity = args.podAntiAffinity ?? "soft";
    if (podAntiAffinity !== "soft" && podAntiAffinity !== "hard") {
        throw new Error(`podAntiAffinity (${podAntiAffinity}) must be "soft" or "hard"`);
    }
    if (args.slackChannel !== undefined && args.slackWebhookUrl === undefined) {
        throw new Error(`slackChannel (${args.slackChannel}) needs slackWebhookUrl`);
    }
    if (args.email !== undefined) {
        for (const key of ["to", "from", "smarthost", "username"] as const) {
            if (args.email[key].trim() === "") {
                throw new Error(`email.${key} ("${args.email[key]}") must not be empty`);
            }
        }
        if (!/^[^:\s]+:\d+$/.test(args.email.smarthost)) {
            throw new Error(`email.smarthost (${args.email.smarthost}) must be host:port, e.g. email-smtp.us-west-2.amazonaws.com:587`);
        }
    }
    const targets = args.targets ?? [];
    const seen = new Set<string>();
    for (const t of targets) {
        if (!TARGET_NAME.test(t.name)) {
            throw new Error(`targets[].name (${t.name}) must be a lowercase DNS label of at most 42 characters`);
        }
        if (seen.has(t.name)) {
            throw new Error(`targets[].name (${t.name}) is used twice; names are job labels and must be unique`);
        }
        seen.add(t.name);
        if (t.intervalSeconds !== undefined) {
            wholeNumber(`targets[${t.name}].intervalSeconds`, t.intervalSeconds, 5, 300);
        }
    }
    const gpuMetrics = args.gpuMetrics ?? true;
    if (gpuMetrics && seen.has(MONITORING_JOBS.dcgm)) {
        throw new Error(`targets[].name (${MONITORING_JOBS.dcgm}) is reserved for the DCGM exporter this component installs`);
    }
    return {
        targets,
        prometheusReplicas,
        retentionDays,
        retentionSizeGiB,
        storageGiB,
        alertmanagerReplicas,
        alertmanagerStorageGiB,
        podDisruptionBudgets,
        podAntiAffinity,
        storageClassName: args.storageClassName ?? DEFAULT_STORAGE_CLASS,
        slackChannel: args.slackChannel,
        gpuMetrics,
        gpuNamespace: args.gpuNamespace ?? NAMESPACES.gpu,
        platformNamespaces: args.platformNamespaces ?? PLATFORM_NAMESPACES,
    };
}

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

    /** The operator's and Prometheus' RBAC, which the chart no longer creates (NS-08). */
    private chartRbac(name: string, namespace: pulumi.Output<string>, monitorNamespaces: pulumi.Input<string>[], namespaces: pulumi.Resource[]): pulumi.Resource[] {
        const labels = standardLabels("prometheus-operator", "rbac", name);
        const ref = (kind: string, n: pulumi.Input<string>) => ({ apiGroup: "rbac.authorization.k8s.io", kind, name: n });
        const sa = (n: string) => [{ kind: "ServiceAccount", name: n, namespace }];
        const out: pulumi.Resource[] = [];
        const role = (key: string, ns: pulumi.Input<string>, rules: k8s.types.input.rbac.v1.PolicyRule[], subject: string) => {
            const r = new k8s.rbac.v1.Role(`${name}-${key}`, { metadata: { name: `${FULLNAME}-operator`, namespace: ns, labels }, rules }, { parent: this, dependsOn: namespaces });
            out.push(r, new k8s.rbac.v1.RoleBinding(`${name}-${key}`, {
                metadata: { name: `${FULLNAME}-operator`, namespace: ns, labels },
                roleRef: ref("Role", r.metadata.name),
                subjects: sa(subject),
            }, { parent: this, dependsOn: namespaces }));
        };
        const clusterRole = (key: string, rules: k8s.types.input.rbac.v1.PolicyRule[], subject: string) => {
            const r = new k8s.rbac.v1.ClusterRole(`${name}-${key}`, { metadata: { name: `${FULLNAME}-${key}`, labels }, rules }, { parent: this });
            out.push(r, new k8s.rbac.v1.ClusterRoleBinding(`${name}-${key}`, { metadata: { name: `${FULLNAME}-${key}`, labels }, roleRef: ref("ClusterRole", r.metadata.name), subjects: sa(subject) }, { parent: this }));
        };
        role("operator", namespace, OPERATOR_INSTANCE_RULES, `${FULLNAME}-operator`);
        monitorNamespaces.forEach((ns, i) => role(`operator-monitors-${typeof ns === "string" ? ns : i}`, ns, OPERATOR_MONITOR_RULES, `${FULLNAME}-operator`));
        role("operator-kubelet", "kube-system", OPERATOR_KUBELET_RULES, `${FULLNAME}-operator`);
        clusterRole("operator", OPERATOR_CLUSTER_RULES, `${FULLNAME}-operator`);
        clusterRole("prometheus", PROMETHEUS_CLUSTER_RULES, `${FULLNAME}-prometheus`);
        return out;
    }

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:Monitoring", name, {}, opts);
        const a = resolveMonitoringArgs(args);

        // NS-10: node-exporter runs in a namespace of its own, so one privileged DaemonSet does not switch
        // Pod Security off for Grafana, Prometheus and Alertmanager.
        const ns = platformNamespace(`${name}-ns`, {
            name: NAMESPACES.monitoring,
            level: "baseline",
            auditWarn: "restricted",
            reason: "Grafana's and kube-state-metrics' chart-rendered pods are not yet modelled against restricted before deploy (policy/chart-pods.ts covers Prometheus and Alertmanager); baseline refuses host namespaces, hostPath and privileged, and audit/warn report every restricted gap.",
            labels: standardLabels("monitoring", "monitoring", name),
        }, { parent: this });
        const agentNs = platformNamespace(`${name}-node-exporter-ns`, {
            name: NAMESPACES.nodeExporter,
            level: "privileged",
            reason: "node-exporter (part of kube-prometheus-stack) reads host metrics through hostNetwork, hostPID and hostPath mounts of /proc, /sys and /.",
            labels: standardLabels("node-exporter", "monitoring", name),
        }, { parent: this });
        // node-exporter uses the host's network, where NetworkPolicy does not apply; the deny keeps
        // anything else that lands here closed.
        defaultDenyIngress(`${name}-node-exporter-ns`, agentNs.metadata.name, [], { parent: this });
        const namespace = ns.metadata.name;
        // NS-09: Prometheus and Alertmanager have no authentication (Alertmanager's API creates
        // silences), so only the monitoring namespace's own pods (Grafana, the operator, Prometheus
        // itself) and port-forward reach them.
        defaultDenyIngress(`${name}-ns`, namespace, [{ role: "same-namespace", from: [SAME_NAMESPACE] }], { parent: this });

        const password = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, { parent: this });
        const grafanaSecret = new k8s.core.v1.Secret(`${name}-grafana-admin`, {
            metadata: { name: GRAFANA_ADMIN_SECRET, namespace, labels: standardLabels("grafana", "dashboards", name) },
            type: "Opaque",
            stringData: { "admin-user": "admin", "admin-password": password.result },
        }, { parent: this });

        const email = args.email;
        const alertmanagerYaml = pulumi.all([args.slackWebhookUrl, args.deadMansSwitchUrl, email?.password]).apply(([slack, dms, smtpPassword]) =>
            renderAlertmanagerConfig({
                slackWebhookUrl: slack,
                slackChannel: a.slackChannel,
                deadMansSwitchUrl: dms,
                email: email === undefined ? undefined : { to: email.to, from: email.from, smarthost: email.smarthost, username: email.username, password: smtpPassword as string },
            }));
        const alertmanagerSecret = new k8s.core.v1.Secret(`${name}-alertmanager-config`, {
            metadata: { name: ALERTMANAGER_CONFIG_SECRET, namespace, labels: standardLabels("alertmanager", "alerting", name) },
            type: "Opaque",
            // Receiver URLs and SMTP passwords live in this file, so it is a Secret and always secret in state.
            stringData: { "alertmanager.yaml": pulumi.secret(alertmanagerYaml) },
        }, { parent: this });

        const volumeClaim = (gib: number) => ({
            spec: { storageClassName: a.storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${gib}Gi` } } },
        });
        // Retain in every preset: prometheus-operator deletes and recreates its StatefulSet whenever an
        // update is refused (below), and whenDeleted: Delete would take the volumes with it. A sandbox
        // destroy still removes them: deleting the monitoring namespace deletes its PVCs.
        const pvcRetention = { whenDeleted: "Retain", whenScaled: "Retain" };
        const onCpuNodes = { [NODE_POOL_LABEL]: "cpu" };
        // K8S-12: several replicas spread over zones. ScheduleAnyway, not DoNotSchedule: each replica's
        // EBS volume pins it to one zone, and a hard constraint could then leave it Pending forever.
        // OnResource: the operator adds the Prometheus/Alertmanager instance's own labels to the selector.
        const zoneSpread = (replicas: number) => replicas < 2 ? [] : [{
            maxSkew: 1,
            topologyKey: "topology.kubernetes.io/zone",
            whenUnsatisfiable: "ScheduleAnyway",
            additionalLabelSelectors: "OnResource",
        }];

        // Namespaces holding ServiceMonitors/PodMonitors (plain names deduplicated; the operator's --namespaces).
        const monitorNamespaces = [...new Map([...a.targets.map((t) => t.namespace), ...(a.gpuMetrics ? [a.gpuNamespace] : []), NAMESPACES.nodeExporter]
            .map((n, i) => [typeof n === "string" ? n : `#${i}`, n] as const)).values()]
            .filter((n) => n !== NAMESPACES.monitoring);
        const rbac = this.chartRbac(name, namespace, monitorNamespaces, [agentNs]);

        const kps = new k8s.helm.v3.Release(`${name}-kube-prometheus-stack`, {
            name: KPS_RELEASE,
            chart: MONITORING_VERSIONS.kubePrometheusStackChart.chart,
            version: MONITORING_VERSIONS.kubePrometheusStackChart.version,
            repositoryOpts: { repo: MONITORING_VERSIONS.kubePrometheusStackChart.repo },
            namespace,
            values: {
                fullnameOverride: FULLNAME,
                // EKS runs the control plane; these targets cannot be scraped and would only raise TargetDown.
                kubeControllerManager: { enabled: false },
                kubeScheduler: { enabled: false },
                kubeEtcd: { enabled: false },
                kubeProxy: { enabled: false },
                // NS-08: the chart's operator ClusterRole has '*' on Secrets cluster-wide; the program
                // writes namespaced RBAC instead (components/shared/monitoring-rbac.ts).
                global: { rbac: { create: false } },
                prometheusOperator: {
                    nodeSelector: onCpuNodes,
                    resources: resources("100m", "128Mi", "256Mi"),
                    namespaces: { releaseNamespace: true, additional: monitorNamespaces },
                    prometheusInstanceNamespaces: [NAMESPACES.monitoring],
                    alertmanagerInstanceNamespaces: [NAMESPACES.monitoring],
                    alertmanagerConfigNamespaces: [NAMESPACES.monitoring],
                    thanosRulerInstanceNamespaces: [NAMESPACES.monitoring],
                    // The admission webhook's patch Jobs need cluster RBAC the chart no longer creates, and
                    // the operator's TLS listener reads the certificate those Jobs make
                    // (templates/prometheus-operator/deployment.yaml `tls-secret`). Rules are checked by
                    // promtool in tests instead.
                    admissionWebhooks: { enabled: false },
                    tls: { enabled: false },
                    // K8S-08/09 for the config-reloader sidecar the operator adds to Prometheus and
                    // Alertmanager: the chart passes these as --config-reloader-* flags
                    // (templates/prometheus-operator/deployment.yaml); its default is none.
                    prometheusConfigReloader: { resources: resources("10m", "32Mi", "64Mi"), enableProbe: true },
                    // K8S-09: the chart renders both probes as GET /healthz with the same default timing
                    // (templates/prometheus-operator/deployment.yaml); readiness reacts within 10s, liveness
                    // restarts only after 60s of failures.
                    readinessProbe: { enabled: true, periodSeconds: 5, failureThreshold: 2 },
                    livenessProbe: { enabled: true, periodSeconds: 20, failureThreshold: 3 },
                },
                prometheus: {
                    podDisruptionBudget: { enabled: a.podDisruptionBudgets },
                    prometheusSpec: {
                        replicas: a.prometheusReplicas,
                        retention: `${a.retentionDays}d`,
                        // Prometheus' GB is 2^30 bytes.
                        retentionSize: `${a.retentionSizeGiB}GB`,
                        storageSpec: { volumeClaimTemplate: volumeClaim(a.storageGiB) },
                        persistentVolumeClaimRetentionPolicy: pvcRetention,
                        // Select every ServiceMonitor, PodMonitor, Probe, ScrapeConfig and PrometheusRule, not only the chart's.
                        ruleSelectorNilUsesHelmValues: false,
                        serviceMonitorSelectorNilUsesHelmValues: false,
                        podMonitorSelectorNilUsesHelmValues: false,
                        probeSelectorNilUsesHelmValues: false,
                        scrapeConfigSelectorNilUsesHelmValues: false,
                        podAntiAffinity: a.podAntiAffinity,
                        topologySpreadConstraints: zoneSpread(a.prometheusReplicas),
                        nodeSelector: onCpuNodes,
                        resources: resources("250m", "1Gi", "2Gi"),
                    },
                },
                alertmanager: {
                    podDisruptionBudget: { enabled: a.podDisruptionBudgets },
                    alertmanagerSpec: {
                        replicas: a.alertmanagerReplicas,
                        storage: { volumeClaimTemplate: volumeClaim(a.alertmanagerStorageGiB) },
                        persistentVolumeClaimRetentionPolicy: pvcRetention,
                        // The platform renders alertmanager.yaml itself and keeps it in its own Secret.
                        useExistingSecret: true,
                        configSecret: ALERTMANAGER_CONFIG_SECRET,
                        podAntiAffinity: a.podAntiAffinity,
                        topologySpreadConstraints: zoneSpread(a.alertmanagerReplicas),
                        // K8S-11: Alertmanager never calls the Kubernetes API (its config-reloader watches
                        // mounted files), so it gets no token.
                        automountServiceAccountToken: false,
                        nodeSelector: onCpuNodes,
                        resources: resources("50m", "64Mi", "128Mi"),
                    },
                },
                grafana: {
                    admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
                    // Dashboards are code (ConfigMaps); nothing in Grafana's own database needs keeping.
                    persistence: { enabled: false },
                    // NS-08: a Role in the monitoring namespace, not a ClusterRole reading every Secret
                    // (grafana 12.11.1 templates/role.yaml vs clusterrole.yaml), and dashboards from the
                    // monitoring namespace only (kube-prometheus-stack sets searchNamespace: ALL).
                    rbac: { namespaced: true },
                    sidecar: {
                        dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: [NAMESPACES.monitoring] },
                        // K8S-06/08 for both k8s-sidecar containers (one `sidecar.securityContext` and
                        // `sidecar.resources` for all, grafana 12.11.1 templates/_pod.tpl); the context
                        // replaces nothing of the chart's (Helm merges maps key by key). They write only
                        // to their mounted emptyDirs. Probes: see the K8S-09 exemption.
                        securityContext: { readOnlyRootFilesystem: true, runAsNonRoot: true },
                        resources: resources("10m", "64Mi", "128Mi"),
                    },
                    nodeSelector: onCpuNodes,
                    resources: resources("100m", "256Mi", "512Mi"),
                    // K8S-06: merged over the chart's containerSecurityContext (no escalation, drop ALL,
                    // RuntimeDefault). Grafana writes only to volumes: /var/lib/grafana and
                    // /var/lib/grafana-search are emptyDirs, logs go to the console (grafana 12.11.1
                    // values.yaml `grafana.ini.log.mode: console`, templates/_pod.tpl `storage`, `search`).
                    containerSecurityContext: { readOnlyRootFilesystem: true },
                },
                // NS-08: without the secrets collector its ClusterRole has no list/watch on Secrets
                // (kube-state-metrics 8.4.0 templates/role.yaml `if has "secrets" $activeCollectors`).
                // NS-10: the DaemonSet and its ServiceMonitor go to the privileged node-exporter namespace
                // (prometheus-node-exporter 4.56.1 _helpers.tpl `namespace`, `monitor-namespace`).
                "prometheus-node-exporter": {
                    namespaceOverride: NAMESPACES.nodeExporter,
                    // K8S-02/04/05/08: the chart sets only uid 65534 and a read-only root
                    // (prometheus-node-exporter 4.56.1 values.yaml); Helm merges these maps over that.
                    // Host network, PID and hostPath stay: see the K8S-07 exemption.
                    securityContext: { seccompProfile: { type: "RuntimeDefault" } },
                    containerSecurityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                    resources: resources("20m", "32Mi", "64Mi"),
                    // K8S-09: both probes GET / with the same default timing (templates/daemonset.yaml).
                    readinessProbe: { periodSeconds: 5, failureThreshold: 2 },
                    livenessProbe: { periodSeconds: 20, failureThreshold: 3 },
                },
                "kube-state-metrics": { nodeSelector: onCpuNodes, resources: resources("50m", "128Mi", "256Mi"), collectorsExclude: ["secrets"] },
            },
        }, {
            parent: this,
            dependsOn: [grafanaSecret, alertmanagerSecret, agentNs, ...rbac],
            // A volumeClaimTemplate is immutable in a StatefulSet: on any change prometheus-operator
            // v0.93 deletes the StatefulSet (ForceUpdateStatefulSet in pkg/k8s/statefulset.go, foreground
            // propagation: every replica down at once) and its own docs say the PVCs are not expanded
            // (Documentation/platform/storage.md, "Resizing volumes"). So the templates keep the size a
            // stack was created with, and growth goes to the PVCs directly (operatorVolumes below).
            ignoreChanges: [`values.prometheus.prometheusSpec.storageSpec`, `values.alertmanager.alertmanagerSpec.storage`],
        });
        operatorVolumes(this, `${name}-prometheus-volume`, namespace, `prometheus-${FULLNAME}-prometheus`, a.prometheusReplicas, volumeClaim(a.storageGiB), kps);
        operatorVolumes(this, `${name}-alertmanager-volume`, namespace, `alertmanager-${FULLNAME}-alertmanager`, a.alertmanagerReplicas, volumeClaim(a.alertmanagerStorageGiB), kps);

        for (const [role, dashboard] of Object.entries(DASHBOARDS)) {
            new k8s.core.v1.ConfigMap(`${name}-dashboard-${role}`, {
                metadata: {
                    name: `dashboard-${dashboard.uid}`,
                    namespace,
                    labels: { ...standardLabels("grafana", "dashboards", name), grafana_dashboard: "1" },
                },
                data: { [`${dashboard.uid}.json`]: renderDashboard(dashboard) },
            }, { parent: this });
        }

        const targets = [...a.targets];
        if (a.gpuMetrics) {
            const [repository, tag] = MONITORING_VERSIONS.dcgmExporterImage.split(/:(?=[^:]+$)/);
            new k8s.helm.v3.Release(`${name}-dcgm-exporter`, {
                name: "dcgm-exporter",
                chart: MONITORING_VERSIONS.dcgmExporterChart.chart,
                version: MONITORING_VERSIONS.dcgmExporterChart.version,
                repositoryOpts: { repo: MONITORING_VERSIONS.dcgmExporterChart.repo },
                namespace: a.gpuNamespace,
                values: {
                    image: { repository, tag },
                    // Only GPU nodes, tolerating their taint.
                    affinity: {
                        nodeAffinity: {
                            requiredDuringSchedulingIgnoredDuringExecution: {
                                nodeSelectorTerms: [{ matchExpressions: [{ key: GPU_NODE_LABEL.key, operator: "In", values: [GPU_NODE_LABEL.value] }] }],
                            },
                        },
                    },
                    tolerations: [GPU_TOLERATION],
                    // The platform declares the ServiceMonitor itself, with the job label the rules use.
                    serviceMonitor: { enabled: false },
                    // Exception (privileged namespace): DCGM needs root and SYS_ADMIN for profiling counters
                    // and reads the kubelet's pod-resources socket (hostPath) to map GPUs to pods; the K8S-01/04/06
                    // exemptions (policy/checks-workloads.ts) say why, policy/chart-pods.ts renders the pod.
                    securityContext: {
                        runAsNonRoot: false,
                        runAsUser: 0,
                        privileged: false,
                        allowPrivilegeEscalation: false,
                        capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] },
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                    // The chart's default CPU limit (200m) is dropped: no CPU limits on platform pods.
                    resources: chartResources("100m", "256Mi", "512Mi"),
                },
            }, { parent: this });
            ingressAllow(`${name}-dcgm`, a.gpuNamespace, {
                role: "dcgm-metrics",
                podSelector: { "app.kubernetes.io/name": "dcgm-exporter" },
                from: [fromNamespace(NAMESPACES.monitoring)],
                ports: [{ protocol: "TCP", port: DCGM_METRICS_PORT }],
            }, { parent: this });
            targets.push({
                name: MONITORING_JOBS.dcgm,
                namespace: a.gpuNamespace,
                selector: { "app.kubernetes.io/name": "dcgm-exporter", "app.kubernetes.io/instance": "dcgm-exporter" },
                port: "metrics",
                intervalSeconds: 15,
            });
        }

        // Monitors and rules are custom resources whose CRDs the chart installs.
        const afterCrds = { parent: this, dependsOn: [kps] };
        for (const t of targets) {
            const kind = t.kind ?? "ServiceMonitor";
            new k8s.apiextensions.CustomResource(`${name}-monitor-${t.name}`, {
                apiVersion: MONITOR_API,
                kind,
                metadata: { name: t.name, namespace: t.namespace, labels: standardLabels(t.name, "metrics", name) },
                spec: monitorSpec(t),
            }, afterCrds);
        }

        const jobs = new Set(targets.map((t) => t.name));
        const groups = platformRuleGroups(a.platformNamespaces).filter((g) => g.requiresJob === undefined || jobs.has(g.requiresJob));
        for (const g of groups) {
            new k8s.apiextensions.CustomResource(`${name}-rules-${g.name}`, {
                apiVersion: MONITOR_API,
                kind: "PrometheusRule",
                metadata: { name: g.name, namespace, labels: standardLabels("prometheus", "alert-rules", name) },
                spec: prometheusRuleSpec(g),
            }, afterCrds);
        }

        this.namespace = namespace;
        this.grafanaAdminPassword = pulumi.secret(password.result);
        this.grafanaPortForward = pulumi.interpolate`kubectl -n ${namespace} port-forward svc/${KPS_RELEASE}-grafana 3000:80`;
        this.prometheusPortForward = pulumi.interpolate`kubectl -n ${namespace} port-forward svc/${FULLNAME}-prometheus 9090:9090`;
        this.alertmanagerPortForward = pulumi.interpolate`kubectl -n ${namespace} port-forward svc/${FULLNAME}-alertmanager 9093:9093`;
        this.ruleGroups = groups.map((g) => g.name);
        this.registerOutputs({
            namespace: this.namespace,
            grafanaAdminPassword: this.grafanaAdminPassword,
            grafanaPortForward: this.grafanaPortForward,
            prometheusPortForward: this.prometheusPortForward,
            alertmanagerPortForward: this.alertmanagerPortForward,
        });
    }
}

/**
 * Grows the volumes of an operator-managed StatefulSet in place: one server-side-apply patch per
 * replica on the PVC the StatefulSet controller names `<template>-<statefulset>-<ordinal>`, whose
 * template prometheus-operator v0.93 names `<statefulset>-db` (pkg/prometheus/common.go VolumeName,
 * pkg/alertmanager/statefulset.go volumeName); the StatefulSets are `prometheus-<cr>` and
 * `alertmanager-<cr>`, the CRs `<fullname>-prometheus` and `<fullname>-alertmanager`
 * (kube-prometheus-stack templates/_helpers.tpl `prometheus.crname`, `alertmanager.crname`). A PVC's `spec.resources` is not force-new in
 * pulumi-kubernetes (provider/pkg/provider/diff.go), the gp3 StorageClass allows expansion and the
 * EBS CSI driver resizes online, so a larger size is an in-place update with the pods running.
 * The patch carries the full claim spec, so on a new stack it may create the claim before the
 * StatefulSet does (which then adopts it by name). It takes field ownership from the controller
 * (`patchForce`) and is retained on delete: dropping a replica or the patch leaves the claim to
 * the StatefulSet's retention policy and the namespace, never deletes it.
 */
function operatorVolumes(parent: pulumi.Resource, name: string, namespace: pulumi.Input<string>, statefulSet: string, replicas: number, claim: { spec: Record<string, unknown> }, release: pulumi.Resource): void {
    for (let i = 0; i < replicas; i++) {
        new k8s.core.v1.PersistentVolumeClaimPatch(`${name}-${i}`, {
            metadata: {
                name: `${statefulSet}-db-${statefulSet}-${i}`,
                namespace,
                annotations: { "pulumi.com/patchForce": "true", "pulumi.com/skipAwait": "true" },
            },
            spec: claim.spec,
        }, { parent, dependsOn: [release], retainOnDelete: true });
    }
}
