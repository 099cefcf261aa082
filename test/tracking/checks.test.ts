import { describe, expect, it } from "vitest";
import { Env } from "../../policy/checks";
import { TRACKING_CHECKS } from "../../policy/checks-tracking";
import { WORKLOAD_CHECKS } from "../../policy/checks-workloads";
import { allRecords, ResourceRecord } from "../mocks";
import { build, INGRESS, T } from "./fixtures";

describe("TRACKING_CHECKS", () => {
    const run = (rs: ResourceRecord[], env: Env) => TRACKING_CHECKS.flatMap((c) => c.evaluate(rs, env));
    const mutated = (env: Env, fn: (rs: ResourceRecord[]) => void) => {
        const rs = allRecords().map((r) => ({ ...r, inputs: structuredClone(r.inputs) }));
        fn(rs);
        return run(rs, env).map((x) => x.id);
    };
    const find = (rs: ResourceRecord[], type: string, name: string) => rs.find((r) => r.type === type && r.name === name)!;
    const db = (rs: ResourceRecord[]) => find(rs, T.db, "tracking-db");
    const drop = (rs: ResourceRecord[], type: string, name = "tracking-artifacts") => { rs.splice(rs.indexOf(find(rs, type, name)), 1); };
    const pod = (rs: ResourceRecord[]) => find(rs, T.deployment, "tracking-server").inputs.spec.template.spec;

    it.each<[Env]>([["sandbox"], ["production"]])("pass on the component, with the workload checks, in %s", async (env) => {
        await build(env, env === "production" ? { ingress: INGRESS } : {});
        expect(TRACKING_CHECKS.map((c) => c.id)).toEqual([
            "RDS-01", "RDS-02", "RDS-03", "RDS-04", "RDS-05", "RDS-06", "RDS-07", "RDS-08", "RDS-09", "RDS-10",
            "NET-03", "ML-03", "S3-01", "S3-02", "S3-03", "S3-04", "S3-05", "S3-07", "S3-06", "ML-01", "ML-04", "ML-02",
        ]);
        expect(run(allRecords(), env)).toEqual([]);
        expect(WORKLOAD_CHECKS.flatMap((c) => c.evaluate(allRecords(), env))).toEqual([]);
    });

    it("flag the sandbox preset as a production database", async () => {
        await build("sandbox");
        expect(new Set(run(allRecords(), "production").map((x) => x.id))).toEqual(new Set(["RDS-01", "RDS-03", "RDS-04", "RDS-05", "RDS-06", "RDS-10", "S3-02", "S3-03", "S3-06", "S3-07"]));
    });

    it.each<[string, Env, (rs: ResourceRecord[]) => void]>([
        ["RDS-01", "sandbox", (rs) => { db(rs).inputs.storageEncrypted = false; }],
        ["RDS-01", "production", (rs) => { delete db(rs).inputs.kmsKeyId; }],
        ["RDS-02", "sandbox", (rs) => { db(rs).inputs.publiclyAccessible = true; }],
        ["RDS-02", "sandbox", (rs) => { find(rs, "aws:rds/subnetGroup:SubnetGroup", "tracking-db-subnets").inputs.subnetIds = ["subnet-a"]; }],
        ["RDS-03", "sandbox", (rs) => { delete db(rs).inputs.backupRetentionPeriod; }],
        ["RDS-03", "production", (rs) => { db(rs).inputs.backupRetentionPeriod = 3; }],
        ["RDS-04", "production", (rs) => { db(rs).inputs.multiAz = false; }],
        ["RDS-05", "production", (rs) => { db(rs).inputs.deletionProtection = false; }],
        ["RDS-05", "production", (rs) => { (db(rs) as any).protect = false; }],
        ["RDS-06", "production", (rs) => { delete db(rs).inputs.finalSnapshotIdentifier; }],
        ["RDS-06", "sandbox", (rs) => { db(rs).inputs.deleteAutomatedBackups = false; }],
        ["RDS-07", "sandbox", (rs) => { (db(rs) as any).secretPaths = []; }],
        ["RDS-08", "sandbox", (rs) => { find(rs, "aws:rds/parameterGroup:ParameterGroup", "tracking-db-params").inputs.parameters[0].value = "0"; }],
        ["RDS-09", "sandbox", (rs) => { db(rs).inputs.copyTagsToSnapshot = false; }],
        ["RDS-09", "sandbox", (rs) => { db(rs).inputs.caCertIdentifier = "rds-ca-2019"; }],
        ["RDS-10", "production", (rs) => { db(rs).inputs.enabledCloudwatchLogsExports = ["upgrade"]; }],
        ["RDS-10", "production", (rs) => { delete db(rs).inputs.monitoringRoleArn; }],
        ["RDS-10", "production", (rs) => { delete db(rs).inputs.performanceInsightsKmsKeyId; }],
        ["NET-03", "sandbox", (rs) => { const r = find(rs, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "tracking-db-from-nodes").inputs; delete r.referencedSecurityGroupId; r.cidrIpv4 = "10.0.0.0/16"; }],
        ["NET-03", "sandbox", (rs) => { find(rs, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "tracking-db-from-nodes").inputs.toPort = 5439; }],
        ["NET-03", "sandbox", (rs) => { find(rs, "aws:ec2/securityGroup:SecurityGroup", "tracking-db-sg").inputs.ingress = [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }]; }],
        ["S3-01", "sandbox", (rs) => { find(rs, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "tracking-artifacts").inputs.restrictPublicBuckets = false; }],
        ["S3-01", "sandbox", (rs) => { drop(rs, "aws:s3/bucketOwnershipControls:BucketOwnershipControls"); }],
        ["S3-02", "production", (rs) => { find(rs, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "tracking-artifacts").inputs.rules[0].bucketKeyEnabled = false; }],
        ["S3-02", "sandbox", (rs) => { drop(rs, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"); }],
        ["S3-03", "production", (rs) => { drop(rs, "aws:s3/bucketVersioning:BucketVersioning"); }],
        ["S3-04", "sandbox", (rs) => { drop(rs, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"); }],
        ["S3-04", "production", (rs) => { delete find(rs, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "tracking-artifacts").inputs.rules[0].noncurrentVersionExpiration; }],
        ["S3-05", "sandbox", (rs) => { drop(rs, "aws:s3/bucketPolicy:BucketPolicy"); }],
        ["S3-05", "sandbox", (rs) => {
            const p = find(rs, "aws:s3/bucketPolicy:BucketPolicy", "tracking-artifacts").inputs;
            const doc = JSON.parse(p.policy);
            doc.Statement.push({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::x/*" });
            p.policy = JSON.stringify(doc);
        }],
        ["S3-06", "production", (rs) => { find(rs, T.bucket, "tracking-artifacts").inputs.forceDestroy = true; }],
        ["ML-01", "sandbox", (rs) => { pod(rs).containers[0].args.push("--backend-store-uri", "postgresql://mlflow:hunter2hunter2@db:5432/mlflow"); }],
        ["ML-01", "sandbox", (rs) => { pod(rs).containers[0].env = [{ name: "MLFLOW_BACKEND_STORE_URI", value: "postgresql://mlflow:pw@db/mlflow" }]; }],
        ["ML-01", "sandbox", (rs) => { pod(rs).initContainers[0].env.push({ name: "DB_PASSWORD", value: "literal" }); }],
        ["ML-01", "sandbox", (rs) => { find(rs, "kubernetes:core/v1:ConfigMap", "tracking-config").inputs.data.DB_PASSWORD = "x"; }],
        // Kubernetes expands $(VAR) in args, so a secretKeyRef variable referenced there is in argv.
        ["ML-01", "sandbox", (rs) => { pod(rs).containers[0].args.push("--backend-store-uri", "$(MLFLOW_BACKEND_STORE_URI)"); }],
        // One walker reads every container's argv and env, init containers included.
        ["ML-01", "sandbox", (rs) => { pod(rs).initContainers[0].command.push("$(MLFLOW_BACKEND_STORE_URI)"); }],
        ["ML-04", "sandbox", (rs) => { const a = pod(rs).containers[0].args; a.splice(a.indexOf("--app-name"), 2); }],
        ["ML-04", "sandbox", (rs) => { pod(rs).volumes[1] = { name: "auth", configMap: { name: "mlflow-auth" } }; }],
        ["ML-04", "sandbox", (rs) => { pod(rs).containers[0].env = pod(rs).containers[0].env.filter((e: any) => e.name !== "MLFLOW_AUTH_CONFIG_PATH"); }],
        ["ML-04", "sandbox", (rs) => { pod(rs).containers[0].env.find((e: any) => e.name === "MLFLOW_FLASK_SERVER_SECRET_KEY").valueFrom = undefined; }],
        ["ML-04", "sandbox", (rs) => { find(rs, "kubernetes:core/v1:ConfigMap", "tracking-config").inputs.data["basic_auth.ini"] = "[mlflow]\nadmin_password = x"; }],
        ["ML-04", "sandbox", (rs) => { find(rs, "kubernetes:batch/v1:Job", "tracking-auth-bootstrap").inputs.spec.template.spec.containers[0].env.push({ name: "MLFLOW_TRACKING_PASSWORD", value: "pw" }); }],
        ["ML-02", "sandbox", (rs) => { find(rs, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "tracking-s3-association").inputs.serviceAccount = "default"; }],
        ["ML-02", "sandbox", (rs) => {
            const p = find(rs, "aws:iam/rolePolicy:RolePolicy", "tracking-s3-policy").inputs;
            const doc = JSON.parse(p.policy);
            doc.Statement[1].Resource = "*";
            p.policy = JSON.stringify(doc);
        }],
        ["ML-02", "sandbox", (rs) => {
            const p = find(rs, "aws:iam/rolePolicy:RolePolicy", "tracking-s3-policy").inputs;
            const doc = JSON.parse(p.policy);
            doc.Statement.push({ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::other-bucket/*" });
            p.policy = JSON.stringify(doc);
        }],
        ["ML-02", "sandbox", (rs) => {
            const p = find(rs, "aws:iam/rolePolicy:RolePolicy", "tracking-s3-policy").inputs;
            const doc = JSON.parse(p.policy);
            doc.Statement[0].Action = ["s3:*"];
            p.policy = JSON.stringify(doc);
        }],
    ])("%s fails on a non-compliant %s fixture", async (id, env, mutate) => {
        await build(env);
        expect(run(allRecords(), env)).toEqual([]);
        expect(mutated(env, mutate)).toContain(id);
    });
});
