/** Alertmanager's configuration Secret and rendering (alertmanager.ts, alertmanager-config.ts). */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEAD_MANS_SWITCH_RECEIVER, NULL_RECEIVER, renderAlertmanagerConfig } from "../../components/monitoring/alertmanager-config";
import { alertmanagerYaml, build, DMS, PRODUCTION, run, SLACK, SMTP_PASSWORD, useTmpDirs } from "./fixtures";

const tmpDir = useTmpDirs();

describe("Monitoring: Alertmanager configuration", () => {
    const check = (text: string) => {
        const dir = tmpDir();
        fs.writeFileSync(path.join(dir, "alertmanager.yml"), text);
        return run("amtool", ["check-config", "alertmanager.yml"], dir);
    };

    it("passes amtool check-config for the sandbox stack and routes everything to the named null receiver", async () => {
        await build();
        const text = alertmanagerYaml();
        expect(check(text)).toMatch(/SUCCESS/);
        const cfg = parse(text);
        expect(cfg.route.receiver).toBe(NULL_RECEIVER);
        expect(cfg.receivers).toEqual([{ name: NULL_RECEIVER }]);
        expect(cfg.route.routes.find((r: any) => r.matchers[0] === 'alertname = "Watchdog"').receiver).toBe(NULL_RECEIVER);
    });

    it("passes amtool check-config for the production stack with Slack, e-mail, severity routes, grouping, inhibition and the dead-man's switch", async () => {
        await build(PRODUCTION);
        const text = alertmanagerYaml();
        expect(check(text)).toMatch(/SUCCESS/);
        const cfg = parse(text);
        expect(cfg.route).toMatchObject({ receiver: "platform-warning", group_by: ["alertname", "namespace", "job", "component"], group_wait: "30s", group_interval: "5m" });
        const byMatcher = (m: string) => cfg.route.routes.find((r: any) => r.matchers.includes(m));
        expect(byMatcher('alertname = "Watchdog"')).toMatchObject({ receiver: DEAD_MANS_SWITCH_RECEIVER, repeat_interval: "1m" });
        expect(byMatcher('severity = "critical"')).toMatchObject({ receiver: "platform-critical", repeat_interval: "1h" });
        expect(byMatcher('severity = "warning"')).toMatchObject({ receiver: "platform-warning", repeat_interval: "12h" });
        expect(cfg.route.routes[0].matchers).toEqual(['alertname = "Watchdog"']);
        const critical = cfg.receivers.find((r: any) => r.name === "platform-critical");
        expect(critical.slack_configs[0]).toMatchObject({ api_url: SLACK, channel: "#mlplatform-alerts", send_resolved: true });
        expect(critical.email_configs[0]).toMatchObject({ to: "oncall@example.com", smarthost: "email-smtp.us-west-2.amazonaws.com:587", auth_password: SMTP_PASSWORD, require_tls: true });
        expect(cfg.receivers.find((r: any) => r.name === DEAD_MANS_SWITCH_RECEIVER).webhook_configs).toEqual([{ url: DMS, send_resolved: false }]);
        expect(cfg.inhibit_rules).toContainEqual({ source_matchers: ['severity = "critical"', 'component =~ ".+"'], target_matchers: ['severity = "warning"'], equal: ["component"] });
        expect(cfg.inhibit_rules).toContainEqual({ source_matchers: ['severity = "critical"'], target_matchers: ['severity =~ "warning|info"'], equal: ["namespace", "alertname"] });
    });

    it.each([
        ["Slack only", { slackWebhookUrl: "https://hooks.slack.com/services/x" }],
        ["e-mail only", { email: { to: "a@example.com", from: "b@example.com", smarthost: "smtp.example.com:587", username: "u", password: "p" } }],
        ["dead-man's switch only", { deadMansSwitchUrl: "https://hc-ping.com/x" }],
    ])("renders a valid config with %s", (_label, receivers) => {
        expect(check(renderAlertmanagerConfig(receivers))).toMatch(/SUCCESS/);
    });

    it("amtool rejects a broken config (the check is real)", () => {
        expect(() => check(renderAlertmanagerConfig({}).replace(NULL_RECEIVER, "x"))).toThrow(/amtool check-config/);
    });
});
