/**
 * What {@link Tracking} takes. The settings module (settings.ts) owns every value a stack's config
 * or preset decides, and its rules; these arguments are required here. The component's own
 * defaults (values no config key sets) and its checks of what the stack wires in (subnets, KMS
 * key, name prefix, identities) are resolved by {@link resolveTrackingArgs} (pure; throws before
 * any resource exists).
 */
import * as pulumi from "@pulumi/pulumi";
import { wholeNumber } from "../shared/validate";
import { mlflowIdentities } from "./auth";
import type { TrackingIngressSettings } from "./ingress";

const LOG_EXPORTS = ["postgresql", "upgrade", "iam-db-auth-error"];
const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60];
// 29 characters: the bucket prefix `<namePrefix>-mlflow-` may be at most 37.
export const NAME_PREFIX = /^[a-z][a-z0-9-]{0,27}[a-z0-9]$/;
const QUANTITY = /^\d+(\.\d+)?(m|Mi|Gi)?$/;

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
     * Database password (secret config `mlflowDbPassword`; settings.ts checks it).
     * @default - a generated 32-character alphanumeric `random.RandomPassword`
     */
    readonly databasePassword?: pulumi.Input<string>;
    /** RDS instance class (settings: `mlflowDbInstanceClass`). */
    readonly instanceClass: string;
    /** Allocated storage, GiB (settings: `mlflowDbStorageGiB`). */
    readonly allocatedStorageGiB: number;
    /** Storage autoscaling ceiling, GiB, >= allocatedStorageGiB (settings: `mlflowDbMaxStorageGiB`). */
    readonly maxAllocatedStorageGiB: number;
    /** Multi-AZ standby (checklist RDS-04; settings: `mlflowDbMultiAz`). */
    readonly multiAz: boolean;
    /** RDS deletion protection (checklist RDS-05; set by the preset). */
    readonly deletionProtection: boolean;
    /** Automated backup retention, days (checklist RDS-03; settings: `mlflowDbBackupRetentionDays`). */
    readonly backupRetentionDays: number;
    /**
     * Take a final snapshot on delete (named `<namePrefix>-mlflow-final-<suffix>`). When false the
     * instance is deleted without one and its automated backups go with it (sandbox; checklist
     * RDS-06; set by the preset).
     */
    readonly finalSnapshot: boolean;
    /** Pulumi `protect` on the database and the bucket (set by the preset). */
    readonly protect: boolean;
    /**
     * Apply class, storage, Multi-AZ, parameter-group and password changes during `pulumi up`
     * instead of the next maintenance window. Deferred changes leave state and AWS apart: every
     * preview shows the same diff until AWS applies them, at a time nobody chose (reboot on a
     * single-AZ sandbox, failover on Multi-AZ). Immediate class changes cost a reboot (sandbox,
     * minutes) or a Multi-AZ failover (about a minute) while the operator is watching the update.
     * Set by the preset.
     */
    readonly applyImmediately: boolean;
    /** Performance Insights, KMS-encrypted with `kmsKeyArn` when given (set by the preset). */
    readonly performanceInsights: boolean;
    /** Enhanced Monitoring interval, seconds: 0 (off), 1, 5, 10, 15, 30 or 60 (set by the preset). */
    readonly monitoringIntervalSeconds: number;
    /**
     * PostgreSQL logs exported to CloudWatch. Their log groups (`/aws/rds/instance/<id>/<type>`) are
     * declared here with retention (and `kmsKeyArn`, when given) before the instance exists, so RDS
     * never creates them undeclared, unexpiring and outliving the stack (checklist LOG-01). Set by
     * the preset.
     */
    readonly logExports: string[];
    /** Retention of the exported-log groups, days. @default 30 */
    readonly logRetentionDays?: number;
    /** Statements slower than this are logged, ms (`log_min_duration_statement`; -1 = off). @default 1000 */
    readonly slowQueryLogMs?: number;
    /** S3 versioning on the artifact bucket (checklist S3-03; set by the preset). */
    readonly bucketVersioning: boolean;
    /** SSE-KMS with `kmsKeyArn` and a bucket key instead of SSE-S3 (checklist S3-02; set by the preset). */
    readonly bucketKms: boolean;
    /** Days after which noncurrent object versions expire (with versioning). @default 30 */
    readonly noncurrentVersionExpirationDays?: number;
    /**
     * S3 server access logs of the artifact bucket, to a hardened log bucket of their own
     * (checklist S3-07; set by the preset).
     */
    readonly bucketAccessLogs: boolean;
    /** Days the access logs are kept. @default 365 */
    readonly accessLogRetentionDays?: number;
    /** Delete the bucket with its objects on destroy (sandbox only; checklist S3-06; set by the preset). */
    readonly forceDestroy: boolean;
    /** Tracking server replicas; 2 or more adds a PodDisruptionBudget and zone spread (settings: `mlflowReplicas`). */
    readonly replicas: number;
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

/** {@link TrackingArgs} with defaults applied. */
export type ResolvedTrackingArgs = Required<Omit<TrackingArgs, "kmsKeyArn" | "databasePassword" | "ingress" | "loadBalancerController">>
    & Pick<TrackingArgs, "kmsKeyArn" | "databasePassword" | "ingress" | "loadBalancerController">;

/**
 * Applies the component's own defaults and checks what settings.ts does not: the wiring (name
 * prefix, subnets, KMS key, identities) and the invariants between preset values. Pure; throws
 * before any resource exists.
 */
export function resolveTrackingArgs(args: TrackingArgs): ResolvedTrackingArgs {
    if (typeof args.namePrefix !== "string" || !NAME_PREFIX.test(args.namePrefix) || args.namePrefix.includes("--")) {
        throw new Error(`namePrefix (${args.namePrefix}) must be 2-29 lowercase letters, digits or single '-', starting with a letter (it prefixes the RDS identifier and the bucket name)`);
    }
    const r: ResolvedTrackingArgs = {
        ...args,
        serviceCidr: args.serviceCidr ?? "172.20.0.0/16",
        logRetentionDays: args.logRetentionDays ?? 30,
        slowQueryLogMs: args.slowQueryLogMs ?? 1000,
        accessLogRetentionDays: args.accessLogRetentionDays ?? 365,
        noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays ?? 30,
        workers: args.workers ?? 2,
        cpuRequest: args.cpuRequest ?? "250m",
        memoryRequest: args.memoryRequest ?? "1Gi",
        memoryLimit: args.memoryLimit ?? "2Gi",
        teams: args.teams ?? [],
        mlflowReaders: args.mlflowReaders ?? [],
    };
    mlflowIdentities(r.teams, r.mlflowReaders);
    wholeNumber("accessLogRetentionDays", r.accessLogRetentionDays, 1, 3650);
    wholeNumber("slowQueryLogMs", r.slowQueryLogMs, -1, 2147483647);
    wholeNumber("logRetentionDays", r.logRetentionDays, 1, 3653);
    wholeNumber("noncurrentVersionExpirationDays", r.noncurrentVersionExpirationDays, 1, 3650);
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
    if (r.ingress !== undefined && r.ingress.oidc === undefined) {
        throw new Error("ingress.oidc (undefined) must be set: the MLflow Ingress requires authentication");
    }
    return r;
}
