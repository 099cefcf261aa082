/**
 * Experiment tracking: the MLflow server (server.ts) with its RDS PostgreSQL backend
 * (database.ts), its S3 artifact bucket (artifact-bucket.ts), basic-auth credentials
 * (credentials.ts, rules in auth.ts), NetworkPolicies (network-policies.ts) and, in production,
 * an authenticated ALB Ingress (ingress.ts). Config keys, preset values and their rules:
 * settings.ts; arguments and the component's own checks: args.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { MLFLOW_PORT, NAMESPACES, ScrapeTarget } from "../shared/platform";
import { resolveTrackingArgs, TrackingArgs } from "./args";
import { artifactBucket } from "./artifact-bucket";
import { mlflowIdentities, readerUser, teamUser } from "./auth";
import { authBootstrapJob, mlflowSecrets } from "./credentials";
import { trackingDatabase } from "./database";
import { trackingIngress } from "./ingress";
import { trackingNetworkPolicies } from "./network-policies";
import { MLFLOW_NAME, serverEnvironment, trackingNamespace, trackingServer } from "./server";

export { NAME_PREFIX, resolveTrackingArgs } from "./args";
export type { ResolvedTrackingArgs, TrackingArgs } from "./args";
export type { TrackingIngressSettings, TrackingOidcSettings } from "./ingress";

/** One generated MLflow identity's credentials (the password is a secret Output). */
export interface MlflowCredentials {
    readonly username: string;
    readonly password: pulumi.Output<string>;
}

/**
 * Experiment tracking: MLflow's server on EKS with a private, encrypted RDS PostgreSQL backend and
 * an S3 artifact bucket it reaches through EKS Pod Identity, serving artifacts to clients itself
 * (`--serve-artifacts`) so notebooks need no AWS credentials. The database password reaches the pod
 * only through a Kubernetes Secret referenced by `secretKeyRef`. Needs AWS and Kubernetes providers.
 *
 * @see https://mlflow.org/docs/latest/self-hosting/
 */
export class Tracking extends pulumi.ComponentResource {
    /** Tracking URI for in-cluster clients. */
    public readonly trackingUri: string;
    /** Command that makes the UI reachable on http://localhost:5000. */
    public readonly portForwardCommand: string;
    /** Artifact bucket name. */
    public readonly bucketName: pulumi.Output<string>;
    /** Database endpoint (`host:port`); the password is never an output. */
    public readonly databaseEndpoint: pulumi.Output<string>;
    /** Namespace of the tracking server. */
    public readonly namespace: pulumi.Output<string>;
    /** What monitoring scrapes (`job="mlflow"`, prometheus_flask_exporter metrics). */
    public readonly scrapeTargets: ScrapeTarget[];
    /** Public URL of the UI when an Ingress is configured. */
    public readonly url?: string;
    /** Each team's MLflow credentials (`team-<name>`), for a Secret in the team's namespace. */
    public readonly teamCredentials: Record<string, MlflowCredentials>;
    /** Each read-only client's MLflow credentials (`reader-<name>`), e.g. for model serving. */
    public readonly readerCredentials: Record<string, MlflowCredentials>;
    /** Password of the MLflow admin (secret): for the notebook provisioner only, never a stack output. */
    public readonly adminPassword: pulumi.Output<string>;

    constructor(name: string, args: TrackingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:Tracking", name, {}, opts);
        const a = resolveTrackingArgs(args);

        const database = trackingDatabase(name, this, a);
        const bucket = artifactBucket(name, this, a);
        const ns = trackingNamespace(name, this);
        const identities = mlflowIdentities(a.teams, a.mlflowReaders);
        const env = serverEnvironment(name, this, a, ns.meta, database, bucket);
        const secrets = mlflowSecrets(name, this, identities, ns.meta, database);
        const server = trackingServer(name, this, a, ns, env, secrets.authSecret);
        trackingNetworkPolicies(name, this, a, ns);
        authBootstrapJob(name, this, ns, identities.map((i) => i.username), secrets, server);
        if (a.ingress !== undefined) {
            this.url = `https://${a.ingress.host}`;
            trackingIngress(name, this, { settings: a.ingress, meta: ns.meta, service: server.service, loadBalancerController: a.loadBalancerController });
        }

        this.trackingUri = `http://${MLFLOW_NAME}.${NAMESPACES.mlflow}.svc.cluster.local:${MLFLOW_PORT}`;
        this.portForwardCommand = `kubectl -n ${NAMESPACES.mlflow} port-forward svc/${MLFLOW_NAME} ${MLFLOW_PORT}:${MLFLOW_PORT}`;
        this.bucketName = bucket.bucket;
        this.databaseEndpoint = database.instance.endpoint;
        this.namespace = ns.namespace;
        this.scrapeTargets = [{ name: MLFLOW_NAME, namespace: ns.namespace, namespaceName: NAMESPACES.mlflow, selector: ns.selector, port: "http", path: "/metrics", basicAuthSecret: secrets.metricsSecret.metadata.name }];
        const creds = (username: string): MlflowCredentials => ({ username, password: secrets.passwords[username] });
        this.teamCredentials = Object.fromEntries(a.teams.map((t) => [t, creds(teamUser(t))]));
        this.readerCredentials = Object.fromEntries(a.mlflowReaders.map((r) => [r, creds(readerUser(r))]));
        this.adminPassword = secrets.adminPassword;
        this.registerOutputs({
            trackingUri: this.trackingUri,
            portForwardCommand: this.portForwardCommand,
            bucketName: this.bucketName,
            databaseEndpoint: this.databaseEndpoint,
            namespace: this.namespace,
        });
    }
}
