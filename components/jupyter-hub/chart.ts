import { resources } from "../shared/security-context";

/** Helm release name. z2jh's `fullnameOverride: ""` default keeps Service names unprefixed (`hub`, `proxy-public`). */
export const JUPYTERHUB_RELEASE = "jupyterhub";

/** The proxy's own ServiceAccount (the chart would leave it on the namespace's default). */
export const PROXY_SERVICE_ACCOUNT = "proxy";

/** Restricted container context for the chart's own pods (hub, proxy, user scheduler). */
export const CHART_CONTAINER_CONTEXT = {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/** z2jh `proxy` values: configurable-http-proxy behind a ClusterIP Service, on its own ServiceAccount. */
export function proxyValues() {
    return {
        service: { type: "ClusterIP" },
        chp: {
            // configurable-http-proxy keeps its routes in memory and logs to stdout: nothing to write.
            containerSecurityContext: { ...CHART_CONTAINER_CONTEXT, runAsUser: 65534, runAsGroup: 65534, readOnlyRootFilesystem: true },
            // K8S-11: z2jh 4.4.0 templates/proxy/deployment.yaml writes no serviceAccountName and no
            // automountServiceAccountToken; extraPodSpec is the pod spec's only hook. The proxy never calls the API.
            extraPodSpec: { serviceAccountName: PROXY_SERVICE_ACCOUNT, automountServiceAccountToken: false },
            resources: resources("50m", "128Mi", "512Mi"),
            pdb: { enabled: false },
        },
    };
}

/**
 * z2jh `scheduling` values: the user scheduler's pods (z2jh 4.4.0
 * `templates/scheduling/user-scheduler/deployment.yaml`: kube-scheduler, 2 replicas by default).
 */
export function schedulingValues() {
    return {
        userScheduler: {
            // Read-only root (K8S-06): kube-scheduler reads its config from the chart's ConfigMap,
            // logs to stderr, and keeps the self-signed serving certificate of its /healthz port in
            // memory (kubernetes cmd/kube-scheduler/app/options/options.go NewOptions: "leave
            // certificate directory blank to generate in-memory by default"; the template passes no
            // --cert-dir or --tls-cert-file). Leader election and binding go through the API.
            containerSecurityContext: { ...CHART_CONTAINER_CONTEXT, runAsUser: 65534, runAsGroup: 65534, readOnlyRootFilesystem: true },
            resources: resources("50m", "256Mi", "512Mi"),
            pdb: { enabled: false },
            // K8S-12: the two replicas in different zones where there are several. ScheduleAnyway:
            // a sandbox with one CPU node still runs both. The template's pod labels include the
            // legacy `component` and `release` (_helpers.tpl matchLabelsLegacyAndModern).
            extraPodSpec: {
                topologySpreadConstraints: [{
                    maxSkew: 1,
                    topologyKey: "topology.kubernetes.io/zone",
                    whenUnsatisfiable: "ScheduleAnyway",
                    labelSelector: { matchLabels: { component: "user-scheduler", release: JUPYTERHUB_RELEASE } },
                }],
            },
        },
    };
}

/** z2jh `prePuller` values: the continuous image puller only. */
export function prePullerValues() {
    return {
        // The pullers run on untainted nodes only, so pulling every profile image would put the
        // multi-GB CUDA image on every CPU node and never on the GPU nodes; only the default image is pre-pulled.
        pullProfileListImages: false,
        // No install-time hook: z2jh 4.4.0's hook-image-awaiter Job (pre-install/pre-upgrade,
        // templates/image-puller/job.yaml) holds `helm install` until the hook DaemonSet has
        // pulled the notebook image on every node, minutes on a fresh stack. The continuous
        // puller stays on (it pulls on every node, new ones too) and does not hold the install:
        // its DaemonSet has maxUnavailable 100% (_helpers-daemonset.tpl), so helm's wait
        // (pkg/kube/ready.go daemonSetReady: desired - maxUnavailable) expects 0 ready pods.
        hook: { enabled: false },
        continuous: { enabled: true },
        // z2jh 4.4.0 gives every puller container (init containers that only `echo`, then
        // pause) `prePuller.resources` (default {}: none) and the chart's security context,
        // which lacks a read-only root; none of them writes anything.
        resources: resources("10m", "16Mi", "32Mi"),
        containerSecurityContext: { ...CHART_CONTAINER_CONTEXT, runAsUser: 65534, runAsGroup: 65534, readOnlyRootFilesystem: true },
        pause: { containerSecurityContext: { ...CHART_CONTAINER_CONTEXT, runAsUser: 65534, runAsGroup: 65534, readOnlyRootFilesystem: true } },
    };
}
