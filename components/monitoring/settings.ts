/** The monitoring layer's config keys and their validation: Prometheus and Alertmanager sizing, alert receivers. */
import * as pulumi from "@pulumi/pulumi";
import { KeyTable, Settings, viaComponent } from "../shared/settings";
import { resolveMonitoringArgs } from ".";


// Sandbox: one replica each, because a PDB on a single replica would block node drains (checklist K8S-13).
export const MONITORING_KEYS = {
    prometheusReplicas: { type: "integer", description: "Prometheus replicas (1 to 5).", default: { sandbox: 1, production: 2 } },
    prometheusRetentionDays: { type: "integer", description: "Prometheus retention time, days.", default: { sandbox: 3, production: 30 } },
    prometheusStorageGiB: { type: "integer", description: "Prometheus volume size per replica, GiB.", default: { sandbox: 10, production: 100 } },
    prometheusRetentionSizeGiB: { type: "integer", description: "Prometheus size-based retention, GiB (at most 85% of the volume; default 80%).", default: { sandbox: undefined, production: 80 }, docs: { sandbox: "80% of the volume (`8`)" } },
    alertmanagerReplicas: { type: "integer", description: "Alertmanager replicas (1 to 5).", default: { sandbox: 1, production: 2 } },
    alertmanagerStorageGiB: { type: "integer", description: "Alertmanager volume size per replica, GiB.", default: { sandbox: 1, production: 5 } },
    monitoringPodDisruptionBudgets: { type: "boolean", description: "PodDisruptionBudgets for Prometheus and Alertmanager (needs 2+ replicas each).", default: { sandbox: false, production: true }, docs: { sandbox: "`false` (a PDB on one replica blocks node drains)" } },
    monitoringPodAntiAffinity: { type: "string", description: "Spread Prometheus/Alertmanager replicas across nodes: soft or hard.", default: { sandbox: "soft", production: "hard" } },
    alertSlackWebhookUrl: { type: "string", secret: true, description: "Slack incoming-webhook URL for alerts (secret).", docs: { sandbox: "unset (alerts go to `null-no-receiver-configured`)", production: "required unless e-mail is set" } },
    alertSlackChannel: { type: "string", description: "Slack channel for alerts, e.g. #ml-platform-alerts." },
    alertEmailTo: { type: "string", description: "E-mail address that receives alerts.", docs: { production: "unset (e-mail needs all five `alertEmail*` keys, or none)" } },
    alertEmailFrom: { type: "string", description: "Sender address of alert e-mails." },
    alertEmailSmarthost: { type: "string", description: "SMTP server for alert e-mails, host:port." },
    alertEmailUsername: { type: "string", description: "SMTP user name." },
    alertEmailPassword: { type: "string", secret: true, description: "SMTP password (secret)." },
    alertDeadMansSwitchUrl: { type: "string", secret: true, description: "Webhook that must receive the always-firing Watchdog alert; pages when it stops (secret).", docs: { production: "required" } },
} as const satisfies KeyTable;

/** Prometheus and Alertmanager sizing. */
export interface MonitoringSizing {
    readonly prometheusReplicas: number;
    readonly retentionDays: number;
    readonly storageGiB: number;
    readonly retentionSizeGiB?: number;
    readonly alertmanagerReplicas: number;
    readonly alertmanagerStorageGiB: number;
    readonly podDisruptionBudgets: boolean;
    readonly podAntiAffinity: "soft" | "hard";
}

export type MonitoringSettings = MonitoringSizing & {
    readonly slackWebhookUrl?: pulumi.Input<string>;
    readonly slackChannel?: string;
    readonly email?: { to: string; from: string; smarthost: string; username: string; password: pulumi.Input<string> };
    readonly deadMansSwitchUrl?: pulumi.Input<string>;
};

export function resolveMonitoringSettings(s: Settings<keyof typeof MONITORING_KEYS>): MonitoringSettings {
    const m = {
        prometheusReplicas: s.int("prometheusReplicas", 1, 5),
        retentionDays: s.int("prometheusRetentionDays", 1, 3650),
        storageGiB: s.int("prometheusStorageGiB", 5, 16384),
        retentionSizeGiB: s.raw.prometheusRetentionSizeGiB === undefined ? s.default<number | undefined>("prometheusRetentionSizeGiB") : s.int("prometheusRetentionSizeGiB", 1, 16384),
        alertmanagerReplicas: s.int("alertmanagerReplicas", 1, 5),
        alertmanagerStorageGiB: s.int("alertmanagerStorageGiB", 1, 100),
        podDisruptionBudgets: s.bool("monitoringPodDisruptionBudgets"),
        podAntiAffinity: s.oneOf<"soft" | "hard">("monitoringPodAntiAffinity", ["soft", "hard"]),
        slackWebhookUrl: s.secret("alertSlackWebhookUrl"),
        slackChannel: s.str("alertSlackChannel"),
        deadMansSwitchUrl: s.secret("alertDeadMansSwitchUrl"),
        email: undefined as MonitoringSettings["email"],
    };
    const emailKeys = ["alertEmailTo", "alertEmailFrom", "alertEmailSmarthost", "alertEmailUsername"] as const;
    const given = emailKeys.filter((k) => s.raw[k] !== undefined);
    const password = s.secret("alertEmailPassword");
    if (given.length > 0 || password !== undefined) {
        const missing = [...emailKeys.filter((k) => s.raw[k] === undefined), ...(password === undefined ? (["alertEmailPassword"] as const) : [])];
        if (missing.length > 0) {
            s.fail(missing[0], undefined, `e-mail alerts need all of ${[...emailKeys, "alertEmailPassword"].join(", ")}; missing ${missing.join(", ")}`);
        }
        m.email = { to: s.str("alertEmailTo")!, from: s.str("alertEmailFrom")!, smarthost: s.str("alertEmailSmarthost")!, username: s.str("alertEmailUsername")!, password: password! };
    }
    // Production must page someone: a receiver and a dead-man's switch are required.
    if (s.preset === "production") {
        if (m.slackWebhookUrl === undefined && m.email === undefined) {
            s.fail("alertSlackWebhookUrl", undefined, "production must page someone: set alertSlackWebhookUrl (`pulumi config set --secret alertSlackWebhookUrl <url>`) or the alertEmail* keys");
        }
        if (m.deadMansSwitchUrl === undefined) {
            s.fail("alertDeadMansSwitchUrl", undefined, "production needs a dead-man's switch for the Watchdog alert: `pulumi config set --secret alertDeadMansSwitchUrl <url>`");
        }
    }
    viaComponent(s, {
        prometheusReplicas: "prometheusReplicas", alertmanagerReplicas: "alertmanagerReplicas", retentionDays: "prometheusRetentionDays",
        storageGiB: "prometheusStorageGiB", retentionSizeGiB: "prometheusRetentionSizeGiB", alertmanagerStorageGiB: "alertmanagerStorageGiB",
        podDisruptionBudgets: "monitoringPodDisruptionBudgets", podAntiAffinity: "monitoringPodAntiAffinity", slackChannel: "alertSlackChannel",
        "email.smarthost": "alertEmailSmarthost", "email.to": "alertEmailTo", "email.from": "alertEmailFrom", "email.username": "alertEmailUsername",
    }, "prometheusReplicas", () => resolveMonitoringArgs(m));
    return m;
}
