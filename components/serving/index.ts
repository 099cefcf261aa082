/**
 * Model serving: every registered MLflow model listed in `models` becomes an autoscaled endpoint
 * in its team's namespace (endpoint.ts), plus metrics-server for the autoscalers and the
 * endpoints' alert rules.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../shared/labels";
import { prometheusRuleSpec } from "../shared/monitoring-rules";
import { NAMESPACES } from "../shared/platform";
import { SERVING_VERSIONS } from "../shared/versions";
import { servingRuleGroup } from "./alerts";
import { endpointUrl, MlflowCredentials, modelEndpoint, portForwardCommand } from "./endpoint";
import { metricsServer } from "./metrics-server";
import { ResolvedModel } from "./settings";

export { MlflowCredentials } from "./endpoint";

/** Arguments of {@link Serving}. */
export interface ServingArgs {
    /** The endpoints, validated by `resolveModels` (settings.ts). */
    readonly models: ResolvedModel[];
    /** In-cluster MLflow tracking URI: the registry and the artifact proxy the fetcher reads. */
    readonly trackingUri: pulumi.Input<string>;
    /**
     * The Secret (same name in every team namespace) with the MLflow credentials models are fetched
     * with. @default - none: MLflow has no authentication yet, requests are anonymous
     */
    readonly mlflowCredentials?: MlflowCredentials;
    /** Resources the ServiceMonitors and PrometheusRule wait for (the monitoring layer: its CRDs). */
    readonly monitoring: pulumi.Input<pulumi.Resource>[];
    /** Scoring image. @default SERVING_VERSIONS.scoringImage */
    readonly image?: string;
}

/** One endpoint's outputs. */
export interface EndpointInfo {
    readonly url: string;
    readonly portForward: string;
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

    constructor(name: string, args: ServingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:Serving", name, {}, opts);
        const image = args.image ?? SERVING_VERSIONS.scoringImage;

        this.metricsServer = metricsServer(`${name}-metrics-server`, this);

        const endpoints: Record<string, EndpointInfo> = {};
        for (const model of args.models) {
            modelEndpoint(`${name}-${model.team}-${model.name}`, { model, trackingUri: args.trackingUri, credentials: args.mlflowCredentials, image }, this, args.monitoring);
            endpoints[`${model.team}/${model.name}`] = { url: endpointUrl(model), portForward: portForwardCommand(model) };
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
