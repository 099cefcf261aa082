/**
 * Elasticsearch through ECK: the operator (Helm, its own namespace), the file-realm users and
 * roles the platform's clients log in with, the Elasticsearch cluster, optional Kibana, and the
 * NetworkPolicy that admits only Elasticsearch's clients.
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { standardLabels } from "../shared/labels";
import { defaultDenyIngress, platformNamespace } from "../shared/namespace";
import { NAMESPACE_NAME_LABEL, NAMESPACES } from "../shared/platform";
import { chartResources, resources, restrictedContainerSecurityContext } from "../shared/security-context";
import { LOGGING_VERSIONS } from "../shared/versions";
import { LoggingArgs } from "./args";
import { HTTP_CERT_SECRET } from "./certificates";
import { ES_HTTP_PORT, ES_NAME, TEMPLATE_NAME } from "./client";

type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;

/** Namespace of the ECK operator. */
export const OPERATOR_NAMESPACE = "elastic-system";
/** Helm release name of the operator. */
export const OPERATOR_RELEASE = "elastic-operator";
/** Elasticsearch file-realm users (least privilege; not the `elastic` superuser). */
export const FLUENTD_ES_USER = "fluentd";
export const EXPORTER_ES_USER = "es-exporter";
/** Roles the file-realm users get (defined in the roles Secret). */
export const FLUENTD_ROLE = "mlplatform_fluentd_writer";
export const EXPORTER_ROLE = "mlplatform_es_monitor";
const ES_TRANSPORT_PORT = 9300;
/** Label ECK puts on every Elasticsearch pod. */
const ES_POD_LABEL = "elasticsearch.k8s.elastic.co/cluster-name";
/** Label ECK puts on every Kibana pod. */
const KB_POD_LABEL = "kibana.k8s.elastic.co/name";
/** The Elasticsearch image's user (ECK's default fsGroup). */
const ES_UID = 1000;

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


/**
 * The ECK operator's namespace (restricted, nothing comes in) and its Helm release, limited to
 * the logging namespace.
 */
export function eckOperator(name: string, parent: pulumi.Resource, loggingNamespace: k8s.core.v1.Namespace): k8s.helm.v3.Release {
    const opNs = platformNamespace(`${name}-operator-ns`, { name: OPERATOR_NAMESPACE, level: "restricted", labels: standardLabels("eck-operator", "operator", name) }, { parent });
    // The operator serves nothing once its webhook is off (NS-08), so nothing comes in.
    defaultDenyIngress(`${name}-operator-ns`, opNs.metadata.name, [], { parent });

    const chart = LOGGING_VERSIONS.eckOperatorChart;
    return new k8s.helm.v3.Release(`${name}-eck-operator`, {
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
    }, { parent, dependsOn: [loggingNamespace] });
}

/** A file-realm user's Secret (its name is what pods reference). */
export interface EsUser {
    readonly secretName: string;
    readonly secret: k8s.core.v1.Secret;
    /** The generated password (secret), for a copy of the Secret in a client's namespace. */
    readonly password: pulumi.Output<string>;
}

/** The file-realm users and the roles Secret Elasticsearch loads. */
export interface EsUsers {
    readonly fluentd: EsUser;
    readonly exporter: EsUser;
    readonly rolesSecretName: string;
    readonly rolesSecret: k8s.core.v1.Secret;
}

/**
 * Least-privilege Elasticsearch users in ECK's file realm (kubernetes.io/basic-auth Secrets with a
 * `roles` key, accepted since ECK 2.x: pkg/controller/elasticsearch/user/user_provided.go), with
 * generated passwords, and the roles they name.
 */
export function elasticsearchUsers(name: string, parent: pulumi.Resource, namespace: pulumi.Input<string>): EsUsers {
    const basicAuthUser = (role: string, user: string, esRole: string): EsUser => {
        const pw = new random.RandomPassword(`${name}-${role}-password`, { length: 32, special: false }, { parent });
        const secret = new k8s.core.v1.Secret(`${name}-${role}-user`, {
            metadata: { name: `${ES_NAME}-${user}-user`, namespace, labels: standardLabels("elasticsearch", "credentials", name) },
            type: "kubernetes.io/basic-auth",
            stringData: { username: user, password: pulumi.secret(pw.result), roles: esRole },
        }, { parent });
        return { secretName: `${ES_NAME}-${user}-user`, secret, password: pulumi.secret(pw.result) };
    };
    const fluentd = basicAuthUser("fluentd", FLUENTD_ES_USER, FLUENTD_ROLE);
    const exporter = basicAuthUser("exporter", EXPORTER_ES_USER, EXPORTER_ROLE);
    const rolesSecretName = `${ES_NAME}-roles`;
    const rolesSecret = new k8s.core.v1.Secret(`${name}-es-roles`, {
        metadata: { name: rolesSecretName, namespace, labels: standardLabels("elasticsearch", "credentials", name) },
        type: "Opaque",
        stringData: { "roles.yml": esRolesYaml() },
    }, { parent });
    return { fluentd, exporter, rolesSecretName, rolesSecret };
}

const esLabels = (name: string) => standardLabels("elasticsearch", "log-store", name);
const esPodLabels = { [ES_POD_LABEL]: ES_NAME };
/** Labels ECK puts on every pod of the Elasticsearch cluster. */
export const ES_POD_SELECTOR: Readonly<Record<string, string>> = esPodLabels;

// K8S-11: ECK leaves serviceAccountName unset (the namespace's default SA); its builder already
// sets automountServiceAccountToken false (cloud-on-k8s v3.5.0 pkg/controller/common/defaults/pod_template.go).
function podServiceAccount(name: string, parent: pulumi.Resource, namespace: pulumi.Input<string>, role: string): k8s.core.v1.ServiceAccount {
    return new k8s.core.v1.ServiceAccount(`${name}-${role}-sa`, {
        metadata: { name: `${ES_NAME}-${role}`, namespace, labels: standardLabels(role, "service-account", name) },
        automountServiceAccountToken: false,
    }, { parent });
}

/** What {@link elasticsearchCluster} needs. */
export interface ElasticsearchArgs {
    readonly namespace: pulumi.Input<string>;
    /** The Secret with the HTTP certificate issued by the platform CA (certificates.ts). */
    readonly httpCertSecret: k8s.core.v1.Secret;
    readonly settings: LoggingArgs;
    readonly operator: pulumi.Resource;
    readonly users: EsUsers;
}

/** The Elasticsearch custom resource (with its pods' ServiceAccount). */
export function elasticsearchCluster(name: string, parent: pulumi.Resource, args: ElasticsearchArgs): k8s.apiextensions.CustomResource {
    const { namespace, settings: a, operator, users, httpCertSecret } = args;
    const labels = esLabels(name);
    const esServiceAccount = podServiceAccount(name, parent, namespace, "elasticsearch");
    return new k8s.apiextensions.CustomResource(`${name}-elasticsearch`, {
        apiVersion: "elasticsearch.k8s.elastic.co/v1",
        kind: "Elasticsearch",
        metadata: { name: ES_NAME, namespace, labels },
        spec: {
            version: LOGGING_VERSIONS.elasticsearch,
            // Sandbox: volumes go with the cluster; production keeps them after deletion (ES-05).
            volumeClaimDeletePolicy: a.deleteVolumesWithWorkload ? "DeleteOnScaledownAndClusterDeletion" : "DeleteOnScaledownOnly",
            // HTTP TLS with the platform CA's certificate (certificates.ts), not ECK's self-signed CA: its
            // CA certificate can then be handed to Fluentd in a namespace of its own (NS-10).
            http: { tls: { certificate: { secretName: HTTP_CERT_SECRET } } },
            auth: {
                fileRealm: [{ secretName: users.fluentd.secretName }, { secretName: users.exporter.secretName }],
                roles: [{ secretName: users.rolesSecretName }],
            },
            nodeSets: [{
                name: "default",
                count: a.elasticsearchNodes,
                config: {
                    // No mmap, so no privileged init container raising vm.max_map_count on the node.
                    "node.store.allow_mmap": false,
                },
                podTemplate: {
                    metadata: { labels },
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
    }, { parent, dependsOn: [operator, users.fluentd.secret, users.exporter.secret, users.rolesSecret, httpCertSecret], protect: !a.deleteVolumesWithWorkload });
}

/** Kibana (reached by port-forward); returns the `kubectl port-forward` command. */
export function kibana(name: string, parent: pulumi.Resource, namespace: pulumi.Output<string>, operator: pulumi.Resource, es: pulumi.Resource): pulumi.Output<string> {
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
                    serviceAccountName: podServiceAccount(name, parent, namespace, "kibana").metadata.name,
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
    }, { parent, dependsOn: [operator, es] });
    return pulumi.interpolate`kubectl -n ${namespace} port-forward svc/${ES_NAME}-kb-http 5601`;
}

/**
 * Elasticsearch accepts HTTP only from its clients (`clients`, Kibana), monitoring and the
 * operator, transport only from its own pods.
 */
export function elasticsearchPolicy(name: string, parent: pulumi.Resource, namespace: pulumi.Input<string>, clients: NetworkPolicyPeer[]): k8s.networking.v1.NetworkPolicy {
    const fromNs = (n: string) => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: n } } });
    return new k8s.networking.v1.NetworkPolicy(`${name}-elasticsearch`, {
        metadata: { namespace, labels: esLabels(name) },
        spec: {
            podSelector: { matchLabels: esPodLabels },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    ports: [{ protocol: "TCP", port: ES_HTTP_PORT }],
                    from: [
                        ...clients,
                        { podSelector: { matchLabels: { [KB_POD_LABEL]: ES_NAME } } },
                        fromNs(NAMESPACES.monitoring),
                        fromNs(OPERATOR_NAMESPACE),
                    ],
                },
                { ports: [{ protocol: "TCP", port: ES_TRANSPORT_PORT }], from: [{ podSelector: { matchLabels: esPodLabels } }] },
            ],
        },
    }, { parent });
}
