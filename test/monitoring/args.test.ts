/** Defaults and validation of the monitoring arguments (args.ts). */
import { describe, expect, it } from "vitest";
import { MonitoringArgs, resolveMonitoringArgs } from "../../components/monitoring";
import { TARGETS } from "./fixtures";

describe("resolveMonitoringArgs", () => {
    it("documents its defaults truthfully", () => {
        const r = resolveMonitoringArgs({});
        expect(r).toMatchObject({
            targets: [],
            prometheusReplicas: 1,
            retentionDays: 7,
            storageGiB: 20,
            retentionSizeGiB: 16,
            alertmanagerReplicas: 1,
            alertmanagerStorageGiB: 2,
            podDisruptionBudgets: false,
            podAntiAffinity: "soft",
            storageClassName: "gp3",
            gpuMetrics: true,
            gpuNamespace: "nvidia-device-plugin",
            platformNamespaces: ["mlflow", "jupyterhub", "logging", "monitoring", "nvidia-device-plugin", "kueue-system", "fluentd"],
        });
    });

    const email = { to: "a@example.com", from: "b@example.com", smarthost: "smtp.example.com:587", username: "u", password: "p" };
    it.each<[string, MonitoringArgs, string]>([
        ["replicas", { prometheusReplicas: 0 }, "prometheusReplicas (0) must be a whole number from 1 to 5"],
        ["am replicas", { alertmanagerReplicas: 1.5 }, "alertmanagerReplicas (1.5) must be a whole number from 1 to 5"],
        ["retention", { retentionDays: 0 }, "retentionDays (0) must be a whole number from 1 to 3650"],
        ["storage", { storageGiB: 2 }, "storageGiB (2) must be a whole number from 5 to 16384"],
        ["am storage", { alertmanagerStorageGiB: 0 }, "alertmanagerStorageGiB (0) must be a whole number from 1 to 100"],
        ["retention size", { storageGiB: 10, retentionSizeGiB: 10 }, "retentionSizeGiB (10) must be a whole number from 1 to 8 (85% of storageGiB 10, leaving room for the WAL)"],
        ["pdb", { podDisruptionBudgets: true, prometheusReplicas: 2 }, "podDisruptionBudgets (true) needs prometheusReplicas (2) and alertmanagerReplicas (1) >= 2: a budget on one replica blocks node drains"],
        ["anti-affinity", { podAntiAffinity: "never" as any }, 'podAntiAffinity (never) must be "soft" or "hard"'],
        ["channel", { slackChannel: "#x" }, "slackChannel (#x) needs slackWebhookUrl"],
        ["email empty", { email: { ...email, to: " " } }, 'email.to (" ") must not be empty'],
        ["smarthost", { email: { ...email, smarthost: "smtp.example.com" } }, "email.smarthost (smtp.example.com) must be host:port, e.g. email-smtp.us-west-2.amazonaws.com:587"],
        ["target name", { targets: [{ ...TARGETS[0], name: "MLflow" }] }, "targets[].name (MLflow) must be a lowercase DNS label of at most 42 characters"],
        ["duplicate", { targets: [TARGETS[0], TARGETS[0]] }, "targets[].name (mlflow) is used twice; names are job labels and must be unique"],
        ["interval", { targets: [{ ...TARGETS[0], intervalSeconds: 1 }] }, "targets[mlflow].intervalSeconds (1) must be a whole number from 5 to 300"],
        ["reserved", { targets: [{ ...TARGETS[0], name: "dcgm-exporter" }] }, "targets[].name (dcgm-exporter) is reserved for the DCGM exporter this component installs"],
    ])("rejects a bad %s", (_l, args, message) => {
        expect(() => resolveMonitoringArgs(args)).toThrow(message);
    });
});
