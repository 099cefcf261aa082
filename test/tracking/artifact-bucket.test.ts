import { describe, expect, it } from "vitest";
import { tlsOnlyBucketPolicy } from "../../components/tracking/artifact-bucket";
import { resolveTrackingArgs } from "../../components/tracking";
import { Env } from "../../policy/checks";
import { byType, one } from "../mocks";
import { Agent, base, build, KMS, presetArgs, T } from "./fixtures";

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
        expect(() => resolveTrackingArgs({ ...base(), ...presetArgs("production"), podIdentityAgent: new Agent(), accessLogRetentionDays: 0 })).toThrow(/accessLogRetentionDays \(0\)/);
    });

    it("writes a bucket policy that denies every non-TLS request and allows nothing", () => {
        const doc = JSON.parse(tlsOnlyBucketPolicy("b"));
        expect(doc.Statement).toEqual([{
            Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*",
            Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], Condition: { Bool: { "aws:SecureTransport": "false" } },
        }]);
    });
});
