/**
 * Log collection and search: the ECK operator, Elasticsearch and optional Kibana
 * (elasticsearch.ts), Fluentd on every node (fluentd.ts), the ILM retention Job (retention.ts)
 * and the Elasticsearch exporter (exporter.ts), wired together here.
 */
import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../shared/labels";
import { defaultDenyIngress, fromNamespace, platformNamespace, SAME_NAMESPACE } from "../shared/namespace";
import { IssuedCertificate, NAMESPACES, ScrapeTarget } from "../shared/platform";
import { LoggingArgs } from "./args";
import { httpCertificate } from "./certificates";
import { ELASTIC_USER_SECRET, elasticsearchEndpoint, ES_HTTP_PORT, ES_NAME } from "./client";
import { eckOperator, elasticsearchCluster, elasticsearchPolicy, elasticsearchUsers, ES_POD_SELECTOR, kibana, OPERATOR_NAMESPACE } from "./elasticsearch";
import { elasticsearchExporter, exporterSelector } from "./exporter";
import { fluentd, fluentdSelector } from "./fluentd";
import { retentionJob, retentionSelector } from "./retention";

export { LoggingArgs } from "./args";
export { DATA_STREAM, ES_NAME } from "./client";

/**
 * Log collection and search: the ECK operator (Helm), an Elasticsearch cluster and optional Kibana
 * (ECK custom resources), a Fluentd DaemonSet on every node (GPU and tainted nodes included) with a
 * generated configuration, an ILM retention policy installed by a Job, an Elasticsearch exporter,
 * and network policies. Needs a Kubernetes provider and the gp3 StorageClass (ClusterServices).
 */
export class Logging extends pulumi.ComponentResource {
    /** Namespace of Elasticsearch and Kibana (Fluentd has its own, `NAMESPACES.fluentd`). */
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
    /** Certificates the program issues here, which monitoring alerts on before they expire. */
    public readonly certificates: IssuedCertificate[];

    constructor(name: string, args: LoggingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:Logging", name, {}, opts);

        // Elasticsearch, Kibana, the exporter and the retention Job all meet restricted (ECK 3.5.0 gives
        // its init containers no escalation, drop ALL and runAsNonRoot: elasticsearch/securitycontext,
        // kibana/securitycontext.go); Fluentd, which needs hostPath, has a namespace of its own (NS-10).
        const ns = platformNamespace(`${name}-ns`, { name: NAMESPACES.logging, level: "restricted", labels: standardLabels("logging", "logging", name) }, { parent: this });
        const namespace = ns.metadata.name;
        // NS-09: in from the namespace itself (Kibana, the Job and the exporter to Elasticsearch), from
        // monitoring (scrapes), from the operator (it calls Elasticsearch's API) and from Fluentd's
        // namespace to Elasticsearch's HTTP port. Nothing else.
        defaultDenyIngress(`${name}-ns`, namespace, [
            { role: "same-namespace", from: [SAME_NAMESPACE] },
            { role: "monitoring", from: [fromNamespace(NAMESPACES.monitoring)] },
            { role: "eck-operator", from: [fromNamespace(OPERATOR_NAMESPACE)] },
            { role: "fluentd", podSelector: ES_POD_SELECTOR, from: [fromNamespace(NAMESPACES.fluentd)], ports: [{ protocol: "TCP", port: ES_HTTP_PORT }] },
        ], { parent: this });

        const operator = eckOperator(name, this, ns);
        const esUrl = elasticsearchEndpoint(NAMESPACES.logging).url;
        const users = elasticsearchUsers(name, this, namespace);
        const cert = httpCertificate(name, this, namespace);
        const es = elasticsearchCluster(name, this, { namespace, settings: args, operator, users, httpCertSecret: cert.secret });
        const kibanaPortForward = args.kibana ? kibana(name, this, namespace, operator, es) : undefined;
        const ilmJob = retentionJob(name, this, {
            namespace, esUrl, operator, elasticsearch: es,
            retentionDays: args.retentionDays, elasticsearchNodes: args.elasticsearchNodes, elasticsearchStorageGiB: args.elasticsearchStorageGiB,
        });
        const collector = fluentd(name, this, {
            bufferLimitGiB: args.fluentdBufferLimitGiB,
            memory: args.fluentdMemory,
            memoryLimit: args.fluentdMemoryLimit,
            password: users.fluentd.password,
            caCertPem: cert.caCertPem,
            dependsOn: [es, ilmJob],
        });
        const scrapeTargets: ScrapeTarget[] = [collector.scrapeTarget];
        if (args.exporter) {
            scrapeTargets.push(elasticsearchExporter(name, this, { namespace, esUrl, operator, passwordSecret: users.exporter.secretName, caCertPem: cert.caCertPem }));
        }
        elasticsearchPolicy(name, this, namespace, [
            { namespaceSelector: fromNamespace(NAMESPACES.fluentd).namespaceSelector, podSelector: { matchLabels: fluentdSelector(name) } },
            { podSelector: { matchLabels: retentionSelector(name) } },
            { podSelector: { matchLabels: exporterSelector(name) } },
        ]);

        this.namespace = namespace;
        this.elasticsearchName = ES_NAME;
        this.kibanaPortForward = kibanaPortForward;
        this.elasticUserCommand = pulumi.interpolate`kubectl -n ${namespace} get secret ${ELASTIC_USER_SECRET} -o go-template='{{.data.elastic | base64decode}}'`;
        this.scrapeTargets = scrapeTargets;
        this.certificates = [cert.issued];
        this.fluentdConfig = collector.config;
        this.registerOutputs({
            namespace: this.namespace,
            elasticsearchName: this.elasticsearchName,
            kibanaPortForward: this.kibanaPortForward,
            elasticUserCommand: this.elasticUserCommand,
        });
    }
}
