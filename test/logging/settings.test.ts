/** The logging layer's settings (components/logging/settings.ts): defaults per preset and validation naming the key. */
import { describe, expect, it } from "vitest";
import { LOGGING_KEYS, resolveLoggingSettings } from "../../components/logging/settings";
import { ConfigError, Preset, Settings } from "../../components/shared/settings";

const resolve = (preset: Preset, raw: Record<string, unknown> = {}) => resolveLoggingSettings(new Settings(LOGGING_KEYS, raw, {}, preset));

describe("resolveLoggingSettings", () => {
    it("gives every argument its one default per preset", () => {
        expect(resolve("sandbox")).toEqual({
            storageClassName: "gp3",
            elasticsearchNodes: 1,
            elasticsearchStorageGiB: 10,
            elasticsearchMemory: "2Gi",
            elasticsearchCpu: "500m",
            zoneSpread: false,
            deleteVolumesWithWorkload: true,
            kibana: true,
            retentionDays: 7,
            fluentdBufferLimitGiB: 4,
            fluentdMemory: "256Mi",
            fluentdMemoryLimit: "512Mi",
            exporter: true,
        });
        expect(resolve("production")).toEqual({
            storageClassName: "gp3",
            elasticsearchNodes: 3,
            elasticsearchStorageGiB: 100,
            elasticsearchMemory: "4Gi",
            elasticsearchCpu: "500m",
            zoneSpread: true,
            deleteVolumesWithWorkload: false,
            kibana: false,
            retentionDays: 30,
            fluentdBufferLimitGiB: 8,
            fluentdMemory: "256Mi",
            fluentdMemoryLimit: "512Mi",
            exporter: true,
        });
    });

    it("takes the stack's keys over the defaults, and spreads zones from 3 nodes", () => {
        expect(resolve("sandbox", { elasticsearchNodes: "3", elasticsearchRetentionDays: "3", kibana: "false", elasticsearchMemory: "3Gi", fluentdBufferLimitGiB: "6", elasticsearchStorageGiB: "20" }))
            .toMatchObject({ elasticsearchNodes: 3, zoneSpread: true, retentionDays: 3, kibana: false, elasticsearchMemory: "3Gi", fluentdBufferLimitGiB: 6, elasticsearchStorageGiB: 20 });
    });

    it.each<[Preset, Record<string, unknown>, string]>([
        ["sandbox", { elasticsearchNodes: "2" }, "Invalid config mlplatform:elasticsearchNodes = 2: must be 1 or a whole number from 3 to 9: two master-eligible nodes cannot lose either"],
        ["sandbox", { elasticsearchNodes: "0" }, "Invalid config mlplatform:elasticsearchNodes = 0: must be between 1 and 9"],
        ["sandbox", { elasticsearchNodes: "3.5" }, "Invalid config mlplatform:elasticsearchNodes = \"3.5\": must be a whole number between 1 and 9"],
        ["production", { elasticsearchNodes: "1" }, "Invalid config mlplatform:elasticsearchNodes = 1: production runs at least 3 Elasticsearch nodes across zones (checklist ES-05)"],
        ["sandbox", { elasticsearchStorageGiB: "1" }, "Invalid config mlplatform:elasticsearchStorageGiB = 1: must be between 5 and 16384"],
        ["sandbox", { elasticsearchMemory: "2G" }, 'Invalid config mlplatform:elasticsearchMemory = "2G": must be a quantity in Mi or Gi of at least 1024Mi, e.g. "2Gi"'],
        ["sandbox", { elasticsearchMemory: "512Mi" }, 'Invalid config mlplatform:elasticsearchMemory = "512Mi": must be a quantity in Mi or Gi of at least 1024Mi, e.g. "2Gi"'],
        ["sandbox", { elasticsearchRetentionDays: "0" }, "Invalid config mlplatform:elasticsearchRetentionDays = 0: must be between 1 and 3650"],
        ["sandbox", { fluentdBufferLimitGiB: "100" }, "Invalid config mlplatform:fluentdBufferLimitGiB = 100: must be between 1 and 50"],
        ["sandbox", { kibana: "yes" }, "Invalid config mlplatform:kibana = \"yes\": must be true or false"],
    ])("%s rejects %j naming the key", (preset, raw, message) => {
        expect(() => resolve(preset, raw)).toThrow(ConfigError);
        expect(() => resolve(preset, raw)).toThrow(message);
    });
});
