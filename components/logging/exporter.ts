/**
 * The Elasticsearch Prometheus exporter: a singleton Deployment logging in as the read-only
 * monitor user, scraped through a PodMonitor.
 */
import { createHash } from "crypto";
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { selectorLabels, standardLabels } from "../shared/labels";
import { NAMESPACES, ScrapeTarget } from "../shared/platform";
import { resources, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../shared/security-context";
import { LOGGING_VERSIONS } from "../shared/versions";
import { caMount, caVolume, ES_CA_DIR } from "./client";
import { EXPORTER_ES_USER } from "./elasticsearch";

const EXPORTER_APP = "elasticsearch-exporter";
const EXPORTER_PORT = 9114;

/** Labels selecting the exporter's pods (Elasticsearch's NetworkPolicy admits them). */
export const exporterSelector = (name: string) => selectorLabels(EXPORTER_APP, name);

/** What {@link elasticsearchExporter} needs. */
export interface ExporterArgs {
    readonly namespace: pulumi.Input<string>;
    /** Elasticsearch's HTTPS URL. */
    readonly esUrl: string;
    /** The exporter user's `kubernetes.io/basic-auth` Secret. */
    readonly passwordSecret: string;
    /** The ECK operator (the CA Secret comes from it). */
    readonly operator: pulumi.Resource;
    /** The CA certificate Elasticsearch's HTTP certificate chains to (also in ECK's public Secret). */
    readonly caCertPem: pulumi.Input<string>;
}

/** The exporter's ServiceAccount and Deployment; returns its scrape target (`elasticsearch`). */
export function elasticsearchExporter(name: string, parent: pulumi.Resource, a: ExporterArgs): ScrapeTarget {
    const namespace = a.namespace;
    const exLabels = standardLabels(EXPORTER_APP, "metrics", name);
    const exSelector = exporterSelector(name);
    const exSa = new k8s.core.v1.ServiceAccount(`${name}-exporter`, {
        metadata: { name: EXPORTER_APP, namespace, labels: exLabels },
        automountServiceAccountToken: false,
    }, { parent });
    new k8s.apps.v1.Deployment(`${name}-exporter`, {
        metadata: { namespace, labels: exLabels },
        spec: {
            // A singleton: a scrape gap during a restart is fine (K8S-13 is for traffic-serving workloads).
            replicas: 1,
            selector: { matchLabels: exSelector },
            template: {
                // The exporter reads the CA once at start: a new CA rolls it (the old one would fail
                // every TLS handshake once Elasticsearch serves a certificate from the new CA).
                metadata: { labels: exLabels, annotations: { "mlplatform.io/ca-hash": pulumi.output(a.caCertPem).apply((pem) => createHash("sha256").update(pem).digest("hex").slice(0, 16)) } },
                spec: {
                    serviceAccountName: exSa.metadata.name,
                    automountServiceAccountToken: false,
                    securityContext: restrictedPodSecurityContext(),
                    containers: [{
                        name: "exporter",
                        image: LOGGING_VERSIONS.elasticsearchExporterImage,
                        args: [`--es.uri=${a.esUrl}`, `--es.ca=${ES_CA_DIR}/ca.crt`, "--es.all", `--web.listen-address=:${EXPORTER_PORT}`],
                        env: [
                            { name: "ES_USERNAME", value: EXPORTER_ES_USER },
                            { name: "ES_PASSWORD", valueFrom: { secretKeyRef: { name: a.passwordSecret, key: "password" } } },
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
    }, { parent, dependsOn: [a.operator] });
    // A PodMonitor rather than a Service: the exporter serves no clients, so it needs no Service (nor K8S-13 replicas).
    return { name: "elasticsearch", namespace: NAMESPACES.logging, selector: exSelector, port: "http", kind: "PodMonitor" };
}
