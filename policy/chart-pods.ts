/**
 * Pods that a chart or an operator renders, reproduced from the values the program passes, so the
 * K8S-* checks read them like the program's own workloads (checklist K8S-14). Each model takes
 * what the values set, and what the chart or operator always sets, from the pinned source:
 *
 * - Prometheus and Alertmanager (kube-prometheus-stack 88.5.3 values, prometheus-operator v0.93.0):
 *   pod `securityContext` from `prometheusSpec`/`alertmanagerSpec.securityContext` (chart default:
 *   uid 1000, runAsNonRoot, RuntimeDefault seccomp, `values.yaml`); the operator gives the main
 *   container and the config-reloader no escalation, a read-only root and `drop: [ALL]`
 *   (`pkg/prometheus/server/statefulset.go`, `pkg/alertmanager/statefulset.go` ~L716,
 *   `pkg/operator/config_reloader.go` ~L369) and distinct liveness/readiness probes to the main
 *   container (same files); the reloader's resources come from
 *   `prometheusOperator.prometheusConfigReloader.resources` (chart default `{}`: none).
 *   Images are the operator's defaults at the chart's pinned tags.
 * - The prometheus-operator Deployment, Grafana with its dashboard and datasource sidecars, and
 *   kube-state-metrics, and the node-exporter DaemonSet, from the same release's values over the defaults tables below (each cites
 *   its subchart's version and file).
 * - The DCGM exporter and the NVIDIA device plugin DaemonSets, and the ECK operator's StatefulSet
 *   (tables below, each cited).
 * - Elasticsearch and Kibana from the ECK custom resources' pod templates over ECK 3.5.0's defaults.
 * - The cluster autoscaler and the AWS Load Balancer Controller Deployments (tables below, each cited).
 *
 * A model records only what it knows; anything it cannot see counts as unset, so a check fails
 * rather than passes on a guess. Charts not modelled here are listed in the README.
 */
import { chartOf } from "./chart-rbac";
import { of, Res } from "./checks";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const DAEMON_SET = "kubernetes:apps/v1:DaemonSet";
const ELASTICSEARCH = "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch";
const KIBANA = "kubernetes:kibana.k8s.elastic.co/v1:Kibana";
const OPERATOR_CONTAINER_CONTEXT = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };
/** kube-prometheus-stack 88.5.3 `values.yaml` default for both Spec.securityContext. */
const KPS_POD_CONTEXT = { runAsGroup: 2000, runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } };

/** A synthetic workload record for a rendered pod; its name says which release renders it. */
function workload(release: Res, app: string, namespace: string, replicas: number, spec: Record<string, unknown>, type = STATEFUL_SET): Res {
    return {
        type,
        name: `${release.name}/${app}`,
        urn: release.urn,
        inputs: {
            metadata: { namespace, labels: { "app.kubernetes.io/name": app } },
            spec: { replicas, template: { metadata: { labels: { "app.kubernetes.io/name": app } }, spec } },
        },
    };
}

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

/** Helm's map merge (values over chart defaults, key by key; a `null` removes the key). */
function merge(base: any, over: any): any {
    if (over === undefined) {
        return base;
    }
    if (base === null || typeof base !== "object" || Array.isArray(base) || over === null || typeof over !== "object" || Array.isArray(over)) {
        return over;
    }
    const out: any = { ...base };
    for (const [k, val] of Object.entries(over)) {
        if (val === null) {
            delete out[k];
        } else {
            out[k] = merge(base[k], val);
        }
    }
    return out;
}

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

function dcgmPod(release: Res, d: any): Res {
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

/**
 * nvidia-device-plugin chart 0.20.0 (NVIDIA/k8s-device-plugin v0.20.0,
 * `deployments/helm/nvidia-device-plugin/templates/daemonset-device-plugin.yml`, `_helpers.tpl`):
 * the pod takes `podSecurityContext`; every container takes `securityContext` when it is non-empty,
 * else `privileged: true` under compatWithCPUManager, else SYS_ADMIN when a MIG strategy or the
 * volume-mounts list strategy needs it, else no escalation and drop ALL. No probes, no
 * `automountServiceAccountToken` field (the token is mounted); hostPath volumes for the kubelet's
 * device-plugins directory, MPS and CDI. A config map adds an init container and a sidecar.
 */
function devicePluginPod(release: Res, p: any): Res {
    const migNone = (p.migStrategy ?? "none") === "none";
    const hasConfigMap = Boolean(p.config?.name) || Object.keys(p.config?.map ?? {}).length > 0;
    const volumeMounts = [].concat(p.deviceListStrategy ?? []).includes("volume-mounts" as never);
    const context = Object.keys(p.securityContext ?? {}).length > 0 ? p.securityContext
        : p.compatWithCPUManager ? { privileged: true }
        : (!migNone || hasConfigMap || volumeMounts) ? { capabilities: { add: ["SYS_ADMIN"] } }
        : { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
    const image = `${p.image?.repository ?? "nvcr.io/nvidia/k8s-device-plugin"}:${p.image?.tag || "v0.20.0"}`;
    const container = (name: string) => ({ name, image, securityContext: context, resources: name === "nvidia-device-plugin-ctr" ? p.resources : undefined });
    const mpsRoot = p.mps?.root ?? "/run/nvidia/mps";
    return workload(release, "nvidia-device-plugin", String(release.inputs.namespace ?? ""), 1, {
        serviceAccountName: `${release.inputs.name ?? "nvidia-device-plugin"}-service-account`,
        hostNetwork: p.devicePlugin?.enableHostNetwork === true,
        securityContext: p.podSecurityContext ?? {},
        volumes: [
            { name: "kubelet-device-plugins-dir", hostPath: { path: "/var/lib/kubelet/device-plugins" } },
            { name: "mps-root", hostPath: { path: mpsRoot } },
            { name: "mps-shm", hostPath: { path: `${mpsRoot}/shm` } },
            { name: "cdi-root", hostPath: { path: "/var/run/cdi" } },
        ],
        ...(hasConfigMap ? { initContainers: [container("nvidia-device-plugin-init")] } : {}),
        containers: [...(hasConfigMap ? [container("nvidia-device-plugin-sidecar")] : []), container("nvidia-device-plugin-ctr")],
    }, DAEMON_SET);
}

/**
 * eck-operator chart 3.5.0 (elastic/cloud-on-k8s v3.5.0 `deploy/eck-operator/values.yaml`,
 * `templates/statefulset.yaml`): one StatefulSet (`replicaCount`) whose pod takes
 * `podSecurityContext` and `automountServiceAccountToken`, whose container takes
 * `securityContext` and `resources`; the template renders no probes. Image tag: appVersion.
 */
const ECK_OPERATOR_DEFAULTS = {
    podSecurityContext: { runAsNonRoot: true },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true },
    resources: { limits: { cpu: 1, memory: "1Gi" }, requests: { cpu: "100m", memory: "150Mi" } },
};

function eckOperatorPod(release: Res, e: any): Res {
    return workload(release, e.nameOverride ?? "eck-operator", String(release.inputs.namespace ?? ""), e.replicaCount ?? 1, {
        serviceAccountName: e.serviceAccount?.name || `${release.inputs.name ?? "eck-operator"}`,
        automountServiceAccountToken: e.automountServiceAccountToken ?? true,
        securityContext: merge(ECK_OPERATOR_DEFAULTS.podSecurityContext, e.podSecurityContext),
        containers: [{
            name: "manager",
            image: `${e.image?.repository ?? "docker.elastic.co/eck/eck-operator"}:${e.image?.tag ?? "3.5.0"}`,
            securityContext: merge(ECK_OPERATOR_DEFAULTS.securityContext, e.securityContext),
            resources: merge(ECK_OPERATOR_DEFAULTS.resources, e.resources),
        }],
    });
}

/*
 * Elasticsearch and Kibana pods as ECK 3.5.0 renders them from the custom resources' pod templates
 * (elastic/cloud-on-k8s v3.5.0). The builder (`pkg/controller/common/defaults/pod_template.go`)
 * keeps what the template sets and fills the rest: `automountServiceAccountToken: false` unless
 * set; the pod security context only when the template has none (`WithPodSecurityContext`); each
 * container's and init container's security context only when it has none
 * (`WithContainersSecurityContext`); init containers without resources take the main container's
 * (`WithInitContainerDefaults`, `container/defaulter.go` WithResources); a readiness probe only.
 */
/** `elasticsearch/nodespec/podspec.go` (pod default), `elasticsearch/securitycontext/securitycontext.go` For(>= 8.8; read-only root: see esDataMounted). */
const ES_DEFAULTS = {
    podSecurityContext: { fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
    containerSecurityContext: { privileged: false, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true },
    // `nodespec/readiness_probe.go` NewReadinessProbe (>= 8.2: the readiness-port script).
    readinessProbe: { exec: { command: ["bash", "-c", "/mnt/elastic-internal/scripts/readiness-port-script.sh"] }, failureThreshold: 3, initialDelaySeconds: 10, periodSeconds: 5, successThreshold: 1, timeoutSeconds: 5 },
    // `elasticsearch/initcontainer/prepare_fs.go` defaultResources; `suspend.go` sets none.
    prepareFsResources: { requests: { cpu: "100m", memory: "50Mi" }, limits: { cpu: "100m", memory: "50Mi" } },
};
/** `kibana/securitycontext.go`, `kibana/pod.go` (readiness GET /api/status on 5601 from 8.16; TLS on by default), `kibana/initcontainer/prepare_fs.go`. */
const KIBANA_DEFAULTS = {
    podSecurityContext: { fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
    containerSecurityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, privileged: false, readOnlyRootFilesystem: true, runAsUser: 1000, runAsGroup: 1000 },
    readinessProbe: { httpGet: { port: 5601, path: "/api/status", scheme: "HTTPS" }, failureThreshold: 3, initialDelaySeconds: 10, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 5 },
    // Kibana 9 memory default (`DefaultResources`: 2Gi request and limit, no CPU).
    resources: { requests: { memory: "2Gi" }, limits: { memory: "2Gi" } },
    initResources: { requests: { cpu: "100m", memory: "50Mi" }, limits: { cpu: "100m", memory: "50Mi" } },
};

/** An ECK pod: the template's containers over ECK's defaults, the main one named `main`. */
function eckPod(template: any, main: string, d: { podSecurityContext: object; containerSecurityContext: object; readinessProbe: object; resources?: object },
    image: string, inits: { name: string; resources?: object }[]) {
    const spec = template?.spec ?? {};
    const user = (spec.containers ?? []).find((c: any) => c.name === main) ?? {};
    const mainResources = user.resources ?? d.resources;
    const container = (c: any, resources: any) => ({ ...c, securityContext: c.securityContext ?? d.containerSecurityContext, resources: c.resources ?? resources });
    return {
        ...spec,
        automountServiceAccountToken: spec.automountServiceAccountToken ?? false,
        securityContext: spec.securityContext ?? d.podSecurityContext,
        initContainers: [...inits.map((i) => container({ name: i.name, image }, i.resources ?? mainResources)), ...(spec.initContainers ?? []).map((c: any) => container(c, mainResources))],
        containers: [
            container({ ...user, name: main, image: user.image ?? image, readinessProbe: user.readinessProbe ?? d.readinessProbe }, mainResources),
            ...(spec.containers ?? []).filter((c: any) => c.name !== main).map((c: any) => container(c, undefined)),
        ],
    };
}

/**
 * Whether ECK mounts the `elasticsearch-data` volume, which alone earns its containers a read-only
 * root (`nodespec/podspec.go`): a claim of that name, a pod volume of that name, or no claims at all
 * (then ECK adds its default claim: `common/defaults/pvc.go` AppendDefaultPVCs, `volume/defaults.go`).
 */
function esDataMounted(nodeSet: any): boolean {
    const claims: any[] = nodeSet.volumeClaimTemplates ?? [];
    const named = (xs: any[]) => xs.some((x) => (x.metadata?.name ?? x.name) === "elasticsearch-data");
    return claims.length === 0 || named(claims) || named(nodeSet.podTemplate?.spec?.volumes ?? []);
}

function eckWorkloads(cr: Res): Res[] {
    const namespace = String(cr.inputs.metadata?.namespace ?? "");
    const version = String(cr.inputs.spec?.version ?? "");
    if (cr.type === ELASTICSEARCH) {
        const image = cr.inputs.spec?.image ?? `docker.elastic.co/elasticsearch/elasticsearch:${version}`;
        return (cr.inputs.spec?.nodeSets ?? []).map((n: any) => workload(cr, "elasticsearch", namespace, n.count ?? 1,
            eckPod(n.podTemplate, "elasticsearch", { ...ES_DEFAULTS, containerSecurityContext: { ...ES_DEFAULTS.containerSecurityContext, readOnlyRootFilesystem: esDataMounted(n) } }, image, [{ name: "elastic-internal-init-filesystem", resources: ES_DEFAULTS.prepareFsResources }, { name: "elastic-internal-suspend" }])));
    }
    if (cr.type === KIBANA) {
        const image = cr.inputs.spec?.image ?? `docker.elastic.co/kibana/kibana:${version}`;
        return [workload(cr, "kibana", namespace, cr.inputs.spec?.count ?? 1,
            eckPod(cr.inputs.spec?.podTemplate, "kibana", KIBANA_DEFAULTS, image, [{ name: "elastic-internal-init", resources: KIBANA_DEFAULTS.initResources }]), DEPLOYMENT)];
    }
    return [];
}

/**
 * jupyterhub (z2jh) 4.4.0 `values.yaml`, `templates/hub/deployment.yaml`, `templates/proxy/deployment.yaml`,
 * `templates/image-puller/_helpers-daemonset.tpl`. The hub runs as its own ServiceAccount (created
 * by default) and the template writes no `automountServiceAccountToken` (the token is mounted); both
 * hub probes GET /hub/health with different timing. The proxy's template writes no ServiceAccount and
 * no pod securityContext, only what `proxy.chp.extraPodSpec` adds; both probes GET /_chp_healthz on
 * `http`. The continuous puller: own ServiceAccount, no token, init containers pulling the
 * singleuser image (and the iptables image with `cloudMetadata.blockWithIptables`, default true),
 * all with `prePuller.resources`/`containerSecurityContext`, then `pause` without probes.
 * The hub's volumes: the config ConfigMap and the hub Secret (read-only by kind), `hub.extraVolumes`,
 * and with `hub.db.type: sqlite-pvc` the PVC at /srv/jupyterhub.
 * The user scheduler (`templates/scheduling/user-scheduler/deployment.yaml`, `scheduling.userScheduler`):
 * `replicas` (default 2), its own ServiceAccount and no `automountServiceAccountToken`, no pod
 * securityContext, one `kube-scheduler` container with the values' `containerSecurityContext`
 * (merged over the chart default) and `resources` (default {}: none), both probes GET /healthz on
 * 10259 over HTTPS, liveness after 15 s; then `extraPodSpec`.
 * Image tags in the chart are set by chartpress at release: 4.4.0.
 * Names: `fullnameOverride` defaults to "" (values.yaml), so resources are unprefixed
 * (`_helpers-names.tpl` jupyterhub.fullname.dash).
 */
const Z2JH_DEFAULTS = {
    hub: {
        podSecurityContext: { runAsNonRoot: true, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
        containerSecurityContext: { runAsUser: 1000, runAsGroup: 1000, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        livenessProbe: { enabled: true, initialDelaySeconds: 300, periodSeconds: 10, failureThreshold: 30, timeoutSeconds: 3 },
        readinessProbe: { enabled: true, initialDelaySeconds: 0, periodSeconds: 2, failureThreshold: 1000, timeoutSeconds: 1 },
    },
    chp: {
        containerSecurityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
        livenessProbe: { enabled: true, initialDelaySeconds: 60, periodSeconds: 10, failureThreshold: 30, timeoutSeconds: 3 },
        readinessProbe: { enabled: true, initialDelaySeconds: 0, periodSeconds: 2, failureThreshold: 1000, timeoutSeconds: 1 },
    },
    puller: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
    userScheduler: {
        replicas: 2,
        containerSecurityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
        image: "registry.k8s.io/kube-scheduler:v1.30.14",
    },
};

/** `jupyterhub.fullname.dash`: "" for the default `fullnameOverride: ""`, else `<fullname>-`. */
function z2jhPrefix(release: Res, j: any): string {
    const override = j.fullnameOverride === undefined ? "" : j.fullnameOverride;
    if (typeof override === "string") {
        return override === "" ? "" : `${override}-`;
    }
    const name = j.nameOverride || "jupyterhub";
    const rel = String(release.inputs.name ?? "jupyterhub");
    return `${rel.includes(name) ? rel : `${rel}-${name}`}-`;
}

/** A z2jh probe: the template fixes the handler, the values give timing or turn it off. */
function z2jhProbe(defaults: object, p: any, path: string) {
    const m = merge(defaults, p);
    if (m.enabled === false) {
        return undefined;
    }
    const { enabled: _enabled, ...timing } = m;
    return { ...timing, httpGet: { path, port: "http" } };
}

function jupyterHubPods(release: Res, j: any): Res[] {
    const namespace = String(release.inputs.namespace ?? "");
    const fullname = (role: string) => `${z2jhPrefix(release, j)}${role}`;
    const h = j.hub ?? {};
    const base = String(h.baseUrl ?? "/").replace(/\/$/, "");
    const pvc = (h.db?.type ?? "sqlite-pvc") === "sqlite-pvc";
    const out = [workload(release, "hub", namespace, 1, {
        serviceAccountName: (h.serviceAccount?.create ?? true) ? (h.serviceAccount?.name ?? "hub") : h.serviceAccount?.name,
        securityContext: merge(Z2JH_DEFAULTS.hub.podSecurityContext, h.podSecurityContext),
        initContainers: h.initContainers ?? [],
        volumes: [
            { name: "config", configMap: { name: fullname("hub") } },
            { name: "secret", secret: { secretName: fullname("hub") } },
            ...(h.extraVolumes ?? []),
            ...(pvc ? [{ name: "pvc", persistentVolumeClaim: { claimName: fullname("hub-db-dir") } }] : []),
        ],
        containers: [{
            name: "hub",
            image: `quay.io/jupyterhub/k8s-hub:${h.image?.tag ?? "4.4.0"}`,
            securityContext: merge(Z2JH_DEFAULTS.hub.containerSecurityContext, h.containerSecurityContext),
            volumeMounts: [
                { mountPath: "/usr/local/etc/jupyterhub/jupyterhub_config.py", subPath: "jupyterhub_config.py", name: "config" },
                { mountPath: "/usr/local/etc/jupyterhub/z2jh.py", subPath: "z2jh.py", name: "config" },
                { mountPath: "/usr/local/etc/jupyterhub/config/", name: "config" },
                { mountPath: "/usr/local/etc/jupyterhub/secret/", name: "secret" },
                ...(h.extraVolumeMounts ?? []),
                ...(pvc ? [{ mountPath: "/srv/jupyterhub", name: "pvc" }] : []),
            ],
            resources: h.resources,
            livenessProbe: z2jhProbe(Z2JH_DEFAULTS.hub.livenessProbe, h.livenessProbe, `${base}/hub/health`),
            readinessProbe: z2jhProbe(Z2JH_DEFAULTS.hub.readinessProbe, h.readinessProbe, `${base}/hub/health`),
        }, ...(h.extraContainers ?? [])],
    }, DEPLOYMENT)];
    const c = j.proxy?.chp ?? {};
    out.push(workload(release, "proxy", namespace, 1, {
        containers: [{
            name: "chp",
            image: `quay.io/jupyterhub/configurable-http-proxy:${c.image?.tag ?? "5.2.0"}`,
            securityContext: merge(Z2JH_DEFAULTS.chp.containerSecurityContext, c.containerSecurityContext),
            resources: c.resources,
            livenessProbe: z2jhProbe(Z2JH_DEFAULTS.chp.livenessProbe, c.livenessProbe, "/_chp_healthz"),
            readinessProbe: z2jhProbe(Z2JH_DEFAULTS.chp.readinessProbe, c.readinessProbe, "/_chp_healthz"),
        }],
        ...(c.extraPodSpec ?? {}),
    }, DEPLOYMENT));
    const u = j.scheduling?.userScheduler ?? {};
    if (u.enabled ?? true) {
        const healthz = { httpGet: { path: "/healthz", scheme: "HTTPS", port: 10259 } };
        const ownAccount = u.serviceAccount?.create ?? true;
        out.push(workload(release, "user-scheduler", namespace, u.replicas ?? Z2JH_DEFAULTS.userScheduler.replicas, {
            serviceAccountName: u.serviceAccount?.name || (ownAccount ? fullname("user-scheduler") : "default"),
            volumes: [{ name: "config", configMap: { name: fullname("user-scheduler") } }],
            containers: [{
                name: "kube-scheduler",
                image: u.image?.name && u.image?.tag ? `${u.image.name}:${u.image.tag}` : Z2JH_DEFAULTS.userScheduler.image,
                volumeMounts: [{ mountPath: "/etc/user-scheduler", name: "config" }],
                livenessProbe: { ...healthz, initialDelaySeconds: 15 },
                readinessProbe: healthz,
                resources: u.resources,
                securityContext: merge(Z2JH_DEFAULTS.userScheduler.containerSecurityContext, u.containerSecurityContext),
            }],
            ...(u.extraPodSpec ?? {}),
        }, DEPLOYMENT));
    }
    const p = j.prePuller ?? {};
    if (p.continuous?.enabled ?? true) {
        const s = j.singleuser ?? {};
        const context = merge(Z2JH_DEFAULTS.puller, p.containerSecurityContext);
        const pull = (name: string, image: string) => ({ name, image, securityContext: context, resources: p.resources });
        const iptables = (s.cloudMetadata?.blockWithIptables ?? true) && s.cloudMetadata?.enabled !== true;
        out.push(workload(release, "continuous-image-puller", namespace, 1, {
            serviceAccountName: fullname("continuous-image-puller"),
            automountServiceAccountToken: false,
            initContainers: [
                ...(iptables ? [pull("image-pull-metadata-block", "quay.io/jupyterhub/k8s-network-tools:4.4.0")] : []),
                pull("image-pull-singleuser", `${s.image?.name}:${s.image?.tag}`),
                ...[...(s.initContainers ?? []), ...(s.extraContainers ?? [])].map((x: any, k: number) => pull(`image-pull-singleuser-init-and-extra-containers-${k}`, x.image)),
                ...((p.pullProfileListImages ?? true) ? (s.profileList ?? []).filter((x: any) => x.kubespawner_override?.image).map((x: any, k: number) => pull(`image-pull-singleuser-profilelist-${k}`, x.kubespawner_override.image)) : []),
                ...Object.entries(p.extraImages ?? {}).map(([k, x]: [string, any]) => pull(`image-pull-${k}`, `${x.name}:${x.tag}`)),
            ],
            containers: [{ name: "pause", image: "registry.k8s.io/pause:3.10.1", securityContext: merge(Z2JH_DEFAULTS.puller, p.pause?.containerSecurityContext), resources: p.resources }],
        }, DAEMON_SET));
    }
    return out;
}

/**
 * cluster-autoscaler 9.59.0 (kubernetes/autoscaler tag cluster-autoscaler-chart-9.59.0,
 * `cluster-autoscaler/charts/cluster-autoscaler`): `values.yaml` leaves `securityContext`,
 * `containerSecurityContext` and `resources` empty, and `templates/deployment.yaml` writes each
 * only from the values (`{{- if .Values.securityContext }}`); it always renders a liveness probe
 * (GET /health-check on 8085), never a readiness probe, and no `automountServiceAccountToken`.
 * Container and `app.kubernetes.io/name` are `<cloudProvider>-cluster-autoscaler` (`_helpers.tpl`
 * `cluster-autoscaler.name`); the ServiceAccount is `rbac.serviceAccount.name` or the fullname.
 */
const AUTOSCALER_DEFAULTS = { image: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.0", cloudProvider: "aws" };

function clusterAutoscalerPod(release: Res, c: any): Res {
    const name = c.nameOverride || `${c.cloudProvider ?? AUTOSCALER_DEFAULTS.cloudProvider}-cluster-autoscaler`;
    const releaseName = String(release.inputs.name ?? "cluster-autoscaler");
    const fullname = c.fullnameOverride || (name === releaseName ? name : `${releaseName}-${name}`);
    const sa = c.rbac?.serviceAccount ?? {};
    const [repository, tag] = AUTOSCALER_DEFAULTS.image.split(/:(?=[^:]+$)/);
    const nonEmpty = (x: any) => (x !== undefined && x !== null && Object.keys(x).length > 0 ? x : undefined);
    return workload(release, name, String(release.inputs.namespace ?? ""), c.replicaCount ?? 1, {
        serviceAccountName: (sa.create ?? true) ? (sa.name || fullname) : (sa.name || "default"),
        hostNetwork: c.hostNetwork ?? false,
        securityContext: nonEmpty(c.securityContext),
        topologySpreadConstraints: c.topologySpreadConstraints ?? [],
        containers: [{
            name,
            image: `${c.image?.repository ?? repository}:${c.image?.tag ?? tag}`,
            securityContext: nonEmpty(c.containerSecurityContext),
            resources: c.resources,
            livenessProbe: { httpGet: { path: "/health-check", port: 8085 } },
        }],
    }, DEPLOYMENT);
}

/**
 * aws-load-balancer-controller 3.5.0 (aws/eks-charts `stable/aws-load-balancer-controller`,
 * commit 5239609 "v3.5.0"): `values.yaml` defaults below; `templates/deployment.yaml` renders the
 * pod `securityContext` from `podSecurityContext`, the container's from `securityContext`, both
 * probes from their values (`{{- with }}`: an empty map renders none), `topologySpreadConstraints`
 * as given, and no `automountServiceAccountToken` on the pod, so the ServiceAccount's
 * (`serviceAccount.automountServiceAccountToken`, default true, `templates/serviceaccount.yaml`)
 * decides. Container and `app.kubernetes.io/name`: the chart name (`_helpers.tpl`).
 */
const LBC_DEFAULTS = {
    replicaCount: 2,
    image: { repository: "public.ecr.aws/eks/aws-load-balancer-controller", tag: "v3.5.0" },
    podSecurityContext: { fsGroup: 65534 },
    securityContext: { readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false },
    livenessProbe: { failureThreshold: 2, httpGet: { path: "/healthz", port: 61779, scheme: "HTTP" }, initialDelaySeconds: 30, timeoutSeconds: 10 },
    readinessProbe: { failureThreshold: 2, httpGet: { path: "/readyz", port: 61779, scheme: "HTTP" }, successThreshold: 1, initialDelaySeconds: 10, timeoutSeconds: 10 },
};

function loadBalancerControllerPod(release: Res, l: any): Res {
    const name = l.nameOverride || "aws-load-balancer-controller";
    const releaseName = String(release.inputs.name ?? name);
    const fullname = l.fullnameOverride || (releaseName.includes(name) ? releaseName : `${releaseName}-${name}`);
    const sa = l.serviceAccount ?? {};
    const probe = (defaults: object, p: any) => {
        const m = merge(defaults, p);
        return m !== null && Object.keys(m).length > 0 ? m : undefined;
    };
    return workload(release, name, String(release.inputs.namespace ?? ""), l.autoscaling?.enabled ? (l.autoscaling.minReplicas ?? 1) : (l.replicaCount ?? LBC_DEFAULTS.replicaCount), {
        serviceAccountName: (sa.create ?? true) ? (sa.name || fullname) : (sa.name || "default"),
        automountServiceAccountToken: sa.automountServiceAccountToken ?? true,
        hostNetwork: l.hostNetwork ?? false,
        securityContext: merge(LBC_DEFAULTS.podSecurityContext, l.podSecurityContext),
        topologySpreadConstraints: l.topologySpreadConstraints ?? [],
        containers: [{
            name,
            image: `${l.image?.repository ?? LBC_DEFAULTS.image.repository}:${l.image?.tag ?? LBC_DEFAULTS.image.tag}`,
            securityContext: merge(LBC_DEFAULTS.securityContext, l.securityContext),
            resources: l.resources,
            livenessProbe: probe(LBC_DEFAULTS.livenessProbe, l.livenessProbe),
            readinessProbe: probe(LBC_DEFAULTS.readinessProbe, l.readinessProbe),
        }],
    }, DEPLOYMENT);
}

/** The workloads the platform's charts and operators render, as K8S-* check input. */
export function renderedWorkloads(rs: readonly Res[]): Res[] {
    const out: Res[] = [];
    for (const cr of of(rs, ELASTICSEARCH, KIBANA)) {
        out.push(...eckWorkloads(cr));
    }
    for (const r of of(rs, RELEASE)) {
        const values = r.inputs.values ?? {};
        if (chartOf(r) === "jupyterhub") {
            out.push(...jupyterHubPods(r, values));
        }
        if (chartOf(r) === "eck-operator") {
            out.push(eckOperatorPod(r, values));
        }
        if (chartOf(r) === "dcgm-exporter") {
            out.push(dcgmPod(r, values));
        }
        if (chartOf(r) === "nvidia-device-plugin" && values.devicePlugin?.enabled !== false) {
            out.push(devicePluginPod(r, values));
        }
        if (chartOf(r) === "cluster-autoscaler") {
            out.push(clusterAutoscalerPod(r, values));
        }
        if (chartOf(r) === "aws-load-balancer-controller") {
            out.push(loadBalancerControllerPod(r, values));
        }
        out.push(...servingAndQueuePods(r, values));
        if (chartOf(r) === "kube-prometheus-stack") {
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
        }
    }
    return out;
}

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
function servingAndQueuePods(r: Res, values: any): Res[] {
    switch (chartOf(r)) {
        case "kueue":
            return [kueuePod(r, values)];
        case "metrics-server":
            return [metricsServerPod(r, values)];
        default:
            return [];
    }
}
