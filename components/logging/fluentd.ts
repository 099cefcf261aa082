/**
 * Fluentd on every node: its generated configuration, ServiceAccount, a ClusterRole that reads
 * pods and namespaces (the kubernetes_metadata filter), and the DaemonSet.
 */
import { createHash } from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { FluentdSettings, renderFluentdConfig } from "../shared/fluentd-config";
import { selectorLabels, standardLabels } from "../shared/labels";
import { NAMESPACES, ScrapeTarget } from "../shared/platform";
import { resources } from "../shared/security-context";
import { LOGGING_VERSIONS } from "../shared/versions";
import { caMount, caVolume, DATA_STREAM, ES_CA_DIR, elasticsearchEndpoint } from "./client";
import { FLUENTD_ES_USER } from "./elasticsearch";

/** Fluentd's DaemonSet name; explicit so its own log files can be excluded by name. */
export const FLUENTD_NAME = "fluentd";
/** Fluentd's Prometheus port (fluent-plugin-prometheus default). */
export const FLUENTD_METRICS_PORT = 24231;
/** Host directory for Fluentd's position files and buffers (writable hostPath). */
export const FLUENTD_STATE_DIR = "/var/lib/fluentd";
/** Env var holding Fluentd's Elasticsearch password. */
export const FLUENTD_PASSWORD_ENV = "FLUENT_ELASTICSEARCH_PASSWORD";

/** Labels selecting Fluentd's pods (Elasticsearch's NetworkPolicy and the PodMonitor use them). */
export const fluentdSelector = (name: string) => selectorLabels(FLUENTD_NAME, name);

/** What {@link fluentd} needs. */
export interface FluentdArgs {
    /** Namespace of Fluentd. */
    readonly namespace: pulumi.Input<string>;
    /** Fluentd's on-disk buffer cap per node, GiB. */
    readonly bufferLimitGiB: number;
    /** Memory request and limit per node. */
    readonly memory: string;
    readonly memoryLimit: string;
    /** The `kubernetes.io/basic-auth` Secret of Fluentd's Elasticsearch user, in Fluentd's namespace. */
    readonly passwordSecret: string;
    /** What the DaemonSet waits for (Elasticsearch and the retention Job). */
    readonly dependsOn: pulumi.Resource[];
}

/** What {@link fluentd} built. */
export interface FluentdParts {
    /** The generated `fluent.conf`. */
    readonly config: string;
    /** Fluentd's metrics as a PodMonitor target. */
    readonly scrapeTarget: ScrapeTarget;
}

/** Fluentd's ConfigMap, ServiceAccount, ClusterRole and binding, and DaemonSet. */
export function fluentd(name: string, parent: pulumi.Resource, a: FluentdArgs): FluentdParts {
    const namespace = a.namespace;
    const es = elasticsearchEndpoint(NAMESPACES.logging);
    const fdLabels = standardLabels(FLUENTD_NAME, "log-collector", name);
    const fdSelector = fluentdSelector(name);
    const settings: FluentdSettings = {
        containerLogPath: "/var/log/containers/*.log",
        // Container log files are <pod>_<namespace>_<container>-<id>.log; the DaemonSet's pods are fluentd-*.
        excludePaths: [`/var/log/containers/${FLUENTD_NAME}-*_${NAMESPACES.logging}_*.log`],
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
                            { name: FLUENTD_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: a.passwordSecret, key: "password" } } },
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
                        caVolume,
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
    }, { parent, dependsOn: a.dependsOn });
    return {
        config: fluentConf,
        scrapeTarget: { name: "fluentd", namespace: NAMESPACES.logging, selector: fdSelector, port: "metrics", kind: "PodMonitor", intervalSeconds: 60 },
    };
}
