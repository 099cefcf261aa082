/** Defaults and validation of the arguments the program wires in (args.ts); the config's are in settings.test.ts. */
import { describe, expect, it } from "vitest";
import { MonitoringArgs, resolveMonitoringArgs } from "../../components/monitoring";
import { SANDBOX, TARGETS } from "./fixtures";

describe("resolveMonitoringArgs", () => {
    it("documents its defaults truthfully and passes the settings through", () => {
        const { targets: _t, ...settings } = SANDBOX;
        const r = resolveMonitoringArgs(settings);
        expect(r).toEqual({
            ...settings,
            targets: [],
            storageClassName: "gp3",
            gpuMetrics: true,
            gpuNamespace: "nvidia-device-plugin",
            platformNamespaces: ["mlflow", "jupyterhub", "logging", "monitoring", "nvidia-device-plugin", "kueue-system", "fluentd"],
            certificates: [],
        });
    });

    it.each<[string, Partial<MonitoringArgs>, string]>([
        ["target name", { targets: [{ ...TARGETS[0], name: "MLflow" }] }, "targets[].name (MLflow) must be a lowercase DNS label of at most 42 characters"],
        ["duplicate", { targets: [TARGETS[0], TARGETS[0]] }, "targets[].name (mlflow) is used twice; names are job labels and must be unique"],
        ["interval", { targets: [{ ...TARGETS[0], intervalSeconds: 1 }] }, "targets[mlflow].intervalSeconds (1) must be a whole number from 5 to 300"],
        ["reserved", { targets: [{ ...TARGETS[0], name: "dcgm-exporter" }] }, "targets[].name (dcgm-exporter) is reserved for the DCGM exporter this component installs"],
    ])("rejects a bad %s", (_l, args, message) => {
        expect(() => resolveMonitoringArgs({ ...SANDBOX, ...args })).toThrow(message);
    });

    it("lets a target take the DCGM job name when the component installs no DCGM exporter", () => {
        expect(resolveMonitoringArgs({ ...SANDBOX, gpuMetrics: false, targets: [{ ...TARGETS[0], name: "dcgm-exporter" }] }).targets[0].name).toBe("dcgm-exporter");
    });
});
