/**
 * How the platform's clients (Fluentd, the retention Job, the exporter) reach Elasticsearch: the
 * names ECK derives from the cluster's name, the HTTP port, the CA they verify against, and the
 * data stream they write.
 */

/**
 * Name of the Elasticsearch (and Kibana) object. Explicit because ECK derives Service and Secret
 * names from it: `logs-es-http`, `logs-es-elastic-user`, `logs-es-http-certs-public`, `logs-kb-http`.
 */
export const ES_NAME = "logs";
/** Data stream Fluentd writes (`logs-<dataset>-<namespace>`, the Elastic naming scheme). */
export const DATA_STREAM = "logs-k8s-default";
/** Index template and ILM policy names the platform installs; the template matches `logs-k8s-*`. */
export const TEMPLATE_NAME = "logs-k8s";
export const ILM_POLICY_NAME = "logs-k8s";
/** Where the Elasticsearch HTTP CA (`ca.crt`) is mounted in Fluentd, the job and the exporter. */
export const ES_CA_DIR = "/etc/elasticsearch-ca";
export const ES_HTTP_PORT = 9200;
/** ECK's Secret with the `elastic` superuser's password (key `elastic`). */
export const ELASTIC_USER_SECRET = `${ES_NAME}-es-elastic-user`;
/** ECK's Secret with the HTTP CA certificate (`ca.crt`) and no key. */
const CA_SECRET = `${ES_NAME}-es-http-certs-public`;

/** In-cluster HTTPS endpoint of Elasticsearch in `namespace`. */
export function elasticsearchEndpoint(namespace: string) {
    const host = `${ES_NAME}-es-http.${namespace}.svc`;
    return { host, port: ES_HTTP_PORT, url: `https://${host}:${ES_HTTP_PORT}` };
}

/** The pod volume with the HTTP CA certificate, and its mount at {@link ES_CA_DIR}. */
export const caVolume = { name: "es-ca", secret: { secretName: CA_SECRET, items: [{ key: "ca.crt", path: "ca.crt" }] } };
export const caMount = { name: "es-ca", mountPath: ES_CA_DIR, readOnly: true };
