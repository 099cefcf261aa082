/**
 * Checklist items for experiment tracking: the MLflow database (RDS-01 … RDS-10, NET-03), the
 * artifact bucket (S3-01 … S3-06) and the tracking server's secrets and identity (ML-01, ML-02).
 * K8S-* for the Deployment come from checks-workloads.ts.
 *
 * Joins between resources (instance → subnet/parameter group/security group, bucket → side
 * resources, association → role → policy) use the dependency URNs the engine records (tests and
 * the policy pack both have them), falling back to physical names where a name is the link.
 */
import { ingressHasTls } from "../components/shared/ingress";
import { Check, Env, of, parseJson, Res, v, Violation, zonesOf } from "./checks";

const T = {
    db: "aws:rds/instance:Instance",
    subnetGroup: "aws:rds/subnetGroup:SubnetGroup",
    params: "aws:rds/parameterGroup:ParameterGroup",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    sgIngress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    bucket: "aws:s3/bucket:Bucket",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    bucketLogging: "aws:s3/bucketLogging:BucketLogging",
    deployment: "kubernetes:apps/v1:Deployment",
    service: "kubernetes:core/v1:Service",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    configMap: "kubernetes:core/v1:ConfigMap",
    association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
} as const;

const CA_CERTS = ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"];
const MONITORING_INTERVALS = [1, 5, 10, 15, 30, 60];
const MLFLOW_APP = "mlflow";
/** `scheme://user:secret@` with a literal secret (a `$(VAR)` or `$VAR` reference is not one). */
const CREDENTIAL_URI = /:\/\/[^:/\s@]+:(?!\$)[^@\s]+@/;
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|BACKEND_STORE_URI|DATABASE_URL|DB_URI)/i;

/**
 * True when `child` points at `parent` through input `key`: by the property's recorded dependency
 * URNs (or, where those are unknown, any dependency), or by the parent's name appearing in it.
 */
function linked(child: Res, parent: Res, key: string): boolean {
    const byProperty = (child as any).propertyDependencies?.[key];
    if (parent.urn !== undefined) {
        const deps = Array.isArray(byProperty) ? byProperty : (child.dependencies ?? []);
        if (deps.includes(parent.urn)) {
            return true;
        }
    }
    const names = [parent.inputs.name, parent.inputs.bucket, parent.name].filter((x) => x !== undefined);
    const value = child.inputs[key];
    return (Array.isArray(value) ? value : [value]).some((x) => x !== undefined && names.includes(x));
}
const paramsOf = (db: Res, rs: readonly Res[]) => of(rs, T.params).filter((p) => linked(db, p, "parameterGroupName"));
const paramValue = (groups: Res[], name: string) => groups.flatMap((g) => g.inputs.parameters ?? []).find((p: any) => p.name === name)?.value;
const isMlflow = (r: Res) => (r.inputs.metadata?.labels?.["app.kubernetes.io/name"] ?? r.inputs.spec?.template?.metadata?.labels?.["app.kubernetes.io/name"]) === MLFLOW_APP;

/** A container as ML-01 and ML-04 read it: its argv (command then args, as strings) and env. */
interface Container {
    readonly name: string;
    readonly init: boolean;
    readonly argv: string[];
    readonly env: any[];
    readonly volumeMounts: any[];
}
/** A workload's pod spec (a CronJob's from its job template) and its containers, init containers first. */
function podOf(w: Res): { spec: any; containers: Container[] } {
    const spec = w.inputs.spec?.jobTemplate?.spec?.template?.spec ?? w.inputs.spec?.template?.spec ?? {};
    const container = (init: boolean) => (c: any): Container =>
        ({ name: c.name, init, argv: [...(c.command ?? []), ...(c.args ?? [])].map(String), env: c.env ?? [], volumeMounts: c.volumeMounts ?? [] });
    return { spec, containers: [...(spec.initContainers ?? []).map(container(true)), ...(spec.containers ?? []).map(container(false))] };
}
/** The MLflow Deployments with their pods: what ML-01 and ML-04 walk. */
const mlflowPods = (rs: readonly Res[]) => of(rs, T.deployment).filter(isMlflow).map((d) => ({ d, ...podOf(d) }));

/** One check over every RDS instance. */
function dbCheck(id: string, description: string, fn: (db: Res, env: Env, rs: readonly Res[]) => string[]): Check {
    return { id, description, evaluate: (rs, env) => of(rs, T.db).flatMap((db) => fn(db, env, rs).map((m) => v(id, db, m))) };
}

/** One check over every bucket, with the side resources that configure it. */
function bucketCheck(id: string, description: string, fn: (side: (type: string) => Res[], env: Env, b: Res, rs: readonly Res[]) => string[]): Check {
    return {
        id,
        description,
        evaluate: (rs, env) => of(rs, T.bucket).flatMap((b) => fn((type) => of(rs, type).filter((s) => linked(s, b, "bucket")), env, b, rs).map((m) => v(id, b, m))),
    };
}
/** True when some BucketLogging delivers server access logs into `b`. */
const isLogTarget = (b: Res, rs: readonly Res[]) => of(rs, T.bucketLogging).some((l) => linked(l, b, "targetBucket"));

const statements = (doc: any): any[] => {
    const s = parseJson(doc).Statement ?? [];
    return Array.isArray(s) ? s : [s];
};
const list = (x: unknown): string[] => (Array.isArray(x) ? x : x === undefined ? [] : [x as string]);

export const TRACKING_CHECKS: readonly Check[] = [
    dbCheck("RDS-01", "storage encrypted; with a customer-managed KMS key in production", (db, env) => {
        const out: string[] = [];
        if (db.inputs.storageEncrypted !== true) {
            out.push("storageEncrypted is not true");
        }
        if (env === "production" && !db.inputs.kmsKeyId) {
            out.push("no kmsKeyId (CMK) in production");
        }
        return out;
    }),
    dbCheck("RDS-02", "not publicly accessible; in a subnet group of at least two private subnets", (db, _env, rs) => {
        const out: string[] = [];
        if (db.inputs.publiclyAccessible === true) {
            out.push("publiclyAccessible is true");
        }
        const group = of(rs, T.subnetGroup).find((g) => linked(db, g, "dbSubnetGroupName"));
        if (!db.inputs.dbSubnetGroupName || group === undefined) {
            out.push("no declared dbSubnetGroupName");
        } else {
            // RDS needs two AZs, and Multi-AZ is only as good as the zones the group spans.
            const zones = zonesOf(group, "subnetIds", rs);
            const n = zones?.size ?? (group.inputs.subnetIds ?? []).length;
            if (n < 2) {
                out.push(`subnet group spans fewer than two ${zones ? "AZs" : "subnets"}`);
            }
        }
        return out;
    }),
    dbCheck("RDS-03", "backupRetentionPeriod explicit and >= 1 (>= 7 in production)", (db, env) => {
        const days = db.inputs.backupRetentionPeriod;
        if (typeof days !== "number" || days < 1) {
            return [`backupRetentionPeriod ${days} is not an explicit value >= 1`];
        }
        return env === "production" && days < 7 ? [`backupRetentionPeriod ${days} < 7 in production`] : [];
    }),
    dbCheck("RDS-04", "Multi-AZ in production; single-AZ in the sandbox", (db, env) =>
        env === "production" ? (db.inputs.multiAz === true ? [] : ["multiAz is not true in production"])
            : (db.inputs.multiAz === true ? ["multiAz in the sandbox (preset says single-AZ)"] : [])),
    dbCheck("RDS-05", "deletion protection and `protect` in production; neither in the sandbox", (db, env) => {
        if (env === "production") {
            return [
                ...(db.inputs.deletionProtection === true ? [] : ["deletionProtection is not true in production"]),
                ...(db.protect === false ? ["the protect option is not set in production"] : []),
            ];
        }
        return db.inputs.deletionProtection === true ? ["deletionProtection in the sandbox would block destroy"] : [];
    }),
    dbCheck("RDS-06", "never skipFinalSnapshot false without an identifier; production keeps a final snapshot, the sandbox skips it and deletes automated backups", (db, env) => {
        const skip = db.inputs.skipFinalSnapshot === true;
        const out: string[] = [];
        if (!skip && !db.inputs.finalSnapshotIdentifier) {
            out.push("skipFinalSnapshot is false without finalSnapshotIdentifier: delete would fail");
        }
        if (env === "production" && skip) {
            out.push("production skips the final snapshot");
        }
        if (env === "sandbox" && (!skip || db.inputs.deleteAutomatedBackups === false)) {
            out.push("the sandbox must skip the final snapshot and delete automated backups");
        }
        return out;
    }),
    {
        id: "RDS-07",
        description: "the master password is RDS-managed or a Pulumi secret (never a literal)",
        evaluate(rs) {
            return of(rs, T.db).flatMap((db) => {
                if (db.inputs.manageMasterUserPassword === true) {
                    return [];
                }
                if (!db.inputs.password) {
                    return [v("RDS-07", db, "no password and no manageMasterUserPassword")];
                }
                // Tests record which inputs were secrets; the policy pack does not see that.
                const secretPaths = (db as any).secretPaths as string[] | undefined;
                return secretPaths !== undefined && !secretPaths.includes("password") ? [v("RDS-07", db, "password is not a Pulumi secret")] : [];
            });
        },
    },
    dbCheck("RDS-08", "the parameter group forces TLS (rds.force_ssl = 1)", (db, _env, rs) =>
        String(paramValue(paramsOf(db, rs), "rds.force_ssl")) === "1" ? [] : ["no parameter group with rds.force_ssl=1"]),
    dbCheck("RDS-09", "copyTagsToSnapshot, auto minor upgrades, a current CA", (db) => {
        const out: string[] = [];
        if (db.inputs.copyTagsToSnapshot !== true) {
            out.push("copyTagsToSnapshot is not true");
        }
        if (db.inputs.autoMinorVersionUpgrade === false) {
            out.push("autoMinorVersionUpgrade is false");
        }
        if (db.inputs.caCertIdentifier !== undefined && !CA_CERTS.includes(db.inputs.caCertIdentifier)) {
            out.push(`caCertIdentifier ${db.inputs.caCertIdentifier} is not a current CA`);
        }
        return out;
    }),
    dbCheck("RDS-10", "production: postgresql logs exported, statement logging, Enhanced Monitoring with a role, Performance Insights with KMS", (db, env, rs) => {
        if (env !== "production") {
            return [];
        }
        const out: string[] = [];
        if (!(db.inputs.enabledCloudwatchLogsExports ?? []).includes("postgresql")) {
            out.push("postgresql logs are not exported");
        }
        const groups = paramsOf(db, rs);
        for (const p of ["log_statement", "log_min_duration_statement"]) {
            if (paramValue(groups, p) === undefined) {
                out.push(`parameter group does not set ${p}`);
            }
        }
        if (!MONITORING_INTERVALS.includes(db.inputs.monitoringInterval) || !db.inputs.monitoringRoleArn) {
            out.push("no Enhanced Monitoring interval with a monitoring role");
        }
        if (db.inputs.performanceInsightsEnabled !== true || !db.inputs.performanceInsightsKmsKeyId) {
            out.push("Performance Insights not enabled with a KMS key");
        }
        return out;
    }),
    {
        id: "NET-03",
        description: "the database security group admits only TCP 5432 from the node (or pod) security group the program declares (no CIDR rules, no other group)",
        evaluate(rs) {
            const out: Violation[] = [];
            // Node (or pod) security groups: the declared groups a node launch template attaches.
            // A resource set without launch templates is the tracking component on its own (its
            // unit test); every stack declares them, so the whole program is always held to this.
            const nodeLayer = of(rs, T.launchTemplate).length > 0;
            const nodeSgs = of(rs, T.sg).filter((g) => of(rs, T.launchTemplate).some((lt) => linked(lt, g, "vpcSecurityGroupIds")));
            for (const db of of(rs, T.db)) {
                const sgs = of(rs, T.sg).filter((g) => linked(db, g, "vpcSecurityGroupIds"));
                if (sgs.length === 0) {
                    out.push(v("NET-03", db, "no declared security group"));
                }
                for (const sg of sgs) {
                    if ((sg.inputs.ingress ?? []).length > 0) {
                        out.push(v("NET-03", sg, "inline ingress rules (use one rule from the node security group)"));
                    }
                    const rules = [...of(rs, T.sgIngress), ...of(rs, T.sgRule).filter((r) => r.inputs.type === "ingress")].filter((r) => linked(r, sg, "securityGroupId"));
                    if (rules.length === 0) {
                        out.push(v("NET-03", sg, "no ingress rule: the database is unreachable"));
                    }
                    for (const r of rules) {
                        const source = r.inputs.referencedSecurityGroupId ?? r.inputs.sourceSecurityGroupId;
                        const cidr = r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6 ?? r.inputs.prefixListId ?? (r.inputs.cidrBlocks ?? [])[0];
                        const proto = String(r.inputs.ipProtocol ?? r.inputs.protocol);
                        if (!source || cidr !== undefined) {
                            out.push(v("NET-03", r, "ingress from a CIDR or prefix list, not a security group"));
                        } else if (nodeLayer && !nodeSgs.some((n) => linked(r, n, r.inputs.referencedSecurityGroupId !== undefined ? "referencedSecurityGroupId" : "sourceSecurityGroupId"))) {
                            // Any other group (the cluster SG, a load balancer's, one outside the
                            // program) admits more than the pods that need the database.
                            out.push(v("NET-03", r, `ingress source ${source} is not the node (or pod) security group the program declares`));
                        }
                        if (proto !== "tcp" || r.inputs.fromPort !== 5432 || r.inputs.toPort !== 5432) {
                            out.push(v("NET-03", r, `ingress ${proto} ${r.inputs.fromPort}-${r.inputs.toPort} is not TCP 5432 only`));
                        }
                    }
                }
            }
            return out;
        },
    },
    {
        id: "ML-03",
        description: "MLflow's Service is ClusterIP; any Ingress to it terminates TLS and authenticates every request (ALB OIDC/Cognito, or an auth proxy)",
        evaluate(rs) {
            const out: Violation[] = [];
            const services = of(rs, T.service).filter(isMlflow);
            for (const s of services.filter((x) => (x.inputs.spec?.type ?? "ClusterIP") !== "ClusterIP")) {
                out.push(v("ML-03", s, `Service type ${s.inputs.spec.type} exposes MLflow outside the cluster; use ClusterIP behind an authenticated Ingress`));
            }
            const names = (ns: unknown) => services.filter((x) => x.inputs.metadata?.namespace === ns).map((x) => x.inputs.metadata?.name);
            const backends = (i: Res): unknown[] => [i.inputs.spec?.defaultBackend, ...(i.inputs.spec?.rules ?? []).flatMap((r: any) => r.http?.paths ?? []).map((p: any) => p.backend)]
                .map((b: any) => b?.service?.name).filter((x) => x !== undefined);
            for (const i of of(rs, T.ingress).filter((x) => isMlflow(x) || backends(x).some((b) => names(x.inputs.metadata?.namespace).includes(b)))) {
                const a: Record<string, string> = i.inputs.metadata?.annotations ?? {};
                if (!ingressHasTls(a, i.inputs.spec?.tls)) {
                    out.push(v("ML-03", i, "the MLflow Ingress does not terminate TLS (ACM certificate without an HTTP listener, or a TLS Secret per host)"));
                }
                // ALB: auth-type oidc/cognito; "allow" would pass unauthenticated requests through.
                // ingress-nginx: an external auth URL (oauth2-proxy).
                const alb = ["oidc", "cognito"].includes(a["alb.ingress.kubernetes.io/auth-type"]) && a["alb.ingress.kubernetes.io/auth-on-unauthenticated-request"] !== "allow";
                if (!alb && !a["nginx.ingress.kubernetes.io/auth-url"]) {
                    out.push(v("ML-03", i, "the MLflow Ingress does not authenticate requests (no ALB auth-type oidc/cognito, or it allows unauthenticated requests)"));
                }
            }
            return out;
        },
    },
    bucketCheck("S3-01", "public access fully blocked; ACLs disabled (BucketOwnerEnforced)", (side) => {
        const out: string[] = [];
        const pab = side(T.pab);
        if (pab.length === 0 || !pab.every((p) => ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => p.inputs[k] === true))) {
            out.push("no public access block with all four settings true");
        }
        if (!side(T.ownership).some((o) => o.inputs.rule?.objectOwnership === "BucketOwnerEnforced")) {
            out.push("ACLs not disabled (no BucketOwnerEnforced ownership controls)");
        }
        return out;
    }),
    bucketCheck("S3-02", "default encryption: SSE-KMS with a key and bucket key in production (access-log buckets: SSE-S3, the only encryption S3 log delivery accepts); any SSE in the sandbox", (side, env, b, rs) => {
        const rules = side(T.sse).flatMap((c) => c.inputs.rules ?? []);
        const byDefault = rules.map((r: any) => ({ r, d: r.applyServerSideEncryptionByDefault ?? {} }));
        if (isLogTarget(b, rs)) {
            // Documented exemption (README "S3 access logs"): S3 delivers server access logs only to
            // a target whose default encryption is SSE-S3; with SSE-KMS no log arrives.
            return byDefault.length > 0 && byDefault.every(({ d }) => d.sseAlgorithm === "AES256") ? [] : ["an access-log target bucket must use SSE-S3 (AES256) default encryption: S3 log delivery does not support SSE-KMS targets"];
        }
        if (env === "production") {
            return byDefault.some(({ r, d }) => d.sseAlgorithm === "aws:kms" && d.kmsMasterKeyId && r.bucketKeyEnabled === true) ? [] : ["no SSE-KMS default encryption with a key and bucket key"];
        }
        return byDefault.some(({ d }) => ["AES256", "aws:kms", "aws:kms:dsse"].includes(d.sseAlgorithm)) ? [] : ["no default encryption"];
    }),
    bucketCheck("S3-03", "versioning enabled in production", (side, env) =>
        env !== "production" || side(T.versioning).some((x) => x.inputs.versioningConfiguration?.status === "Enabled") ? [] : ["versioning not enabled in production"]),
    bucketCheck("S3-04", "lifecycle: an enabled rule with empty filter aborting incomplete uploads; noncurrent expiration with versioning", (side) => {
        const rules = side(T.lifecycle).flatMap((l) => l.inputs.rules ?? []).filter((r: any) => r.status === "Enabled");
        const out: string[] = [];
        if (!rules.some((r: any) => r.filter !== undefined && Object.keys(r.filter).length === 0 && r.abortIncompleteMultipartUpload?.daysAfterInitiation > 0)) {
            out.push("no enabled rule with an empty filter aborting incomplete multipart uploads");
        }
        const versioned = side(T.versioning).some((x) => x.inputs.versioningConfiguration?.status === "Enabled");
        if (versioned && !rules.some((r: any) => r.noncurrentVersionExpiration?.noncurrentDays > 0)) {
            out.push("versioned bucket without noncurrent version expiration");
        }
        return out;
    }),
    bucketCheck("S3-05", "bucket policy denies non-TLS requests; no Allow to Principal *", (side) => {
        const stmts = side(T.bucketPolicy).flatMap((p) => statements(p.inputs.policy));
        const out: string[] = [];
        const denies = stmts.some((s) => s.Effect === "Deny" && list(s.Action).some((a) => a === "s3:*")
            && String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false");
        if (!denies) {
            out.push("no Deny s3:* when aws:SecureTransport is false");
        }
        if (stmts.some((s) => s.Effect === "Allow" && (s.Principal === "*" || list(s.Principal?.AWS).includes("*")))) {
            out.push("an Allow statement for Principal *");
        }
        return out;
    }),
    bucketCheck("S3-07", "production: every data bucket sends server access logs to a declared log bucket, which expires them", (side, env, b, rs) => {
        if (env !== "production" || isLogTarget(b, rs)) {
            return [];
        }
        const targets = side(T.bucketLogging).map((l) => of(rs, T.bucket).find((x) => linked(l, x, "targetBucket")));
        if (targets.length === 0 || targets.some((t) => t === undefined)) {
            return ["no BucketLogging to a bucket the program declares (checklist S3-07)"];
        }
        const out: string[] = [];
        for (const t of targets as Res[]) {
            const expiring = of(rs, T.lifecycle).filter((l) => linked(l, t, "bucket")).flatMap((l) => l.inputs.rules ?? [])
                .some((r: any) => r.status === "Enabled" && r.expiration?.days > 0);
            if (!expiring) {
                out.push(`log bucket ${t.name} has no enabled lifecycle rule expiring the logs`);
            }
            if (t.protect !== b.protect) {
                out.push(`log bucket ${t.name} is ${t.protect ? "" : "not "}protected while the bucket it logs is ${b.protect ? "" : "not "}`);
            }
        }
        return out;
    }),
    bucketCheck("S3-06", "forceDestroy only in sandbox stacks", (_side, env, b) =>
        env === "production" && b.inputs.forceDestroy === true ? ["forceDestroy in production"] : []),
    {
        id: "ML-01",
        description: "MLflow's database URI/password only via secretKeyRef; none in args, command, literal env or ConfigMaps",
        evaluate(rs) {
            const out: Violation[] = [];
            for (const { d, containers } of mlflowPods(rs)) {
                let fromSecret = false;
                for (const c of containers) {
                    // Kubernetes expands `$(VAR)` in command and args before exec: a secret env var
                    // referenced there ends up in argv all the same.
                    const secretVars = new Set(c.env.filter((e: any) => e.valueFrom?.secretKeyRef || SECRET_NAME.test(e.name)).map((e: any) => e.name));
                    for (const arg of c.argv) {
                        if (CREDENTIAL_URI.test(arg) || /--(backend-store-uri|password)\b/.test(arg)) {
                            out.push(v("ML-01", d, `${c.name} passes database credentials on the command line`));
                        }
                        for (const [, ref] of arg.matchAll(/(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
                            if (secretVars.has(ref)) {
                                out.push(v("ML-01", d, `${c.name} expands the secret $(${ref}) into its command line`));
                            }
                        }
                    }
                    for (const e of c.env) {
                        if (e.value !== undefined && (SECRET_NAME.test(e.name) || CREDENTIAL_URI.test(String(e.value)))) {
                            out.push(v("ML-01", d, `${c.name} sets ${e.name} as a literal value`));
                        }
                        if (e.name === "MLFLOW_BACKEND_STORE_URI" && e.valueFrom?.secretKeyRef) {
                            fromSecret = true;
                        }
                    }
                }
                if (!fromSecret) {
                    out.push(v("ML-01", d, "MLFLOW_BACKEND_STORE_URI does not come from a secretKeyRef"));
                }
            }
            for (const cm of of(rs, T.configMap).filter(isMlflow)) {
                for (const [k, val] of Object.entries(cm.inputs.data ?? {})) {
                    if (SECRET_NAME.test(k) || CREDENTIAL_URI.test(String(val))) {
                        out.push(v("ML-01", cm, `ConfigMap key ${k} holds a credential`));
                    }
                }
            }
            return out;
        },
    },
    {
        id: "ML-04",
        description: "MLflow authenticates every request (basic-auth app); its INI (admin password) only as a mounted Secret file, its CSRF key via secretKeyRef; MLflow client passwords only via secretKeyRef",
        evaluate(rs) {
            const out: Violation[] = [];
            for (const { d, spec, containers } of mlflowPods(rs)) {
                const server = containers.find((c) => !c.init && c.argv.includes("server"));
                if (server === undefined) {
                    continue;
                }
                const app = server.argv.indexOf("--app-name");
                if (app < 0 || server.argv[app + 1] !== "basic-auth") {
                    out.push(v("ML-04", d, "the server does not run `--app-name basic-auth`: requests are not authenticated"));
                }
                const env = (name: string) => server.env.find((e: any) => e.name === name);
                const ini = env("MLFLOW_AUTH_CONFIG_PATH")?.value;
                const secretVolumes = new Set((spec.volumes ?? []).filter((x: any) => x.secret !== undefined).map((x: any) => x.name));
                const mounted = typeof ini === "string" && server.volumeMounts.some((m: any) => secretVolumes.has(m.name) && ini.startsWith(`${m.mountPath}/`));
                if (!mounted) {
                    out.push(v("ML-04", d, "MLFLOW_AUTH_CONFIG_PATH does not name a file mounted from a Secret (the admin password would default to MLflow's well-known one)"));
                }
                if (!env("MLFLOW_FLASK_SERVER_SECRET_KEY")?.valueFrom?.secretKeyRef) {
                    out.push(v("ML-04", d, "MLFLOW_FLASK_SERVER_SECRET_KEY does not come from a secretKeyRef"));
                }
            }
            for (const cm of of(rs, T.configMap)) {
                for (const [k, val] of Object.entries(cm.inputs.data ?? {})) {
                    if (/admin_password\s*=/.test(String(val)) || k === "basic_auth.ini") {
                        out.push(v("ML-04", cm, `ConfigMap key ${k} holds MLflow's auth configuration`));
                    }
                }
            }
            // Any pod the program declares that signs in to MLflow takes the password from a Secret.
            for (const w of rs.filter((r) => r.type.startsWith("kubernetes:apps/v1:") || r.type.startsWith("kubernetes:batch/v1:"))) {
                for (const c of podOf(w).containers) {
                    for (const e of c.env) {
                        if (e.name === "MLFLOW_TRACKING_PASSWORD" && !e.valueFrom?.secretKeyRef) {
                            out.push(v("ML-04", w, `${c.name} sets MLFLOW_TRACKING_PASSWORD without a secretKeyRef`));
                        }
                    }
                }
            }
            return out;
        },
    },
    {
        id: "ML-02",
        description: "MLflow's identity: a Pod Identity association for its namespace/ServiceAccount, whose role may use S3 only on one bucket (no * actions or resources)",
        evaluate(rs) {
            const out: Violation[] = [];
            for (const d of of(rs, T.deployment).filter(isMlflow)) {
                const ns = d.inputs.metadata?.namespace;
                const sa = d.inputs.spec?.template?.spec?.serviceAccountName;
                const assoc = of(rs, T.association).filter((a) => a.inputs.namespace === ns && a.inputs.serviceAccount === sa);
                if (!ns || !sa || sa === "default" || assoc.length !== 1) {
                    out.push(v("ML-02", d, `no single Pod Identity association for ${ns}/${sa}`));
                    continue;
                }
                const roles = of(rs, T.role).filter((r) => linked(assoc[0], r, "roleArn"));
                const policies = of(rs, T.rolePolicy).filter((p) => roles.some((r) => linked(p, r, "role")));
                if (roles.length !== 1 || policies.length === 0) {
                    out.push(v("ML-02", assoc[0], "the association's role or its inline policy is not declared"));
                    continue;
                }
                const buckets = new Set<string>();
                for (const p of policies) {
                    for (const s of statements(p.inputs.policy).filter((x) => x.Effect === "Allow")) {
                        const actions = list(s.Action);
                        const resources = list(s.Resource);
                        if (actions.some((a) => a === "*" || a.endsWith(":*")) || resources.includes("*")) {
                            out.push(v("ML-02", p, `statement ${s.Sid ?? ""} allows * actions or resources`));
                        }
                        if (actions.some((a) => !a.startsWith("s3:") && !a.startsWith("kms:"))) {
                            out.push(v("ML-02", p, `statement ${s.Sid ?? ""} allows non-S3 actions`));
                        }
                        for (const r of resources.filter((x) => x.startsWith("arn:aws:s3:::"))) {
                            buckets.add(r.slice("arn:aws:s3:::".length).replace(/\/\*$/, ""));
                        }
                        if (actions.some((a) => a.startsWith("s3:")) && resources.some((r) => !/^arn:aws:s3:::[a-z0-9.-]+(\/\*)?$/.test(r))) {
                            out.push(v("ML-02", p, `statement ${s.Sid ?? ""} grants S3 beyond a bucket and its objects`));
                        }
                    }
                }
                if (buckets.size !== 1) {
                    out.push(v("ML-02", assoc[0], `the role reaches ${buckets.size} buckets, not exactly the artifact bucket`));
                }
            }
            return out;
        },
    },
];
