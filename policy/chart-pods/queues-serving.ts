/** Queueing and serving pods: the Kueue controller and metrics-server. */
import { chartOf } from "../chart-rbac";
import { Res } from "../checks";
import { DEPLOYMENT, merge, workload } from "./base";

/**
 * kueue v0.19.2 (kubernetes-sigs/kueue tag v0.19.2, `charts/kueue/values.yaml` = ../shared/chart-schemas
 * kueue-0.19.2.values.yaml, `templates/manager/manager.yaml`): the controller Deployment
 * `<fullname>-controller-manager` with ServiceAccount `<fullname>-controller-manager`, no
 * `automountServiceAccountToken` (the token is mounted), pod and container security contexts and
 * resources straight from `controllerManager.manager.*`, liveness GET /healthz and readiness GET
 * /readyz on 8081 with `controllerManager.{liveness,readiness}Probe` timing, the visibility
 * emptyDir, and `controllerManager.topologySpreadConstraints`. The image tag default is the
 * chart's `release-0.19` (a moving staging tag): only the values' tag pins it.
 */
const KUEUE_DEFAULTS = {
    image: { repository: "us-central1-docker.pkg.dev/k8s-staging-images/kueue/kueue", tag: "release-0.19" },
    resources: { limits: { cpu: "2", memory: "512Mi" }, requests: { cpu: "500m", memory: "512Mi" } },
    podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containerSecurityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    readinessProbe: { initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1 },
    livenessProbe: { initialDelaySeconds: 15, periodSeconds: 20, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1 },
};

function kueuePod(release: Res, k: any): Res {
    const cm = k.controllerManager ?? {};
    const m = cm.manager ?? {};
    const fullname = k.fullnameOverride ?? release.inputs.name ?? "kueue";
    const image = merge(KUEUE_DEFAULTS.image, m.image);
    const probe = (path: string, timing: object) => ({ httpGet: { path, port: 8081 }, ...timing });
    return workload(release, "kueue", String(release.inputs.namespace ?? ""), cm.replicas ?? 1, {
        serviceAccountName: `${fullname}-controller-manager`,
        securityContext: merge(KUEUE_DEFAULTS.podSecurityContext, m.podSecurityContext),
        hostNetwork: cm.hostNetwork,
        topologySpreadConstraints: cm.topologySpreadConstraints,
        volumes: [{ name: "cert", secret: { secretName: `${fullname}-webhook-server-cert` } }, { name: "visibility", emptyDir: {} }],
        containers: [{
            name: "manager",
            image: `${image.repository}:${image.tag}`,
            securityContext: merge(KUEUE_DEFAULTS.containerSecurityContext, m.containerSecurityContext),
            resources: merge(KUEUE_DEFAULTS.resources, m.resources),
            livenessProbe: probe("/healthz", merge(KUEUE_DEFAULTS.livenessProbe, cm.livenessProbe)),
            readinessProbe: probe("/readyz", merge(KUEUE_DEFAULTS.readinessProbe, cm.readinessProbe)),
        }],
    }, DEPLOYMENT);
}

/**
 * metrics-server chart 3.13.1 (kubernetes-sigs/metrics-server tag metrics-server-helm-chart-3.13.1,
 * `charts/metrics-server/values.yaml`, `templates/deployment.yaml`, `_helpers.tpl`): one Deployment,
 * ServiceAccount `<fullname>` (serviceAccount.create), no `automountServiceAccountToken` (the token
 * is mounted), pod context `podSecurityContext` (default `{}`), container context `securityContext`
 * (default: non-root uid 1000, read-only root, no escalation, drop ALL, RuntimeDefault), liveness
 * GET /livez and readiness GET /readyz on `https`, `resources` (default requests only), the `tmp`
 * emptyDir, `hostNetwork.enabled` (default false). The addon-resizer nanny is off by default.
 */
const METRICS_SERVER_DEFAULTS = {
    image: { repository: "registry.k8s.io/metrics-server/metrics-server", tag: "v0.8.1" }, // tag "" -> "v" + appVersion 0.8.1
    podSecurityContext: {},
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" }, capabilities: { drop: ["ALL"] } },
    livenessProbe: { httpGet: { path: "/livez", port: "https", scheme: "HTTPS" }, initialDelaySeconds: 0, periodSeconds: 10, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: "/readyz", port: "https", scheme: "HTTPS" }, initialDelaySeconds: 20, periodSeconds: 10, failureThreshold: 3 },
    resources: { requests: { cpu: "100m", memory: "200Mi" } },
};

function metricsServerPod(release: Res, ms: any): Res {
    const name = ms.fullnameOverride || release.inputs.name || "metrics-server";
    const image = merge(METRICS_SERVER_DEFAULTS.image, ms.image);
    return workload(release, ms.nameOverride || "metrics-server", String(release.inputs.namespace ?? ""), ms.replicas ?? 1, {
        serviceAccountName: (ms.serviceAccount?.create ?? true) ? (ms.serviceAccount?.name || name) : (ms.serviceAccount?.name || "default"),
        securityContext: merge(METRICS_SERVER_DEFAULTS.podSecurityContext, ms.podSecurityContext),
        hostNetwork: ms.hostNetwork?.enabled ?? false,
        topologySpreadConstraints: ms.topologySpreadConstraints,
        volumes: [{ name: "tmp", emptyDir: {} }],
        containers: [{
            name: "metrics-server",
            image: `${image.repository}:${image.tag || "v0.8.1"}`,
            securityContext: merge(METRICS_SERVER_DEFAULTS.securityContext, ms.securityContext),
            resources: merge(METRICS_SERVER_DEFAULTS.resources, ms.resources),
            livenessProbe: merge(METRICS_SERVER_DEFAULTS.livenessProbe, ms.livenessProbe),
            readinessProbe: merge(METRICS_SERVER_DEFAULTS.readinessProbe, ms.readinessProbe),
        }],
    }, DEPLOYMENT);
}

/** The serving and queueing layers' charts (issue 16, K8S-14): Kueue's controller and metrics-server. */
export function servingAndQueuePods(r: Res, values: any): Res[] {
    switch (chartOf(r)) {
        case "kueue":
            return [kueuePod(r, values)];
        case "metrics-server":
            return [metricsServerPod(r, values)];
        default:
            return [];
    }
}
