import { createHash } from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DEFAULT_STORAGE_CLASS } from "../cluster-services";
import { FluentdSettings, renderFluentdConfig } from "../shared/fluentd-config";
import { selectorLabels, standardLabels } from "../shared/labels";
import { defaultDenyIngress, fromNamespace, platformNamespace, SAME_NAMESPACE } from "../shared/namespace";
import { NAMESPACE_NAME_LABEL, NAMESPACES, ScrapeTarget } from "../shared/platform";
import { chartResources, restrictedContainerSecurityContext, restrictedPodSecurityContext, resources } from "../shared/security-context";
import { LOGGING_VERSIONS } from "../shared/versions";
import { wholeNumber } from "../shared/validate";

/**
 * Name of the Elasticsearch (and Kibana) object. Explicit because ECK derives Service and Secret
 * names from it: `logs-es-http`, `logs-es-elastic-user`, `logs-es-http-certs-public`, `logs-kb-http`.
 */
export const ES_NAME = "logs";
/** Namespace of the ECK operator. */
export const OPERATOR_NAMESPACE = "elastic-system";
/** Helm release name of the operator. */
export const OPERATOR_RELEASE = "elastic-operator";
/** Fluentd's DaemonSet name; explicit so its own log files can be excluded by name. */
export const FLUENTD_NAME = "fluentd";
/** Data stream Fluentd writes (`logs-<dataset>-<namespace>`, the Elastic naming scheme). */
export const DATA_STREAM = "logs-k8s-default";
/** Index template and ILM policy names the platform installs; the template matches `logs-k8s-*`. */
export const TEMPLATE_NAME = "logs-k8s";
export const ILM_POLICY_NAME = "logs-k8s";
/** Elasticsearch file-realm users (least privilege; not the `elastic` superuser). */
export const FLUENTD_ES_USER = "fluentd";
export const EXPORTER_ES_USER = "es-exporter";
/** Roles the file-realm users get (defined in the roles Secret). */
export const FLUENTD_ROLE = "mlplatform_fluentd_writer";
export const EXPORTER_ROLE = "mlplatform_es_monitor";
/** Fluentd's Prometheus port (fluent-plugin-prometheus default). */
export const FLUENTD_METRICS_PORT = 24231;
/** Host directory for Fluentd's position files and buffers (writable hostPath). */
export const FLUENTD_STATE_DIR = "/var/lib/fluentd";
/** Where the Elasticsearch HTTP CA (`ca.crt`) is mounted in Fluentd, the job and the exporter. */
export const ES_CA_DIR = "/etc/elasticsearch-ca";
/** Env var holding Fluentd's Elasticsearch password. */
export const FLUENTD_PASSWORD_ENV = "FLUENT_ELASTICSEARCH_PASSWORD";
const ES_HTTP_PORT = 9200;
const ES_TRANSPORT_PORT = 9300;
const EXPORTER_PORT = 9114;
/** Label ECK puts on every Elasticsearch pod. */
const ES_POD_LABEL = "elasticsearch.k8s.elastic.co/cluster-name";
/** Label ECK puts on every Kibana pod. */
const KB_POD_LABEL = "kibana.k8s.elastic.co/name";
/** The Elasticsearch image's user (ECK's default fsGroup). */
const ES_UID = 1000;
/** UID the curl image runs as (`curl_user`). */
const CURL_UID = 100;

/** Arguments of {@link Logging}. */
export interface LoggingArgs {
    /**
     * StorageClass of the Elasticsearch volumes.
     * @default "gp3"
     */
    readonly storageClassName?: string;
    /**
     * Elasticsearch nodes (all master-eligible, data and ingest): 1, or 3 or more. Two give no
     * quorum advantage over one (losing either stops the cluster).
     * @default 1
     */
    readonly elasticsearchNodes?: number;
    /**
     * Volume per Elasticsearch node, GiB (ECK's default would be 1Gi).
     * @default 10
     */
    readonly elasticsearchStorageGiB?: number;
    /**
     * Memory request and limit per Elasticsearch node; the JVM heap is sized to half of it.
     * @default "2Gi"
     */
    readonly elasticsearchMemory?: string;
    /**
     * CPU request per Elasticsearch node (no CPU limit).
     * @default "500m"
     */
    readonly elasticsearchCpu?: string;
    /**
     * Spread Elasticsearch nodes across zones (topologySpreadConstraints, maxSkew 1).
     * @default - true when elasticsearchNodes >= 3
     */
    readonly zoneSpread?: boolean;
    /**
     * Delete Elasticsearch volumes when the cluster is deleted (ECK `DeleteOnScaledownAndClusterDeletion`,
     * sandbox); otherwise only on scale-down and retained on deletion (`DeleteOnScaledownOnly`).
     * @default false
     */
    readonly deleteVolumesWithWorkload?: boolean;
    /**
     * Install Kibana (reach it with `kubectl port-forward`).
     * @default false
     */
    readonly kibana?: boolean;
    /**
     * Days logs are kept; the ILM policy deletes backing indices this long after rollover.
     * @default 7
     */
    readonly retentionDays?: number;
    /**
     * Fluentd's on-disk buffer cap per node (`total_limit_size`), GiB; keep it well below the node's free disk.
     * @default 4
     */
    readonly fluentdBufferLimitGiB?: number;
    /**
     * Fluentd memory request per node.
     * @default "256Mi"
     */
    readonly fluentdMemory?: string;
    /**
     * Fluentd memory limit per node.
     * @default "512Mi"
     */
    readonly fluentdMemoryLimit?: string;
    /**
     * Deploy the Elasticsearch Prometheus exporter (scrape target `elasticsearch`).
     * @default true
     */
    readonly exporter?: boolean;
}

/** {@link LoggingArgs} with defaults applied. */
export interface ResolvedLoggingArgs {
    readonly storageClassName: string;
    readonly elasticsearchNodes: number;
    readonly elasticsearchStorageGiB: number;
    readonly elasticsearchMemory: string;
    readonly elasticsearchCpu: string;
    readonly zoneSpread: boolean;
    readonly deleteVolumesWithWorkload: boolean;
    readonly kibana: boolean;
    readonly retentionDays: number;
    readonly fluentdBufferLimitGiB: number;
    readonly fluentdMemory: string;
    readonly fluentdMemoryLimit: string;
    readonly exporter: boolean;
}

/** Suggested values per environment; config.ts picks one by preset. */
export const LOGGING_PRESETS = {
    sandbox: {
        elasticsearchNodes: 1,
        elasticsearchStorageGiB: 10,
        elasticsearchMemory: "2Gi",
        deleteVolumesWithWorkload: true,
        kibana: true,
        retentionDays: 7,
        fluentdBufferLimitGiB: 4,
    },
    production: {
        elasticsearchNodes: 3,
        elasticsearchStorageGiB: 100,
        elasticsearchMemory: "4Gi",
        deleteVolumesWithWorkload: false,
        kibana: false,
        retentionDays: 30,
        fluentdBufferLimitGiB: 8,
    },
} as const satisfies Record<"sandbox" | "production", LoggingArgs>;


/** Mebibytes in a memory quantity like `512Mi` or `2Gi`; undefined when it is not one. */
function mebibytes(q: string): number | undefined {
    const m = /^([1-9]\d*)(Mi|Gi)$/.exec(q);
    return m === null ? undefined : Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
}

function memory(arg: string, value: string, minMi: number): number {
    const mi = mebibytes(value);
    if (mi === undefined || mi < minMi) {
        throw new Error(`${arg} (${value}) must be a quantity in Mi or Gi of at least ${minMi}Mi, e.g. "2Gi"`);
    }
    return mi;
}

/** Applies defaults and validates plain fields (config.ts reuses it). Throws before any resource exists. */
export function resolveLoggingArgs(args: LoggingArgs): ResolvedLoggingArgs {
    const storageClassName = args.storageClassName ?? DEFAULT_STORAGE_CLASS;
    if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(storageClassName)) {
        throw new Error(`storageClassName (${storageClassName}) must be a StorageClass name (lowercase DNS subdomain)`);
    }
    const elasticsearchNodes = args.elasticsearchNodes ?? 1;
    if (!Number.isInteger(elasticsearchNodes) || elasticsearchNodes < 1 || elasticsearchNodes === 2 || elasticsearchNodes > 9) {
        throw new Error(`elasticsearchNodes (${elasticsearchNodes}) must be 1 or a whole number from 3 to 9: two master-eligible nodes cannot lose either`);
    }
    const elasticsearchStorageGiB = args.elasticsearchStorageGiB ?? 10;
    wholeNumber("elasticsearchStorageGiB", elasticsearchStorageGiB, 5, 16384);
    const elasticsearchMemory = args.elasticsearchMemory ?? "2Gi";
    memory("elasticsearchMemory", elasticsearchMemory, 1024);
    const elasticsearchCpu = args.elasticsearchCpu ?? "500m";
    if (!/^([1-9]\d*m|\d+(\.\d+)?)$/.test(elasticsearchCpu) || elasticsearchCpu === "0") {
        throw new Error(`elasticsearchCpu (${elasticsearchCpu}) must be a CPU quantity like "500m" or "2"`);
    }
    const zoneSpread = args.zoneSpread ?? elasticsearchNodes >= 3;
    if (zoneSpread && elasticsearchNodes < 3) {
        throw new Error(`zoneSpread (true) needs elasticsearchNodes (${elasticsearchNodes}) >= 3`);
    }
    const retentionDays = args.retentionDays ?? 7;
    wholeNumber("retentionDays", retentionDays, 1, 3650);
    const fluentdBufferLimitGiB = args.fluentdBufferLimitGiB ?? 4;
    // Nodes have 20 GiB+ root volumes; the buffer must leave room for images and logs themselves.
    wholeNumber("fluentdBufferLimitGiB", fluentdBufferLimitGiB, 1, 50);
    const fluentdMemory = args.fluentdMemory ?? "256Mi";
    const fluentdMemoryLimit = args.fluentdMemoryLimit ?? "512Mi";
    const req = memory("fluentdMemory", fluentdMemory, 128);
    const lim = memory("fluentdMemoryLimit", fluentdMemoryLimit, 128);
    if (lim < req) {
        throw new Error(`fluentdMemoryLimit (${fluentdMemoryLimit}) must be >= fluentdMemory (${fluentdMemory})`);
    }
    return {
        storageClassName,
        elasticsearchNodes,
        elasticsearchStorageGiB,
        elasticsearchMemory,
        elasticsearchCpu,
        zoneSpread,
        deleteVolumesWithWorkload: args.deleteVolumesWithWorkload ?? false,
        kibana: args.kibana ?? false,
        retentionDays,
        fluentdBufferLimitGiB,
        fluentdMemory,
        fluentdMemoryLimit,
        exporter: args.exporter ?? true,
    };
}

/**
 * ILM policy body (`PUT _ilm/policy/logs-k8s`): roll over daily or at `rolloverGiB` per primary
 * shard, delete backing indices `retentionDays` after rollover.
 * @see https://www.elastic.co/docs/manage-data/lifecycle/index-lifecycle-management
 */
export function ilmPolicyBody(retentionDays: number, rolloverGiB: number) {
    return {
        policy: {
            _meta: { managed_by: "mlplatform (pulumi)" },
            phases: {
                hot: { min_age: "0ms", actions: { rollover: { max_age: "1d", max_primary_shard_size: `${rolloverGiB}gb` } } },
                delete: { min_age: `${retentionDays}d`, actions: { delete: {} } },
            },
        },
    };
}

/**
 * Composable index template body (`PUT _index_template/logs-k8s`) for the data stream. Priority 500
 * beats Elasticsearch's built-in `logs` template (priority 100 on `logs-*-*`).
 */
export function indexTemplateBody(replicas: number) {
    return {
        index_patterns: [`${TEMPLATE_NAME}-*`],
        data_stream: {},
        priority: 500,
        template: {
            settings: {
                "index.lifecycle.name": ILM_POLICY_NAME,
                "index.number_of_shards": 1,
                "index.number_of_replicas": replicas,
            },
            // Pod labels and annotations are free-form, and many charts set both `app` and
            // `app.kubernetes.io/name`: with dynamic mapping Elasticsearch expands the dots, `app`
            // must be text and an object at once, and the whole document is rejected. Flattened
            // fields keep every key searchable without mapping each one.
            mappings: {
                properties: {
                    kubernetes: {
                        properties: {
                            labels: { type: "flattened" },
                            annotations: { type: "flattened" },
                        },
                    },
                },
            },
        },
        _meta: { managed_by: "mlplatform (pulumi)" },
    };
}

/** Rollover size per primary shard: a fifth of a node's disk, 1..50 GiB. */
export function rolloverGiB(storageGiB: number): number {
    return Math.max(1, Math.min(50, Math.floor(storageGiB / 5)));
}

/** `roles.yml` for ECK's `spec.auth.roles` (JSON is YAML). */
export function esRolesYaml(): string {
    return JSON.stringify({
        [FLUENTD_ROLE]: {
            cluster: ["monitor"],
            indices: [{ names: [`${TEMPLATE_NAME}-*`], privileges: ["create_doc", "create_index", "view_index_metadata", "auto_configure"] }],
        },
        [EXPORTER_ROLE]: { cluster: ["monitor"], indices: [] },
    }, null, 2);
}

/** Where the ILM Job mounts the `elastic` user's password (ECK's `<name>-es-elastic-user` Secret, key `elastic`). */
export const ILM_PASSWORD_FILE = "/etc/es-user/elastic";

/**
 * Shell script the ILM job runs (POSIX sh in the curl image); no secrets in it, and none on curl's
 * command line (checklist SEC-01): curl reads the password file into a variable itself and expands
 * it into `--user` in-process (`--variable name@file`, `--expand-user`, curl >= 8.3.0,
 * curl/curl `docs/cmdline-opts/variable.md`), so `/proc/<pid>/cmdline` shows only `{{espw}}`.
 */
export function ilmInstallScript(esUrl: string): string {
    return [
        "#!/bin/sh",
        "# Installs the ILM policy, the index template and the data stream. Idempotent.",
        "set -eu",
        `ES='${esUrl}'`,
        `CA='${ES_CA_DIR}/ca.crt'`,
        `es() { curl -sS --cacert "$CA" --variable 'espw@${ILM_PASSWORD_FILE}' --expand-user 'elastic:{{espw}}' -H 'Content-Type: application/json' -o /tmp/body -w '%{http_code}' "$@" || true; }`,
        "until [ \"$(es \"$ES/_cluster/health?wait_for_status=yellow&timeout=30s\")\" = 200 ]; do echo 'waiting for Elasticsearch'; sleep 10; done",
        "put() { code=$(es -X PUT \"$ES/$1\" --data-binary \"@$2\"); cat /tmp/body; echo; case \"$code\" in 2*) ;; *) echo \"PUT $1: HTTP $code\"; exit 1 ;; esac; }",
        `put '_ilm/policy/${ILM_POLICY_NAME}' /etc/ilm/ilm-policy.json`,
        `put '_index_template/${TEMPLATE_NAME}' /etc/ilm/index-template.json`,
        `code=$(es -X PUT "$ES/_data_stream/${DATA_STREAM}")`,
        "case \"$code\" in 2*) ;; 400) grep -q resource_already_exists_exception /tmp/body || { cat /tmp/body; exit 1; } ;; *) cat /tmp/body; exit 1 ;; esac",
        "echo done",
        "",
    ].join("\n");
}

/**
 * Log collection and search: the ECK operator (Helm), an Elasticsearch cluster and optional Kibana
 * (ECK custom resources), a Fluentd DaemonSet on every node (GPU and tainted nodes included) with a
 * generated configuration, an ILM retention policy installed by a Job, an Elasticsearch exporter,
 * and network policies. Needs a Kubernetes provider and the gp3 StorageClass (ClusterServices).
 */
export class Logging extends pulumi.ComponentResource {
    /** Namespace of Elasticsearch, Kibana and Fluentd. */
    public readonly namespace: pulumi.Output<string>;
    /** Name of the Elasticsearch object. */
    public readonly elasticsearchName: string;
    /** `kubectl port-forward` for Kibana on https://localhost:5601, when Kibana is enabled. */
    public readonly kibanaPortForward: pulumi.Output<string> | undefined;
    /** kubectl command that prints the `elastic` user's password (from its Secret; not the password). */
    public readonly elasticUserCommand: pulumi.Output<string>;
    /** What monitoring should scrape: `fluentd` (PodMonitor) and `elasticsearch` (exporter). */
    public readonly scrapeTargets: ScrapeTarget[];
    /** The generated `fluent.conf`. */
    public readonly fluentdConfig: string;

    constructor(name: string, args: LoggingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:Logging", name, {}, opts);
        const a = resolveLoggingArgs(args);

        // Fluentd reads host log files through hostPath volumes, which PSS baseline forbids (FL-06).
        const ns = platformNamespace(`${name}-ns`, {
            name: NAMESPACES.logging,
            level: "privileged",
            reason: "Fluentd reads node log files through read-only hostPath mounts and keeps its buffer in a hostPath (checklist FL-06).",
            labels: standardLabels("logging", "logging", name),
        }, { parent: this });
        const namespace = ns.metadata.name;
        // NS-09: in from the namespace itself (Fluentd, Kibana, jobs to Elasticsearch), from monitoring
        // (scrapes) and from the operator (it calls Elasticsearch's API). Nothing else.
        defaultDenyIngress(`${name}-ns`, namespace, [
            { role: "same-namespace", from: [SAME_NAMESPACE] },
            { role: "monitoring", from: [fromNamespace(NAMESPACES.monitoring)] },
            { role: "eck-operator", from: [fromNamespace(OPERATOR_NAMESPACE)] },
        ], { parent: this });

        const opNs = platformNamespace(`${name}-operator-ns`, { name: OPERATOR_NAMESPACE, level: "restricted", labels: standardLabels("eck-operator", "operator", name) }, { parent: this });
        // The operator serves nothing once its webhook is off (NS-08), so nothing comes in.
        defaultDenyIngress(`${name}-operator-ns`, opNs.metadata.name, [], { parent: this });

        const chart = LOGGING_VERSIONS.eckOperatorChart;
        const operator = new k8s.helm.v3.Release(`${name}-eck-operator`, {
            name: OPERATOR_RELEASE,
            chart: chart.chart,
            version: chart.version,
            repositoryOpts: { repo: chart.repo },
            namespace: opNs.metadata.name,
            values: {
                // Only the logging namespace. managedNamespaces alone still binds the operator's ClusterRole
                // (full control of Secrets) cluster-wide; with createClusterScopedResources false the chart
                // writes a Role per managed namespace plus one in its own (eck-operator 3.5.0
                // templates/role-bindings.yaml, cluster-roles.yaml). NS-08.
                managedNamespaces: [NAMESPACES.logging],
                createClusterScopedResources: false,
                // templates/validate-chart.yaml fails the install when cluster-scoped resources are off and
                // the webhook (a ValidatingWebhookConfiguration) or StorageClass validation is on.
                webhook: { enabled: false },
                config: { validateStorageClass: false },
                installCRDs: true,
                // The chart's default CPU limit (1) is dropped: no CPU limits on platform pods.
                resources: chartResources("100m", "256Mi", "512Mi"),
                // The chart's default lacks seccompProfile, which the restricted namespace requires.
                podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                securityContext: restrictedContainerSecurityContext(),
            },
        }, { parent: this, dependsOn: [ns] });
        const afterCrds = { parent: this, dependsOn: [operator] };

        const esHost = `${ES_NAME}-es-http.${NAMESPACES.logging}.svc`;
        const esUrl = `https://${esHost}:${ES_HTTP_PORT}`;
        const caSecret = `${ES_NAME}-es-http-certs-public`;
        const elasticUserSecret = `${ES_NAME}-es-elastic-user`;
        const caVolume = { name: "es-ca", secret: { secretName: caSecret, items: [{ key: "ca.crt", path: "ca.crt" }] } };
        const caMount = { name: "es-ca", mountPath: ES_CA_DIR, readOnly: true };

        // Least-privilege Elasticsearch users in ECK's file realm (kubernetes.io/basic-auth Secrets with a
        // `roles` key, accepted since ECK 2.x: pkg/controller/elasticsearch/user/user_provided.go).
        const basicAuthUser = (role: string, user: string, esRole: string) => {
            const pw = new random.RandomPassword(`${name}-${role}-password`, { length: 32, special: false }, { parent: this });
            const secret = new k8s.core.v1.Secret(`${name}-${role}-user`, {
                metadata: { name: `${ES_NAME}-${user}-user`, namespace, labels: standardLabels("elasticsearch", "credentials", name) },
                type: "kubernetes.io/basic-auth",
                stringData: { username: user, password: pulumi.secret(pw.result), roles: esRole },
            }, { parent: this });
            return { secretName: `${ES_NAME}-${user}-user`, secret };
        };
        const fluentdUser = basicAuthUser("fluentd", FLUENTD_ES_USER, FLUENTD_ROLE);
        const exporterUser = basicAuthUser("exporter", EXPORTER_ES_USER, EXPORTER_ROLE);
        const rolesSecretName = `${ES_NAME}-roles`;
        const rolesSecret = new k8s.core.v1.Secret(`${name}-es-roles`, {
            metadata: { name: rolesSecretName, namespace, labels: standardLabels("elasticsearch", "credentials", name) },
            type: "Opaque",
            stringData: { "roles.yml": esRolesYaml() },
        }, { parent: this });

        const esLabels = standardLabels("elasticsearch", "log-store", name);
        const esPodLabels = { [ES_POD_LABEL]: ES_NAME };
        // K8S-11: ECK leaves serviceAccountName unset (the namespace's default SA); its builder already
        // sets automountServiceAccountToken false (cloud-on-k8s v3.5.0 pkg/controller/common/defaults/pod_template.go).
        const podServiceAccount = (role: string) => new k8s.core.v1.ServiceAccount(`${name}-${role}-sa`, {
            metadata: { name: `${ES_NAME}-${role}`, namespace, labels: standardLabels(role, "service-account", name) },
            automountServiceAccountToken: false,
        }, { parent: this });
        const esServiceAccount = podServiceAccount("elasticsearch");
        const es = new k8s.apiextensions.CustomResource(`${name}-elasticsearch`, {
            apiVersion: "elasticsearch.k8s.elastic.co/v1",
            kind: "Elasticsearch",
            metadata: { name: ES_NAME, namespace, labels: esLabels },
            spec: {
                version: LOGGING_VERSIONS.elasticsearch,
                // Sandbox: volumes go with the cluster; production keeps them after deletion (ES-05).
                volumeClaimDeletePolicy: a.deleteVolumesWithWorkload ? "DeleteOnScaledownAndClusterDeletion" : "DeleteOnScaledownOnly",
                // HTTP TLS stays on with ECK's self-signed CA (the default); clients verify against its ca.crt.
                auth: {
                    fileRealm: [{ secretName: fluentdUser.secretName }, { secretName: exporterUser.secretName }],
                    roles: [{ secretName: rolesSecretName }],
                },
                nodeSets: [{
                    name: "default",
                    count: a.elasticsearchNodes,
                    config: {
                        // No mmap, so no privileged init container raising vm.max_map_count on the node.
                        "node.store.allow_mmap": false,
                    },
                    podTemplate: {
                        metadata: { labels: esLabels },
                        spec: {
                            serviceAccountName: esServiceAccount.metadata.name,
                            securityContext: { runAsNonRoot: true, runAsUser: ES_UID, fsGroup: ES_UID, seccompProfile: { type: "RuntimeDefault" } },
                            containers: [{
                                name: "elasticsearch",
                                // K8S-09: ECK 3.5.0 adds only a readiness probe (the readiness-port script:
                                // the node is ready for requests; nodespec/readiness_probe.go). Liveness asks
                                // only that the transport port accepts connections, so a node waiting for a
                                // master is not restarted.
                                livenessProbe: { tcpSocket: { port: 9300 }, initialDelaySeconds: 90, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
                                resources: { requests: { cpu: a.elasticsearchCpu, memory: a.elasticsearchMemory }, limits: { memory: a.elasticsearchMemory } },
                                securityContext: { ...restrictedContainerSecurityContext(), runAsUser: ES_UID },
                            }],
                            ...(a.zoneSpread ? {
                                topologySpreadConstraints: [{
                                    maxSkew: 1,
                                    topologyKey: "topology.kubernetes.io/zone",
                                    whenUnsatisfiable: "DoNotSchedule",
                                    labelSelector: { matchLabels: esPodLabels },
                                }],
                            } : {}),
                        },
                    },
                    volumeClaimTemplates: [{
                        metadata: { name: "elasticsearch-data" },
                        spec: {
                            accessModes: ["ReadWriteOnce"],
                            storageClassName: a.storageClassName,
                            resources: { requests: { storage: `${a.elasticsearchStorageGiB}Gi` } },
                        },
                    }],
                }],
            },
        // Production log data is protected like the other data stores: destroying it takes a deliberate unprotect.
        }, { parent: this, dependsOn: [operator, fluentdUser.secret, exporterUser.secret, rolesSecret], protect: !a.deleteVolumesWithWorkload });

        let kibanaPortForward: pulumi.Output<string> | undefined;
        if (a.kibana) {
            new k8s.apiextensions.CustomResource(`${name}-kibana`, {
                apiVersion: "kibana.k8s.elastic.co/v1",
                kind: "Kibana",
                metadata: { name: ES_NAME, namespace, labels: standardLabels("kibana", "log-ui", name) },
                spec: {
                    version: LOGGING_VERSIONS.elasticsearch,
                    count: 1,
                    elasticsearchRef: { name: ES_NAME },
                    podTemplate: {
                        spec: {
                            serviceAccountName: podServiceAccount("kibana").metadata.name,
                            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                            containers: [{
                                name: "kibana",
                                resources: resources("200m", "1Gi"),
                                // K8S-09: ECK 3.5.0 adds only a readiness probe (GET /api/status over HTTPS,
                                // kibana/pod.go); liveness asks only that the server accepts connections.
                                livenessProbe: { tcpSocket: { port: 5601 }, initialDelaySeconds: 120, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
                            }],
                        },
                    },
                },
            }, { parent: this, dependsOn: [operator, es] });
            kibanaPortForward = pulumi.interpolate`kubectl -n ${namespace} port-forward svc/${ES_NAME}-kb-http 5601`;
        }

        // Retention: ILM policy, index template and data stream, installed by a Job (no manual steps).
        const replicas = a.elasticsearchNodes >= 3 ? 1 : 0;
        const ilmData = {
            "ilm-policy.json": JSON.stringify(ilmPolicyBody(a.retentionDays, rolloverGiB(a.elasticsearchStorageGiB)), null, 2),
            "index-template.json": JSON.stringify(indexTemplateBody(replicas), null, 2),
            "install.sh": ilmInstallScript(esUrl),
        };
        const ilmLabels = standardLabels("elasticsearch-ilm", "retention", name);
        const ilmConfig = new k8s.core.v1.ConfigMap(`${name}-ilm`, {
            metadata: { namespace, labels: ilmLabels },
            data: ilmData,
        }, { parent: this });
        // ServiceAccounts and RBAC objects carry fixed names (the namespace is fixed too) so pods and bindings can name them.
        const ilmSa = new k8s.core.v1.ServiceAccount(`${name}-ilm`, {
            metadata: { name: "elasticsearch-ilm", namespace, labels: ilmLabels },
            automountServiceAccountToken: false,
        }, { parent: this });
        const ilmHash = createHash("sha256").update(JSON.stringify(ilmData)).digest("hex").slice(0, 16);
        const ilmJob = new k8s.batch.v1.Job(`${name}-ilm`, {
            metadata: {
                namespace,
                labels: ilmLabels,
                // First install waits for Elasticsearch to come up.
                annotations: { "pulumi.com/timeoutSeconds": "1800" },
            },
            spec: {
                backoffLimit: 6,
                activeDeadlineSeconds: 1800,
                // No ttlSecondsAfterFinished: a Job the cluster deletes by itself would differ from
                // Pulumi's state, and the next refresh would recreate it.
                template: {
                    // A changed policy changes the template, so Pulumi replaces the Job and it runs again.
                    metadata: { labels: ilmLabels, annotations: { "mlplatform.io/config-hash": ilmHash } },
                    spec: {
                        restartPolicy: "OnFailure",
                        serviceAccountName: ilmSa.metadata.name,
                        automountServiceAccountToken: false,
                        securityContext: restrictedPodSecurityContext(CURL_UID),
                        containers: [{
                            name: "install",
                            image: LOGGING_VERSIONS.curlImage,
                            command: ["/bin/sh", "/etc/ilm/install.sh"],
                            securityContext: restrictedContainerSecurityContext(),
                            resources: resources("10m", "32Mi", "64Mi"),
                            volumeMounts: [
                                caMount,
                                { name: "ilm", mountPath: "/etc/ilm", readOnly: true },
                                { name: "tmp", mountPath: "/tmp" },
                                { name: "es-user", mountPath: ILM_PASSWORD_FILE.replace(/\/[^/]+$/, ""), readOnly: true },
                            ],
                        }],
                        volumes: [
                            caVolume,
                            { name: "ilm", configMap: { name: ilmConfig.metadata.name } },
                            { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
                            // The password as a file, read by curl itself (SEC-01).
                            { name: "es-user", secret: { secretName: elasticUserSecret, items: [{ key: "elastic", path: "elastic" }], defaultMode: 0o440 } },
                        ],
                    },
                },
            },
        }, afterCrds);

        // Fluentd.
        const fdLabels = standardLabels(FLUENTD_NAME, "log-collector", name);
        const fdSelector = selectorLabels(FLUENTD_NAME, name);
        const settings: FluentdSettings = {
            containerLogPath: "/var/log/containers/*.log",
            // Container log files are <pod>_<namespace>_<container>-<id>.log; the DaemonSet's pods are fluentd-*.
            excludePaths: [`/var/log/containers/${FLUENTD_NAME}-*_${NAMESPACES.logging}_*.log`],
            stateDir: FLUENTD_STATE_DIR,
            elasticsearch: {
                host: esHost,
                port: ES_HTTP_PORT,
                caFile: `${ES_CA_DIR}/ca.crt`,
                user: FLUENTD_ES_USER,
                passwordEnv: FLUENTD_PASSWORD_ENV,
                dataStreamName: DATA_STREAM,
            },
            buffer: { flushIntervalSeconds: 5, chunkLimitMiB: 8, totalLimitGiB: a.fluentdBufferLimitGiB, retryMaxIntervalSeconds: 60, flushThreadCount: 2 },
            metricsPort: FLUENTD_METRICS_PORT,
        };
        const fluentConf = renderFluentdConfig(settings);
        const fdConfig = new k8s.core.v1.ConfigMap(`${name}-fluentd-config`, {
            metadata: { namespace, labels: fdLabels },
            data: { "fluent.conf": fluentConf },
        }, { parent: this });
        const fdSa = new k8s.core.v1.ServiceAccount(`${name}-fluentd`, {
            metadata: { name: FLUENTD_NAME, namespace, labels: fdLabels },
            // The kubernetes_metadata filter calls the API server.
            automountServiceAccountToken: true,
        }, { parent: this });
        const fdRole = new k8s.rbac.v1.ClusterRole(`${name}-fluentd`, {
            metadata: { name: "mlplatform-fluentd", labels: fdLabels },
            rules: [{ apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "list", "watch"] }],
        }, { parent: this });
        new k8s.rbac.v1.ClusterRoleBinding(`${name}-fluentd`, {
            metadata: { name: "mlplatform-fluentd", labels: fdLabels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: fdRole.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: fdSa.metadata.name, namespace }],
        }, { parent: this });
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
                                { name: FLUENTD_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: fluentdUser.secretName, key: "password" } } },
                                // Bundler and Ruby may write under $HOME; keep it on the writable emptyDir.
                                { name: "HOME", value: "/tmp" },
                            ],
                            ports: [{ name: "metrics", containerPort: FLUENTD_METRICS_PORT, protocol: "TCP" }],
                            resources: resources("100m", a.fluentdMemory, a.fluentdMemoryLimit),
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
        }, { parent: this, dependsOn: [es, ilmJob] });

        const scrapeTargets: ScrapeTarget[] = [
            { name: "fluentd", namespace: NAMESPACES.logging, selector: fdSelector, port: "metrics", kind: "PodMonitor", intervalSeconds: 60 },
        ];

        if (a.exporter) {
            const exLabels = standardLabels("elasticsearch-exporter", "metrics", name);
            const exSelector = selectorLabels("elasticsearch-exporter", name);
            const exSa = new k8s.core.v1.ServiceAccount(`${name}-exporter`, {
                metadata: { name: "elasticsearch-exporter", namespace, labels: exLabels },
                automountServiceAccountToken: false,
            }, { parent: this });
            new k8s.apps.v1.Deployment(`${name}-exporter`, {
                metadata: { namespace, labels: exLabels },
                spec: {
                    // A singleton: a scrape gap during a restart is fine (K8S-13 is for traffic-serving workloads).
                    replicas: 1,
                    selector: { matchLabels: exSelector },
                    template: {
                        metadata: { labels: exLabels },
                        spec: {
                            serviceAccountName: exSa.metadata.name,
                            automountServiceAccountToken: false,
                            securityContext: restrictedPodSecurityContext(),
                            containers: [{
                                name: "exporter",
                                image: LOGGING_VERSIONS.elasticsearchExporterImage,
                                args: [`--es.uri=${esUrl}`, `--es.ca=${ES_CA_DIR}/ca.crt`, "--es.all", `--web.listen-address=:${EXPORTER_PORT}`],
                                env: [
                                    { name: "ES_USERNAME", value: EXPORTER_ES_USER },
                                    { name: "ES_PASSWORD", valueFrom: { secretKeyRef: { name: exporterUser.secretName, key: "password" } } },
                                ],
                                ports: [{ name: "http", containerPort: EXPORTER_PORT, protocol: "TCP" }],
                                securityContext: restrictedContainerSecurityContext(),
                                resources: resources("25m", "64Mi", "128Mi"),
                                readinessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 10 },
                                livenessProbe: { tcpSocket: { port: "http" }, initialDelaySeconds: 30, periodSeconds: 30 },
                                volumeMounts: [caMount],
                            }],
                            volumes: [caVolume],
                        },
                    },
                },
            }, afterCrds);
            // A PodMonitor rather than a Service: the exporter serves no clients, so it needs no Service (nor K8S-13 replicas).
            scrapeTargets.push({ name: "elasticsearch", namespace: NAMESPACES.logging, selector: exSelector, port: "http", kind: "PodMonitor" });
        }

        // Elasticsearch accepts HTTP only from its clients and the operator, transport only from its own pods.
        const fromNs = (n: string) => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: n } } });
        new k8s.networking.v1.NetworkPolicy(`${name}-elasticsearch`, {
            metadata: { namespace, labels: esLabels },
            spec: {
                podSelector: { matchLabels: esPodLabels },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        ports: [{ protocol: "TCP", port: ES_HTTP_PORT }],
                        from: [
                            { podSelector: { matchLabels: fdSelector } },
                            { podSelector: { matchLabels: selectorLabels("elasticsearch-ilm", name) } },
                            { podSelector: { matchLabels: selectorLabels("elasticsearch-exporter", name) } },
                            { podSelector: { matchLabels: { [KB_POD_LABEL]: ES_NAME } } },
                            fromNs(NAMESPACES.monitoring),
                            fromNs(OPERATOR_NAMESPACE),
                        ],
                    },
                    { ports: [{ protocol: "TCP", port: ES_TRANSPORT_PORT }], from: [{ podSelector: { matchLabels: esPodLabels } }] },
                ],
            },
        }, { parent: this });

        this.namespace = namespace;
        this.elasticsearchName = ES_NAME;
        this.kibanaPortForward = kibanaPortForward;
        this.elasticUserCommand = pulumi.interpolate`kubectl -n ${namespace} get secret ${elasticUserSecret} -o go-template='{{.data.elastic | base64decode}}'`;
        this.scrapeTargets = scrapeTargets;
        this.fluentdConfig = fluentConf;
        this.registerOutputs({
            namespace: this.namespace,
            elasticsearchName: this.elasticsearchName,
            kibanaPortForward: this.kibanaPortForward,
            elasticUserCommand: this.elasticUserCommand,
        });
    }
}
