/** kube-prometheus-stack (Prometheus, Alertmanager, operator, Grafana, kube-state-metrics, node-exporter) and DCGM pods. */
import { Res } from "../checks";
import { DAEMON_SET, DEPLOYMENT, merge, workload } from "./base";

const OPERATOR_CONTAINER_CONTEXT = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };
/** kube-prometheus-stack 88.5.3 `values.yaml` default for both Spec.securityContext. */
const KPS_POD_CONTEXT = { runAsGroup: 2000, runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } };

/** Prometheus or Alertmanager as prometheus-operator renders it from the chart's `<x>Spec`. */
function operatorInstance(release: Res, app: "prometheus" | "alertmanager", s: any, reloader: any, fullname: string): Res {
    // config_reloader.go addProbes (with --enable-config-reloader-probes): one handler for liveness and readiness.
    const reloaderProbe = reloader?.enableProbe === true ? { httpGet: { path: "/healthz", port: "reloader-web" } } : undefined;
    const probe = (path: string) => ({ httpGet: { path, port: "web" } });
    return workload(release, app, String(release.inputs.namespace ?? ""), s.replicas ?? 1, {
        serviceAccountName: `${fullname}-${app}`,
        automountServiceAccountToken: s.automountServiceAccountToken ?? true,
        securityContext: s.securityContext ?? KPS_POD_CONTEXT,
        topologySpreadConstraints: s.topologySpreadConstraints ?? [],
        containers: [
            {
                name: app,
                image: `quay.io/prometheus/${app}:pinned-by-chart`,
                securityContext: OPERATOR_CONTAINER_CONTEXT,
                resources: s.resources,
                livenessProbe: probe("/-/healthy"),
                readinessProbe: probe("/-/ready"),
            },
            {
                name: "config-reloader",
                image: "quay.io/prometheus-operator/prometheus-config-reloader:pinned-by-chart",
                securityContext: OPERATOR_CONTAINER_CONTEXT,
                resources: reloader?.resources,
                livenessProbe: reloaderProbe,
                readinessProbe: reloaderProbe,
            },
        ],
    });
}

/*
 * kube-prometheus-stack 88.5.3's other pods, each from its values merged over the subchart's defaults.
 * Only the defaults the K8S-* checks read are encoded; a value the program sets replaces them
 * (Helm merges maps key by key, so `merge` does the same here).
 */
/** grafana 12.11.1 (grafana-community/helm-charts) `values.yaml` and `templates/_pod.tpl`. */
const GRAFANA_DEFAULTS = {
    automountServiceAccountToken: true,
    securityContext: { runAsNonRoot: true, runAsUser: 472, runAsGroup: 472, fsGroup: 472 },
    containerSecurityContext: { allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
    // `readinessProbe`/`livenessProbe`: both GET /api/health on `grafana`; liveness waits 60s, times out after 30s, allows 10 failures.
    readinessProbe: { httpGet: { path: "/api/health", port: "grafana" } },
    livenessProbe: { httpGet: { path: "/api/health", port: "grafana" }, initialDelaySeconds: 60, timeoutSeconds: 30, failureThreshold: 10 },
    image: "docker.io/grafana/grafana:13.2.0", // tag "" -> appVersion 13.2.0
    sidecar: {
        image: "quay.io/kiwigrid/k8s-sidecar:2.10.1",
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
        // `readinessProbe: {}`, `livenessProbe: {}`: none unless set, one value for every sidecar.
    },
};
/** kube-state-metrics 8.4.0 `values.yaml` / `templates/deployment.yaml` (probes: GET /livez on http, /readyz on metrics). */
const KSM_DEFAULTS = {
    automountServiceAccountToken: true,
    securityContext: { runAsGroup: 65534, runAsUser: 65534, fsGroup: 65534, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containerSecurityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    image: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.20.0", // tag "" -> "v" + appVersion
};
/**
 * kube-prometheus-stack 88.5.3 `prometheusOperator` defaults (`values.yaml`) and
 * `templates/prometheus-operator/deployment.yaml`: both probes GET /healthz on `http` with
 * `<x>Probe.{initialDelaySeconds,periodSeconds,timeoutSeconds,successThreshold,failureThreshold}`
 * (defaults 0, 10, 1, 1, 3 for both: identical unless the values set them apart).
 */
const OPERATOR_DEFAULTS = {
    automountServiceAccountToken: true,
    securityContext: { fsGroup: 65534, runAsGroup: 65534, runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
    containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
    probe: { enabled: true, failureThreshold: 3, initialDelaySeconds: 0, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 1 },
    image: "quay.io/prometheus-operator/prometheus-operator:v0.93.1", // tag "" -> the chart's appVersion
};

/** An operator probe as the chart template renders it, or none when `enabled: false`. */
function operatorProbe(p: any) {
    const m = merge(OPERATOR_DEFAULTS.probe, p);
    if (m.enabled === false) {
        return undefined;
    }
    const { enabled: _enabled, ...timing } = m;
    return { httpGet: { path: "/healthz", port: "http", scheme: "HTTP" }, ...timing };
}

function grafanaPod(release: Res, g: any, namespace: string): Res {
    const sc = g.sidecar ?? {};
    const sidecarContext = merge(GRAFANA_DEFAULTS.sidecar.securityContext, sc.securityContext);
    const sidecar = (name: string) => ({
        name,
        image: GRAFANA_DEFAULTS.sidecar.image,
        securityContext: sidecarContext,
        resources: sc.resources,
        // `{{- with .Values.sidecar.livenessProbe }}`: an empty map renders no probe.
        livenessProbe: Object.keys(sc.livenessProbe ?? {}).length > 0 ? sc.livenessProbe : undefined,
        readinessProbe: Object.keys(sc.readinessProbe ?? {}).length > 0 ? sc.readinessProbe : undefined,
    });
    // kube-prometheus-stack enables both sidecars (values.yaml `grafana.sidecar.*.enabled: true`).
    const containers: any[] = [];
    if (sc.dashboards?.enabled ?? true) {
        containers.push(sidecar("grafana-sc-dashboard"));
    }
    if (sc.datasources?.enabled ?? true) {
        containers.push(sidecar("grafana-sc-datasources"));
    }
    containers.push({
        name: "grafana",
        image: GRAFANA_DEFAULTS.image,
        securityContext: merge(GRAFANA_DEFAULTS.containerSecurityContext, g.containerSecurityContext),
        resources: g.resources,
        livenessProbe: merge(GRAFANA_DEFAULTS.livenessProbe, g.livenessProbe),
        readinessProbe: merge(GRAFANA_DEFAULTS.readinessProbe, g.readinessProbe),
    });
    return workload(release, "grafana", g.namespaceOverride || namespace, g.replicas ?? 1, {
        serviceAccountName: `${release.inputs.name ?? "kube-prometheus-stack"}-grafana`,
        automountServiceAccountToken: g.automountServiceAccountToken ?? GRAFANA_DEFAULTS.automountServiceAccountToken,
        securityContext: merge(GRAFANA_DEFAULTS.securityContext, g.securityContext),
        containers,
    }, DEPLOYMENT);
}

function kubeStateMetricsPod(release: Res, k: any, namespace: string): Res {
    // `{{- if .Values.securityContext.enabled }}` and `omit ... "enabled"`.
    const pod = merge({ enabled: true, ...KSM_DEFAULTS.securityContext }, k.securityContext);
    const { enabled, ...podContext } = pod;
    return workload(release, "kube-state-metrics", k.namespaceOverride || namespace, k.replicas ?? 1, {
        serviceAccountName: `${release.inputs.name ?? "kube-prometheus-stack"}-kube-state-metrics`,
        automountServiceAccountToken: k.automountServiceAccountToken ?? KSM_DEFAULTS.automountServiceAccountToken,
        hostNetwork: k.hostNetwork ?? false,
        securityContext: enabled === false ? undefined : podContext,
        containers: [{
            name: "kube-state-metrics",
            image: KSM_DEFAULTS.image,
            securityContext: merge(KSM_DEFAULTS.containerSecurityContext, k.containerSecurityContext),
            resources: k.resources,
            // The template fixes each probe's path and port; the values only tune timing.
            livenessProbe: { httpGet: { path: "/livez", port: "http" } },
            readinessProbe: { httpGet: { path: "/readyz", port: "metrics" } },
        }],
    }, DEPLOYMENT);
}

function operatorPod(release: Res, o: any, namespace: string, fullname: string): Res {
    return workload(release, "prometheus-operator", namespace, 1, {
        serviceAccountName: `${fullname}-operator`,
        automountServiceAccountToken: o.automountServiceAccountToken ?? OPERATOR_DEFAULTS.automountServiceAccountToken,
        securityContext: merge(OPERATOR_DEFAULTS.securityContext, o.securityContext),
        containers: [{
            name: "kube-prometheus-stack",
            image: OPERATOR_DEFAULTS.image,
            securityContext: merge(OPERATOR_DEFAULTS.containerSecurityContext, o.containerSecurityContext),
            resources: o.resources,
            livenessProbe: operatorProbe(o.livenessProbe),
            readinessProbe: operatorProbe(o.readinessProbe),
        }],
    }, DEPLOYMENT);
}

/**
 * prometheus-node-exporter 4.56.1 `values.yaml` / `templates/daemonset.yaml`: host network and PID,
 * hostPath /proc, /sys and (hostRootFsMount) /; both probes GET / on the service port with the same
 * default timing; token only with `serviceAccount.automountServiceAccountToken` or kube-rbac-proxy.
 */
const NODE_EXPORTER_DEFAULTS = {
    securityContext: { fsGroup: 65534, runAsGroup: 65534, runAsNonRoot: true, runAsUser: 65534 },
    containerSecurityContext: { readOnlyRootFilesystem: true },
    probe: { failureThreshold: 3, httpGet: { httpHeaders: [], scheme: "http" }, initialDelaySeconds: 0, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 1 },
    image: "quay.io/prometheus/node-exporter:v1.12.1", // tag "" -> "v" + appVersion (kube-prometheus-stack adds -distroless)
};

function nodeExporterPod(release: Res, n: any, namespace: string): Res {
    const probe = (p: any) => {
        const m = merge(NODE_EXPORTER_DEFAULTS.probe, p);
        return { httpGet: { path: "/", port: n.service?.portName ?? "http-metrics", scheme: String(m.httpGet?.scheme ?? "http").toUpperCase() },
            initialDelaySeconds: m.initialDelaySeconds, periodSeconds: m.periodSeconds, successThreshold: m.successThreshold, timeoutSeconds: m.timeoutSeconds, failureThreshold: m.failureThreshold };
    };
    const volumes = [{ name: "proc", hostPath: { path: "/proc" } }, { name: "sys", hostPath: { path: "/sys" } }];
    if (n.hostRootFsMount?.enabled ?? true) {
        volumes.push({ name: "root", hostPath: { path: "/" } });
    }
    return workload(release, "prometheus-node-exporter", n.namespaceOverride || namespace, 1, {
        serviceAccountName: `${release.inputs.name ?? "kube-prometheus-stack"}-prometheus-node-exporter`,
        automountServiceAccountToken: (n.serviceAccount?.automountServiceAccountToken ?? false) || (n.kubeRBACProxy?.enabled ?? false),
        securityContext: merge(NODE_EXPORTER_DEFAULTS.securityContext, n.securityContext),
        hostNetwork: n.hostNetwork ?? true,
        hostPID: n.hostPID ?? true,
        hostIPC: n.hostIPC ?? false,
        volumes,
        containers: [{
            name: "node-exporter",
            image: NODE_EXPORTER_DEFAULTS.image,
            securityContext: merge(NODE_EXPORTER_DEFAULTS.containerSecurityContext, n.containerSecurityContext),
            resources: n.resources,
            livenessProbe: probe(n.livenessProbe),
            readinessProbe: probe(n.readinessProbe),
        }],
    }, DAEMON_SET);
}

/** Every pod kube-prometheus-stack renders, in the order the K8S-* checks have always read them. */
export function kubePrometheusStackPods(r: Res, values: any): Res[] {
    const out: Res[] = [];
    const fullname = values.fullnameOverride ?? r.inputs.name ?? "kube-prometheus-stack";
    const reloader = values.prometheusOperator?.prometheusConfigReloader;
    if (values.prometheus?.enabled !== false) {
        out.push(operatorInstance(r, "prometheus", values.prometheus?.prometheusSpec ?? {}, reloader, fullname));
    }
    if (values.alertmanager?.enabled !== false) {
        out.push(operatorInstance(r, "alertmanager", values.alertmanager?.alertmanagerSpec ?? {}, reloader, fullname));
    }
    const namespace = String(r.inputs.namespace ?? "");
    if (values.prometheusOperator?.enabled !== false) {
        out.push(operatorPod(r, values.prometheusOperator ?? {}, namespace, fullname));
    }
    if (values.grafana?.enabled !== false) {
        out.push(grafanaPod(r, values.grafana ?? {}, namespace));
    }
    if (values.kubeStateMetrics?.enabled !== false) {
        out.push(kubeStateMetricsPod(r, values["kube-state-metrics"] ?? {}, namespace));
    }
    if (values.nodeExporter?.enabled !== false) {
        out.push(nodeExporterPod(r, values["prometheus-node-exporter"] ?? {}, namespace));
    }
    return out;
}

/**
 * dcgm-exporter chart 4.8.2 (NVIDIA/dcgm-exporter tag 4.5.3-4.8.2, `deployment/values.yaml`,
 * `deployment/templates/daemonset.yaml`): `podSecurityContext` ({} by default) is the pod's;
 * `securityContext` the container's (default root, SYS_ADMIN, drop ALL, no escalation); liveness
 * GET /health with initialDelaySeconds 45 and periodSeconds 5, readiness the same GET with only
 * initialDelaySeconds 45; a token only with pod labels/UID enrichment or DRA; hostPath
 * `kubeletPath` (/var/lib/kubelet/pod-resources). Resources default to 100m/128Mi with a 200m CPU limit.
 */
const DCGM_DEFAULTS = {
    securityContext: { runAsNonRoot: false, runAsUser: 0, capabilities: { add: ["SYS_ADMIN"], drop: ["ALL"] }, allowPrivilegeEscalation: false },
    resources: { limits: { cpu: "200m", memory: "512Mi" }, requests: { cpu: "100m", memory: "128Mi" } },
    livenessProbe: { initialDelaySeconds: 45, periodSeconds: 5 },
    readinessProbe: { initialDelaySeconds: 45 },
};

export function dcgmPod(release: Res, d: any): Res {
    const probe = (timing: any) => ({ httpGet: { path: "/health", port: d.service?.port ?? 9400, scheme: d.tlsServerConfig?.enabled ? "HTTPS" : "HTTP" }, ...timing });
    const k = d.kubernetes ?? {};
    return workload(release, d.nameOverride ?? "dcgm-exporter", String(release.inputs.namespace ?? ""), 1, {
        serviceAccountName: `${release.inputs.name ?? "dcgm-exporter"}-dcgm-exporter`,
        automountServiceAccountToken: Boolean(((k.enablePodLabels ?? false) || (k.enablePodUID ?? false)) && (k.rbac?.create ?? true)) || (d.kubernetesDRA?.enabled ?? false),
        hostPID: d.hostPID ?? false,
        hostNetwork: d.hostNetwork ?? false,
        securityContext: d.podSecurityContext ?? {},
        volumes: [{ name: "pod-gpu-resources", hostPath: { path: d.kubeletPath ?? "/var/lib/kubelet/pod-resources" } }],
        containers: [{
            name: "exporter",
            image: d.image?.tag ? `${d.image.repository ?? "nvcr.io/nvidia/k8s/dcgm-exporter"}:${d.image.tag}` : "nvcr.io/nvidia/k8s/dcgm-exporter:4.8.2",
            securityContext: merge(DCGM_DEFAULTS.securityContext, d.securityContext),
            resources: merge(DCGM_DEFAULTS.resources, d.resources),
            livenessProbe: probe(merge(DCGM_DEFAULTS.livenessProbe, d.livenessProbe)),
            readinessProbe: probe(merge(DCGM_DEFAULTS.readinessProbe, d.readinessProbe)),
        }],
    }, DAEMON_SET);
}
