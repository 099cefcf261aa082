/**
 * Contracts between the platform's layers: namespace names, the labels network policies match,
 * and how a layer asks monitoring to scrape it. Layers import these instead of repeating strings.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * Namespaces the platform creates. Named explicitly (not auto-named) because users, dashboards,
 * alert rules and network policies refer to them.
 */
export const NAMESPACES = {
    mlflow: "mlflow",
    jupyterhub: "jupyterhub",
    logging: "logging",
    monitoring: "monitoring",
    gpu: "nvidia-device-plugin",
    /** Kueue's controller; its default `Configuration.namespace` (kubernetes-sigs/kueue apis/config/v1beta2/defaults.go). */
    kueue: "kueue-system",
    /** node-exporter alone: it needs host namespaces and hostPath, so its namespace is privileged (NS-10). */
    nodeExporter: "node-exporter",
    /** Fluentd alone: it reads the nodes' log files through hostPath, so its namespace is privileged (NS-10). */
    fluentd: "fluentd",
} as const;

/** Label on namespaces whose pods may call the MLflow tracking server (JupyterHub, teams). */
export const MLFLOW_CLIENT_LABEL = { key: "mlplatform.io/mlflow-client", value: "true" } as const;

/** Port of the MLflow tracking server's Service. */
export const MLFLOW_PORT = 5000;

/** Label Kubernetes sets on every namespace with its name (used in namespaceSelectors). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * A certificate the program issues (@pulumi/tls). The tls provider renews it only during a
 * `pulumi up` inside its renewal window, so a stack nobody updates lets it expire: the monitoring
 * layer alerts before that (rules.ts `certificateRuleGroup`).
 */
export interface IssuedCertificate {
    /** Short name, the alert's `certificate` label. */
    readonly name: string;
    /** End of validity, RFC 3339 (the tls resource's `validityEndTime`). */
    readonly notAfter: pulumi.Input<string>;
    /** Hours before `notAfter` from which `pulumi up` replaces it (`earlyRenewalHours`). */
    readonly renewalWindowHours: number;
}

/**
 * Something Prometheus should scrape. A layer exposes these; the monitoring layer turns each into
 * a ServiceMonitor or PodMonitor after the prometheus-operator CRDs exist.
 */
export interface ScrapeTarget {
    /** Short name, used for the monitor's name and the `job` label. */
    readonly name: string;
    /** Namespace of the Service or pods. */
    readonly namespace: pulumi.Input<string>;
    /**
     * The namespace's name when `namespace` is an Output (the layer's namespace resource, so the
     * monitor waits for it): the monitoring layer names the operator's Role in that namespace by
     * it, since an Output's value is not known while the program registers. Required then.
     */
    readonly namespaceName?: string;
    /** Labels selecting the Service (ServiceMonitor) or pods (PodMonitor). */
    readonly selector: Record<string, string>;
    /** Named port to scrape. */
    readonly port: string;
    /** HTTP path. @default "/metrics" */
    readonly path?: string;
    /** Monitor kind. @default "ServiceMonitor" */
    readonly kind?: "ServiceMonitor" | "PodMonitor";
    /** Scrape interval, seconds. @default 30 */
    readonly intervalSeconds?: number;
    /**
     * Scrape over HTTPS, sending Prometheus's ServiceAccount token (for controller-runtime's
     * authenticated metrics servers). `insecureSkipVerify` only for self-signed serving certificates.
     * @default - plain HTTP, no credentials
     */
    readonly https?: { readonly serviceAccountToken: boolean; readonly insecureSkipVerify: boolean };
    /**
     * Secret in the target's namespace whose `MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`
     * keys are the basic-auth credentials the endpoint requires. @default - none (no auth)
     */
    readonly basicAuthSecret?: pulumi.Input<string>;
}
