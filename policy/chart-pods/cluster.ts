/** Cluster add-on pods: NVIDIA device plugin, cluster autoscaler, AWS Load Balancer Controller. */
import { Res } from "../checks";
import { DAEMON_SET, DEPLOYMENT, merge, workload } from "./base";

/**
 * nvidia-device-plugin chart 0.20.0 (NVIDIA/k8s-device-plugin v0.20.0,
 * `deployments/helm/nvidia-device-plugin/templates/daemonset-device-plugin.yml`, `_helpers.tpl`):
 * the pod takes `podSecurityContext`; every container takes `securityContext` when it is non-empty,
 * else `privileged: true` under compatWithCPUManager, else SYS_ADMIN when a MIG strategy or the
 * volume-mounts list strategy needs it, else no escalation and drop ALL. No probes, no
 * `automountServiceAccountToken` field (the token is mounted); hostPath volumes for the kubelet's
 * device-plugins directory, MPS and CDI. A config map adds an init container and a sidecar.
 */
export function devicePluginPod(release: Res, p: any): Res {
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
 * cluster-autoscaler 9.59.0 (kubernetes/autoscaler tag cluster-autoscaler-chart-9.59.0,
 * `cluster-autoscaler/charts/cluster-autoscaler`): `values.yaml` leaves `securityContext`,
 * `containerSecurityContext` and `resources` empty, and `templates/deployment.yaml` writes each
 * only from the values (`{{- if .Values.securityContext }}`); it always renders a liveness probe
 * (GET /health-check on 8085), never a readiness probe, and no `automountServiceAccountToken`.
 * Container and `app.kubernetes.io/name` are `<cloudProvider>-cluster-autoscaler` (`_helpers.tpl`
 * `cluster-autoscaler.name`); the ServiceAccount is `rbac.serviceAccount.name` or the fullname.
 */
const AUTOSCALER_DEFAULTS = { image: "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.0", cloudProvider: "aws" };

export function clusterAutoscalerPod(release: Res, c: any): Res {
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

export function loadBalancerControllerPod(release: Res, l: any): Res {
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
