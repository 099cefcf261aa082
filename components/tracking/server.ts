/**
 * The MLflow tracking server in its restricted namespace: ServiceAccount with an EKS Pod Identity
 * scoped to the artifact bucket, ConfigMap (no credentials), the database Secret, the Deployment
 * (schema upgrade first, basic-auth app, probes), its ClusterIP Service and, with two or more
 * replicas, a PodDisruptionBudget and zone spread. Two functions, so the credentials (which the
 * Deployment mounts) are declared between them, in the order the resources always had.
 */
import * as aws from "../shared/aws";
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { podSecurity, selectorLabels, standardLabels } from "../shared/labels";
import { MLFLOW_PORT, NAMESPACES } from "../shared/platform";
import { PodIdentity, podIdentity } from "../shared/pod-identity";
import { DEFAULT_UID, resources, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../shared/security-context";
import { TRACKING_VERSIONS } from "../shared/versions";
import type { ResolvedTrackingArgs } from "./args";
import { ARTIFACTS_PREFIX, artifactPolicy } from "./artifact-bucket";
import { AUTH_CONFIG_DIR, DB_INIT_SCRIPT } from "./auth";
import { DB_NAME, DB_PORT, DB_USER, TrackingDatabase } from "./database";

/** ServiceAccount, Service and Deployment name of the tracking server (clients and the Pod Identity association name it). */
export const MLFLOW_NAME = "mlflow";
/** Kubernetes Secret holding the database password and backend-store URI. */
export const MLFLOW_DB_SECRET = "mlflow-db";
/** Pod-template annotation holding the database Secret's resourceVersion (rolls pods on rotation). */
export const DB_SECRET_VERSION_ANNOTATION = "mlplatform.io/db-secret-version";
/**
 * Creates the auth database if missing and runs `mlflow db upgrade`, with the URI from the
 * environment, so it never appears in argv (components/tracking/auth.ts).
 */
export const DB_UPGRADE_SCRIPT = DB_INIT_SCRIPT;

/** Metadata of an object named `n` in the tracking namespace, with the server's labels. */
export type ObjectMeta = (n: string) => { name: string; namespace: pulumi.Output<string>; labels: Record<string, string> };

/** The tracking namespace and the labels its objects share. */
export interface TrackingNamespace {
    readonly namespace: pulumi.Output<string>;
    readonly labels: Record<string, string>;
    readonly selector: Record<string, string>;
    readonly meta: ObjectMeta;
}

/**
 * Host headers the server accepts (MLflow >= 3.5 rejects others: DNS-rebinding protection). The
 * Service's names, localhost for port-forward, pod IPs for probes and scrapes, and the Ingress host.
 */
export function allowedHosts(ingressHost?: string): string {
    const svc = [MLFLOW_NAME, `${MLFLOW_NAME}.${NAMESPACES.mlflow}`, `${MLFLOW_NAME}.${NAMESPACES.mlflow}.svc`, `${MLFLOW_NAME}.${NAMESPACES.mlflow}.svc.cluster.local`];
    const hosts = [...svc, "localhost", "127.0.0.1"].flatMap((h) => [h, `${h}:*`]);
    // Probes and Prometheus address pods by IP; private ranges only.
    hosts.push("10.*", "172.*", "192.168.*");
    if (ingressHost !== undefined) {
        hosts.push(ingressHost);
    }
    return hosts.join(",");
}

/** The `mlflow` namespace (Pod Security restricted); child `${name}-ns`. */
export function trackingNamespace(name: string, parent: pulumi.Resource): TrackingNamespace {
    const labels = standardLabels(MLFLOW_NAME, "tracking-server", name);
    const selector = selectorLabels(MLFLOW_NAME, name);
    const ps = podSecurity("restricted");
    const ns = new k8s.core.v1.Namespace(`${name}-ns`, {
        metadata: { name: NAMESPACES.mlflow, labels: { ...ps.labels, ...labels } },
    }, { parent });
    const namespace = ns.metadata.name;
    return { namespace, labels, selector, meta: (n: string) => ({ name: n, namespace, labels }) };
}

/** What the server's pods read besides the auth Secret: ServiceAccount (with Pod Identity), ConfigMap, database Secret. */
export interface ServerEnvironment {
    readonly serviceAccount: k8s.core.v1.ServiceAccount;
    readonly identity: PodIdentity;
    readonly config: k8s.core.v1.ConfigMap;
    readonly dbSecret: k8s.core.v1.Secret;
}

/**
 * The server's ServiceAccount and its Pod Identity (S3 on the artifact bucket only), the ConfigMap
 * (no credentials) and the database Secret; children `${name}-sa`, `-s3-*`, `-config`, `-db-secret`.
 */
export function serverEnvironment(name: string, parent: pulumi.Resource, a: ResolvedTrackingArgs, meta: ObjectMeta, database: TrackingDatabase, bucket: aws.s3.Bucket): ServerEnvironment {
    const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, {
        metadata: meta(MLFLOW_NAME),
        automountServiceAccountToken: false,
    }, { parent });

    const identity = podIdentity(`${name}-s3`, {
        clusterName: a.clusterName,
        namespace: NAMESPACES.mlflow,
        serviceAccount: MLFLOW_NAME,
        policy: pulumi.all([bucket.bucket, a.bucketKms ? a.kmsKeyArn : undefined]).apply(([b, k]) => artifactPolicy(b, k)),
        dependsOn: [a.podIdentityAgent],
    }, parent);

    const artifactsDestination = pulumi.interpolate`s3://${bucket.bucket}/${ARTIFACTS_PREFIX}`;
    const config = new k8s.core.v1.ConfigMap(`${name}-config`, {
        metadata: meta(MLFLOW_NAME),
        data: {
            MLFLOW_ARTIFACTS_DESTINATION: artifactsDestination,
            MLFLOW_SERVER_ALLOWED_HOSTS: allowedHosts(a.ingress?.host),
            DB_HOST: database.instance.address,
            DB_PORT: `${DB_PORT}`,
            DB_NAME,
            DB_USER,
            HOME: "/tmp",
            AWS_REGION: a.region,
            AWS_DEFAULT_REGION: a.region,
        },
    }, { parent });

    // The only objects holding the password: the RDS instance and this Secret (and the auth INI,
    // which holds the URI of the auth database on the same instance).
    const dbSecret = new k8s.core.v1.Secret(`${name}-db-secret`, {
        metadata: meta(MLFLOW_DB_SECRET),
        type: "Opaque",
        stringData: {
            password: database.password,
            "backend-store-uri": database.uri(DB_NAME),
        },
    }, { parent });
    return { serviceAccount, identity, config, dbSecret };
}

/** The server's Deployment and Service (the bootstrap Job and the Ingress follow them). */
export interface TrackingServer {
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
}

/**
 * The Deployment (schema upgrade first, basic-auth app, probes), its ClusterIP Service and, with
 * two or more replicas, a PodDisruptionBudget; children `${name}-server`, `-svc`, `-pdb`.
 * `authSecret` (credentials.ts): its INI file is mounted, its CSRF key is a secretKeyRef.
 */
export function trackingServer(name: string, parent: pulumi.Resource, a: ResolvedTrackingArgs, ns: TrackingNamespace, env: ServerEnvironment, authSecret: k8s.core.v1.Secret): TrackingServer {
    const { labels, selector, meta } = ns;
    const { serviceAccount: sa, identity, config, dbSecret } = env;
    const secretEnv = [{ name: "MLFLOW_BACKEND_STORE_URI", valueFrom: { secretKeyRef: { name: dbSecret.metadata.name, key: "backend-store-uri" } } }];
    const authEnv = [
        { name: "MLFLOW_AUTH_CONFIG_PATH", value: `${AUTH_CONFIG_DIR}/basic_auth.ini` },
        { name: "MLFLOW_FLASK_SERVER_SECRET_KEY", valueFrom: { secretKeyRef: { name: authSecret.metadata.name, key: "flask-secret-key" } } },
    ];
    const containerSecurity = restrictedContainerSecurityContext();
    const volumeMounts = [{ name: "tmp", mountPath: "/tmp" }];
    const spread = a.replicas >= 2
        ? [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } }]
        : undefined;

    const deployment = new k8s.apps.v1.Deployment(`${name}-server`, {
        metadata: meta(MLFLOW_NAME),
        spec: {
            replicas: a.replicas,
            selector: { matchLabels: selector },
            // MLflow supports no mixed-version writers: a schema upgrade needs every old server
            // stopped first (MLflow 3.17 release notes). Recreate stops them, then the new pods'
            // init container migrates; a deploy costs a short outage instead of a broken schema.
            strategy: { type: "Recreate" },
            template: {
                metadata: {
                    labels,
                    // Env from a Secret is read at pod start. The Secret's resourceVersion changes
                    // exactly when its data does (a password rotation, a new RDS address), so the pods
                    // roll in the same update, after RDS and the Secret: old pods fail new logins
                    // once RDS has the new password, and Recreate replaces them right away. The
                    // version number carries nothing about the password, unlike a checksum would.
                    annotations: { [DB_SECRET_VERSION_ANNOTATION]: dbSecret.metadata.resourceVersion },
                },
                spec: {
                    serviceAccountName: sa.metadata.name,
                    // Pod Identity injects its token via a projected volume; the API token is not needed.
                    automountServiceAccountToken: false,
                    // The image sets no USER (it would run as root); 10001 owns nothing in it, HOME is /tmp.
                    securityContext: restrictedPodSecurityContext(DEFAULT_UID),
                    topologySpreadConstraints: spread,
                    initContainers: [{
                        name: "db-upgrade",
                        image: TRACKING_VERSIONS.mlflowImage,
                        // `mlflow db upgrade` takes the URI only as an argument. Passing it on the command
                        // line would put the password in the process's argv (visible in /proc and to the
                        // runtime), so Python reads it from the secretKeyRef env and calls the CLI in-process.
                        command: ["python", "-c", DB_UPGRADE_SCRIPT],
                        envFrom: [{ configMapRef: { name: config.metadata.name } }],
                        env: secretEnv,
                        securityContext: containerSecurity,
                        resources: resources("100m", "256Mi", "512Mi"),
                        volumeMounts,
                    }],
                    containers: [{
                        name: "server",
                        image: TRACKING_VERSIONS.mlflowImage,
                        command: ["mlflow", "server"],
                        // Backend URI, artifact destination and allowed hosts come from env (click envvars).
                        args: [
                            // Every request but /health and static files needs a user (ML-04).
                            "--app-name", "basic-auth",
                            "--host", "0.0.0.0",
                            "--port", `${MLFLOW_PORT}`,
                            "--serve-artifacts",
                            "--workers", `${a.workers}`,
                            "--expose-prometheus", "/tmp/prometheus",
                        ],
                        ports: [{ name: "http", containerPort: MLFLOW_PORT, protocol: "TCP" }],
                        envFrom: [{ configMapRef: { name: config.metadata.name } }],
                        env: [...secretEnv, ...authEnv],
                        readinessProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
                        livenessProbe: { httpGet: { path: "/health", port: "http" }, initialDelaySeconds: 30, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
                        startupProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 5, failureThreshold: 36 },
                        securityContext: containerSecurity,
                        resources: resources(a.cpuRequest, a.memoryRequest, a.memoryLimit),
                        volumeMounts: [...volumeMounts, { name: "auth", mountPath: AUTH_CONFIG_DIR, readOnly: true }],
                    }],
                    volumes: [
                        { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
                        // Only the INI file: the server needs nothing else from this Secret as a file.
                        { name: "auth", secret: { secretName: authSecret.metadata.name, items: [{ key: "basic_auth.ini", path: "basic_auth.ini" }], defaultMode: 0o440 } },
                    ],
                },
            },
        },
    }, { parent, dependsOn: [identity.association] });

    const service = new k8s.core.v1.Service(`${name}-svc`, {
        metadata: meta(MLFLOW_NAME),
        spec: {
            type: "ClusterIP",
            selector,
            ports: [{ name: "http", port: MLFLOW_PORT, targetPort: "http", protocol: "TCP" }],
        },
    }, { parent });

    if (a.replicas >= 2) {
        new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, {
            metadata: meta(MLFLOW_NAME),
            spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
        }, { parent, dependsOn: [deployment] });
    }
    return { deployment, service };
}
