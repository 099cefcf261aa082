/**
 * The tracking layer's config keys, per-preset values and their validation: MLflow's database,
 * replicas and optional Ingress. The one owner of these defaults and rules: the component takes
 * them as required arguments and checks only what the stack wires (args.ts).
 */
import { isIngressHost } from "../shared/ingress";
import { IngressKey, resolveIngress } from "../shared/ingress-settings";
import { KeyTable, Preset, Settings } from "../shared/settings";
import { HTTPS_URL } from "../shared/validate";
import type { TrackingArgs } from "./args";

export const TRACKING_KEYS = {
    mlflowDbInstanceClass: { type: "string", description: "RDS instance class of the MLflow database.", default: { sandbox: "db.t4g.micro", production: "db.m7g.large" } },
    mlflowDbStorageGiB: { type: "integer", description: "MLflow database storage, GiB (gp3, encrypted).", default: { sandbox: 20, production: 50 } },
    mlflowDbMaxStorageGiB: { type: "integer", description: "Upper bound for RDS storage autoscaling, GiB.", default: { sandbox: 50, production: 500 } },
    mlflowDbMultiAz: { type: "boolean", description: "Multi-AZ standby for the MLflow database.", default: { sandbox: false, production: true }, docs: { production: "`true` (production refuses `false`)" } },
    mlflowDbBackupRetentionDays: { type: "integer", description: "Automated backup retention of the MLflow database, days (1 to 35; production at least 7).", default: { sandbox: 1, production: 14 }, docs: { production: "`14` (production refuses fewer than 7)" } },
    mlflowDbPassword: { type: "string", secret: true, description: "MLflow database password (secret); generated when unset.", docs: { sandbox: "generated (`@pulumi/random`)", production: "generated" } },
    mlflowReplicas: { type: "integer", description: "MLflow tracking server replicas (production at least 2).", default: { sandbox: 1, production: 2 }, docs: { production: "`2` (production refuses fewer)" } },
    mlflowIngressHost: { type: "string", description: "Host name of an HTTPS Ingress for MLflow with OIDC sign-in on the ALB (production only; port-forward otherwise).", docs: { sandbox: "refused (port-forward)", production: "unset: port-forward; set: HTTPS ALB with OIDC sign-in" } },
} as const satisfies KeyTable;

type Key = keyof typeof TRACKING_KEYS | IngressKey;

/**
 * What the preset alone decides (no config key overrides it): how the database and the bucket are
 * protected, snapshotted, monitored and encrypted, and whether destroy empties the bucket.
 */
export const TRACKING_PRESET_VALUES = {
    sandbox: {
        deletionProtection: false,
        finalSnapshot: false,
        protect: false,
        // Changes land while `pulumi up` runs (a reboot on a single-AZ sandbox is acceptable).
        applyImmediately: true,
        performanceInsights: false,
        monitoringIntervalSeconds: 0,
        logExports: [],
        bucketVersioning: false,
        bucketKms: false,
        bucketAccessLogs: false,
        forceDestroy: true,
    },
    production: {
        deletionProtection: true,
        finalSnapshot: true,
        protect: true,
        // Changes land during the reviewed `pulumi up` (Multi-AZ: the standby is modified, then a
        // failover of about a minute), so run class changes in a change window (README "Operating").
        applyImmediately: true,
        performanceInsights: true,
        monitoringIntervalSeconds: 60,
        logExports: ["postgresql", "upgrade"],
        bucketVersioning: true,
        bucketKms: true,
        bucketAccessLogs: true,
        forceDestroy: false,
    },
} satisfies Record<Preset, Partial<TrackingArgs>>;

const INSTANCE_CLASS = /^db\.[a-z0-9]+\.[a-z0-9]+$/;
/** The OIDC keys the MLflow Ingress needs, and the field of {@link TrackingOidcSettings} each sets. */
const OIDC_URLS = { oidcIssuer: "issuer", oidcAuthorizeUrl: "authorizationEndpoint", oidcTokenUrl: "tokenEndpoint", oidcUserinfoUrl: "userInfoEndpoint" } as const;

/** The {@link TrackingArgs} a stack's config decides. */
export type TrackingSettings = Omit<TrackingArgs, "clusterName" | "vpcId" | "vpcCidr" | "region" | "databaseSubnetIds" | "nodeSecurityGroupId" | "podIdentityAgent" | "kmsKeyArn" | "loadBalancerController">;

/** Reads and validates the tracking keys; every error is a ConfigError naming its key. */
export function resolveTrackingSettings(s: Settings<Key>, namePrefix: string): TrackingSettings {
    const ingress = resolveTrackingIngress(s);
    const instanceClass = s.str("mlflowDbInstanceClass")!;
    if (!INSTANCE_CLASS.test(instanceClass)) {
        s.fail("mlflowDbInstanceClass", instanceClass, "must be an RDS instance class such as db.t4g.micro or db.m7g.large");
    }
    const allocatedStorageGiB = s.int("mlflowDbStorageGiB", 20, 65536);
    const maxAllocatedStorageGiB = s.int("mlflowDbMaxStorageGiB", 20, 65536);
    if (maxAllocatedStorageGiB < allocatedStorageGiB) {
        s.fail("mlflowDbMaxStorageGiB", maxAllocatedStorageGiB, `must be at least mlflowDbStorageGiB (${allocatedStorageGiB}): it is the ceiling storage autoscaling grows to`);
    }
    const databasePassword = s.secret("mlflowDbPassword");
    // Only a plain value can be checked here; a secret Output is checked by RDS on create.
    if (typeof databasePassword === "string" && (databasePassword.length < 16 || /[/"@\s]/.test(databasePassword))) {
        s.fail("mlflowDbPassword", "[secret]", "must be at least 16 characters without '/', '\"', '@' or spaces (RDS rules; it also goes into a URI)");
    }
    const t: TrackingSettings = {
        ...TRACKING_PRESET_VALUES[s.preset],
        logExports: [...TRACKING_PRESET_VALUES[s.preset].logExports],
        namePrefix,
        instanceClass,
        allocatedStorageGiB,
        maxAllocatedStorageGiB,
        multiAz: s.bool("mlflowDbMultiAz"),
        backupRetentionDays: s.int("mlflowDbBackupRetentionDays", 1, 35),
        replicas: s.int("mlflowReplicas", 1, 10),
        databasePassword,
        ingress,
    };
    if (s.preset === "production") {
        if (t.backupRetentionDays < 7) {
            s.fail("mlflowDbBackupRetentionDays", t.backupRetentionDays, "production keeps at least 7 days of backups (checklist RDS-03)");
        }
        if (!t.multiAz) {
            s.fail("mlflowDbMultiAz", false, "production runs the database Multi-AZ (checklist RDS-04)");
        }
        if (t.replicas < 2) {
            s.fail("mlflowReplicas", t.replicas, "production runs at least 2 replicas behind a PodDisruptionBudget (checklist K8S-13)");
        }
    }
    return t;
}

/** The MLflow Ingress (production only): host, TLS, and the ALB's OIDC sign-in. */
function resolveTrackingIngress(s: Settings<Key>): TrackingSettings["ingress"] {
    const host = s.str("mlflowIngressHost");
    if (host === undefined) {
        return undefined;
    }
    if (s.preset === "sandbox") {
        s.fail("mlflowIngressHost", host, "a sandbox reaches MLflow by port-forward: an Ingress makes a load balancer that a sandbox destroy could leave behind");
    }
    if (!isIngressHost(host)) {
        s.fail("mlflowIngressHost", host, "must be a fully qualified DNS name such as mlflow.example.com");
    }
    const keys = [...Object.keys(OIDC_URLS) as (keyof typeof OIDC_URLS)[], "oidcClientId"] as const;
    const missing = keys.filter((k) => s.raw[k] === undefined);
    const clientSecret = s.secret("oidcClientSecret");
    if (missing.length > 0 || clientSecret === undefined) {
        const all = [...missing, ...(clientSecret === undefined ? (["oidcClientSecret"] as const) : [])];
        s.fail(all[0], undefined, `the MLflow Ingress signs users in on the ALB and needs ${[...keys, "oidcClientSecret"].join(", ")}; missing ${all.join(", ")}`);
    }
    const urls = Object.fromEntries(Object.entries(OIDC_URLS).map(([key, field]) => {
        const url = s.str(key as keyof typeof OIDC_URLS);
        if (url === undefined || !HTTPS_URL.test(url)) {
            s.fail(key as keyof typeof OIDC_URLS, url, "must be an https:// URL");
        }
        return [field, url];
    })) as Record<(typeof OIDC_URLS)[keyof typeof OIDC_URLS], string>;
    const clientId = s.str("oidcClientId")!;
    if (clientId.trim() === "") {
        s.fail("oidcClientId", clientId, "must not be empty");
    }
    const settings = resolveIngress(s, host);
    return { ...settings, oidc: { ...urls, clientId, clientSecret } };
}
