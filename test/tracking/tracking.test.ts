import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { spawnSync } from "node:child_process";
import { allowedHosts, artifactPolicy, DB_UPGRADE_SCRIPT, MLFLOW_METRICS_SECRET, resolveTrackingArgs, tlsOnlyBucketPolicy, Tracking, TrackingArgs, TRACKING_PRESETS, TrackingIngressSettings } from "../../components/tracking";
import { authIni, BOOTSTRAP_SCRIPT, HUB_MLFLOW_HOOK, MLFLOW_AUTH_SECRET, mlflowIdentities } from "../../components/tracking/auth";
import { TRACKING_VERSIONS } from "../../components/shared/versions";
import { Env } from "../../policy/checks";
import { TRACKING_CHECKS } from "../../policy/checks-tracking";
import { WORKLOAD_CHECKS } from "../../policy/checks-workloads";
import { invalidObjects, isK8sObject } from "../k8s-schema";
import { allRecords, byType, one, resetRecords, resolve, ResourceRecord, settle } from "../mocks";

class Agent extends pulumi.CustomResource {
    constructor() {
        super("aws:eks/addon:Addon", "agent", {});
    }
}

const KMS = "arn:aws:kms:us-west-2:123456789012:key/0f0e0d0c-0b0a-0908-0706-050403020100";
const PASSWORD = "Configured-Password-From-Secret-Config-42";
const INGRESS: TrackingIngressSettings = {
    host: "mlflow.example.com",
    certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/01234567-89ab-cdef-0123-456789abcdef",
    oidc: {
        issuer: "https://login.example.com",
        authorizationEndpoint: "https://login.example.com/authorize",
        tokenEndpoint: "https://login.example.com/token",
        userInfoEndpoint: "https://login.example.com/userinfo",
        clientId: "mlflow",
        clientSecret: pulumi.secret("oidc-client-secret-value"),
    },
};
const base = (): Omit<TrackingArgs, "podIdentityAgent"> => ({
    namePrefix: "mlplatform-test",
    clusterName: "mlp",
    vpcId: "vpc-0123456789abcdef0",
    vpcCidr: "10.0.0.0/16",
    region: "eu-central-1",
    databaseSubnetIds: ["subnet-a", "subnet-b", "subnet-c"],
    nodeSecurityGroupId: "sg-0node",
});
const presetArgs = (env: Env): Partial<TrackingArgs> => env === "production"
    ? { ...TRACKING_PRESETS.production, logExports: [...TRACKING_PRESETS.production.logExports], kmsKeyArn: KMS }
    : { ...TRACKING_PRESETS.sandbox, logExports: [] };

const T = {
    db: "aws:rds/instance:Instance",
    bucket: "aws:s3/bucket:Bucket",
    deployment: "kubernetes:apps/v1:Deployment",
    secret: "kubernetes:core/v1:Secret",
};

async function build(env: Env = "sandbox", overrides: Partial<TrackingArgs> = {}) {
    resetRecords();
    const t = new Tracking("tracking", { ...base(), ...presetArgs(env), ...overrides, podIdentityAgent: new Agent() });
    await resolve(t.databaseEndpoint);
    await resolve(t.bucketName);
    await settle();
    return t;
}
const server = () => one(T.deployment, "tracking-server").inputs.spec.template.spec;
const policyDoc = () => JSON.parse(one("aws:iam/rolePolicy:RolePolicy", "tracking-s3-policy").inputs.policy);

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

describe("Tracking: artifact bucket", () => {
    it.each<[Env]>([["sandbox"], ["production"]])("blocks public access, disables ACLs, denies plain HTTP and cleans up uploads (%s)", async (env) => {
        await build(env);
        const b = one(T.bucket, "tracking-artifacts");
        expect(b.inputs.bucketPrefix).toBe("mlplatform-test-mlflow-");
        expect(b.inputs.forceDestroy).toBe(env === "sandbox");
        const id = "tracking-artifacts-mock";
        expect(one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "tracking-artifacts").inputs).toEqual({
            bucket: id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
        });
        expect(one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "tracking-artifacts").inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
        expect(JSON.parse(one("aws:s3/bucketPolicy:BucketPolicy", "tracking-artifacts").inputs.policy)).toEqual(JSON.parse(tlsOnlyBucketPolicy(id)));
        const sse = one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "tracking-artifacts").inputs.rules;
        const rule = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "tracking-artifacts").inputs.rules[0];
        if (env === "production") {
            expect(sse).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KMS }, bucketKeyEnabled: true }]);
            expect(one("aws:s3/bucketVersioning:BucketVersioning", "tracking-artifacts").inputs.versioningConfiguration).toEqual({ status: "Enabled" });
            expect(rule).toEqual({ id: "housekeeping", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 }, noncurrentVersionExpiration: { noncurrentDays: 30 } });
        } else {
            expect(sse).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
            expect(byType("aws:s3/bucketVersioning:BucketVersioning")).toHaveLength(0);
            expect(rule).toEqual({ id: "housekeeping", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } });
        }
    });

    it("sends production access logs to a hardened, expiring, protected SSE-S3 log bucket (S3-07); none in the sandbox", async () => {
        await build("production");
        const logs = one(T.bucket, "tracking-access-logs");
        expect(logs.inputs.bucketPrefix).toBe("mlplatform-test-s3logs-");
        expect(logs.inputs.forceDestroy).toBe(false);
        expect(logs.protect).toBe(true);
        expect(logs.protect).toBe(one(T.bucket, "tracking-artifacts").protect);
        const id = "tracking-access-logs-mock";
        expect(one("aws:s3/bucketLogging:BucketLogging", "tracking-artifacts").inputs).toEqual({ bucket: "tracking-artifacts-mock", targetBucket: id, targetPrefix: "artifacts/" });
        expect(one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "tracking-access-logs").inputs.rules).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
        expect(one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "tracking-access-logs").inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        expect(one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "tracking-access-logs").inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
        expect(one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "tracking-access-logs").inputs.rules[0]).toMatchObject({ status: "Enabled", filter: {}, expiration: { days: 365 } });
        const doc = JSON.parse(one("aws:s3/bucketPolicy:BucketPolicy", "tracking-access-logs").inputs.policy);
        expect(doc.Statement[0]).toEqual(JSON.parse(tlsOnlyBucketPolicy(id)).Statement[0]);
        expect(doc.Statement[1]).toEqual({
            Sid: "S3ServerAccessLogsDelivery", Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject",
            Resource: `arn:aws:s3:::${id}/*`, Condition: { ArnLike: { "aws:SourceArn": "arn:aws:s3:::tracking-artifacts-mock" } },
        });
        await build("sandbox");
        expect(byType("aws:s3/bucketLogging:BucketLogging")).toHaveLength(0);
        expect(() => resolveTrackingArgs({ ...TRACKING_PRESETS.production, namePrefix: "mlplatform-test", accessLogRetentionDays: 0 } as TrackingArgs)).toThrow(/accessLogRetentionDays \(0\)/);
    });

    it("writes a bucket policy that denies every non-TLS request and allows nothing", () => {
        const doc = JSON.parse(tlsOnlyBucketPolicy("b"));
        expect(doc.Statement).toEqual([{
            Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*",
            Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], Condition: { Bool: { "aws:SecureTransport": "false" } },
        }]);
    });
});

describe("Tracking: identity", () => {
    it.each<[Env]>([["sandbox"], ["production"]])("binds one role to mlflow/mlflow with S3 on the artifact bucket only (%s)", async (env) => {
        await build(env);
        const assoc = one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "tracking-s3-association");
        expect(assoc.inputs).toMatchObject({ clusterName: "mlp", namespace: "mlflow", serviceAccount: "mlflow" });
        expect(assoc.dependencies).toContain(allRecords().find((r) => r.name === "agent")!.urn);
        const doc = policyDoc();
        expect(doc).toEqual(JSON.parse(artifactPolicy("tracking-artifacts-mock", env === "production" ? KMS : undefined)));
        const actions = doc.Statement.flatMap((s: any) => s.Action);
        expect(actions).toEqual(["s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", ...(env === "production" ? ["kms:Decrypt", "kms:GenerateDataKey"] : [])]);
        expect(JSON.stringify(doc)).not.toMatch(/"\*"|s3:\*/);
        expect(one(T.deployment, "tracking-server").dependencies).toContain(assoc.urn);
    });

    it("scopes the pure policy to one bucket and its objects", () => {
        const doc = JSON.parse(artifactPolicy("my-bucket"));
        expect(doc.Statement.map((s: any) => s.Resource)).toEqual(["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"]);
    });
});

describe("Tracking: server", () => {
    it("runs a pinned MLflow image, restricted, with the DB URI from a secretKeyRef and a schema upgrade first", async () => {
        await build("sandbox");
        const spec = server();
        expect(spec.serviceAccountName).toBe("mlflow");
        expect(spec.automountServiceAccountToken).toBe(false);
        expect(spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } });
        const [init] = spec.initContainers;
        const [c] = spec.containers;
        for (const x of [init, c]) {
            expect(x.image).toBe(TRACKING_VERSIONS.mlflowImage);
            expect(x.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
            expect(x.env[0]).toEqual({ name: "MLFLOW_BACKEND_STORE_URI", valueFrom: { secretKeyRef: { name: "mlflow-db", key: "backend-store-uri" } } });
            expect(x.envFrom).toEqual([{ configMapRef: { name: "mlflow" } }]);
            expect(x.volumeMounts[0]).toEqual({ name: "tmp", mountPath: "/tmp" });
        }
        expect(init.env).toHaveLength(1);
        // The server reads the auth INI (admin password, auth DB URI) from a mounted Secret file and the
        // CSRF key from a secretKeyRef: neither is in argv, a ConfigMap or an env value.
        expect(c.env.slice(1)).toEqual([
            { name: "MLFLOW_AUTH_CONFIG_PATH", value: "/etc/mlflow-auth/basic_auth.ini" },
            { name: "MLFLOW_FLASK_SERVER_SECRET_KEY", valueFrom: { secretKeyRef: { name: "mlflow-auth", key: "flask-secret-key" } } },
        ]);
        expect(c.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }, { name: "auth", mountPath: "/etc/mlflow-auth", readOnly: true }]);
        // The URI is read from the environment inside Python, so it is in no process's argv.
        expect(init.command).toEqual(["python", "-c", DB_UPGRADE_SCRIPT]);
        expect(DB_UPGRADE_SCRIPT).toContain("os.environ['MLFLOW_BACKEND_STORE_URI']");
        expect(DB_UPGRADE_SCRIPT).toContain("['db', 'upgrade',");
        expect(DB_UPGRADE_SCRIPT).toContain("CREATE DATABASE mlflow_auth");
        // Old servers stop before the new pods migrate the schema (no mixed-version writers).
        expect(spec.strategy ?? one(T.deployment, "tracking-server").inputs.spec.strategy).toEqual({ type: "Recreate" });
        expect(c.command).toEqual(["mlflow", "server"]);
        expect(c.args).toEqual(["--app-name", "basic-auth", "--host", "0.0.0.0", "--port", "5000", "--serve-artifacts", "--workers", "2", "--expose-prometheus", "/tmp/prometheus"]);
        expect(c.ports).toEqual([{ name: "http", containerPort: 5000, protocol: "TCP" }]);
        expect(c.readinessProbe.httpGet).toEqual({ path: "/health", port: "http" });
        expect(c.livenessProbe.httpGet).toEqual({ path: "/health", port: "http" });
        expect(c.readinessProbe).not.toEqual(c.livenessProbe);
        expect(c.resources).toEqual({ requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "2Gi" } });
        expect(spec.volumes).toEqual([
            { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
            { name: "auth", secret: { secretName: "mlflow-auth", items: [{ key: "basic_auth.ini", path: "basic_auth.ini" }], defaultMode: 0o440 } },
        ]);
        expect(TRACKING_VERSIONS.mlflowImage).toMatch(/^ghcr\.io\/mlflow\/mlflow:v3\.\d+\.\d+-full$/);
    });

    it("configures the artifact destination and host allow-list in a ConfigMap without credentials", async () => {
        await build("sandbox");
        const data = one("kubernetes:core/v1:ConfigMap", "tracking-config").inputs.data;
        expect(data).toEqual({
            MLFLOW_ARTIFACTS_DESTINATION: "s3://tracking-artifacts-mock/artifacts",
            MLFLOW_SERVER_ALLOWED_HOSTS: allowedHosts(),
            DB_HOST: "tracking-db.mock.us-west-2.rds.amazonaws.com",
            DB_PORT: "5432",
            DB_NAME: "mlflow",
            DB_USER: "mlflow",
            HOME: "/tmp",
            // boto3 gets no region from Pod Identity; the bucket's region keeps S3 calls regional.
            AWS_REGION: "eu-central-1",
            AWS_DEFAULT_REGION: "eu-central-1",
        });
        expect(allowedHosts().split(",")).toEqual(expect.arrayContaining(["mlflow.mlflow.svc.cluster.local:*", "localhost:*", "10.*"]));
        expect(allowedHosts("mlflow.example.com").split(",")).toContain("mlflow.example.com");
    });

    it.each<[Env, number]>([["sandbox", 1], ["production", 2]])("runs %s with %i replica(s); production adds a PDB and zone spread", async (env, replicas) => {
        await build(env);
        const d = one(T.deployment, "tracking-server").inputs.spec;
        expect(d.replicas).toBe(replicas);
        const pdbs = byType("kubernetes:policy/v1:PodDisruptionBudget");
        if (env === "production") {
            expect(pdbs.map((p) => p.inputs.spec)).toEqual([{ maxUnavailable: 1, selector: { matchLabels: d.selector.matchLabels } }]);
            expect(d.template.spec.topologySpreadConstraints).toEqual([{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: d.selector.matchLabels } }]);
        } else {
            expect(pdbs).toHaveLength(0);
            expect(d.template.spec.topologySpreadConstraints).toBeUndefined();
        }
    });

    it("exposes a ClusterIP Service, a restricted namespace and the outputs clients need", async () => {
        const t = await build("sandbox");
        const svc = one("kubernetes:core/v1:Service", "tracking-svc").inputs;
        expect(svc.metadata).toMatchObject({ name: "mlflow", namespace: "mlflow" });
        expect(svc.spec).toEqual({ type: "ClusterIP", selector: { "app.kubernetes.io/name": "mlflow", "app.kubernetes.io/instance": "tracking" }, ports: [{ name: "http", port: 5000, targetPort: "http", protocol: "TCP" }] });
        expect(one("kubernetes:core/v1:Namespace", "tracking-ns").inputs.metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted" });
        expect(one("kubernetes:core/v1:ServiceAccount", "tracking-sa").inputs).toMatchObject({ metadata: { name: "mlflow", namespace: "mlflow" }, automountServiceAccountToken: false });
        expect(t.trackingUri).toBe("http://mlflow.mlflow.svc.cluster.local:5000");
        expect(t.portForwardCommand).toBe("kubectl -n mlflow port-forward svc/mlflow 5000:5000");
        expect(await resolve(t.bucketName)).toBe("tracking-artifacts-mock");
        expect(t.url).toBeUndefined();
        expect(t.scrapeTargets).toHaveLength(1);
        expect(t.scrapeTargets[0]).toMatchObject({ name: "mlflow", selector: svc.spec.selector, port: "http", path: "/metrics" });
        expect(await resolve(t.scrapeTargets[0].namespace)).toBe("mlflow");
        expect(byType("kubernetes:networking.k8s.io/v1:Ingress")).toHaveLength(0);
    });

    it("isolates the namespace: clients and monitoring in on 5000; DNS, PostgreSQL, HTTPS (not IMDS) and the Pod Identity agent out", async () => {
        await build("sandbox");
        const pol = (n: string) => one("kubernetes:networking.k8s.io/v1:NetworkPolicy", `tracking-${n}`).inputs.spec;
        expect(pol("default-deny")).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        expect(pol("allow-clients").ingress).toEqual([
            { from: [{ namespaceSelector: { matchLabels: { "mlplatform.io/mlflow-client": "true" } } }], ports: [{ protocol: "TCP", port: 5000 }] },
            { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 5000 }] },
            { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "mlflow-auth-bootstrap" } } }], ports: [{ protocol: "TCP", port: 5000 }] },
        ]);
        expect(pol("allow-egress").egress.slice(1)).toEqual([
            { to: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ protocol: "TCP", port: 5432 }] },
            { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/16", "172.20.0.0/16", "169.254.169.254/32"] } }], ports: [{ protocol: "TCP", port: 443 }] },
            { to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [{ protocol: "TCP", port: 80 }] },
        ]);
    });

    it("puts an authenticated HTTPS Ingress in front when configured", async () => {
        const t = await build("production", { ingress: INGRESS });
        const ing = one("kubernetes:networking.k8s.io/v1:Ingress", "tracking-ingress").inputs;
        expect(ing.spec.ingressClassName).toBe("alb");
        expect(ing.spec.rules[0].host).toBe("mlflow.example.com");
        const ann = ing.metadata.annotations;
        expect(ann["alb.ingress.kubernetes.io/certificate-arn"]).toBe(INGRESS.certificateArn);
        expect(ann["alb.ingress.kubernetes.io/listen-ports"]).toBe('[{"HTTPS":443}]');
        expect(ann["alb.ingress.kubernetes.io/auth-type"]).toBe("oidc");
        expect(JSON.parse(ann["alb.ingress.kubernetes.io/auth-idp-oidc"])).toMatchObject({ issuer: "https://login.example.com", secretName: "mlflow-oidc" });
        const oidc = one(T.secret, "tracking-oidc-secret");
        expect(oidc.inputs.stringData).toEqual({ clientID: "mlflow", clientSecret: "oidc-client-secret-value" });
        expect(oidc.secretPaths.some((p) => p.startsWith("stringData"))).toBe(true);
        expect(allRecords().filter((r) => JSON.stringify(r.inputs).includes("oidc-client-secret-value")).map((r) => r.name)).toEqual(["tracking-oidc-secret"]);
        expect(t.url).toBe("https://mlflow.example.com");
        expect(one("kubernetes:core/v1:ConfigMap", "tracking-config").inputs.data.MLFLOW_SERVER_ALLOWED_HOSTS.split(",")).toContain("mlflow.example.com");
        expect(one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "tracking-allow-clients").inputs.spec.ingress[2]).toEqual({ from: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ protocol: "TCP", port: 5000 }] });
    });

    it("lets the load-balancer controller read only the OIDC Secret, before the Ingress exists", async () => {
        await build("production", { ingress: INGRESS });
        const role = one("kubernetes:rbac.authorization.k8s.io/v1:Role", "tracking-oidc-reader");
        expect(role.inputs.rules).toEqual([{ apiGroups: [""], resources: ["secrets"], resourceNames: ["mlflow-oidc"], verbs: ["get", "list", "watch"] }]);
        const binding = one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "tracking-oidc-reader");
        expect(binding.inputs.metadata.namespace).toBe("mlflow");
        expect(binding.inputs.subjects).toEqual([{ kind: "ServiceAccount", name: "aws-load-balancer-controller", namespace: "kube-system" }]);
        expect(one("kubernetes:networking.k8s.io/v1:Ingress", "tracking-ingress").dependencies).toContain(binding.urn);
    });

    it.each<[Env]>([["sandbox"], ["production"]])("declares only schema-valid Kubernetes objects, all under the component (%s)", async (env) => {
        await build(env, env === "production" ? { ingress: INGRESS } : {});
        // Namespace, ServiceAccount, ConfigMap, Secret, Deployment, Service, 3 NetworkPolicies; production adds PDB,
        // OIDC Secret, the Role and RoleBinding that let the load-balancer controller read it, and the Ingress.
        expect(allRecords().filter(isK8sObject)).toHaveLength(env === "production" ? 20 : 15);
        expect(await invalidObjects(allRecords())).toEqual([]);
        for (const r of allRecords().filter((x) => x.type !== "mlplatform:index:Tracking" && x.name !== "agent")) {
            expect(r.parent, r.name).toMatch(/::mlplatform:index:Tracking::tracking$/);
        }
    });
});

describe("resolveTrackingArgs", () => {
    const args = (over: Partial<TrackingArgs> = {}): TrackingArgs => ({ ...base(), podIdentityAgent: {} as pulumi.Resource, ...over });

    it("documents its defaults truthfully", () => {
        const r = resolveTrackingArgs(args());
        expect(r).toMatchObject({
            instanceClass: "db.t4g.micro", allocatedStorageGiB: 20, maxAllocatedStorageGiB: 100, multiAz: false, deletionProtection: false,
            backupRetentionDays: 1, finalSnapshot: false, protect: false, applyImmediately: true, performanceInsights: false, monitoringIntervalSeconds: 0,
            logExports: [], slowQueryLogMs: 1000, bucketVersioning: false, bucketKms: false, noncurrentVersionExpirationDays: 30,
            forceDestroy: false, replicas: 1, workers: 2, cpuRequest: "250m", memoryRequest: "1Gi", memoryLimit: "2Gi",
        });
        expect(r.ingress).toBeUndefined();
        expect(r.databasePassword).toBeUndefined();
    });

    it("accepts both presets", () => {
        expect(() => resolveTrackingArgs(args(presetArgs("sandbox")))).not.toThrow();
        expect(() => resolveTrackingArgs(args(presetArgs("production")))).not.toThrow();
    });

    it.each<[string, Partial<TrackingArgs>, string]>([
        ["an uppercase prefix", { namePrefix: "MLP-dev" }, "namePrefix (MLP-dev) must be 2-29 lowercase letters"],
        ["a long prefix", { namePrefix: "a".repeat(30) }, `namePrefix (${"a".repeat(30)}) must be 2-29`],
        ["a bad instance class", { instanceClass: "t4g.micro" }, "instanceClass (t4g.micro) must be an RDS instance class"],
        ["too little storage", { allocatedStorageGiB: 10 }, "allocatedStorageGiB (10) must be a whole number from 20 to 65536"],
        ["a ceiling below the allocation", { allocatedStorageGiB: 50, maxAllocatedStorageGiB: 40 }, "maxAllocatedStorageGiB (40) must be a whole number from 50 to 65536"],
        ["no backups", { backupRetentionDays: 0 }, "backupRetentionDays (0) must be a whole number from 1 to 35"],
        ["too many backup days", { backupRetentionDays: 36 }, "backupRetentionDays (36) must be a whole number from 1 to 35"],
        ["a bad monitoring interval", { monitoringIntervalSeconds: 7 }, "monitoringIntervalSeconds (7) must be one of 0, 1, 5, 10, 15, 30, 60"],
        ["an unknown log export", { logExports: ["audit"] }, "logExports (audit) must be one of postgresql, upgrade, iam-db-auth-error"],
        ["zero replicas", { replicas: 0 }, "replicas (0) must be a whole number from 1 to 10"],
        ["fractional workers", { workers: 1.5 }, "workers (1.5) must be a whole number from 1 to 16"],
        ["a bad memory quantity", { memoryLimit: "2GB" }, 'memoryLimit (2GB) must be a Kubernetes quantity such as "250m" or "1Gi"'],
        ["KMS without a key", { bucketKms: true }, "kmsKeyArn (undefined) must be set when bucketKms is true"],
        ["a protected force-destroyed bucket", { forceDestroy: true, protect: true }, "forceDestroy (true) must be false when protect is true"],
        ["deletion protection without a final snapshot", { deletionProtection: true }, "finalSnapshot (false) must be true when deletionProtection is true"],
        ["one subnet", { databaseSubnetIds: ["subnet-a"] }, "databaseSubnetIds (1 subnets) must list at least two subnets"],
        ["a short literal password", { databasePassword: "short" }, "databasePassword (secret) must be at least 16 characters"],
        ["a password with @", { databasePassword: "abcdefgh@ijklmnopq" }, "databasePassword (secret) must be at least 16 characters without"],
        ["an Ingress without OIDC", { ingress: { ...INGRESS, oidc: undefined as any } }, "ingress.oidc (undefined) must be set: the MLflow Ingress requires authentication"],
        ["a plain-HTTP issuer", { ingress: { ...INGRESS, oidc: { ...INGRESS.oidc, issuer: "http://login.example.com" } } }, "ingress.oidc.issuer (http://login.example.com) must be an https:// URL"],
        ["a bad Ingress host", { ingress: { ...INGRESS, host: "MLflow" } }, "ingress.host (MLflow) must be a fully qualified DNS name"],
    ])("refuses %s", (_label, over, message) => {
        expect(() => resolveTrackingArgs(args(over))).toThrow(message);
    });

    it("throws before registering any resource", () => {
        resetRecords();
        expect(() => new Tracking("bad", args({ replicas: 0 }))).toThrow("replicas (0)");
        expect(allRecords().filter((r) => r.name.startsWith("bad"))).toEqual([]);
    });
});

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

describe("Tracking: authentication (ML-04)", () => {
    it("runs the basic-auth app with a generated admin password that is only in Secrets, a separate auth database and a CSRF key", async () => {
        await build("production", { ingress: INGRESS });
        const auth = one(T.secret, "tracking-auth-secret");
        expect(auth.inputs.metadata).toMatchObject({ name: MLFLOW_AUTH_SECRET, namespace: "mlflow" });
        const admin = "mock-secret-tracking-admin-password";
        expect(auth.inputs.stringData["admin-password"]).toBe(admin);
        expect(auth.inputs.stringData["flask-secret-key"]).toBe("mock-secret-tracking-flask-secret-key");
        const ini = auth.inputs.stringData["basic_auth.ini"];
        expect(ini).toContain(`admin_password = ${admin}\n`);
        expect(ini).toContain("admin_username = platform-admin\n");
        expect(ini).toContain("default_permission = READ\n");
        // Its own database: the auth app's Alembic history would collide with the tracking schema's.
        expect(ini).toMatch(/database_uri = postgresql\+psycopg2:\/\/mlflow:.+@tracking-db\.mock\.us-west-2\.rds\.amazonaws\.com:5432\/mlflow_auth\?sslmode=require\n/);
        expect(auth.secretPaths.some((p) => p === "stringData" || p.startsWith("stringData."))).toBe(true);
        // The admin password is in the auth Secret and nowhere else (no ConfigMap, env value or argv).
        const holders = allRecords().filter((r) => JSON.stringify(r.inputs).includes(admin)).map((r) => `${r.type}::${r.name}`);
        expect(holders).toEqual([`${T.secret}::tracking-auth-secret`]);
    });

    it("generates one user per team and reader, always a metrics reader, and a Job that registers them from mounted files", async () => {
        const t = await build("sandbox", { teams: ["vision", "nlp"], mlflowReaders: ["serving"] });
        const users = one(T.secret, "tracking-users-secret");
        expect(Object.keys(users.inputs.stringData).sort()).toEqual(["reader-metrics", "reader-serving", "team-nlp", "team-vision"]);
        expect(users.inputs.stringData["team-nlp"]).toBe("mock-secret-tracking-user-team-nlp");
        expect(t.teamCredentials.vision.username).toBe("team-vision");
        expect(await resolve(t.teamCredentials.vision.password)).toBe("mock-secret-tracking-user-team-vision");
        expect(await pulumi.isSecret(t.teamCredentials.vision.password)).toBe(true);
        expect(t.readerCredentials.serving.username).toBe("reader-serving");
        const job = one("kubernetes:batch/v1:Job", "tracking-auth-bootstrap");
        const pod = job.inputs.spec.template.spec;
        const [c] = pod.containers;
        expect(c.command).toEqual(["python", "-c", BOOTSTRAP_SCRIPT]);
        expect(JSON.parse(c.env.find((e: any) => e.name === "MLFLOW_IDENTITIES").value).map((i: any) => i.username))
            .toEqual(["team-vision", "team-nlp", "reader-metrics", "reader-serving"]);
        // Passwords only as files: no env value or argument holds one.
        expect(JSON.stringify(job.inputs)).not.toContain("mock-secret");
        expect(pod.volumes.filter((x: any) => x.secret).map((x: any) => x.secret.secretName)).toEqual(["mlflow-auth", "mlflow-users"]);
        expect(BOOTSTRAP_SCRIPT).toContain("users/create");
        expect(BOOTSTRAP_SCRIPT).toContain("users/update-password");
        expect(BOOTSTRAP_SCRIPT).not.toMatch(/is_admin|update-admin/);
        // It runs after the server and its Service exist.
        expect(job.dependencies).toEqual(expect.arrayContaining([one(T.deployment, "tracking-server").urn, one("kubernetes:core/v1:Service", "tracking-svc").urn]));
        // Prometheus scrapes /metrics (protected too) as the metrics reader.
        const metrics = one(T.secret, "tracking-metrics-secret").inputs.stringData;
        expect(metrics).toEqual({ MLFLOW_TRACKING_USERNAME: "reader-metrics", MLFLOW_TRACKING_PASSWORD: "mock-secret-tracking-user-reader-metrics" });
        expect(await resolve(t.scrapeTargets[0].basicAuthSecret)).toBe(MLFLOW_METRICS_SECRET);
    });

    it("refuses bad identity names and unsafe INI values before any resource exists", () => {
        expect(() => mlflowIdentities(["Vision"], [])).toThrow(/teams \(Vision\) must be a lowercase name/);
        expect(() => mlflowIdentities([], ["serving", "serving"])).toThrow(/mlflowReaders \(serving\) is listed twice/);
        expect(() => resolveTrackingArgs({ ...base(), podIdentityAgent: new Agent(), teams: ["a b"] })).toThrow(/teams \(a b\)/);
        expect(() => authIni("pass\nword", "postgresql://x")).toThrow(/adminPassword \(secret\) must not contain a newline/);
    });

    it("escapes '%' the way ConfigParser's BasicInterpolation reads it back", () => {
        const ini = authIni("pw%1", "postgresql://u:p%40@h/db");
        const r = spawnSync("python3", ["-c", "import configparser, sys\nc = configparser.ConfigParser()\nc.read_string(sys.stdin.read())\nprint(c['mlflow']['database_uri'] + ' ' + c['mlflow']['admin_password'])"], { input: ini, encoding: "utf8" });
        expect(r.stderr).toBe("");
        expect(r.stdout.trim()).toBe("postgresql://u:p%40@h/db pw%1");
    });

    it("ships Python that compiles (the server's init, the bootstrap Job, the hub hook)", () => {
        const r = spawnSync("python3", ["-c", "import sys\nfor i, src in enumerate(sys.stdin.read().split('\\0')):\n    compile(src, f'script{i}', 'exec')"], {
            input: [DB_UPGRADE_SCRIPT, BOOTSTRAP_SCRIPT, HUB_MLFLOW_HOOK].join("\0"),
            encoding: "utf8",
        });
        if (r.error) {
            throw new Error(`python3 is needed to compile the shipped Python scripts: ${r.error.message}`);
        }
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
    });
});
