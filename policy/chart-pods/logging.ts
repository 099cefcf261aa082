/** Logging pods: the ECK operator, and Elasticsearch and Kibana as ECK renders them. */
import { Res } from "../checks";
import { DEPLOYMENT, merge, workload } from "./base";

export const ELASTICSEARCH = "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch";
export const KIBANA = "kubernetes:kibana.k8s.elastic.co/v1:Kibana";

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

export function eckOperatorPod(release: Res, e: any): Res {
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

export function eckWorkloads(cr: Res): Res[] {
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
