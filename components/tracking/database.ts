/**
 * MLflow's backend store: a private, encrypted, TLS-only RDS PostgreSQL instance in the stack's
 * database subnets, reachable on 5432 from the node security group only, with its parameter
 * group, exported-log groups, Enhanced Monitoring role and password.
 */
import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { TRACKING_VERSIONS } from "../shared/versions";
import type { ResolvedTrackingArgs } from "./args";

/** Fixed database user and name: nothing outside the program chooses them. */
export const DB_USER = "mlflow";
export const DB_NAME = "mlflow";
export const DB_PORT = 5432;
/** CA bundle the instance's server certificate chains to (checklist RDS-09). */
const CA_CERT = "rds-ca-rsa2048-g1";

/** The instance and the password it was created with (secret). */
export interface TrackingDatabase {
    readonly instance: aws.rds.Instance;
    readonly password: pulumi.Output<string>;
    /**
     * SQLAlchemy URI of database `dbName` on this instance (secret: it holds the password,
     * URI-encoded so a configured password with reserved characters cannot break it; sslmode
     * matches `rds.force_ssl`).
     */
    readonly uri: (dbName: string) => pulumi.Output<string>;
}

/** Declares the database and what it needs; children `${name}-db*` under `parent`. */
export function trackingDatabase(name: string, parent: pulumi.Resource, a: ResolvedTrackingArgs): TrackingDatabase {
    const keyForProd = a.kmsKeyArn;
    const subnets = new aws.rds.SubnetGroup(`${name}-db-subnets`, {
        description: `MLflow database subnets (${a.namePrefix})`,
        subnetIds: a.databaseSubnetIds,
    }, { parent });
    const sg = new aws.ec2.SecurityGroup(`${name}-db-sg`, {
        description: `MLflow database (${a.namePrefix}): PostgreSQL from the EKS nodes only`,
        vpcId: a.vpcId,
        // No inline rules: the rule below is its own resource; RDS needs no egress.
    }, { parent });
    new aws.vpc.SecurityGroupIngressRule(`${name}-db-from-nodes`, {
        securityGroupId: sg.id,
        referencedSecurityGroupId: a.nodeSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: DB_PORT,
        toPort: DB_PORT,
        description: "PostgreSQL from the EKS nodes (MLflow pods)",
    }, { parent });
    const params = new aws.rds.ParameterGroup(`${name}-db-params`, {
        family: TRACKING_VERSIONS.postgresFamily,
        description: `MLflow PostgreSQL: TLS only, DDL and slow statements logged (${a.namePrefix})`,
        parameters: [
            { name: "rds.force_ssl", value: "1" },
            { name: "log_statement", value: "ddl" },
            { name: "log_min_duration_statement", value: `${a.slowQueryLogMs}` },
        ],
    }, { parent });

    const password: pulumi.Output<string> = a.databasePassword !== undefined
        ? pulumi.secret(a.databasePassword)
        : new random.RandomPassword(`${name}-db-password`, {
            length: 32,
            // Alphanumeric only: the password goes into a URI, and RDS refuses / " @ and spaces.
            special: false,
        }, { parent }).result;

    let monitoringRole: aws.iam.Role | undefined;
    if (a.monitoringIntervalSeconds > 0) {
        monitoringRole = new aws.iam.Role(`${name}-db-monitoring`, {
            description: `RDS Enhanced Monitoring for the MLflow database (${a.namePrefix})`,
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "monitoring.rds.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
        }, { parent });
        new aws.iam.RolePolicyAttachment(`${name}-db-monitoring`, {
            role: monitoringRole.name,
            policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        }, { parent });
    }

    // RDS writes exports to these names; declared first, so the instance finds them.
    const logGroups = a.logExports.map((type) => new aws.cloudwatch.LogGroup(`${name}-db-log-${type}`, {
        name: `/aws/rds/instance/${a.namePrefix}-mlflow/${type}`,
        retentionInDays: a.logRetentionDays,
        kmsKeyId: keyForProd,
    }, { parent }));

    const snapshotSuffix = a.finalSnapshot ? new random.RandomId(`${name}-final-snapshot-suffix`, { byteLength: 4 }, { parent }) : undefined;
    const instance = new aws.rds.Instance(`${name}-db`, {
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
    }, { parent, protect: a.protect, additionalSecretOutputs: ["password"], dependsOn: logGroups });

    const encoded = password.apply(encodeURIComponent);
    const uri = (dbName: string) => pulumi.interpolate`postgresql+psycopg2://${DB_USER}:${encoded}@${instance.address}:${DB_PORT}/${dbName}?sslmode=require`;
    return { instance, password, uri };
}
