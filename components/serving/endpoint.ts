/**
 * One model endpoint in its team's namespace: ServiceAccount, the scoring-app ConfigMap,
 * Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget (min >= 2), NetworkPolicy and
 * ServiceMonitor.
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GPU_NODE_LABEL, GPU_RESOURCE, GPU_TOLERATION } from "../shared/gpu";
import { gpuStartTimeoutSeconds } from "../shared/gpu-startup";
import { selectorLabels, standardLabels } from "../shared/labels";
import { NAMESPACE_NAME_LABEL, NAMESPACES } from "../shared/platform";
import { DEFAULT_UID, resources, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../shared/security-context";
import { APP_MODULE, APP_MOUNT, FETCH_SCRIPT, MODEL_MOUNT, MODEL_PATH, SCORING_APP, SERVING_PORT } from "./scoring-app";
import { GATEWAY_APP, GATEWAY_NAMESPACE, PATH_PREFIX_ENV, publicPathPrefix } from "./gateway";
import { MAX_SURGE, ResolvedModel } from "./settings";

/** `app.kubernetes.io/name` of every model endpoint; alert rules and policies select on it. */
export const SERVING_APP = "model-endpoint";

/** Label carrying the model's name on its pods (alerts group by it). */
export const MODEL_LABEL = "mlplatform.io/model";

/**
 * Seconds a GPU replica may wait for a cold GPU node (the group scales from zero: autoscaler, EC2
 * launch, NVIDIA AMI boot, device plugin registration, image pull) before the rollout counts as
 * stuck: the platform's GPU start-up model (components/shared/gpu-startup.ts), the same figure the
 * notebooks and queues wait for. `prePull: false`: the GPU pre-puller pulls the notebook image, not
 * the scoring image; the model's image size (the larger CUDA notebook image) keeps it conservative.
 */
export const GPU_START_TIMEOUT_SECONDS = gpuStartTimeoutSeconds({ prePull: false });

/**
 * Seconds a replica may take from container start to its first `/ping` 200: MLflow imports plus
 * loading the model (`--env-manager local`: nothing is installed at start). Covers a multi-GB
 * model read from the emptyDir.
 */
export const MODEL_LOAD_TIMEOUT_SECONDS = 300;

/**
 * Seconds the fetcher may take to download the model through the tracking server's artifact proxy.
 */
export const MODEL_FETCH_TIMEOUT_SECONDS = 600;

const PROBE_PERIOD_SECONDS = 10;

/** The Secret holding the MLflow credentials the fetcher uses (`secretKeyRef`, never argv or ConfigMap). */
export interface MlflowCredentials {
    /** Secret name in the team's namespace. */
    readonly secretName: string;
    /** @default "username" */
    readonly usernameKey?: string;
    /** @default "password" */
    readonly passwordKey?: string;
}

/** What one endpoint needs besides its model spec. */
export interface EndpointArgs {
    readonly model: ResolvedModel;
    /** In-cluster MLflow tracking URI (the registry and the artifact proxy). */
    readonly trackingUri: pulumi.Input<string>;
    /** MLflow credentials in the team's namespace; undefined while MLflow has no authentication. */
    readonly credentials?: MlflowCredentials;
    /** The Secret behind `credentials` when the program writes it: the Deployment waits for it. */
    readonly credentialsSecret?: pulumi.Resource;
    /** Scoring image. */
    readonly image: string;
}

/**
 * Seconds Kubernetes (progressDeadlineSeconds, default 600) and Pulumi (customTimeouts) wait for a
 * rollout. Pulumi's Deployment await gives up after 10 minutes unless customTimeouts says otherwise
 * (pulumi/pulumi-kubernetes `provider/pkg/await/deployment.go`, DefaultDeploymentTimeoutMins = 10),
 * and a pod waiting for a cold GPU node is Pending, where no probe runs: only these two clocks.
 */
export function rolloutSeconds(m: ResolvedModel): number {
    return (m.gpu > 0 ? GPU_START_TIMEOUT_SECONDS : 0) + MODEL_FETCH_TIMEOUT_SECONDS + MODEL_LOAD_TIMEOUT_SECONDS;
}

/** In-cluster URL of a model's scoring endpoint. */
export const endpointUrl = (m: { name: string; team: string }) => `http://${m.name}.${m.team}.svc.cluster.local:${SERVING_PORT}/invocations`;

/** The command that forwards a model's Service to localhost. */
export const portForwardCommand = (m: { name: string; team: string }) => `kubectl -n ${m.team} port-forward svc/${m.name} ${SERVING_PORT}:${SERVING_PORT}`;

/** The pod template's containers and volumes (exported for tests and policy checks). */
export function podSpec(a: EndpointArgs, serviceAccountName: pulumi.Input<string>, configMapName: pulumi.Input<string>) {
    const m = a.model;
    const gpu = m.gpu > 0;
    const security = restrictedContainerSecurityContext();
    const tmp = { name: "tmp", mountPath: "/tmp" };
    const creds = a.credentials;
    const credentialEnv = creds === undefined ? [] : [
        { name: "MLFLOW_TRACKING_USERNAME", valueFrom: { secretKeyRef: { name: creds.secretName, key: creds.usernameKey ?? "username" } } },
        { name: "MLFLOW_TRACKING_PASSWORD", valueFrom: { secretKeyRef: { name: creds.secretName, key: creds.passwordKey ?? "password" } } },
    ];
    const res = resources(m.cpu, m.memory);
    const serverResources = gpu
        // Extended resources are requested through limits (requests must equal them).
        ? { requests: { ...res.requests, [GPU_RESOURCE]: `${m.gpu}` }, limits: { ...res.limits, [GPU_RESOURCE]: `${m.gpu}` } }
        : res;
    const probe = (path: string) => ({ httpGet: { path, port: "http" }, periodSeconds: PROBE_PERIOD_SECONDS, timeoutSeconds: 5 });
    const selector = selectorLabels(SERVING_APP, m.name);
    return {
        serviceAccountName,
        automountServiceAccountToken: false,
        // The MLflow image sets no USER; 10001 owns nothing in it, HOME is /tmp.
        securityContext: restrictedPodSecurityContext(DEFAULT_UID),
        // Let in-flight requests finish after the endpoint is removed from the Service.
        terminationGracePeriodSeconds: 60,
        topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } },
            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } },
        ],
        ...(gpu ? { tolerations: [GPU_TOLERATION], nodeSelector: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value } } : {}),
        initContainers: [{
            name: "fetch-model",
            image: a.image,
            command: ["python", "-c", FETCH_SCRIPT],
            env: [
                { name: "MODEL_URI", value: m.modelUri },
                { name: "MLFLOW_TRACKING_URI", value: a.trackingUri },
                { name: "MLFLOW_HTTP_REQUEST_TIMEOUT", value: "120" },
                { name: "HOME", value: "/tmp" },
                ...credentialEnv,
            ],
            securityContext: security,
            resources: resources("250m", "512Mi", "1Gi"),
            volumeMounts: [{ name: "model", mountPath: MODEL_MOUNT }, tmp],
        }],
        containers: [{
            name: "server",
            image: a.image,
            // The app `mlflow models serve --env-manager local` runs, wrapped for metrics (scoring-app.ts).
            command: ["python", "-m", "uvicorn", "--host", "0.0.0.0", "--port", `${SERVING_PORT}`, "--workers", "1", `${APP_MODULE}:app`],
            ports: [{ name: "http", containerPort: SERVING_PORT, protocol: "TCP" }],
            env: [
                { name: "__pyfunc_model_path__", value: MODEL_PATH },
                { name: "PYTHONPATH", value: APP_MOUNT },
                { name: "HOME", value: "/tmp" },
                { name: "MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT", value: "60" },
                // Exposed: requests arrive from the auth proxy under /<team>/<model>/ (gateway.ts).
                ...(m.expose ? [{ name: PATH_PREFIX_ENV, value: publicPathPrefix(m).slice(0, -1) }] : []),
            ],
            startupProbe: { ...probe("/ping"), failureThreshold: Math.ceil(MODEL_LOAD_TIMEOUT_SECONDS / PROBE_PERIOD_SECONDS) },
            readinessProbe: { ...probe("/ping"), failureThreshold: 3 },
            livenessProbe: { ...probe("/health"), periodSeconds: 20, failureThreshold: 3 },
            // Keep serving while the Service's endpoints drop this pod (kube-proxy lags the API). The
            // kubelet sleeps itself (PodLifecycleSleepAction, KEP-3960: beta and on by default since 1.30).
            lifecycle: { preStop: { sleep: { seconds: 10 } } },
            securityContext: security,
            resources: serverResources,
            volumeMounts: [{ name: "model", mountPath: MODEL_MOUNT, readOnly: true }, { name: "app", mountPath: APP_MOUNT, readOnly: true }, tmp],
        }],
        volumes: [
            { name: "model", emptyDir: { sizeLimit: "20Gi" } },
            { name: "app", configMap: { name: configMapName } },
            { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
        ],
    };
}

/** Creates one model's objects under `parent`. Names: `${prefix}-<role>`. */
export function modelEndpoint(prefix: string, a: EndpointArgs, parent: pulumi.Resource, monitoringReady: pulumi.Input<pulumi.Resource>[]): void {
    const m = a.model;
    const namespace = m.team;
    const labels = { ...standardLabels(SERVING_APP, "model-server", m.name), [MODEL_LABEL]: m.name };
    const selector = selectorLabels(SERVING_APP, m.name);
    const meta = (name: string) => ({ name, namespace, labels });
    const opts = { parent };

    const sa = new k8s.core.v1.ServiceAccount(`${prefix}-sa`, { metadata: meta(m.name), automountServiceAccountToken: false }, opts);
    const app = new k8s.core.v1.ConfigMap(`${prefix}-app`, { metadata: meta(`${m.name}-scoring-app`), data: { [`${APP_MODULE}.py`]: SCORING_APP } }, opts);
    const timeout = rolloutSeconds(m);

    const deployment = new k8s.apps.v1.Deployment(`${prefix}-server`, {
        metadata: meta(m.name),
        spec: {
            // No `replicas`: the HPA owns the count. Declaring it here would reset a scaled-out
            // endpoint to minReplicas on every `pulumi up` (server-side apply makes Pulumi its manager).
            selector: { matchLabels: selector },
            // A version change starts a new pod, waits for it to be Ready (model loaded), then stops an
            // old one: capacity never drops below the current replica count.
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: MAX_SURGE } },
            progressDeadlineSeconds: timeout,
            template: {
                metadata: { labels },
                spec: podSpec(a, sa.metadata.name, app.metadata.name),
            },
        },
    }, { parent, dependsOn: a.credentialsSecret ? [a.credentialsSecret] : [], customTimeouts: { create: `${timeout}s`, update: `${timeout}s` } });

    new k8s.core.v1.Service(`${prefix}-svc`, {
        metadata: meta(m.name),
        spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: SERVING_PORT, targetPort: "http", protocol: "TCP" }] },
    }, opts);

    new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${prefix}-hpa`, {
        metadata: meta(m.name),
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
            minReplicas: m.minReplicas,
            maxReplicas: m.maxReplicas,
            // `Resource` metrics come from metrics.k8s.io, which metrics-server serves (metrics-server.ts).
            metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: m.targetCpuUtilization } } }],
        },
    }, opts);

    if (m.minReplicas >= 2) {
        new k8s.policy.v1.PodDisruptionBudget(`${prefix}-pdb`, {
            metadata: meta(m.name),
            spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
        }, opts);
    }

    // The team namespace denies by default; this admits the endpoint's callers only: the team's own
    // namespace and Prometheus, and for an exposed model the auth proxy's pods (nothing else of its
    // namespace). (Team-wide allows are unions with this; nothing else is opened.)
    new k8s.networking.v1.NetworkPolicy(`${prefix}-netpol`, {
        metadata: meta(`${m.name}-ingress`),
        spec: {
            podSelector: { matchLabels: selector },
            policyTypes: ["Ingress"],
            ingress: [
                { from: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: SERVING_PORT }] },
                { from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: NAMESPACES.monitoring } } }], ports: [{ protocol: "TCP", port: SERVING_PORT }] },
                ...(m.expose ? [{
                    from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: GATEWAY_NAMESPACE } }, podSelector: { matchLabels: { "app.kubernetes.io/name": GATEWAY_APP } } }],
                    ports: [{ protocol: "TCP", port: SERVING_PORT }],
                }] : []),
            ],
        },
    }, opts);

    // A custom resource whose CRD kube-prometheus-stack installs, hence after monitoring.
    new k8s.apiextensions.CustomResource(`${prefix}-monitor`, {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: meta(m.name),
        spec: {
            selector: { matchLabels: selector },
            namespaceSelector: { matchNames: [namespace] },
            endpoints: [{
                port: "http",
                path: "/metrics",
                interval: "30s",
                // One job for every endpoint, so one rule group covers them all; `model` and `namespace` tell them apart.
                relabelings: [
                    { action: "replace", targetLabel: "job", replacement: SERVING_APP },
                    { action: "replace", sourceLabels: [`__meta_kubernetes_pod_label_${MODEL_LABEL.replace(/[./]/g, "_")}`], targetLabel: "model" },
                ],
            }],
        },
    }, { parent, dependsOn: monitoringReady });
}
