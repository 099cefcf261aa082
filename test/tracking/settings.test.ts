import { describe, expect, it } from "vitest";
import { resolveTrackingSettings, TRACKING_KEYS } from "../../components/tracking/settings";
import { Env } from "../../policy/checks";
import { INGRESS, settingsFor } from "./fixtures";

const resolve = (env: Env, raw: Record<string, string> = {}, secrets: Record<string, string> = {}) => resolveTrackingSettings(settingsFor(env, raw, secrets), "mlplatform-test");

const CERT = INGRESS.certificateArn;
const INGRESS_CONFIG = {
    mlflowIngressHost: "mlflow.example.com",
    ingressCertificateArn: CERT,
    oidcIssuer: "https://login.example.com",
    oidcAuthorizeUrl: "https://login.example.com/authorize",
    oidcTokenUrl: "https://login.example.com/token",
    oidcUserinfoUrl: "https://login.example.com/userinfo",
    oidcClientId: "mlflow",
};

describe("resolveTrackingSettings", () => {
    // The values the component's preset table held before settings.ts owned them: a stack that sets
    // no tracking key gets exactly these.
    it.each<[Env, Record<string, unknown>]>([
        ["sandbox", {
            instanceClass: "db.t4g.micro", allocatedStorageGiB: 20, maxAllocatedStorageGiB: 50, multiAz: false, deletionProtection: false,
            backupRetentionDays: 1, finalSnapshot: false, protect: false, applyImmediately: true, performanceInsights: false,
            monitoringIntervalSeconds: 0, logExports: [], bucketVersioning: false, bucketKms: false, bucketAccessLogs: false, forceDestroy: true, replicas: 1,
        }],
        ["production", {
            instanceClass: "db.m7g.large", allocatedStorageGiB: 50, maxAllocatedStorageGiB: 500, multiAz: true, deletionProtection: true,
            backupRetentionDays: 14, finalSnapshot: true, protect: true, applyImmediately: true, performanceInsights: true,
            monitoringIntervalSeconds: 60, logExports: ["postgresql", "upgrade"], bucketVersioning: true, bucketKms: true, bucketAccessLogs: true, forceDestroy: false, replicas: 2,
        }],
    ])("gives a %s stack that sets no key its preset", (env, expected) => {
        expect(resolve(env)).toEqual({ ...expected, namePrefix: "mlplatform-test", databasePassword: undefined, ingress: undefined });
    });

    it("takes the keyed defaults from the key table (one owner)", () => {
        for (const env of ["sandbox", "production"] as const) {
            const t = resolve(env);
            expect([t.instanceClass, t.allocatedStorageGiB, t.maxAllocatedStorageGiB, t.multiAz, t.backupRetentionDays, t.replicas]).toEqual([
                TRACKING_KEYS.mlflowDbInstanceClass.default[env], TRACKING_KEYS.mlflowDbStorageGiB.default[env], TRACKING_KEYS.mlflowDbMaxStorageGiB.default[env],
                TRACKING_KEYS.mlflowDbMultiAz.default[env], TRACKING_KEYS.mlflowDbBackupRetentionDays.default[env], TRACKING_KEYS.mlflowReplicas.default[env],
            ]);
        }
    });

    it("builds the MLflow Ingress with the ALB's OIDC sign-in from its keys", () => {
        const t = resolve("production", INGRESS_CONFIG, { oidcClientSecret: "client-secret" });
        expect(t.ingress).toEqual({
            host: "mlflow.example.com", certificateArn: CERT, scheme: "internal",
            oidc: { ...INGRESS.oidc, clientSecret: "client-secret" },
        });
    });

    it.each<[string, Env, Record<string, string>, Record<string, string>, string]>([
        ["a bad instance class", "sandbox", { mlflowDbInstanceClass: "t4g.micro" }, {}, 'mlplatform:mlflowDbInstanceClass = "t4g.micro": must be an RDS instance class such as db.t4g.micro'],
        ["too little storage", "sandbox", { mlflowDbStorageGiB: "10" }, {}, "mlplatform:mlflowDbStorageGiB = 10: must be between 20 and 65536"],
        ["a ceiling below the allocation", "sandbox", { mlflowDbStorageGiB: "50", mlflowDbMaxStorageGiB: "40" }, {}, "mlplatform:mlflowDbMaxStorageGiB = 40: must be at least mlflowDbStorageGiB (50)"],
        ["more storage than the preset's ceiling", "sandbox", { mlflowDbStorageGiB: "60" }, {}, "mlplatform:mlflowDbMaxStorageGiB = 50: must be at least mlflowDbStorageGiB (60)"],
        ["no backups", "sandbox", { mlflowDbBackupRetentionDays: "0" }, {}, "mlplatform:mlflowDbBackupRetentionDays = 0: must be between 1 and 35"],
        ["too many backup days", "sandbox", { mlflowDbBackupRetentionDays: "36" }, {}, "mlplatform:mlflowDbBackupRetentionDays = 36: must be between 1 and 35"],
        ["zero replicas", "sandbox", { mlflowReplicas: "0" }, {}, "mlplatform:mlflowReplicas = 0: must be between 1 and 10"],
        ["a short literal password", "sandbox", {}, { mlflowDbPassword: "short" }, 'mlplatform:mlflowDbPassword = "[secret]": must be at least 16 characters'],
        ["a password with @", "sandbox", {}, { mlflowDbPassword: "abcdefgh@ijklmnopq" }, 'mlplatform:mlflowDbPassword = "[secret]": must be at least 16 characters without'],
        ["an MLflow Ingress in a sandbox", "sandbox", INGRESS_CONFIG, { oidcClientSecret: "s" }, 'mlplatform:mlflowIngressHost = "mlflow.example.com": a sandbox reaches MLflow by port-forward'],
        ["a bad Ingress host", "production", { ...INGRESS_CONFIG, mlflowIngressHost: "MLflow" }, { oidcClientSecret: "s" }, 'mlplatform:mlflowIngressHost = "MLflow": must be a fully qualified DNS name'],
        ["an Ingress without OIDC", "production", { mlflowIngressHost: "mlflow.example.com", ingressCertificateArn: CERT }, { oidcClientSecret: "s" }, "mlplatform:oidcIssuer = undefined: the MLflow Ingress signs users in on the ALB"],
        ["an Ingress without the client secret", "production", INGRESS_CONFIG, {}, "mlplatform:oidcClientSecret = undefined: the MLflow Ingress signs users in on the ALB and needs"],
        ["a plain-HTTP issuer", "production", { ...INGRESS_CONFIG, oidcIssuer: "http://login.example.com" }, { oidcClientSecret: "s" }, 'mlplatform:oidcIssuer = "http://login.example.com": must be an https:// URL'],
        ["a plain-HTTP token endpoint", "production", { ...INGRESS_CONFIG, oidcTokenUrl: "http://login.example.com/token" }, { oidcClientSecret: "s" }, 'mlplatform:oidcTokenUrl = "http://login.example.com/token": must be an https:// URL'],
        ["an empty client id", "production", { ...INGRESS_CONFIG, oidcClientId: " " }, { oidcClientSecret: "s" }, 'mlplatform:oidcClientId = " ": must not be empty'],
        ["an Ingress without a certificate", "production", { ...INGRESS_CONFIG, ingressCertificateArn: undefined as unknown as string }, { oidcClientSecret: "s" }, "mlplatform:ingressCertificateArn = undefined: an Ingress (mlflow.example.com) needs TLS"],
        ["a certificate that is not an ACM ARN", "production", { ...INGRESS_CONFIG, ingressCertificateArn: "arn:aws:iam::123456789012:server-certificate/x" }, { oidcClientSecret: "s" }, 'mlplatform:ingressCertificateArn = "arn:aws:iam::123456789012:server-certificate/x": must be an ACM certificate ARN'],
        ["an unknown ALB scheme", "production", { ...INGRESS_CONFIG, ingressScheme: "public" }, { oidcClientSecret: "s" }, 'mlplatform:ingressScheme = "public": must be one of internal, internet-facing'],
    ])("refuses %s, naming the key", (_label, env, raw, secrets, message) => {
        expect(() => resolve(env, raw, secrets)).toThrow(message);
    });

    it("never puts a refused password into its error", () => {
        expect(() => resolve("sandbox", {}, { mlflowDbPassword: "abcdefgh@ijklmnopq" })).toThrow(/^(?!.*abcdefgh@ijklmnopq)/s);
    });
});
