/**
 * Checklist items for experiment tracking: the MLflow database (RDS-01 … RDS-10, NET-03), the
 * artifact bucket (S3-01 … S3-06) and the tracking server's secrets and identity (ML-01, ML-02).
 * K8S-* for the Deployment come from checks-workloads.ts; ML-01, ML-04 and ML-02 (the server's pods)
 * live in checks-tracking-mlflow.ts, the shared readers and builders in tracking-common.ts.
 *
 * Joins between resources (instance → subnet/parameter group/security group, bucket → side
 * resources, association → role → policy) use the dependency URNs the engine records (tests and
 * the policy pack both have them), falling back to physical names where a name is the link.
 */
import { ingressHasTls } from "../components/shared/ingress";
import { Check, of, Res, v, Violation, zonesOf } from "./checks";
import { MLFLOW_POD_CHECKS } from "./checks-tracking-mlflow";
import { bucketCheck, CA_CERTS, dbCheck, isLogTarget, isMlflow, linked, list, MONITORING_INTERVALS, paramsOf, paramValue, statements, T } from "./tracking-common";

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
    ...MLFLOW_POD_CHECKS,
];
