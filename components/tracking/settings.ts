/** The tracking layer's config keys and their validation: MLflow's database, replicas and optional Ingress. */
import { IngressKey, resolveIngress } from "../shared/ingress-settings";
import { KeyTable, Settings, viaComponent } from "../shared/settings";
import { resolveTrackingArgs, TRACKING_PRESETS, TrackingArgs } from ".";

const preset = <K extends keyof typeof TRACKING_PRESETS.sandbox>(k: K) => ({ sandbox: TRACKING_PRESETS.sandbox[k], production: TRACKING_PRESETS.production[k] });

export const TRACKING_KEYS = {
    mlflowDbInstanceClass: { type: "string", description: "RDS instance class of the MLflow database.", default: preset("instanceClass") },
    mlflowDbStorageGiB: { type: "integer", description: "MLflow database storage, GiB (gp3, encrypted).", default: preset("allocatedStorageGiB") },
    mlflowDbMaxStorageGiB: { type: "integer", description: "Upper bound for RDS storage autoscaling, GiB.", default: preset("maxAllocatedStorageGiB") },
    mlflowDbMultiAz: { type: "boolean", description: "Multi-AZ standby for the MLflow database.", default: preset("multiAz"), docs: { production: "`true` (production refuses `false`)" } },
    mlflowDbBackupRetentionDays: { type: "integer", description: "Automated backup retention of the MLflow database, days (1 to 35; production at least 7).", default: preset("backupRetentionDays"), docs: { production: "`14` (production refuses fewer than 7)" } },
    mlflowDbPassword: { type: "string", secret: true, description: "MLflow database password (secret); generated when unset.", docs: { sandbox: "generated (`@pulumi/random`)", production: "generated" } },
    mlflowReplicas: { type: "integer", description: "MLflow tracking server replicas (production at least 2).", default: preset("replicas"), docs: { production: "`2` (production refuses fewer)" } },
    mlflowIngressHost: { type: "string", description: "Host name of an HTTPS Ingress for MLflow with OIDC sign-in on the ALB (production only; port-forward otherwise).", docs: { sandbox: "refused (port-forward)", production: "unset: port-forward; set: HTTPS ALB with OIDC sign-in" } },
} as const satisfies KeyTable;

type Key = keyof typeof TRACKING_KEYS | IngressKey;

/** The {@link TrackingArgs} a stack's config decides. */
export type TrackingSettings = Omit<TrackingArgs, "clusterName" | "vpcId" | "vpcCidr" | "region" | "databaseSubnetIds" | "nodeSecurityGroupId" | "podIdentityAgent" | "kmsKeyArn" | "loadBalancerController">;

export function resolveTrackingSettings(s: Settings<Key>, namePrefix: string): TrackingSettings {
    const p = TRACKING_PRESETS[s.preset];
    const host = s.str("mlflowIngressHost");
    if (host !== undefined && s.preset === "sandbox") {
        s.fail("mlflowIngressHost", host, "a sandbox reaches MLflow by port-forward: an Ingress makes a load balancer that a sandbox destroy could leave behind");
    }
    let ingress: TrackingSettings["ingress"];
    if (host !== undefined) {
        const keys = ["oidcIssuer", "oidcAuthorizeUrl", "oidcTokenUrl", "oidcUserinfoUrl", "oidcClientId"] as const;
        const missing = keys.filter((k) => s.raw[k] === undefined);
        const clientSecret = s.secret("oidcClientSecret");
        if (missing.length > 0 || clientSecret === undefined) {
            const all = [...missing, ...(clientSecret === undefined ? (["oidcClientSecret"] as const) : [])];
            s.fail(all[0], undefined, `the MLflow Ingress signs users in on the ALB and needs ${[...keys, "oidcClientSecret"].join(", ")}; missing ${all.join(", ")}`);
        }
        ingress = {
            ...resolveIngress(s, host),
            oidc: {
                issuer: s.str("oidcIssuer")!,
                authorizationEndpoint: s.str("oidcAuthorizeUrl")!,
                tokenEndpoint: s.str("oidcTokenUrl")!,
                userInfoEndpoint: s.str("oidcUserinfoUrl")!,
                clientId: s.str("oidcClientId")!,
                clientSecret,
            },
        };
    }
    const t: TrackingSettings = {
        ...p,
        namePrefix,
        instanceClass: s.str("mlflowDbInstanceClass")!,
        allocatedStorageGiB: s.int("mlflowDbStorageGiB", 20, 65536),
        maxAllocatedStorageGiB: s.int("mlflowDbMaxStorageGiB", 20, 65536),
        multiAz: s.bool("mlflowDbMultiAz"),
        backupRetentionDays: s.int("mlflowDbBackupRetentionDays", 1, 35),
        replicas: s.int("mlflowReplicas", 1, 10),
        databasePassword: s.secret("mlflowDbPassword"),
        ingress,
    };
    if (s.preset === "production") {
        if (t.backupRetentionDays! < 7) {
            s.fail("mlflowDbBackupRetentionDays", t.backupRetentionDays, "production keeps at least 7 days of backups (checklist RDS-03)");
        }
        if (!t.multiAz) {
            s.fail("mlflowDbMultiAz", false, "production runs the database Multi-AZ (checklist RDS-04)");
        }
        if (t.replicas! < 2) {
            s.fail("mlflowReplicas", t.replicas, "production runs at least 2 replicas behind a PodDisruptionBudget (checklist K8S-13)");
        }
    }
    viaComponent(s, {
        instanceClass: "mlflowDbInstanceClass", allocatedStorageGiB: "mlflowDbStorageGiB", maxAllocatedStorageGiB: "mlflowDbMaxStorageGiB",
        backupRetentionDays: "mlflowDbBackupRetentionDays", replicas: "mlflowReplicas", databasePassword: "mlflowDbPassword",
        "ingress.host": "mlflowIngressHost", "ingress.certificateArn": "ingressCertificateArn", "ingress.scheme": "ingressScheme",
        "ingress.oidc.issuer": "oidcIssuer", "ingress.oidc.authorizationEndpoint": "oidcAuthorizeUrl", "ingress.oidc.tokenEndpoint": "oidcTokenUrl",
        "ingress.oidc.userInfoEndpoint": "oidcUserinfoUrl", "ingress.oidc.clientId": "oidcClientId",
    }, "mlflowDbInstanceClass", () => resolveTrackingArgs({
        ...t,
        // Stand-ins for what index.ts wires from the network and cluster; only their shape is checked here.
        clusterName: "cluster", vpcId: "vpc", vpcCidr: "10.0.0.0/16", region: "us-west-2", databaseSubnetIds: ["subnet-a", "subnet-b"], nodeSecurityGroupId: "sg",
        podIdentityAgent: undefined as unknown as TrackingArgs["podIdentityAgent"], kmsKeyArn: t.bucketKms ? "arn:aws:kms:us-west-2:111122223333:key/x" : undefined,
    }));
    return t;
}
