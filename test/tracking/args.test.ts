import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { resolveTrackingArgs, Tracking, TrackingArgs } from "../../components/tracking";
import { allRecords, resetRecords } from "../mocks";
import { base, INGRESS, presetArgs } from "./fixtures";

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
