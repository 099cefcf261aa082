import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { resolveTrackingArgs, Tracking, TrackingArgs } from "../../components/tracking";
import { allRecords, resetRecords } from "../mocks";
import { base, INGRESS, presetArgs } from "./fixtures";

describe("resolveTrackingArgs", () => {
    const args = (over: Partial<TrackingArgs> = {}): TrackingArgs => ({ ...base(), podIdentityAgent: {} as pulumi.Resource, ...over });

    it("documents its own defaults truthfully (values no config key sets)", () => {
        const r = resolveTrackingArgs(args());
        expect(r).toMatchObject({
            serviceCidr: "172.20.0.0/16", logRetentionDays: 30, slowQueryLogMs: 1000, accessLogRetentionDays: 365, noncurrentVersionExpirationDays: 30,
            workers: 2, cpuRequest: "250m", memoryRequest: "1Gi", memoryLimit: "2Gi", teams: [], mlflowReaders: [],
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
        ["a bad monitoring interval", { monitoringIntervalSeconds: 7 }, "monitoringIntervalSeconds (7) must be one of 0, 1, 5, 10, 15, 30, 60"],
        ["an unknown log export", { logExports: ["audit"] }, "logExports (audit) must be one of postgresql, upgrade, iam-db-auth-error"],
        ["fractional workers", { workers: 1.5 }, "workers (1.5) must be a whole number from 1 to 16"],
        ["a bad memory quantity", { memoryLimit: "2GB" }, 'memoryLimit (2GB) must be a Kubernetes quantity such as "250m" or "1Gi"'],
        ["KMS without a key", { bucketKms: true }, "kmsKeyArn (undefined) must be set when bucketKms is true"],
        ["a protected force-destroyed bucket", { forceDestroy: true, protect: true }, "forceDestroy (true) must be false when protect is true"],
        ["deletion protection without a final snapshot", { deletionProtection: true }, "finalSnapshot (false) must be true when deletionProtection is true"],
        ["one subnet", { databaseSubnetIds: ["subnet-a"] }, "databaseSubnetIds (1 subnets) must list at least two subnets"],
        ["an Ingress without OIDC", { ingress: { ...INGRESS, oidc: undefined as any } }, "ingress.oidc (undefined) must be set: the MLflow Ingress requires authentication"],
    ])("refuses %s", (_label, over, message) => {
        expect(() => resolveTrackingArgs(args(over))).toThrow(message);
    });

    it("throws before registering any resource", () => {
        resetRecords();
        expect(() => new Tracking("bad", args({ workers: 0 }))).toThrow("workers (0)");
        expect(allRecords().filter((r) => r.name.startsWith("bad"))).toEqual([]);
    });
});
