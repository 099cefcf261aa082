/**
 * Kueue itself: its namespace (Pod Security restricted, default-deny ingress with the API server's
 * webhook and aggregated-API traffic and Prometheus let in), the pinned chart as a `helm.v3.Release`
 * (previews before the cluster exists, keeps the chart's hooks: design.md), and the controller's
 * `Configuration` (fair sharing, waitForPodsReady, only team namespaces managed).
 *
 * Sources: kubernetes-sigs/kueue tag v0.19.2: `charts/kueue/values.yaml`, `templates/manager/*.yaml`,
 * `templates/webhook/manifests.yaml`, `apis/config/v1beta2/{configuration_types,defaults}.go`,
 * `pkg/util/cert/cert.go`, `cmd/kueue/main.go`.
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { podSecurity, standardLabels } from "../shared/labels";
import { NAMESPACE_NAME_LABEL, NAMESPACES, ScrapeTarget } from "../shared/platform";
import { QUEUE_VERSIONS } from "../shared/versions";
import { TEAM_LABEL } from "../tenancy";

/** Helm release name; with `fullnameOverride` it prefixes every chart object (`kueue-webhook-service`). */
export const KUEUE_RELEASE = "kueue";
/** Ports of the controller (chart `templates/manager/manager.yaml`, Configuration defaults). */
export const KUEUE_PORTS = { webhook: 9443, visibility: 8082, metrics: 8443, health: 8081 } as const;
/** The controller pod's labels (chart `_helpers.tpl` `kueue.selectorLabels`). */
export const KUEUE_POD_SELECTOR = { "app.kubernetes.io/name": "kueue", "app.kubernetes.io/instance": KUEUE_RELEASE, "control-plane": "controller-manager" } as const;
/** The metrics Service's labels (`kueue.metricsService.labels`: the chart labels plus this component). */
export const KUEUE_METRICS_SELECTOR = { "app.kubernetes.io/name": "kueue", "app.kubernetes.io/instance": KUEUE_RELEASE, "app.kubernetes.io/component": "metrics-service" } as const;
/** Scrape job name: the queue alerts match `job="kueue"`. */
export const KUEUE_JOB = "kueue";

/** Fair-sharing preemption strategies, in Kueue's documented order (`values.yaml`, FairSharing type). */
export const FAIR_SHARING_STRATEGIES = ["LessThanOrEqualToFinalShare", "LessThanInitialShare"] as const;

/** What the Kueue controller's Configuration depends on. */
export interface KueueConfigArgs {
    /** `waitForPodsReady.timeout`, seconds. */
    readonly podsReadyTimeoutSeconds: number;
}

/**
 * The controller's `Configuration` (config.kueue.x-k8s.io/v1beta2). The chart takes it as one YAML
 * string, which replaces the chart's whole default, so this keeps every default entry
 * (`values.yaml` `managerConfig.controllerManagerConfigYaml`) and adds ours.
 */
export function kueueConfiguration(a: KueueConfigArgs) {
    return {
        apiVersion: "config.kueue.x-k8s.io/v1beta2",
        kind: "Configuration",
        namespace: NAMESPACES.kueue,
        health: { healthProbeBindAddress: `:${KUEUE_PORTS.health}` },
        // ClusterQueue quota and usage gauges (kueue_cluster_queue_nominal_quota, _resource_usage) are
        // reported only with this on (cmd/kueue/main.go WithResourceMetrics); the queue alerts need them.
        metrics: { bindAddress: `:${KUEUE_PORTS.metrics}`, enableClusterQueueResources: true },
        webhook: { port: KUEUE_PORTS.webhook },
        leaderElection: { leaderElect: true, resourceName: "c1f6bfd2.kueue.x-k8s.io" },
        controller: {
            groupKindConcurrency: {
                "Job.batch": 5,
                Pod: 5,
                "Workload.kueue.x-k8s.io": 10,
                "LocalQueue.kueue.x-k8s.io": 5,
                "ClusterQueue.kueue.x-k8s.io": 5,
                "ResourceFlavor.kueue.x-k8s.io": 1,
            },
        },
        clientConnection: { qps: 300, burst: 500 },
        // Kueue makes and rotates its own self-signed webhook certificate and injects the CA into its
        // webhook configurations (pkg/util/cert/cert.go, cert-controller rotator). A fresh stack has no
        // cert-manager, so the chart's `enableCertManager` stays false. Names are Kueue's defaults and
        // the chart's `<fullname>-webhook-service` / `<fullname>-webhook-server-cert`.
        internalCertManagement: { enable: true, webhookServiceName: `${KUEUE_RELEASE}-webhook-service`, webhookSecretName: `${KUEUE_RELEASE}-webhook-server-cert` },
        waitForPodsReady: {
            // An admitted Job whose pods are not all Ready in time (no GPU node came, image never pulled)
            // is evicted and requeued, releasing its quota for others.
            timeout: `${a.podsReadyTimeoutSeconds}s`,
            // Other queues keep admitting while one Job waits for its node.
            blockAdmission: false,
            // After 3 evictions the Workload is deactivated instead of spinning up GPU nodes forever.
            requeuingStrategy: { timestamp: "Eviction", backoffLimitCount: 3, backoffBaseSeconds: 60, backoffMaxSeconds: 3600 },
        },
        // The chart copies this selector into every mutating and validating webhook (`failurePolicy:
        // Fail`, templates/webhook/manifests.yaml): platform Jobs (MLflow migrations, the ILM job) never
        // wait for Kueue, and an unavailable Kueue blocks Jobs in team namespaces only.
        managedJobsNamespaceSelector: { matchExpressions: [{ key: TEAM_LABEL, operator: "Exists" }] },
        // Only batch Jobs (and CronJobs' Jobs). With "pod", "deployment" or "statefulset" listed the chart
        // turns those webhooks to failurePolicy Fail (manifests.yaml `has "pod" $integrationsConfig.frameworks`).
        integrations: { frameworks: ["batch/job"] },
        // Present = enabled in v1beta2 (cmd/kueue/main.go: `if cfg.FairSharing != nil`).
        fairSharing: { preemptionStrategies: [...FAIR_SHARING_STRATEGIES] },
    };
}

/** Arguments of {@link kueueValues}. */
export interface KueueValuesArgs extends KueueConfigArgs {
    /** Controller replicas (leader election; webhooks served by each). */
    readonly replicas: number;
}

/** The chart values. Keys exist in the chart's `values.yaml` (a test checks each path). */
export function kueueValues(a: KueueValuesArgs) {
    const [repository, tag] = QUEUE_VERSIONS.kueueImage.split(/:(?=[^:]+$)/);
    return {
        fullnameOverride: KUEUE_RELEASE,
        // The platform declares the ServiceMonitor through the monitoring layer (which owns its CRD);
        // the chart's would need that CRD at install and binds a `prometheus-k8s` account we do not have.
        enablePrometheus: false,
        enableCertManager: false,
        controllerManager: {
            replicas: a.replicas,
            podDisruptionBudget: { enabled: a.replicas >= 2, minAvailable: 1 },
            topologySpreadConstraints: a.replicas >= 2
                ? [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: KUEUE_POD_SELECTOR } }]
                : [],
            manager: {
                image: { repository, tag, pullPolicy: "IfNotPresent" },
                // The chart default sets a CPU limit of 2; Helm keeps a default key unless it is null.
                // No CPU limit: throttling the admission webhook slows every Job submission.
                resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: null, memory: "512Mi" } },
                // The image is distroless `nonroot` (uid 65532); stated so Pod Security does not have to trust it.
                podSecurityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
                containerSecurityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] } },
            },
        },
        // JSON is YAML: the chart reads it with `fromYaml` and Kueue with a YAML decoder.
        managerConfig: { controllerManagerConfigYaml: JSON.stringify(kueueConfiguration(a), null, 2) },
    };
}

/** The Kueue namespace, its network policies and the release. */
export function kueueRelease(name: string, parent: pulumi.Resource, a: KueueValuesArgs & { vpcCidr: string }): { release: k8s.helm.v3.Release; scrapeTarget: ScrapeTarget } {
    // Swap for the shared platform-namespace helper when it lands: same labels and policies.
    const ps = podSecurity("restricted");
    const labels = standardLabels("kueue", "queueing", name);
    const ns = new k8s.core.v1.Namespace(`${name}-ns`, {
        metadata: { name: NAMESPACES.kueue, labels: { ...ps.labels, ...labels } },
    }, { parent });
    const namespace = ns.metadata.name;
    const policy = (role: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
        new k8s.networking.v1.NetworkPolicy(`${name}-${role}`, { metadata: { name: role, namespace, labels }, spec }, { parent });
    policy("default-deny", { podSelector: {}, policyTypes: ["Ingress"] });
    policy("allow-api-server", {
        podSelector: { matchLabels: KUEUE_POD_SELECTOR },
        policyTypes: ["Ingress"],
        // The EKS control plane calls webhooks and the visibility APIService through its ENIs in the
        // VPC's subnets. Without this every Job in a team namespace fails admission, and an unreachable
        // aggregated API breaks discovery for every client.
        ingress: [{ from: [{ ipBlock: { cidr: a.vpcCidr } }], ports: [{ protocol: "TCP", port: KUEUE_PORTS.webhook }, { protocol: "TCP", port: KUEUE_PORTS.visibility }] }],
    });
    policy("allow-monitoring", {
        podSelector: { matchLabels: KUEUE_POD_SELECTOR },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: NAMESPACES.monitoring } } }], ports: [{ protocol: "TCP", port: KUEUE_PORTS.metrics }] }],
    });
    const release = new k8s.helm.v3.Release(`${name}-kueue`, {
        name: KUEUE_RELEASE,
        chart: QUEUE_VERSIONS.kueueChart.chart,
        version: QUEUE_VERSIONS.kueueChart.version,
        namespace,
        values: kueueValues(a),
    }, { parent });
    return {
        release,
        scrapeTarget: {
            name: KUEUE_JOB,
            namespace,
            namespaceName: NAMESPACES.kueue,
            selector: { ...KUEUE_METRICS_SELECTOR },
            port: "https",
            // Secure metrics (cmd/kueue/main.go: SecureServing, filters.WithAuthenticationAndAuthorization): TLS with a self-signed certificate and
            // a TokenReview/SubjectAccessReview of the scraper's token (`get` on /metrics, which the
            // kube-prometheus-stack Prometheus ClusterRole grants); the chart's own ServiceMonitor does the same.
            https: { serviceAccountToken: true, insecureSkipVerify: true },
        },
    };
}
