import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT } from "../cluster-services";
import { ALB_INGRESS_CLASS, albAnnotations, IngressSettings, validateIngress } from "../shared/ingress";
import { podSecurity, selectorLabels, standardLabels } from "../shared/labels";
import { MLFLOW_CLIENT_LABEL, MLFLOW_PORT, NAMESPACE_NAME_LABEL, NAMESPACES, ScrapeTarget } from "../shared/platform";
import { podIdentity } from "../shared/pod-identity";
import { DEFAULT_UID, resources, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../shared/security-context";
import { TRACKING_VERSIONS } from "../shared/versions";
import { httpsUrl, wholeNumber } from "../shared/validate";
import {
    AUTH_CONFIG_DIR, AUTH_DB_NAME, authIni, BOOTSTRAP_ADMIN_DIR, BOOTSTRAP_SCRIPT, BOOTSTRAP_USERS_DIR, DB_INIT_SCRIPT,
    METRICS_READER, MLFLOW_AUTH_SECRET, MLFLOW_PASSWORD_ENV, MLFLOW_USERNAME_ENV, MLFLOW_USERS_SECRET, mlflowIdentities, readerUser, teamUser,
} from "./auth";

/** ServiceAccount, Service and Deployment name of the tracking server (clients and the Pod Identity association name it). */
export const MLFLOW_NAME = "mlflow";
/** Kubernetes Secret holding the database password and backend-store URI. */
export const MLFLOW_DB_SECRET = "mlflow-db";
/** Kubernetes Secret holding the ALB's OIDC client credentials (only with an Ingress). */
export const MLFLOW_OIDC_SECRET = "mlflow-oidc";
/** Fixed database user and name: nothing outside the program chooses them. */
export const DB_USER = "mlflow";
export const DB_NAME = "mlflow";
const DB_PORT = 5432;
/** Prefix of the artifact location inside the bucket. */
export const ARTIFACTS_PREFIX = "artifacts";
/** CA bundle the instance's server certificate chains to (checklist RDS-09). */
const CA_CERT = "rds-ca-rsa2048-g1";
/** The EKS Pod Identity agent's link-local address (hostNetwork DaemonSet, port 80). */
export const POD_IDENTITY_AGENT_CIDR = "169.254.170.23/32";
const IMDS_CIDR = "169.254.169.254/32";
const LOG_EXPORTS = ["postgresql", "upgrade", "iam-db-auth-error"];
const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60];
// 29 characters: the bucket prefix `<namePrefix>-mlflow-` may be at most 37.
export const NAME_PREFIX = /^[a-z][a-z0-9-]{0,27}[a-z0-9]$/;
/**
 * Creates the auth database if missing and runs `mlflow db upgrade`, with the URI from the
 * environment, so it never appears in argv (components/tracking/auth.ts).
 */
export const DB_UPGRADE_SCRIPT = DB_INIT_SCRIPT;
/** Secret (mlflow namespace) with the credentials Prometheus scrapes `/metrics` with. */
export const MLFLOW_METRICS_SECRET = "mlflow-metrics-credentials";
const INSTANCE_CLASS = /^db\.[a-z0-9]+\.[a-z0-9]+$/;
const QUANTITY = /^\d+(\.\d+)?(m|Mi|Gi)?$/;

/** OIDC login the ALB performs before forwarding to MLflow (MLflow itself has no login then). */
export interface TrackingOidcSettings {
    /** Issuer URL (https). */
    readonly issuer: string;
    /** Authorization endpoint (https). */
    readonly authorizationEndpoint: string;
    /** Token endpoint (https). */
    readonly tokenEndpoint: string;
    /** User-info endpoint (https). */
    readonly userInfoEndpoint: string;
    /** OAuth client id. */
    readonly clientId: string;
    /** OAuth client secret (secret config); reaches the ALB controller only through a Kubernetes Secret. */
    readonly clientSecret: pulumi.Input<string>;
}

/** The production Ingress: an ALB with an ACM certificate and OIDC authentication. */
export interface TrackingIngressSettings extends IngressSettings {
    /** OIDC authentication on the ALB; required, MLflow's UI and API have no login of their own here. */
    readonly oidc: TrackingOidcSettings;
}

/** Arguments of {@link Tracking}. */
export interface TrackingArgs {
    /** Prefix of physical names (RDS identifier, bucket prefix), unique per stack, e.g. "mlplatform-dev". */
    readonly namePrefix: string;
    /** EKS cluster name (Pod Identity association). */
    readonly clusterName: pulumi.Input<string>;
    /** VPC of the cluster and the database. */
    readonly vpcId: pulumi.Input<string>;
    /** VPC CIDR: the NetworkPolicy's egress target for PostgreSQL, excluded from HTTPS egress. */
    readonly vpcCidr: string;
    /**
     * Kubernetes Service CIDR, excluded from HTTPS egress: a NetworkPolicy may match a ClusterIP before
     * it is rewritten, and the `kubernetes` Service leads to the API server (checklist NS-09).
     * @default "172.20.0.0/16"
     */
    readonly serviceCidr?: string;
    /**
     * AWS region of the bucket. boto3 gets no region from Pod Identity; without one it calls the
     * us-east-1 endpoint (outside the VPC's S3 gateway endpoint) and follows redirects.
     */
    readonly region: string;
    /** Private database subnets, one per AZ of the stack (at least two: RDS requires it). */
    readonly databaseSubnetIds: pulumi.Input<string>[];
    /** Security group of the nodes MLflow runs on: the only source the database admits on 5432. */
    readonly nodeSecurityGroupId: pulumi.Input<string>;
    /** The Pod Identity agent add-on, which the association needs first. */
    readonly podIdentityAgent: pulumi.Resource;
    /**
     * Customer-managed KMS key for RDS storage, Performance Insights and (with `bucketKms`) S3.
     * @default - AWS-managed keys (`aws/rds`, SSE-S3)
     */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /**
     * Database password (secret config). Must not contain `/`, `"`, `@` or spaces (RDS rules).
     * @default - a generated 32-character alphanumeric `random.RandomPassword`
     */
    readonly databasePassword?: pulumi.Input<string>;
    /** RDS instance class. @default "db.t4g.micro" */
    readonly instanceClass?: string;
    /** Allocated storage, GiB. @default 20 */
    readonly allocatedStorageGiB?: number;
    /** Storage autoscaling ceiling, GiB (>= allocatedStorageGiB). @default 100 */
    readonly maxAllocatedStorageGiB?: number;
    /** Multi-AZ standby (checklist RDS-04). @default false */
    readonly multiAz?: boolean;
    /** RDS deletion protection (checklist RDS-05). @default false */
    readonly deletionProtection?: boolean;
    /** Automated backup retention, days, 1-35 (checklist RDS-03; production >= 7). @default 1 */
    readonly backupRetentionDays?: number;
    /**
     * Take a final snapshot on delete (named `<namePrefix>-mlflow-final`). When false the instance is
     * deleted without one and its automated backups go with it (sandbox; checklist RDS-06).
     * @default false
     */
    readonly finalSnapshot?: boolean;
    /** Pulumi `protect` on the database and the bucket. @default false */
    readonly protect?: boolean;
    /**
     * Apply class, storage, Multi-AZ, parameter-group and password changes during `pulumi up`
     * instead of the next maintenance window. Deferred changes leave state and AWS apart: every
     * preview shows the same diff until AWS applies them, at a time nobody chose (reboot on a
     * single-AZ sandbox, failover on Multi-AZ). Immediate class changes cost a reboot (sandbox,
     * minutes) or a Multi-AZ failover (about a minute) while the operator is watching the update.
     * @default true
     */
    readonly applyImmediately?: boolean;
    /** Performance Insights (KMS-encrypted with `kmsKeyArn` when given). @default false */
    readonly performanceInsights?: boolean;
    /** Enhanced Monitoring interval, seconds: 0 (off), 1, 5, 10, 15, 30 or 60. @default 0 */
    readonly monitoringIntervalSeconds?: number;
    /**
     * PostgreSQL logs exported to CloudWatch. Their log groups (`/aws/rds/instance/<id>/<type>`) are
     * declared here with retention (and `kmsKeyArn`, when given) before the instance exists, so RDS
     * never creates them undeclared, unexpiring and outliving the stack (checklist LOG-01). @default []
     */
    readonly logExports?: string[];
    /** Retention of the exported-log groups, days. @default 30 */
    readonly logRetentionDays?: number;
    /** Statements slower than this are logged, ms (`log_min_duration_statement`; -1 = off). @default 1000 */
    readonly slowQueryLogMs?: number;
    /** S3 versioning on the artifact bucket (checklist S3-03). @default false */
    readonly bucketVersioning?: boolean;
    /** SSE-KMS with `kmsKeyArn` and a bucket key instead of SSE-S3 (checklist S3-02). @default false */
    readonly bucketKms?: boolean;
    /** Days after which noncurrent object versions expire (with versioning). @default 30 */
    readonly noncurrentVersionExpirationDays?: number;
    /**
     * S3 server access logs of the artifact bucket, to a hardened log bucket of their own
     * (checklist S3-07). @default false
     */
    readonly bucketAccessLogs?: boolean;
    /** Days the access logs are kept. @default 365 */
    readonly accessLogRetentionDays?: number;
    /** Delete the bucket with its objects on destroy (sandbox only; checklist S3-06). @default false */
    readonly forceDestroy?: boolean;
    /** Tracking server replicas; 2 or more adds a PodDisruptionBudget and zone spread. @default 1 */
    readonly replicas?: number;
    /** Server worker processes per replica (`--workers`). @default 2 */
    readonly workers?: number;
    /** CPU request of the server container. @default "250m" */
    readonly cpuRequest?: string;
    /** Memory request of the server container. @default "1Gi" */
    readonly memoryRequest?: string;
    /** Memory limit of the server container. @default "2Gi" */
    readonly memoryLimit?: string;
    /** HTTPS Ingress (ALB, ACM, OIDC). @default - none: ClusterIP + `kubectl port-forward` */
    readonly ingress?: TrackingIngressSettings;
    /** The AWS Load Balancer Controller; the Ingress depends on it so its ALB is deleted first. @default - none */
    readonly loadBalancerController?: pulumi.Resource;
    /**
     * Teams that get an MLflow user `team-<name>` (checklist ML-04): it owns what it creates and
     * reads the rest; its credentials are in {@link Tracking.credentials} for the team namespace.
     * @default []
     */
    readonly teams?: readonly string[];
    /**
     * Read-only clients (e.g. model serving) that get an MLflow user `reader-<name>` with no write
     * right anywhere. `metrics` (Prometheus) is always added. @default []
     */
    readonly mlflowReaders?: readonly string[];
}

/** One generated MLflow identity's credentials (the password is a secret Output). */
export interface MlflowCredentials {
    readonly username: string;
    readonly password: pulumi.Output<string>;
}

/** {@link TrackingArgs} with defaults applied. */
export type ResolvedTrackingArgs = Required<Omit<TrackingArgs, "kmsKeyArn" | "databasePassword" | "ingress" | "loadBalancerController">>
    & Pick<TrackingArgs, "kmsKeyArn" | "databasePassword" | "ingress" | "loadBalancerController">;

/** Pod-template annotation holding the database Secret's resourceVersion (rolls pods on rotation). */
export const DB_SECRET_VERSION_ANNOTATION = "mlplatform.io/db-secret-version";

/** Per-preset values config.ts starts from (a stack file may override single keys). */
export const TRACKING_PRESETS = {
    sandbox: {
        instanceClass: "db.t4g.micro",
        allocatedStorageGiB: 20,
        maxAllocatedStorageGiB: 50,
        multiAz: false,
        deletionProtection: false,
        backupRetentionDays: 1,
        finalSnapshot: false,
        protect: false,
        // Changes land while `pulumi up` runs (a reboot on a single-AZ sandbox is acceptable).
        applyImmediately: true,
        performanceInsights: false,
        monitoringIntervalSeconds: 0,
        logExports: [],
        bucketVersioning: false,
        bucketKms: false,
        forceDestroy: true,
        replicas: 1,
    },
    production: {
        instanceClass: "db.m7g.large",
        allocatedStorageGiB: 50,
        maxAllocatedStorageGiB: 500,
        multiAz: true,
        deletionProtection: true,
        backupRetentionDays: 14,
        finalSnapshot: true,
        protect: true,
        // Changes land during the reviewed `pulumi up` (Multi-AZ: the standby is modified, then a
        // failover of about a minute), so run class changes in a change window (README "Operating").
        applyImmediately: true,
        performanceInsights: true,
        monitoringIntervalSeconds: 60,
        logExports: ["postgresql", "upgrade"],
        bucketVersioning: true,
        bucketKms: true,
        bucketAccessLogs: true,
        forceDestroy: false,
        replicas: 2,
    },
} satisfies Record<"sandbox" | "production", Partial<TrackingArgs>>;


/** Applies defaults and validates plain fields; throws before any resource exists. Pure. */
export function resolveTrackingArgs(args: TrackingArgs): ResolvedTrackingArgs {
    if (typeof args.namePrefix !== "string" || !NAME_PREFIX.test(args.namePrefix) || args.namePrefix.includes("--")) {
        throw new Error(`namePrefix (${args.namePrefix}) must be 2-29 lowercase letters, digits or single '-', starting with a letter (it prefixes the RDS identifier and the bucket name)`);
    }
    const r: ResolvedTrackingArgs = {
        ...args,
        serviceCidr: args.serviceCidr ?? "172.20.0.0/16",
        instanceClass: args.instanceClass ?? "db.t4g.micro",
        allocatedStorageGiB: args.allocatedStorageGiB ?? 20,
        maxAllocatedStorageGiB: args.maxAllocatedStorageGiB ?? 100,
        multiAz: args.multiAz ?? false,
        deletionProtection: args.deletionProtection ?? false,
        backupRetentionDays: args.backupRetentionDays ?? 1,
        finalSnapshot: args.finalSnapshot ?? false,
        protect: args.protect ?? false,
        applyImmediately: args.applyImmediately ?? true,
        performanceInsights: args.performanceInsights ?? false,
        monitoringIntervalSeconds: args.monitoringIntervalSeconds ?? 0,
        logExports: args.logExports ?? [],
        logRetentionDays: args.logRetentionDays ?? 30,
        slowQueryLogMs: args.slowQueryLogMs ?? 1000,
        bucketVersioning: args.bucketVersioning ?? false,
        bucketKms: args.bucketKms ?? false,
        bucketAccessLogs: args.bucketAccessLogs ?? false,
        accessLogRetentionDays: args.accessLogRetentionDays ?? 365,
        noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays ?? 30,
        forceDestroy: args.forceDestroy ?? false,
        replicas: args.replicas ?? 1,
        workers: args.workers ?? 2,
        cpuRequest: args.cpuRequest ?? "250m",
        memoryRequest: args.memoryRequest ?? "1Gi",
        memoryLimit: args.memoryLimit ?? "2Gi",
        teams: args.teams ?? [],
        mlflowReaders: args.mlflowReaders ?? [],
    };
    mlflowIdentities(r.teams, r.mlflowReaders);
    if (!INSTANCE_CLASS.test(r.instanceClass)) {
        throw new Error(`instanceClass (${r.instanceClass}) must be an RDS instance class such as db.t4g.micro or db.m7g.large`);
    }
    wholeNumber("accessLogRetentionDays", r.accessLogRetentionDays, 1, 3650);
    wholeNumber("allocatedStorageGiB", r.allocatedStorageGiB, 20, 65536);
    wholeNumber("maxAllocatedStorageGiB", r.maxAllocatedStorageGiB, r.allocatedStorageGiB, 65536);
    wholeNumber("backupRetentionDays", r.backupRetentionDays, 1, 35);
    wholeNumber("slowQueryLogMs", r.slowQueryLogMs, -1, 2147483647);
    wholeNumber("logRetentionDays", r.logRetentionDays, 1, 3653);
    wholeNumber("noncurrentVersionExpirationDays", r.noncurrentVersionExpirationDays, 1, 3650);
    wholeNumber("replicas", r.replicas, 1, 10);
    wholeNumber("workers", r.workers, 1, 16);
    if (!MONITORING_INTERVALS.includes(r.monitoringIntervalSeconds)) {
        throw new Error(`monitoringIntervalSeconds (${r.monitoringIntervalSeconds}) must be one of ${MONITORING_INTERVALS.join(", ")}`);
    }
    const badLog = r.logExports.find((l) => !LOG_EXPORTS.includes(l));
    if (badLog !== undefined) {
        throw new Error(`logExports (${badLog}) must be one of ${LOG_EXPORTS.join(", ")}`);
    }
    for (const key of ["cpuRequest", "memoryRequest", "memoryLimit"] as const) {
        if (!QUANTITY.test(r[key])) {
            throw new Error(`${key} (${r[key]}) must be a Kubernetes quantity such as "250m" or "1Gi"`);
        }
    }
    if (r.bucketKms && r.kmsKeyArn === undefined) {
        throw new Error("kmsKeyArn (undefined) must be set when bucketKms is true");
    }
    if (r.forceDestroy && r.protect) {
        throw new Error("forceDestroy (true) must be false when protect is true: a protected bucket is never emptied by destroy");
    }
    if (!r.finalSnapshot && r.deletionProtection) {
        throw new Error("finalSnapshot (false) must be true when deletionProtection is true: a protected database keeps a final snapshot");
    }
    if (!Array.isArray(r.databaseSubnetIds) || r.databaseSubnetIds.length < 2) {
        throw new Error(`databaseSubnetIds (${Array.isArray(r.databaseSubnetIds) ? r.databaseSubnetIds.length : r.databaseSubnetIds} subnets) must list at least two subnets in different AZs`);
    }
    if (typeof r.databasePassword === "string" && (r.databasePassword.length < 16 || /[/"@\s]/.test(r.databasePassword))) {
        throw new Error("databasePassword (secret) must be at least 16 characters without '/', '\"', '@' or spaces");
    }
    if (r.ingress !== undefined) {
        validateIngress("ingress", r.ingress);
        const o = r.ingress.oidc;
        if (o === undefined) {
            throw new Error("ingress.oidc (undefined) must be set: the MLflow Ingress requires authentication");
        }
        for (const key of ["issuer", "authorizationEndpoint", "tokenEndpoint", "userInfoEndpoint"] as const) {
            httpsUrl(`ingress.oidc.${key}`, o[key]);
        }
        if (typeof o.clientId !== "string" || o.clientId.trim() === "") {
            throw new Error(`ingress.oidc.clientId (${o.clientId}) must not be empty`);
        }
    }
    return r;
}

/**
 * The tracking server's S3 permissions: list the bucket, read/write/delete objects in it, and use
 * the KMS key when the bucket is SSE-KMS. Nothing else, nothing on `*` (checklist ML-02). Pure.
 */
export function artifactPolicy(bucket: string, kmsKeyArn?: string): string {
    const statements: Record<string, unknown>[] = [
        { Sid: "ListBucket", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: `arn:aws:s3:::${bucket}` },
        { Sid: "ReadWriteArtifacts", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `arn:aws:s3:::${bucket}/*` },
    ];
    if (kmsKeyArn !== undefined) {
        statements.push({ Sid: "UseBucketKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: kmsKeyArn });
    }
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * The access-log bucket's policy: TLS only (S3-05), and S3's log delivery service may put objects
 * only for `source` (aws:SourceArn; the bucket ARN is global, so it also pins the account). Pure.
 */
export function accessLogBucketPolicy(target: string, source: string): string {
    const doc = JSON.parse(tlsOnlyBucketPolicy(target));
    doc.Statement.push({
        Sid: "S3ServerAccessLogsDelivery",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `arn:aws:s3:::${target}/*`,
        Condition: { ArnLike: { "aws:SourceArn": `arn:aws:s3:::${source}` } },
    });
    return JSON.stringify(doc);
}

/** Denies every request to the bucket that does not use TLS (checklist S3-05). Pure. */
export function tlsOnlyBucketPolicy(bucket: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        }],
    });
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
        const keyForProd = a.kmsKeyArn;

        // ---- Database ----------------------------------------------------------------------
        const subnets = new aws.rds.SubnetGroup(`${name}-db-subnets`, {
            description: `MLflow database subnets (${a.namePrefix})`,
            subnetIds: a.databaseSubnetIds,
        }, { parent: this });
        const sg = new aws.ec2.SecurityGroup(`${name}-db-sg`, {
            description: `MLflow database (${a.namePrefix}): PostgreSQL from the EKS nodes only`,
            vpcId: a.vpcId,
            // No inline rules: the rule below is its own resource; RDS needs no egress.
        }, { parent: this });
        new aws.vpc.SecurityGroupIngressRule(`${name}-db-from-nodes`, {
            securityGroupId: sg.id,
            referencedSecurityGroupId: a.nodeSecurityGroupId,
            ipProtocol: "tcp",
            fromPort: DB_PORT,
            toPort: DB_PORT,
            description: "PostgreSQL from the EKS nodes (MLflow pods)",
        }, { parent: this });
        const params = new aws.rds.ParameterGroup(`${name}-db-params`, {
            family: TRACKING_VERSIONS.postgresFamily,
            description: `MLflow PostgreSQL: TLS only, DDL and slow statements logged (${a.namePrefix})`,
            parameters: [
                { name: "rds.force_ssl", value: "1" },
                { name: "log_statement", value: "ddl" },
                { name: "log_min_duration_statement", value: `${a.slowQueryLogMs}` },
            ],
        }, { parent: this });

        const password: pulumi.Output<string> = a.databasePassword !== undefined
            ? pulumi.secret(a.databasePassword)
            : new random.RandomPassword(`${name}-db-password`, {
                length: 32,
                // Alphanumeric only: the password goes into a URI, and RDS refuses / " @ and spaces.
                special: false,
            }, { parent: this }).result;

        let monitoringRole: aws.iam.Role | undefined;
        if (a.monitoringIntervalSeconds > 0) {
            monitoringRole = new aws.iam.Role(`${name}-db-monitoring`, {
                description: `RDS Enhanced Monitoring for the MLflow database (${a.namePrefix})`,
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "monitoring.rds.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
            }, { parent: this });
            new aws.iam.RolePolicyAttachment(`${name}-db-monitoring`, {
                role: monitoringRole.name,
                policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
            }, { parent: this });
        }

        // RDS writes exports to these names; declared first, so the instance finds them.
        const logGroups = a.logExports.map((type) => new aws.cloudwatch.LogGroup(`${name}-db-log-${type}`, {
            name: `/aws/rds/instance/${a.namePrefix}-mlflow/${type}`,
            retentionInDays: a.logRetentionDays,
            kmsKeyId: keyForProd,
        }, { parent: this }));

        const snapshotSuffix = a.finalSnapshot ? new random.RandomId(`${name}-final-snapshot-suffix`, { byteLength: 4 }, { parent: this }) : undefined;
        const db = new aws.rds.Instance(`${name}-db`, {
            identifier: `${a.namePrefix}-mlflow`,
            engine: "postgres",
            engineVersion: TRACKING_VERSIONS.postgresEngineVersion,
            instanceClass: a.instanceClass,
            allocatedStorage: a.allocatedStorageGiB,
            maxAllocatedStorage: a.maxAllocatedStorageGiB,
            storageType: "gp3",
            storageEncrypted: true,
            kmsKeyId: keyForProd,
            dbName: DB_NAME,
            username: DB_USER,
            password,
            dbSubnetGroupName: subnets.name,
            vpcSecurityGroupIds: [sg.id],
            parameterGroupName: params.name,
            publiclyAccessible: false,
            multiAz: a.multiAz,
            applyImmediately: a.applyImmediately,
            deletionProtection: a.deletionProtection,
            backupRetentionPeriod: a.backupRetentionDays,
            autoMinorVersionUpgrade: true,
            copyTagsToSnapshot: true,
            caCertIdentifier: CA_CERT,
            skipFinalSnapshot: !a.finalSnapshot,
            // Unique per database: a fixed name would collide with the snapshot an earlier destroy left.
            finalSnapshotIdentifier: a.finalSnapshot ? pulumi.interpolate`${a.namePrefix}-mlflow-final-${snapshotSuffix!.hex}` : undefined,
            deleteAutomatedBackups: !a.finalSnapshot,
            enabledCloudwatchLogsExports: a.logExports.length ? a.logExports : undefined,
            performanceInsightsEnabled: a.performanceInsights,
            performanceInsightsKmsKeyId: a.performanceInsights ? keyForProd : undefined,
            performanceInsightsRetentionPeriod: a.performanceInsights ? 7 : undefined,
            monitoringInterval: a.monitoringIntervalSeconds,
            monitoringRoleArn: monitoringRole?.arn,
        }, { parent: this, protect: a.protect, additionalSecretOutputs: ["password"], dependsOn: logGroups });

        // ---- Artifact bucket ---------------------------------------------------------------
        // Skipped on purpose: replication (CKV_AWS_144), object lock (CKV_AWS_143: it would block
        // artifact deletion and sandbox destroy), event notifications (CKV2_AWS_62).
        const bucket = new aws.s3.Bucket(`${name}-artifacts`, {
            // Auto-suffixed, so two stacks (or accounts) never collide on the global name.
            bucketPrefix: `${a.namePrefix}-mlflow-`,
            forceDestroy: a.forceDestroy,
        }, { parent: this, protect: a.protect });
        const side = { parent: this, dependsOn: [bucket] };
        const pab = new aws.s3.BucketPublicAccessBlock(`${name}-artifacts`, {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }, side);
        new aws.s3.BucketOwnershipControls(`${name}-artifacts`, {
            bucket: bucket.id,
            rule: { objectOwnership: "BucketOwnerEnforced" },
        }, side);
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-artifacts`, {
            bucket: bucket.id,
            rules: [a.bucketKms
                ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: a.kmsKeyArn }, bucketKeyEnabled: true }
                : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        }, side);
        const versioning = a.bucketVersioning
            ? new aws.s3.BucketVersioning(`${name}-artifacts`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, side)
            : undefined;
        new aws.s3.BucketLifecycleConfiguration(`${name}-artifacts`, {
            bucket: bucket.id,
            rules: [{
                id: "housekeeping",
                status: "Enabled",
                filter: {},
                abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                ...(a.bucketVersioning ? { noncurrentVersionExpiration: { noncurrentDays: a.noncurrentVersionExpirationDays } } : {}),
            }],
        }, { parent: this, dependsOn: versioning ? [bucket, versioning] : [bucket] });
        // After the public access block, or S3 may evaluate the policy before it exists.
        new aws.s3.BucketPolicy(`${name}-artifacts`, {
            bucket: bucket.id,
            policy: bucket.bucket.apply(tlsOnlyBucketPolicy),
        }, { parent: this, dependsOn: [bucket, pab] });
        if (a.bucketAccessLogs) {
            this.accessLogs(name, a, bucket);
        }

        // ---- Kubernetes --------------------------------------------------------------------
        const labels = standardLabels(MLFLOW_NAME, "tracking-server", name);
        const selector = selectorLabels(MLFLOW_NAME, name);
        const ps = podSecurity("restricted");
        const ns = new k8s.core.v1.Namespace(`${name}-ns`, {
            metadata: { name: NAMESPACES.mlflow, labels: { ...ps.labels, ...labels } },
        }, { parent: this });
        const namespace = ns.metadata.name;
        const meta = (n: string) => ({ name: n, namespace, labels });

        const sa = new k8s.core.v1.ServiceAccount(`${name}-sa`, {
            metadata: meta(MLFLOW_NAME),
            automountServiceAccountToken: false,
        }, { parent: this });

        const identity = podIdentity(`${name}-s3`, {
            clusterName: a.clusterName,
            namespace: NAMESPACES.mlflow,
            serviceAccount: MLFLOW_NAME,
            policy: pulumi.all([bucket.bucket, a.bucketKms ? a.kmsKeyArn : undefined]).apply(([b, k]) => artifactPolicy(b, k)),
            dependsOn: [a.podIdentityAgent],
        }, this);

        const artifactsDestination = pulumi.interpolate`s3://${bucket.bucket}/${ARTIFACTS_PREFIX}`;
        const config = new k8s.core.v1.ConfigMap(`${name}-config`, {
            metadata: meta(MLFLOW_NAME),
            data: {
                MLFLOW_ARTIFACTS_DESTINATION: artifactsDestination,
                MLFLOW_SERVER_ALLOWED_HOSTS: allowedHosts(a.ingress?.host),
                DB_HOST: db.address,
                DB_PORT: `${DB_PORT}`,
                DB_NAME,
                DB_USER,
                HOME: "/tmp",
                AWS_REGION: a.region,
                AWS_DEFAULT_REGION: a.region,
            },
        }, { parent: this });

        // The only objects holding the password: the RDS instance and this Secret. URI-encoded so a
        // configured password with reserved characters cannot break the URI; sslmode matches force_ssl.
        const encoded = password.apply(encodeURIComponent);
        const dbSecret = new k8s.core.v1.Secret(`${name}-db-secret`, {
            metadata: meta(MLFLOW_DB_SECRET),
            type: "Opaque",
            stringData: {
                password,
                "backend-store-uri": pulumi.interpolate`postgresql+psycopg2://${DB_USER}:${encoded}@${db.address}:${DB_PORT}/${DB_NAME}?sslmode=require`,
            },
        }, { parent: this });

        // ---- Authentication (checklist ML-04; components/tracking/auth.ts) --------------------
        const secretValue = (role: string, length: number) =>
            pulumi.secret(new random.RandomPassword(`${name}-${role}`, { length, special: false }, { parent: this }).result);
        const adminPassword = secretValue("admin-password", 32);
        const identities = mlflowIdentities(a.teams, a.mlflowReaders);
        const passwords = Object.fromEntries(identities.map((i) => [i.username, secretValue(`user-${i.username}`, 32)]));
        const authDbUri = pulumi.interpolate`postgresql+psycopg2://${DB_USER}:${encoded}@${db.address}:${DB_PORT}/${AUTH_DB_NAME}?sslmode=require`;
        const authSecret = new k8s.core.v1.Secret(`${name}-auth-secret`, {
            metadata: meta(MLFLOW_AUTH_SECRET),
            type: "Opaque",
            stringData: {
                "basic_auth.ini": pulumi.all([adminPassword, authDbUri]).apply(([p, u]) => authIni(p, u)),
                "admin-password": adminPassword,
                "flask-secret-key": secretValue("flask-secret-key", 48),
            },
        }, { parent: this });
        const usersSecret = new k8s.core.v1.Secret(`${name}-users-secret`, {
            metadata: meta(MLFLOW_USERS_SECRET),
            type: "Opaque",
            stringData: passwords,
        }, { parent: this });
        const metricsUser = readerUser(METRICS_READER);
        const metricsSecret = new k8s.core.v1.Secret(`${name}-metrics-secret`, {
            metadata: meta(MLFLOW_METRICS_SECRET),
            type: "Opaque",
            stringData: { [MLFLOW_USERNAME_ENV]: metricsUser, [MLFLOW_PASSWORD_ENV]: passwords[metricsUser] },
        }, { parent: this });

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
        }, { parent: this, dependsOn: [identity.association] });

        const service = new k8s.core.v1.Service(`${name}-svc`, {
            metadata: meta(MLFLOW_NAME),
            spec: {
                type: "ClusterIP",
                selector,
                ports: [{ name: "http", port: MLFLOW_PORT, targetPort: "http", protocol: "TCP" }],
            },
        }, { parent: this });

        if (a.replicas >= 2) {
            new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, {
                metadata: meta(MLFLOW_NAME),
                spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
            }, { parent: this, dependsOn: [deployment] });
        }

        this.networkPolicies(name, a, namespace, labels, selector);
        this.bootstrapJob(name, namespace, identities.map((i) => i.username), authSecret, usersSecret, deployment, service);

        if (a.ingress !== undefined) {
            this.url = `https://${a.ingress.host}`;
            this.ingress(name, a, a.ingress, meta, service);
        }

        this.trackingUri = `http://${MLFLOW_NAME}.${NAMESPACES.mlflow}.svc.cluster.local:${MLFLOW_PORT}`;
        this.portForwardCommand = `kubectl -n ${NAMESPACES.mlflow} port-forward svc/${MLFLOW_NAME} ${MLFLOW_PORT}:${MLFLOW_PORT}`;
        this.bucketName = bucket.bucket;
        this.databaseEndpoint = db.endpoint;
        this.namespace = namespace;
        this.scrapeTargets = [{ name: MLFLOW_NAME, namespace, selector, port: "http", path: "/metrics", basicAuthSecret: metricsSecret.metadata.name }];
        const creds = (username: string): MlflowCredentials => ({ username, password: passwords[username] });
        this.teamCredentials = Object.fromEntries(a.teams.map((t) => [t, creds(teamUser(t))]));
        this.readerCredentials = Object.fromEntries(a.mlflowReaders.map((r) => [r, creds(readerUser(r))]));
        this.adminPassword = adminPassword;
        this.registerOutputs({
            trackingUri: this.trackingUri,
            portForwardCommand: this.portForwardCommand,
            bucketName: this.bucketName,
            databaseEndpoint: this.databaseEndpoint,
            namespace: this.namespace,
        });
    }

    /**
     * The Job that creates the generated MLflow users (or resets their passwords) through the auth
     * REST API once the server runs. Admin and user passwords are mounted files; the pod spec holds
     * only user names, so a new team or reader changes the template and the provider replaces the Job.
     */
    private bootstrapJob(name: string, namespace: pulumi.Output<string>, usernames: string[], authSecret: k8s.core.v1.Secret,
        usersSecret: k8s.core.v1.Secret, deployment: k8s.apps.v1.Deployment, service: k8s.core.v1.Service): void {
        const labels = standardLabels(`${MLFLOW_NAME}-auth-bootstrap`, "tracking-auth", name);
        const sa = new k8s.core.v1.ServiceAccount(`${name}-auth-bootstrap`, {
            metadata: { name: `${MLFLOW_NAME}-auth-bootstrap`, namespace, labels },
            automountServiceAccountToken: false,
        }, { parent: this });
        new k8s.batch.v1.Job(`${name}-auth-bootstrap`, {
            metadata: { namespace, labels },
            spec: {
                backoffLimit: 4,
                template: {
                    metadata: { labels },
                    spec: {
                        restartPolicy: "OnFailure",
                        serviceAccountName: sa.metadata.name,
                        automountServiceAccountToken: false,
                        securityContext: restrictedPodSecurityContext(DEFAULT_UID),
                        containers: [{
                            name: "bootstrap",
                            image: TRACKING_VERSIONS.mlflowImage,
                            command: ["python", "-c", BOOTSTRAP_SCRIPT],
                            env: [
                                { name: "MLFLOW_TRACKING_URI", value: `http://${MLFLOW_NAME}:${MLFLOW_PORT}` },
                                { name: "MLFLOW_IDENTITIES", value: JSON.stringify(usernames.map((username) => ({ username }))) },
                                { name: "HOME", value: "/tmp" },
                            ],
                            securityContext: restrictedContainerSecurityContext(),
                            resources: resources("50m", "128Mi", "256Mi"),
                            volumeMounts: [
                                { name: "tmp", mountPath: "/tmp" },
                                { name: "admin", mountPath: BOOTSTRAP_ADMIN_DIR, readOnly: true },
                                { name: "users", mountPath: BOOTSTRAP_USERS_DIR, readOnly: true },
                            ],
                        }],
                        volumes: [
                            { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                            { name: "admin", secret: { secretName: authSecret.metadata.name, items: [{ key: "admin-password", path: "admin-password" }], defaultMode: 0o440 } },
                            { name: "users", secret: { secretName: usersSecret.metadata.name, defaultMode: 0o440 } },
                        ],
                    },
                },
            },
        }, { parent: this, dependsOn: [deployment, service] });
        // Its only traffic: DNS and the server's port in this namespace.
        new k8s.networking.v1.NetworkPolicy(`${name}-auth-bootstrap`, {
            metadata: { name: "auth-bootstrap", namespace, labels },
            spec: {
                podSelector: { matchLabels: { "app.kubernetes.io/name": labels["app.kubernetes.io/name"] } },
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                        ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
                    },
                    { to: [{ podSelector: { matchLabels: selectorLabels(MLFLOW_NAME, name) } }], ports: [{ protocol: "TCP", port: MLFLOW_PORT }] },
                ],
            },
        }, { parent: this });
    }

    /** Default deny, then: clients and monitoring in on 5000; DNS, PostgreSQL, S3 (HTTPS) and the Pod Identity agent out. */
    private networkPolicies(name: string, a: ResolvedTrackingArgs, namespace: pulumi.Output<string>, labels: Record<string, string>, selector: Record<string, string>): void {
        const policy = (role: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
            new k8s.networking.v1.NetworkPolicy(`${name}-${role}`, { metadata: { name: role, namespace, labels }, spec }, { parent: this });
        const port = [{ protocol: "TCP", port: MLFLOW_PORT }];
        policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        policy("allow-clients", {
            podSelector: { matchLabels: selector },
            policyTypes: ["Ingress"],
            ingress: [
                { from: [{ namespaceSelector: { matchLabels: { [MLFLOW_CLIENT_LABEL.key]: MLFLOW_CLIENT_LABEL.value } } }], ports: port },
                { from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: NAMESPACES.monitoring } } }], ports: port },
                // The ALB targets pod IPs from its subnets in the VPC.
                ...(a.ingress !== undefined ? [{ from: [{ ipBlock: { cidr: a.vpcCidr } }], ports: port }] : []),
                // The auth bootstrap Job in this namespace.
                { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": `${MLFLOW_NAME}-auth-bootstrap` } } }], ports: port },
            ],
        });
        policy("allow-egress", {
            podSelector: { matchLabels: selector },
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                    ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
                },
                { to: [{ ipBlock: { cidr: a.vpcCidr } }], ports: [{ protocol: "TCP", port: DB_PORT }] },
                // S3 (through the gateway endpoint or not, its addresses are outside the VPC); never IMDS.
                { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [a.vpcCidr, a.serviceCidr, IMDS_CIDR] } }], ports: [{ protocol: "TCP", port: 443 }] },
                { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT_CIDR } }], ports: [{ protocol: "TCP", port: 80 }] },
            ],
        });
    }

    /**
     * Checklist S3-07: server access logs of the artifact bucket go to a log bucket hardened like it
     * (public access blocked, ACLs off, TLS only, versioned, expiring), protected like it. Its
     * default encryption is SSE-S3: S3 delivers server access logs only to a target bucket whose
     * default encryption is SSE-S3 (S3 User Guide, "Enabling Amazon S3 server access logging";
     * aws-cdk aws-s3/lib/bucket.ts refuses anything else: "SSE-S3 is the only supported default
     * bucket encryption for Server Access Logging target buckets"), the documented S3-02 exemption.
     * With ACLs off, delivery is granted to logging.s3.amazonaws.com in the bucket policy, for
     * this source bucket only.
     */
    private accessLogs(name: string, a: ResolvedTrackingArgs, source: aws.s3.Bucket): void {
        const logs = new aws.s3.Bucket(`${name}-access-logs`, {
            bucketPrefix: `${a.namePrefix}-s3logs-`,
            forceDestroy: a.forceDestroy,
        }, { parent: this, protect: a.protect });
        const side = { parent: this, dependsOn: [logs] };
        const pab = new aws.s3.BucketPublicAccessBlock(`${name}-access-logs`, {
            bucket: logs.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
        }, side);
        new aws.s3.BucketOwnershipControls(`${name}-access-logs`, { bucket: logs.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, side);
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-access-logs`, {
            bucket: logs.id,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        }, side);
        const versioning = new aws.s3.BucketVersioning(`${name}-access-logs`, { bucket: logs.id, versioningConfiguration: { status: "Enabled" } }, side);
        new aws.s3.BucketLifecycleConfiguration(`${name}-access-logs`, {
            bucket: logs.id,
            rules: [{
                id: "expire-access-logs",
                status: "Enabled",
                filter: {},
                expiration: { days: a.accessLogRetentionDays },
                noncurrentVersionExpiration: { noncurrentDays: 7 },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            }],
        }, { parent: this, dependsOn: [logs, versioning] });
        const policy = new aws.s3.BucketPolicy(`${name}-access-logs`, {
            bucket: logs.id,
            policy: pulumi.all([logs.bucket, source.bucket]).apply(([target, src]) => accessLogBucketPolicy(target, src)),
        }, { parent: this, dependsOn: [logs, pab] });
        new aws.s3.BucketLogging(`${name}-artifacts`, {
            bucket: source.id,
            targetBucket: logs.id,
            targetPrefix: "artifacts/",
        }, { parent: this, dependsOn: [source, policy] });
    }

    /** ALB Ingress with TLS (ACM) and OIDC authentication in front of the Service. */
    private ingress(name: string, a: ResolvedTrackingArgs, s: TrackingIngressSettings, meta: (n: string) => Record<string, any>, service: k8s.core.v1.Service): void {
        const oidcSecret = new k8s.core.v1.Secret(`${name}-oidc-secret`, {
            metadata: meta(MLFLOW_OIDC_SECRET),
            type: "Opaque",
            stringData: { clientID: s.oidc.clientId, clientSecret: s.oidc.clientSecret },
        }, { parent: this });
        // The controller's chart grants no Secret access by default (clusterSecretsPermissions off);
        // it reads only this one Secret, in this namespace.
        const reader = new k8s.rbac.v1.Role(`${name}-oidc-reader`, {
            metadata: meta("lb-controller-oidc-reader"),
            rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: [MLFLOW_OIDC_SECRET], verbs: ["get", "list", "watch"] }],
        }, { parent: this });
        const binding = new k8s.rbac.v1.RoleBinding(`${name}-oidc-reader`, {
            metadata: meta("lb-controller-oidc-reader"),
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: reader.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT, namespace: "kube-system" }],
        }, { parent: this });
        new k8s.networking.v1.Ingress(`${name}-ingress`, {
            metadata: {
                ...meta(MLFLOW_NAME),
                annotations: {
                    ...albAnnotations(s),
                    "alb.ingress.kubernetes.io/healthcheck-path": "/health",
                    "alb.ingress.kubernetes.io/auth-type": "oidc",
                    "alb.ingress.kubernetes.io/auth-on-unauthenticated-request": "authenticate",
                    "alb.ingress.kubernetes.io/auth-scope": "openid email",
                    "alb.ingress.kubernetes.io/auth-idp-oidc": JSON.stringify({
                        issuer: s.oidc.issuer,
                        authorizationEndpoint: s.oidc.authorizationEndpoint,
                        tokenEndpoint: s.oidc.tokenEndpoint,
                        userInfoEndpoint: s.oidc.userInfoEndpoint,
                        secretName: MLFLOW_OIDC_SECRET,
                    }),
                },
            },
            spec: {
                ingressClassName: s.className ?? ALB_INGRESS_CLASS,
                rules: [{
                    host: s.host,
                    http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: service.metadata.name, port: { name: "http" } } } }] },
                }],
            },
        }, { parent: this, dependsOn: [oidcSecret, binding, ...(a.loadBalancerController ? [a.loadBalancerController] : [])] });
    }
}
