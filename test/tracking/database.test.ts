import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { TrackingArgs } from "../../components/tracking";
import { TRACKING_VERSIONS } from "../../components/shared/versions";
import { Env } from "../../policy/checks";
import { allRecords, byType, one, resolve } from "../mocks";
import { build, INGRESS, KMS, PASSWORD, T } from "./fixtures";

describe("Tracking: database", () => {
    it("declares a private, encrypted, TLS-only PostgreSQL reachable on 5432 from the node security group only", async () => {
        await build("sandbox");
        const db = one(T.db, "tracking-db").inputs;
        expect(db).toMatchObject({
            identifier: "mlplatform-test-mlflow",
            engine: "postgres",
            engineVersion: TRACKING_VERSIONS.postgresEngineVersion,
            storageEncrypted: true,
            publiclyAccessible: false,
            autoMinorVersionUpgrade: true,
            copyTagsToSnapshot: true,
            caCertIdentifier: "rds-ca-rsa2048-g1",
            dbName: "mlflow",
            username: "mlflow",
            dbSubnetGroupName: "tracking-db-subnets",
            vpcSecurityGroupIds: ["tracking-db-sg-id"],
            storageType: "gp3",
        });
        expect(one("aws:rds/subnetGroup:SubnetGroup", "tracking-db-subnets").inputs.subnetIds).toEqual(["subnet-a", "subnet-b", "subnet-c"]);
        const sg = one("aws:ec2/securityGroup:SecurityGroup", "tracking-db-sg").inputs;
        expect(sg.ingress ?? []).toEqual([]);
        expect(sg.egress ?? []).toEqual([]);
        expect(sg.description).toMatch(/EKS nodes only/);
        const rule = one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "tracking-db-from-nodes").inputs;
        expect(rule).toEqual({
            securityGroupId: "tracking-db-sg-id",
            referencedSecurityGroupId: "sg-0node",
            ipProtocol: "tcp",
            fromPort: 5432,
            toPort: 5432,
            description: "PostgreSQL from the EKS nodes (MLflow pods)",
        });
        const params = one("aws:rds/parameterGroup:ParameterGroup", "tracking-db-params").inputs;
        expect(params.family).toBe(TRACKING_VERSIONS.postgresFamily);
        expect(params.parameters).toEqual([
            { name: "rds.force_ssl", value: "1" },
            { name: "log_statement", value: "ddl" },
            { name: "log_min_duration_statement", value: "1000" },
        ]);
    });

    it.each<[Env, Record<string, unknown>, boolean]>([
        ["sandbox", {
            instanceClass: "db.t4g.micro", multiAz: false, deletionProtection: false, backupRetentionPeriod: 1,
            skipFinalSnapshot: true, deleteAutomatedBackups: true, performanceInsightsEnabled: false, monitoringInterval: 0,
        }, false],
        ["production", {
            instanceClass: "db.m7g.large", multiAz: true, deletionProtection: true, backupRetentionPeriod: 14,
            skipFinalSnapshot: false, finalSnapshotIdentifier: "mlplatform-test-mlflow-final-0a1b2c3d", deleteAutomatedBackups: false,
            kmsKeyId: KMS, performanceInsightsEnabled: true, performanceInsightsKmsKeyId: KMS, monitoringInterval: 60,
            enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
        }, true],
    ])("applies the %s preset", async (env, expected, protect) => {
        await build(env);
        const db = one(T.db, "tracking-db");
        expect(db.inputs).toMatchObject(expected);
        expect(db.protect).toBe(protect);
        expect(one(T.bucket, "tracking-artifacts").protect).toBe(protect);
        if (env === "sandbox") {
            expect(db.inputs.finalSnapshotIdentifier).toBeUndefined();
            expect(db.inputs.kmsKeyId).toBeUndefined();
            expect(db.inputs.enabledCloudwatchLogsExports).toBeUndefined();
            expect(byType("aws:iam/role:Role", "tracking-db-monitoring")).toHaveLength(0);
        } else {
            const role = one("aws:iam/role:Role", "tracking-db-monitoring");
            expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal).toEqual({ Service: "monitoring.rds.amazonaws.com" });
            expect(db.inputs.monitoringRoleArn).toMatch(/tracking-db-monitoring$/);
            expect(one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "tracking-db-monitoring").inputs.policyArn)
                .toBe("arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole");
        }
    });

    it("generates an alphanumeric password when none is configured, and keeps it secret", async () => {
        await build("sandbox");
        const pw = one("random:index/randomPassword:RandomPassword", "tracking-db-password").inputs;
        expect(pw).toMatchObject({ length: 32, special: false });
        const db = one(T.db, "tracking-db");
        expect(db.inputs.password).toBe("mock-secret-tracking-db-password");
        expect(db.secretPaths).toContain("password");
    });
});

describe("Tracking: secret handling", () => {
    it.each<[string, Partial<TrackingArgs>, string]>([
        ["a configured secret", { databasePassword: pulumi.secret(PASSWORD) }, PASSWORD],
        ["a generated password", {}, "mock-secret-tracking-db-password"],
    ])("keeps %s in the RDS instance and the Kubernetes Secret only, as a secret", async (_label, overrides, password) => {
        await build("production", { ...overrides, ingress: INGRESS });
        const holders = allRecords().filter((r) => JSON.stringify(r.inputs).includes(password)).map((r) => `${r.type}::${r.name}`);
        // The auth app's INI holds the URI of its own database on the same instance (ML-04).
        expect(holders).toEqual([`${T.db}::tracking-db`, `${T.secret}::tracking-db-secret`, `${T.secret}::tracking-auth-secret`]);
        expect(one(T.db, "tracking-db").secretPaths).toContain("password");
        const secret = one(T.secret, "tracking-db-secret");
        expect(secret.inputs.stringData.password).toBe(password);
        expect(secret.inputs.stringData["backend-store-uri"]).toBe(
            `postgresql+psycopg2://mlflow:${encodeURIComponent(password)}@tracking-db.mock.us-west-2.rds.amazonaws.com:5432/mlflow?sslmode=require`);
        expect(secret.secretPaths.some((p) => p === "stringData" || p.startsWith("stringData."))).toBe(true);
    });

    it("URI-encodes a configured password with reserved characters", async () => {
        await build("sandbox", { databasePassword: pulumi.secret("p:ss#word?with%chars&more") });
        expect(one(T.secret, "tracking-db-secret").inputs.stringData["backend-store-uri"]).toContain("mlflow:p%3Ass%23word%3Fwith%25chars%26more@");
    });

    it("does not export the password", async () => {
        const t = await build("sandbox");
        expect(Object.keys(t)).not.toContain("databasePassword");
        expect(await resolve(t.databaseEndpoint)).toBe("tracking-db.mock.us-west-2.rds.amazonaws.com:5432");
        expect(await pulumi.isSecret(t.databaseEndpoint)).toBe(false);
    });
});
