/**
 * Fluentd on every node, in a namespace of its own: it runs as root with hostPath mounts, so its
 * namespace is privileged, and nothing else (no data store) shares it (checklist NS-10). There it
 * gets the platform CA's certificate (no key) and a copy of its Elasticsearch user's Secret, its
 * generated configuration, a ServiceAccount, a ClusterRole that reads pods and namespaces (the
 * kubernetes_metadata filter), and the DaemonSet.
 */
import { createHash } from "crypto";
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { FluentdSettings, renderFluentdConfig } from "../shared/fluentd-config";
import { selectorLabels, standardLabels } from "../shared/labels";
import { defaultDenyIngress, fromNamespace, platformNamespace } from "../shared/namespace";
import { NAMESPACES, ScrapeTarget } from "../shared/platform";
import { resources } from "../shared/security-context";
import { LOGGING_VERSIONS } from "../shared/versions";
import { caMount, DATA_STREAM, ES_CA_DIR, elasticsearchEndpoint } from "./client";
import { FLUENTD_ES_USER } from "./elasticsearch";

/** Fluentd's DaemonSet name; explicit so its own log files can be excluded by name. */
export const FLUENTD_NAME = "fluentd";
/** Fluentd's Prometheus port (fluent-plugin-prometheus default). */
export const FLUENTD_METRICS_PORT = 24231;
/** Host directory for Fluentd's position files and buffers (writable hostPath). */
export const FLUENTD_STATE_DIR = "/var/lib/fluentd";
/** Env var holding Fluentd's Elasticsearch password. */
export const FLUENTD_PASSWORD_ENV = "FLUENT_ELASTICSEARCH_PASSWORD";

/** Fluentd's copy of its Elasticsearch user's password (key `password`), in Fluentd's namespace. */
export const FLUENTD_CREDENTIALS_SECRET = "elasticsearch-fluentd-user";
/** ConfigMap in Fluentd's namespace with the platform CA's certificate (`ca.crt`; public, no key). */
export const FLUENTD_CA_CONFIGMAP = "elasticsearch-ca";

/** Labels selecting Fluentd's pods (Elasticsearch's NetworkPolicy and the PodMonitor use them). */
export const fluentdSelector = (name: string) => selectorLabels(FLUENTD_NAME, name);

/** What {@link fluentd} needs. */
export interface FluentdArgs {
    /** Fluentd's on-disk buffer cap per node, GiB. */
    readonly bufferLimitGiB: number;
    /** Memory request and limit per node. */
    readonly memory: string;
    readonly memoryLimit: string;
    /** Fluentd's Elasticsearch password (the file-realm user's; copied into Fluentd's namespace). */
    readonly password: pulumi.Input<string>;
    /** The CA certificate Elasticsearch's HTTP certificate chains to. */
    readonly caCertPem: pulumi.Input<string>;
    /** What the DaemonSet waits for (Elasticsearch and the retention Job). */
    readonly dependsOn: pulumi.Resource[];
}

/** What {@link fluentd} built. */
export interface FluentdParts {
    /** Fluentd's namespace. */
    readonly namespace: k8s.core.v1.Namespace;
    /** The generated `fluent.conf`. */
    readonly config: string;
    /** Fluentd's metrics as a PodMonitor target. */
    readonly scrapeTarget: ScrapeTarget;
}

/** Fluentd's namespace, CA, credentials, ConfigMap, ServiceAccount, ClusterRole and binding, and DaemonSet. */
export function fluentd(name: string, parent: pulumi.Resource, a: FluentdArgs): FluentdParts {
    const es = elasticsearchEndpoint(NAMESPACES.logging);
    const fdLabels = standardLabels(FLUENTD_NAME, "log-collector", name);
    // hostPath volumes are refused below privileged (Pod Security baseline); nothing else runs here.
    const ns = platformNamespace(`${name}-fluentd-ns`, {
        name: NAMESPACES.fluentd,
        level: "privileged",
        reason: "Fluentd alone: it reads node log files through read-only hostPath mounts and keeps its buffer in a hostPath (checklist FL-06, NS-10).",
        labels: standardLabels(FLUENTD_NAME, "log-collector", name),
    }, { parent });
    const namespace = ns.metadata.name;
    // NS-09: only Prometheus comes in (the metrics port); Fluentd serves nothing else.
    defaultDenyIngress(`${name}-fluentd-ns`, namespace, [
        { role: "monitoring", from: [fromNamespace(NAMESPACES.monitoring)], ports: [{ protocol: "TCP", port: FLUENTD_METRICS_PORT }] },
    ], { parent });
    // The CA certificate only: Fluentd verifies Elasticsearch with it and can sign nothing.
    const caConfig = new k8s.core.v1.ConfigMap(`${name}-fluentd-ca`, {
        metadata: { name: FLUENTD_CA_CONFIGMAP, namespace, labels: fdLabels },
        data: { "ca.crt": a.caCertPem },
    }, { parent });
    // A Secret cannot be mounted from another namespace: the program writes the same password here.
    // Rotating it (replacing the RandomPassword) updates both Secrets in one `pulumi up`.
    const credentials = new k8s.core.v1.Secret(`${name}-fluentd-credentials`, {
        metadata: { name: FLUENTD_CREDENTIALS_SECRET, namespace, labels: fdLabels },
        type: "Opaque",
        stringData: { password: pulumi.secret(a.password) },
    }, { parent });
    const fdSelector = fluentdSelector(name);
    const settings: FluentdSettings = {
        containerLogPath: "/var/log/containers/*.log",
        // Container log files are <pod>_<namespace>_<container>-<id>.log; the DaemonSet's pods are fluentd-*.
        excludePaths: [`/var/log/containers/${FLUENTD_NAME}-*_${NAMESPACES.fluentd}_*.log`],
        stateDir: FLUENTD_STATE_DIR,
        elasticsearch: {
            host: es.host,
            port: es.port,
            caFile: `${ES_CA_DIR}/ca.crt`,
            user: FLUENTD_ES_USER,
            passwordEnv: FLUENTD_PASSWORD_ENV,
            dataStreamName: DATA_STREAM,
        },
        buffer: { flushIntervalSeconds: 5, chunkLimitMiB: 8, totalLimitGiB: a.bufferLimitGiB, retryMaxIntervalSeconds: 60, flushThreadCount: 2 },
        metricsPort: FLUENTD_METRICS_PORT,
    };
    const fluentConf = renderFluentdConfig(settings);
    const fdConfig = new k8s.core.v1.ConfigMap(`${name}-fluentd-config`, {
        metadata: { namespace, labels: fdLabels },
        data: { "fluent.conf": fluentConf },
    }, { parent });
    const fdSa = new k8s.core.v1.ServiceAccount(`${name}-fluentd`, {
        metadata: { name: FLUENTD_NAME, namespace, labels: fdLabels },
        // The kubernetes_metadata filter calls the API server.
        automountServiceAccountToken: true,
    }, { parent });
    const fdRole = new k8s.rbac.v1.ClusterRole(`${name}-fluentd`, {
        metadata: { name: "mlplatform-fluentd", labels: fdLabels },
        rules: [{ apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "list", "watch"] }],
    }, { parent });
    new k8s.rbac.v1.ClusterRoleBinding(`${name}-fluentd`, {
        metadata: { name: "mlplatform-fluentd", labels: fdLabels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: fdRole.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: fdSa.metadata.name, namespace }],
    }, { parent });
    const confHash = createHash("sha256").update(fluentConf).digest("hex").slice(0, 16);
    new k8s.apps.v1.DaemonSet(`${name}-fluentd`, {
        metadata: { name: FLUENTD_NAME, namespace, labels: fdLabels },
        spec: {
            selector: { matchLabels: fdSelector },
            updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
            template: {
                metadata: { labels: fdLabels, annotations: { "mlplatform.io/config-hash": confHash } },
                spec: {
                    serviceAccountName: fdSa.metadata.name,
                    automountServiceAccountToken: true,
                    priorityClassName: "system-node-critical",
                    // Every node, GPU and otherwise tainted ones included (FL-05).
                    tolerations: [{ operator: "Exists" }],
                    terminationGracePeriodSeconds: 60,
                    // K8S-01 exception (Fluentd only): it runs as root (uid 0) because container log files on
                    // the node are root-owned 0640. No capabilities, no escalation, read-only root filesystem.
                    securityContext: { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [{
                        name: "fluentd",
                        image: LOGGING_VERSIONS.fluentdImage,
                        env: [
                            { name: FLUENTD_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: credentials.metadata.name, key: "password" } } },
                            // Bundler and Ruby may write under $HOME; keep it on the writable emptyDir.
                            { name: "HOME", value: "/tmp" },
                        ],
                        ports: [{ name: "metrics", containerPort: FLUENTD_METRICS_PORT, protocol: "TCP" }],
                        resources: resources("100m", a.memory, a.memoryLimit),
                        securityContext: {
                            privileged: false,
                            allowPrivilegeEscalation: false,
                            readOnlyRootFilesystem: true,
                            runAsNonRoot: false,
                            capabilities: { drop: ["ALL"] },
                            seccompProfile: { type: "RuntimeDefault" },
                        },
                        readinessProbe: { tcpSocket: { port: "metrics" }, periodSeconds: 10 },
                        livenessProbe: { httpGet: { path: "/metrics", port: "metrics" }, initialDelaySeconds: 60, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 5 },
                        volumeMounts: [
                            { name: "config", mountPath: "/fluentd/etc", readOnly: true },
                            // /var/log/containers symlinks into /var/log/pods; containerd (AL2023) keeps logs there.
                            { name: "varlog", mountPath: "/var/log", readOnly: true },
                            { name: "state", mountPath: FLUENTD_STATE_DIR },
                            caMount,
                            { name: "tmp", mountPath: "/tmp" },
                        ],
                    }],
                    volumes: [
                        { name: "config", configMap: { name: fdConfig.metadata.name } },
                        { name: "varlog", hostPath: { path: "/var/log", type: "Directory" } },
                        { name: "state", hostPath: { path: FLUENTD_STATE_DIR, type: "DirectoryOrCreate" } },
                        { name: caMount.name, configMap: { name: caConfig.metadata.name, items: [{ key: "ca.crt", path: "ca.crt" }] } },
                        { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
                    ],
                },
            },
        },
    // After the Job (Pulumi waits for its Complete condition: @pulumi/kubernetes 4.34.2,
    // batch/v1/job.d.ts): the data stream must be created from our template and policy, not from
    // the built-in `logs` template by Fluentd's first write.
    // Fluentd itself never creates them and never contacts Elasticsearch at start (see
    // fluentd-config.ts), so a Fluentd restart while Elasticsearch is down only buffers. At the
    // first deploy the Job waits for the cluster (up to its 1800 s deadline) and Fluentd waits
    // for the Job.
    // Deleted before its replacement is created (a namespace move replaces it): two Fluentd pods on
    // one node would share the position files and buffer chunks under FLUENTD_STATE_DIR. The provider
    // deletes with foreground propagation and waits until the object is gone, i.e. after its pods
    // (pulumi/pulumi-kubernetes @94977969 provider/pkg/await/await.go Deletion,
    // provider/pkg/metadata/overrides.go DeletionPropagation: Foreground by default).
    }, { parent, dependsOn: a.dependsOn, deleteBeforeReplace: true });
    return {
        namespace: ns,
        config: fluentConf,
        scrapeTarget: { name: "fluentd", namespace: NAMESPACES.fluentd, selector: fdSelector, port: "metrics", kind: "PodMonitor", intervalSeconds: 60 },
    };
}
