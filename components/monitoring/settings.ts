/**
 * The monitoring layer's config keys and their validation: Prometheus and Alertmanager sizing, alert
 * receivers. The one owner of these rules and defaults: the component takes what this resolves.
 */
import * as pulumi from "@pulumi/pulumi";
import { KeyTable, Settings } from "../shared/settings";


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
    /** Prometheus replicas (each scrapes everything; two give HA). `prometheusReplicas`. */
    readonly prometheusReplicas: number;
    /** Days Prometheus keeps samples. `prometheusRetentionDays`. */
    readonly retentionDays: number;
    /** Prometheus volume size per replica, GiB. `prometheusStorageGiB`. */
    readonly storageGiB: number;
    /** Size cap on the TSDB blocks, GiB; at most 85% of `storageGiB` because the WAL is not counted. `prometheusRetentionSizeGiB`. */
    readonly retentionSizeGiB: number;
    /** Alertmanager replicas (they gossip, so two or more deduplicate notifications). `alertmanagerReplicas`. */
    readonly alertmanagerReplicas: number;
    /** Alertmanager volume size per replica (silences and notification log), GiB. `alertmanagerStorageGiB`. */
    readonly alertmanagerStorageGiB: number;
    /** PodDisruptionBudgets for Prometheus and Alertmanager; needs two or more replicas of each. `monitoringPodDisruptionBudgets`. */
    readonly podDisruptionBudgets: boolean;
    /** Spread of replicas across nodes: "hard" refuses to co-locate replicas. `monitoringPodAntiAffinity`. */
    readonly podAntiAffinity: "soft" | "hard";
}

/** E-mail receiver settings (the `alertEmail*` keys). */
export interface MonitoringEmailArgs {
    /** Recipient address. */
    readonly to: string;
    /** Sender address. */
    readonly from: string;
    /** SMTP `host:port` (STARTTLS is required). */
    readonly smarthost: string;
    /** SMTP user. */
    readonly username: string;
    /** SMTP password (secret). */
    readonly password: pulumi.Input<string>;
}

/** What a stack's config decides for the Monitoring component. */
export type MonitoringSettings = MonitoringSizing & {
    /** Slack incoming-webhook URL (secret); with it, alerts go to Slack. Unset: no Slack receiver. */
    readonly slackWebhookUrl?: pulumi.Input<string>;
    /** Slack channel; needs `slackWebhookUrl`. Unset: the webhook's own channel. */
    readonly slackChannel?: string;
    /** E-mail receiver. Unset: none. */
    readonly email?: MonitoringEmailArgs;
    /** URL the always-firing Watchdog alert is sent to (secret). Unset: Watchdog goes to the null receiver. */
    readonly deadMansSwitchUrl?: pulumi.Input<string>;
};

/** Share of the Prometheus volume the TSDB blocks may fill when `prometheusRetentionSizeGiB` is not set. */
const DEFAULT_RETENTION_SHARE = 0.8;
/** Largest share of the volume the blocks may fill: the WAL is not counted in retentionSize. */
const MAX_RETENTION_SHARE = 0.85;
const HOST_PORT = /^[^:\s]+:\d+$/;

export function resolveMonitoringSettings(s: Settings<keyof typeof MONITORING_KEYS>): MonitoringSettings {
    const storageGiB = s.int("prometheusStorageGiB", 5, 16384);
    const m = {
        prometheusReplicas: s.int("prometheusReplicas", 1, 5),
        retentionDays: s.int("prometheusRetentionDays", 1, 3650),
        storageGiB,
        // The key table's default where the preset has one, else a share of the volume.
        retentionSizeGiB: s.int("prometheusRetentionSizeGiB", 1, 16384, s.default<number | undefined>("prometheusRetentionSizeGiB") ?? Math.floor(storageGiB * DEFAULT_RETENTION_SHARE)),
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
    const maxRetention = Math.floor(storageGiB * MAX_RETENTION_SHARE);
    if (m.retentionSizeGiB > maxRetention) {
        s.fail("prometheusRetentionSizeGiB", m.retentionSizeGiB, `must be a whole number from 1 to ${maxRetention} (85% of prometheusStorageGiB ${storageGiB}, leaving room for the WAL)`);
    }
    if (m.podDisruptionBudgets && (m.prometheusReplicas < 2 || m.alertmanagerReplicas < 2)) {
        s.fail("monitoringPodDisruptionBudgets", true, `needs prometheusReplicas (${m.prometheusReplicas}) and alertmanagerReplicas (${m.alertmanagerReplicas}) >= 2: a budget on one replica blocks node drains`);
    }
    if (m.slackChannel !== undefined && m.slackWebhookUrl === undefined) {
        s.fail("alertSlackChannel", m.slackChannel, "needs alertSlackWebhookUrl (`pulumi config set --secret alertSlackWebhookUrl <url>`)");
    }
    if (m.email !== undefined) {
        const fields = { alertEmailTo: m.email.to, alertEmailFrom: m.email.from, alertEmailSmarthost: m.email.smarthost, alertEmailUsername: m.email.username };
        for (const [key, value] of Object.entries(fields) as [keyof typeof fields, string][]) {
            if (value.trim() === "") {
                s.fail(key, value, "must not be empty");
            }
        }
        if (!HOST_PORT.test(m.email.smarthost)) {
            s.fail("alertEmailSmarthost", m.email.smarthost, "must be host:port, e.g. email-smtp.us-west-2.amazonaws.com:587");
        }
    }
    return m;
}
