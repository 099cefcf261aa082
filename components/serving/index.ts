/**
 * Model serving: every registered MLflow model listed in `models` becomes an autoscaled endpoint
 * in its team's namespace (endpoint.ts), plus metrics-server for the autoscalers and the
 * endpoints' alert rules.
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../shared/labels";
import { prometheusRuleSpec } from "../monitoring/rules";
import { NAMESPACES } from "../shared/platform";
import { MLFLOW_PASSWORD_ENV, MLFLOW_USERNAME_ENV } from "../tracking/auth";
import { SERVING_VERSIONS } from "../shared/versions";
import { servingRuleGroup } from "./alerts";
import { endpointUrl, MlflowCredentials, modelEndpoint, portForwardCommand } from "./endpoint";
import { Gateway, GatewaySettings, modelGateway, publicUrl } from "./gateway";
import { metricsServer } from "./metrics-server";
import { ResolvedModel } from "./settings";

export { MlflowCredentials } from "./endpoint";

/** Name of the read-only MLflow identity (Tracking `mlflowReaders`) endpoints fetch models as. */
export const SERVING_MLFLOW_READER = "serving";

/** Secret in each team namespace with endpoints: the read-only MLflow identity models are fetched with. */
export const MODEL_READER_SECRET = "mlflow-model-reader";

/** Arguments of {@link Serving}. */
export interface ServingArgs {
    /** The endpoints, validated by `resolveModels` (settings.ts). */
    readonly models: ResolvedModel[];
    /** In-cluster MLflow tracking URI: the registry and the artifact proxy the fetcher reads. */
    readonly trackingUri: pulumi.Input<string>;
    /**
     * The MLflow user models are fetched with: a read-only identity (Tracking's `mlflowReaders`,
     * permission READ, so no endpoint can write into any team's models; checklist ML-04). Serving
     * writes it into the Secret {@link MODEL_READER_SECRET} in each namespace that has endpoints;
     * only the fetcher init container reads it, by secretKeyRef.
     * @default - none: models are fetched anonymously (only for a server without authentication)
     */
    readonly mlflowReader?: { readonly username: string; readonly password: pulumi.Input<string> };
    /** Resources the ServiceMonitors and PrometheusRule wait for (the monitoring layer: its CRDs). */
    readonly monitoring: pulumi.Input<pulumi.Resource>[];
    /** Scoring image. @default SERVING_VERSIONS.scoringImage */
    readonly image?: string;
    /**
     * The HTTPS Ingress and bearer-token proxy in front of the `expose: true` models (production),
     * from `resolveGateway` (settings.ts). @default - none: every endpoint is in-cluster only
     */
    readonly gateway?: GatewaySettings;
    /** The VPC CIDR the ALB connects to the proxy from. Required with `gateway`. */
    readonly vpcCidr?: pulumi.Input<string>;
    /** The AWS Load Balancer Controller: the Ingress is created after it and deleted before it (it deletes the ALB). */
    readonly loadBalancerController?: pulumi.Resource;
}

/** One endpoint's outputs. */
export interface EndpointInfo {
    readonly url: string;
    readonly portForward: string;
    /** Exposed models only: `https://<servingIngressHost>/<team>/<model>/invocations` (a bearer token required). */
    readonly publicUrl?: string;
}

/**
 * Model endpoints (Deployment, Service, HPA, PDB, NetworkPolicy, ServiceMonitor per model),
 * metrics-server, and the serving alert rules.
 */
export class Serving extends pulumi.ComponentResource {
    /** `<team>/<model>` → in-cluster URL and port-forward command. */
    public readonly endpoints: Record<string, EndpointInfo>;
    /** The metrics-server release (the HPAs' metric source). */
    public readonly metricsServer: k8s.helm.v3.Release;
    /** The auth proxy and its Ingress, when a model is exposed. */
    public readonly gateway: Gateway | undefined;

    constructor(name: string, args: ServingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:Serving", name, {}, opts);
        const image = args.image ?? SERVING_VERSIONS.scoringImage;

        this.metricsServer = metricsServer(`${name}-metrics-server`, this);

        let credentials: MlflowCredentials | undefined;
        const readerSecrets: Record<string, k8s.core.v1.Secret> = {};
        if (args.mlflowReader !== undefined) {
            credentials = { secretName: MODEL_READER_SECRET, usernameKey: MLFLOW_USERNAME_ENV, passwordKey: MLFLOW_PASSWORD_ENV };
            for (const namespace of [...new Set(args.models.map((m) => m.team))]) {
                readerSecrets[namespace] = new k8s.core.v1.Secret(`${name}-${namespace}-mlflow-reader`, {
                    metadata: { name: MODEL_READER_SECRET, namespace, labels: standardLabels("serving", "mlflow-reader", name) },
                    type: "Opaque",
                    stringData: { [MLFLOW_USERNAME_ENV]: args.mlflowReader.username, [MLFLOW_PASSWORD_ENV]: pulumi.secret(args.mlflowReader.password) },
                }, { parent: this });
            }
        }
        const exposed = args.models.filter((m) => m.expose);
        if (exposed.length > 0 && args.gateway === undefined) {
            throw new Error(`models ${exposed.map((m) => `${m.team}/${m.name}`).join(", ")} have expose: true but no gateway settings were given (resolveGateway)`);
        }
        const g = args.gateway;
        if (g !== undefined && args.vpcCidr === undefined) {
            throw new Error("gateway needs vpcCidr: the ALB reaches the proxy from the VPC");
        }
        this.gateway = g !== undefined && exposed.length > 0
            ? modelGateway(`${name}-gateway`, g, exposed, { vpcCidr: args.vpcCidr!, loadBalancerController: args.loadBalancerController, monitoring: args.monitoring }, this)
            : undefined;

        const endpoints: Record<string, EndpointInfo> = {};
        for (const model of args.models) {
            modelEndpoint(`${name}-${model.team}-${model.name}`, { model, trackingUri: args.trackingUri, credentials, credentialsSecret: readerSecrets[model.team], image }, this, args.monitoring);
            endpoints[`${model.team}/${model.name}`] = {
                url: endpointUrl(model),
                portForward: portForwardCommand(model),
                ...(model.expose && g !== undefined ? { publicUrl: publicUrl(g.host, model) } : {}),
            };
        }

        const group = servingRuleGroup();
        new k8s.apiextensions.CustomResource(`${name}-rules`, {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: { name: group.name, namespace: NAMESPACES.monitoring, labels: standardLabels("prometheus", "alert-rules", name) },
            spec: prometheusRuleSpec(group),
        }, { parent: this, dependsOn: args.monitoring });

        this.endpoints = endpoints;
        this.registerOutputs({ endpoints });
    }
}
