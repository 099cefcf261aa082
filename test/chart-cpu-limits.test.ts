/**
 * No CPU limit survives Helm's merge of a chart's defaults with our values. Helm keeps a default
 * unless our value is `null` (helm/helm v3.20.2 `pkg/chartutil/coalesce.go`, see chartResources),
 * so leaving `limits.cpu` out is not enough where the chart's own values.yaml sets one.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { LOGGING_VERSIONS, MONITORING_VERSIONS } from "../components/shared/versions";
import { mergeHelmValues } from "./helm-values";
import { one } from "./mocks";
import { loadStack } from "./stack";

/**
 * The charts' default `resources` (tests cannot fetch charts). Re-read them when the pin moves:
 * the version check below fails first.
 */
const UPSTREAM_DEFAULTS = [
    {
        release: "monitoring-dcgm-exporter",
        // NVIDIA/dcgm-exporter tag 4.5.3-4.8.2, deployment/values.yaml (chart 4.8.2), lines 120-126.
        chart: { name: "dcgm-exporter", version: "4.8.2", pinned: MONITORING_VERSIONS.dcgmExporterChart.version },
        defaults: { resources: { limits: { cpu: "200m", memory: "512Mi" }, requests: { cpu: "100m", memory: "128Mi" } } },
    },
    {
        release: "logging-eck-operator",
        // elastic/cloud-on-k8s tag v3.5.0, deploy/eck-operator/values.yaml (chart 3.5.0), lines 63-69.
        chart: { name: "eck-operator", version: "3.5.0", pinned: LOGGING_VERSIONS.eckOperatorChart.version },
        defaults: { resources: { limits: { cpu: 1, memory: "1Gi" }, requests: { cpu: "100m", memory: "150Mi" } } },
    },
];

beforeAll(async () => {
    await loadStack("dev");
});

describe.each(UPSTREAM_DEFAULTS)("$release (chart $chart.name)", ({ release, chart, defaults }) => {
    it("pins the chart version the defaults were read from", () => {
        expect(chart.pinned).toBe(chart.version);
    });

    it("leaves no CPU limit after Helm merges the chart's defaults with our values", () => {
        const values = one("kubernetes:helm.sh/v3:Release", release).inputs.values;
        const merged = mergeHelmValues(defaults, values) as typeof defaults;
        expect(merged.resources.limits).not.toHaveProperty("cpu");
        // The memory limit and requests stay ours.
        expect(merged.resources.limits.memory).toBe(values.resources.limits.memory);
        expect(merged.resources.requests).toEqual(values.resources.requests);
    });
});
