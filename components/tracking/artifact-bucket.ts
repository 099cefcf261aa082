/**
 * MLflow's artifact store: an S3 bucket with public access blocked, ACLs off, default encryption,
 * optional versioning, housekeeping lifecycle and a TLS-only policy; optionally its server access
 * logs to a log bucket of their own (checklist S3-01 … S3-07). Also the IAM policy the tracking
 * server's Pod Identity role gets on it.
 */
import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedTrackingArgs } from "./args";

/** Prefix of the artifact location inside the bucket. */
export const ARTIFACTS_PREFIX = "artifacts";

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

/** Declares the artifact bucket and its side resources; children `${name}-artifacts`, `${name}-access-logs`. */
export function artifactBucket(name: string, parent: pulumi.Resource, a: ResolvedTrackingArgs): aws.s3.Bucket {
    // Skipped on purpose: replication (CKV_AWS_144), object lock (CKV_AWS_143: it would block
    // artifact deletion and sandbox destroy), event notifications (CKV2_AWS_62).
    const bucket = new aws.s3.Bucket(`${name}-artifacts`, {
        // Auto-suffixed, so two stacks (or accounts) never collide on the global name.
        bucketPrefix: `${a.namePrefix}-mlflow-`,
        forceDestroy: a.forceDestroy,
    }, { parent, protect: a.protect });
    const side = { parent, dependsOn: [bucket] };
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
    }, { parent, dependsOn: versioning ? [bucket, versioning] : [bucket] });
    // After the public access block, or S3 may evaluate the policy before it exists.
    new aws.s3.BucketPolicy(`${name}-artifacts`, {
        bucket: bucket.id,
        policy: bucket.bucket.apply(tlsOnlyBucketPolicy),
    }, { parent, dependsOn: [bucket, pab] });
    if (a.bucketAccessLogs) {
        accessLogs(name, parent, a, bucket);
    }
    return bucket;
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
function accessLogs(name: string, parent: pulumi.Resource, a: ResolvedTrackingArgs, source: aws.s3.Bucket): void {
    const logs = new aws.s3.Bucket(`${name}-access-logs`, {
        bucketPrefix: `${a.namePrefix}-s3logs-`,
        forceDestroy: a.forceDestroy,
    }, { parent, protect: a.protect });
    const side = { parent, dependsOn: [logs] };
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
    }, { parent, dependsOn: [logs, versioning] });
    const policy = new aws.s3.BucketPolicy(`${name}-access-logs`, {
        bucket: logs.id,
        policy: pulumi.all([logs.bucket, source.bucket]).apply(([target, src]) => accessLogBucketPolicy(target, src)),
    }, { parent, dependsOn: [logs, pab] });
    new aws.s3.BucketLogging(`${name}-artifacts`, {
        bucket: source.id,
        targetBucket: logs.id,
        targetPrefix: "artifacts/",
    }, { parent, dependsOn: [source, policy] });
}
