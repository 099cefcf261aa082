/** The layer's arguments: defaults and validation (components/logging/args.ts). */
import { describe, expect, it } from "vitest";
import { Logging, LoggingArgs, resolveLoggingArgs } from "../../components/logging";
import { allRecords, resetRecords } from "../mocks";

describe("resolveLoggingArgs", () => {
    it("applies every documented default", () => {
        expect(resolveLoggingArgs({})).toEqual({
            storageClassName: "gp3",
            elasticsearchNodes: 1,
            elasticsearchStorageGiB: 10,
            elasticsearchMemory: "2Gi",
            elasticsearchCpu: "500m",
            zoneSpread: false,
            deleteVolumesWithWorkload: false,
            kibana: false,
            retentionDays: 7,
            fluentdBufferLimitGiB: 4,
            fluentdMemory: "256Mi",
            fluentdMemoryLimit: "512Mi",
            exporter: true,
        });
        expect(resolveLoggingArgs({ elasticsearchNodes: 3 }).zoneSpread).toBe(true);
    });

    it.each([
        [{ elasticsearchNodes: 2 }, "elasticsearchNodes (2) must be 1 or a whole number from 3 to 9: two master-eligible nodes cannot lose either"],
        [{ elasticsearchNodes: 0 }, "elasticsearchNodes (0) must be 1 or a whole number from 3 to 9: two master-eligible nodes cannot lose either"],
        [{ elasticsearchNodes: 3.5 }, "elasticsearchNodes (3.5) must be 1 or a whole number from 3 to 9: two master-eligible nodes cannot lose either"],
        [{ elasticsearchStorageGiB: 1 }, "elasticsearchStorageGiB (1) must be a whole number from 5 to 16384"],
        [{ elasticsearchMemory: "2G" }, 'elasticsearchMemory (2G) must be a quantity in Mi or Gi of at least 1024Mi, e.g. "2Gi"'],
        [{ elasticsearchMemory: "512Mi" }, 'elasticsearchMemory (512Mi) must be a quantity in Mi or Gi of at least 1024Mi, e.g. "2Gi"'],
        [{ elasticsearchCpu: "lots" }, 'elasticsearchCpu (lots) must be a CPU quantity like "500m" or "2"'],
        [{ zoneSpread: true }, "zoneSpread (true) needs elasticsearchNodes (1) >= 3"],
        [{ retentionDays: 0 }, "retentionDays (0) must be a whole number from 1 to 3650"],
        [{ fluentdBufferLimitGiB: 100 }, "fluentdBufferLimitGiB (100) must be a whole number from 1 to 50"],
        [{ fluentdMemory: "1Gi", fluentdMemoryLimit: "512Mi" }, "fluentdMemoryLimit (512Mi) must be >= fluentdMemory (1Gi)"],
        [{ storageClassName: "GP3" }, "storageClassName (GP3) must be a StorageClass name (lowercase DNS subdomain)"],
    ] as [LoggingArgs, string][])("rejects %j", (args, message) => {
        expect(() => resolveLoggingArgs(args)).toThrow(message);
    });

    it("throws before registering any resource", () => {
        resetRecords();
        expect(() => new Logging("bad", { elasticsearchNodes: 2 })).toThrow(/elasticsearchNodes \(2\)/);
        expect(allRecords().filter((r) => r.type !== "mlplatform:index:Logging")).toEqual([]);
    });
});
