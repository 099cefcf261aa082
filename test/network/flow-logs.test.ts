import { describe, expect, it } from "vitest";
import { byType } from "../mocks";
import { build } from "./fixture";

describe("Network: flow logs", () => {
    it("creates flow logs with retention only when enabled", async () => {
        await build("net", { flowLogs: true, flowLogRetentionDays: 30 });
        const [fl] = byType("aws:ec2/flowLog:FlowLog");
        expect(fl.inputs.trafficType).toBe("ALL");
        expect(fl.inputs.vpcId).toBe("net-vpc-id");
        expect(byType("aws:cloudwatch/logGroup:LogGroup")[0].inputs.retentionInDays).toBe(30);
        await build("net2", { flowLogs: false });
        expect(byType("aws:ec2/flowLog:FlowLog")).toHaveLength(0);
        expect(byType("aws:cloudwatch/logGroup:LogGroup")).toHaveLength(0);
    });
});
