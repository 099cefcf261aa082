/** The monitoring layer's config keys: defaults per preset and validation naming the key (settings.ts). */
import { describe, expect, it } from "vitest";
import { MONITORING_KEYS } from "../../components/monitoring/settings";
import { ConfigError, Preset, RawConfig, SecretConfig } from "../../components/shared/settings";
import { monitoringSettings } from "./fixtures";

const EMAIL: RawConfig = { alertEmailTo: "a@example.com", alertEmailFrom: "b@example.com", alertEmailSmarthost: "smtp.example.com:587", alertEmailUsername: "u" };
const EMAIL_PASSWORD: SecretConfig = { alertEmailPassword: "p" };
const PROD_RECEIVERS: SecretConfig = { alertSlackWebhookUrl: "https://hooks.slack.example/x", alertDeadMansSwitchUrl: "https://dms.example/x" };

describe("resolveMonitoringSettings", () => {
    it.each<[Preset, SecretConfig]>([["sandbox", {}], ["production", PROD_RECEIVERS]])("takes every default from the key table (%s)", (preset, secrets) => {
        const d = <T>(key: keyof typeof MONITORING_KEYS) => (MONITORING_KEYS[key] as { default?: Record<Preset, T> }).default?.[preset];
        expect(monitoringSettings(preset, {}, secrets)).toMatchObject({
            prometheusReplicas: d("prometheusReplicas"),
            retentionDays: d("prometheusRetentionDays"),
            storageGiB: d("prometheusStorageGiB"),
            alertmanagerReplicas: d("alertmanagerReplicas"),
            alertmanagerStorageGiB: d("alertmanagerStorageGiB"),
            podDisruptionBudgets: d("monitoringPodDisruptionBudgets"),
            podAntiAffinity: d("monitoringPodAntiAffinity"),
        });
    });

    it("sizes retention at 80% of the volume where the preset's table has no default, rounded down", () => {
        expect(MONITORING_KEYS.prometheusRetentionSizeGiB.default.sandbox).toBeUndefined();
        expect(monitoringSettings("sandbox").retentionSizeGiB).toBe(8);
        expect(monitoringSettings("sandbox", { prometheusStorageGiB: "25" }).retentionSizeGiB).toBe(20);
        expect(monitoringSettings("production", {}, PROD_RECEIVERS).retentionSizeGiB).toBe(MONITORING_KEYS.prometheusRetentionSizeGiB.default.production);
        expect(monitoringSettings("sandbox", { prometheusRetentionSizeGiB: "5" }).retentionSizeGiB).toBe(5);
    });

    it("keeps e-mail settings and the secrets as given", () => {
        const m = monitoringSettings("sandbox", { ...EMAIL, alertSlackChannel: "#x" }, { ...EMAIL_PASSWORD, alertSlackWebhookUrl: "https://slack" });
        expect(m.email).toEqual({ to: "a@example.com", from: "b@example.com", smarthost: "smtp.example.com:587", username: "u", password: "p" });
        expect(m).toMatchObject({ slackWebhookUrl: "https://slack", slackChannel: "#x", deadMansSwitchUrl: undefined });
    });

    it.each<[string, Preset, RawConfig, SecretConfig, string, string]>([
        ["replicas", "sandbox", { prometheusReplicas: "0" }, {}, "prometheusReplicas", "mlplatform:prometheusReplicas = 0: must be between 1 and 5"],
        ["am replicas", "sandbox", { alertmanagerReplicas: "1.5" }, {}, "alertmanagerReplicas", 'mlplatform:alertmanagerReplicas = "1.5": must be a whole number between 1 and 5'],
        ["retention", "sandbox", { prometheusRetentionDays: "0" }, {}, "prometheusRetentionDays", "mlplatform:prometheusRetentionDays = 0: must be between 1 and 3650"],
        ["storage", "sandbox", { prometheusStorageGiB: "2" }, {}, "prometheusStorageGiB", "mlplatform:prometheusStorageGiB = 2: must be between 5 and 16384"],
        ["am storage", "sandbox", { alertmanagerStorageGiB: "0" }, {}, "alertmanagerStorageGiB", "mlplatform:alertmanagerStorageGiB = 0: must be between 1 and 100"],
        ["retention size", "sandbox", { prometheusStorageGiB: "10", prometheusRetentionSizeGiB: "10" }, {}, "prometheusRetentionSizeGiB",
            "mlplatform:prometheusRetentionSizeGiB = 10: must be a whole number from 1 to 8 (85% of prometheusStorageGiB 10, leaving room for the WAL)"],
        // The production table's 80 GiB does not fit a smaller volume: the key is named although the stack did not set it.
        ["default retention size on a smaller volume", "production", { prometheusStorageGiB: "50" }, PROD_RECEIVERS, "prometheusRetentionSizeGiB",
            "mlplatform:prometheusRetentionSizeGiB = 80: must be a whole number from 1 to 42 (85% of prometheusStorageGiB 50, leaving room for the WAL)"],
        ["pdb", "sandbox", { monitoringPodDisruptionBudgets: "true", prometheusReplicas: "2" }, {}, "monitoringPodDisruptionBudgets",
            "mlplatform:monitoringPodDisruptionBudgets = true: needs prometheusReplicas (2) and alertmanagerReplicas (1) >= 2: a budget on one replica blocks node drains"],
        ["anti-affinity", "sandbox", { monitoringPodAntiAffinity: "never" }, {}, "monitoringPodAntiAffinity", 'mlplatform:monitoringPodAntiAffinity = "never": must be one of soft, hard'],
        ["channel", "sandbox", { alertSlackChannel: "#x" }, {}, "alertSlackChannel", 'mlplatform:alertSlackChannel = "#x": needs alertSlackWebhookUrl'],
        ["email empty", "sandbox", { ...EMAIL, alertEmailTo: " " }, EMAIL_PASSWORD, "alertEmailTo", 'mlplatform:alertEmailTo = " ": must not be empty'],
        ["smarthost", "sandbox", { ...EMAIL, alertEmailSmarthost: "smtp.example.com" }, EMAIL_PASSWORD, "alertEmailSmarthost",
            'mlplatform:alertEmailSmarthost = "smtp.example.com": must be host:port, e.g. email-smtp.us-west-2.amazonaws.com:587'],
        ["half an e-mail receiver", "sandbox", { alertEmailTo: "ops@example.com" }, {}, "alertEmailFrom", "e-mail alerts need all of alertEmailTo, alertEmailFrom, alertEmailSmarthost, alertEmailUsername, alertEmailPassword; missing alertEmailFrom"],
        ["production without a receiver", "production", {}, { alertDeadMansSwitchUrl: "https://dms" }, "alertSlackWebhookUrl", "production must page someone"],
        ["production without a dead-man's switch", "production", {}, { alertSlackWebhookUrl: "https://slack" }, "alertDeadMansSwitchUrl", "production needs a dead-man's switch"],
    ])("refuses a bad %s, naming the key", (_l, preset, raw, secrets, key, message) => {
        let caught: unknown;
        try {
            monitoringSettings(preset, raw, secrets);
        } catch (e) {
            caught = e;
        }
        expect(caught).toBeInstanceOf(ConfigError);
        expect((caught as ConfigError).key).toBe(key);
        expect((caught as Error).message).toContain(message);
    });
});
