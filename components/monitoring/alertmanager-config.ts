/**
 * Renders the whole `alertmanager.yaml`. Pure and synchronous, so tests run `amtool check-config`
 * on exactly what the component stores in the Alertmanager config Secret.
 *
 * @see https://prometheus.io/docs/alerting/latest/configuration/
 */
/** Receiver name used when no receiver is configured: it drops everything, visibly. */
export const NULL_RECEIVER = "null-no-receiver-configured";
/** Receiver for the always-firing Watchdog alert (an external dead-man's switch). */
export const DEAD_MANS_SWITCH_RECEIVER = "dead-mans-switch";
export const CRITICAL_RECEIVER = "platform-critical";
export const WARNING_RECEIVER = "platform-warning";

/** E-mail delivery (plain values: this is rendered inside apply, then stored in a Secret). */
export interface EmailReceiver {
    readonly to: string;
    readonly from: string;
    /** `host:port` of the SMTP server. */
    readonly smarthost: string;
    readonly username: string;
    readonly password: string;
}

/** Resolved receivers; every secret here ends up only in the Alertmanager config Secret. */
export interface AlertmanagerReceivers {
    /** Slack incoming-webhook URL. */
    readonly slackWebhookUrl?: string;
    /** Slack channel, e.g. `#mlplatform-alerts`. */
    readonly slackChannel?: string;
    readonly email?: EmailReceiver;
    /** URL the Watchdog alert is POSTed to (healthchecks.io, Dead Man's Snitch, PagerDuty heartbeat). */
    readonly deadMansSwitchUrl?: string;
}

/** True when at least one paging receiver (Slack or e-mail) is configured. */
export function hasReceiver(r: AlertmanagerReceivers): boolean {
    return r.slackWebhookUrl !== undefined || r.email !== undefined;
}

function receiver(name: string, r: AlertmanagerReceivers, severity: string) {
    const out: Record<string, unknown> = { name };
    if (r.slackWebhookUrl !== undefined) {
        out.slack_configs = [{
            api_url: r.slackWebhookUrl,
            ...(r.slackChannel !== undefined ? { channel: r.slackChannel } : {}),
            send_resolved: true,
            title: `[${severity.toUpperCase()}] {{ .CommonLabels.alertname }} ({{ .Alerts.Firing | len }} firing)`,
            text: "{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook }}\n{{ end }}",
        }];
    }
    if (r.email !== undefined) {
        out.email_configs = [{
            to: r.email.to,
            from: r.email.from,
            smarthost: r.email.smarthost,
            auth_username: r.email.username,
            auth_password: r.email.password,
            require_tls: true,
            send_resolved: true,
        }];
    }
    return out;
}

/**
 * The Alertmanager configuration: severity routes (critical repeats hourly, warning twice a day),
 * grouping by alert and place, warnings inhibited while a related critical fires, the Watchdog to
 * the dead-man's switch when one is configured, and a clearly named null receiver otherwise.
 */
export function renderAlertmanagerConfig(r: AlertmanagerReceivers): string {
    const paging = hasReceiver(r);
    const critical = paging ? CRITICAL_RECEIVER : NULL_RECEIVER;
    const warning = paging ? WARNING_RECEIVER : NULL_RECEIVER;
    const receivers: Record<string, unknown>[] = [{ name: NULL_RECEIVER }];
    if (paging) {
        receivers.push(receiver(CRITICAL_RECEIVER, r, "critical"), receiver(WARNING_RECEIVER, r, "warning"));
    }
    if (r.deadMansSwitchUrl !== undefined) {
        receivers.push({ name: DEAD_MANS_SWITCH_RECEIVER, webhook_configs: [{ url: r.deadMansSwitchUrl, send_resolved: false }] });
    }
    const config = {
        global: { resolve_timeout: "5m" },
        route: {
            receiver: warning,
            group_by: ["alertname", "namespace", "job", "component"],
            group_wait: "30s",
            group_interval: "5m",
            repeat_interval: "12h",
            routes: [
                // The Watchdog always fires; the switch pages when it stops arriving.
                {
                    receiver: r.deadMansSwitchUrl !== undefined ? DEAD_MANS_SWITCH_RECEIVER : NULL_RECEIVER,
                    matchers: ['alertname = "Watchdog"'],
                    group_wait: "0s",
                    group_interval: "1m",
                    repeat_interval: "1m",
                },
                // kube-prometheus-stack's helper alert that exists only to inhibit info alerts.
                { receiver: NULL_RECEIVER, matchers: ['alertname = "InfoInhibitor"'] },
                { receiver: critical, matchers: ['severity = "critical"'], repeat_interval: "1h" },
                { receiver: warning, matchers: ['severity = "warning"'], repeat_interval: "12h" },
                { receiver: NULL_RECEIVER, matchers: ['severity = "info"'] },
            ],
        },
        inhibit_rules: [
            // The chart's rule: a critical silences the same alert's lower severities in its namespace.
            { source_matchers: ['severity = "critical"'], target_matchers: ['severity =~ "warning|info"'], equal: ["namespace", "alertname"] },
            // Platform rules: a critical about a component (MLflow backend down) silences its warnings (MLflow errors).
            { source_matchers: ['severity = "critical"', 'component =~ ".+"'], target_matchers: ['severity = "warning"'], equal: ["component"] },
            { source_matchers: ['alertname = "InfoInhibitor"'], target_matchers: ['severity = "info"'], equal: ["namespace"] },
        ],
        receivers,
    };
    // JSON is YAML, and needs no YAML library at runtime.
    return JSON.stringify(config, null, 2);
}
