import { describe, expect, it } from "vitest";
import { resolveNetworkArgs } from "../../components/network";
import { allRecords, byType, childrenOf } from "../mocks";
import { build } from "./fixture";

describe("Network", () => {
    it("closes the default security group", async () => {
        await build("net");
        const [sg] = byType("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
        expect(sg.inputs.ingress).toEqual([]);
        expect(sg.inputs.egress).toEqual([]);
    });

    it("parents every child to the component", async () => {
        await build("net", { flowLogs: true });
        const children = allRecords().filter((r) => r.type !== "mlplatform:index:Network");
        expect(children.length).toBeGreaterThan(20);
        expect(childrenOf("mlplatform:index:Network")).toHaveLength(children.length);
        for (const r of children) {
            expect(r.parent).toMatch(/::mlplatform:index:Network::net$/);
        }
    });

    it("documents its defaults truthfully", () => {
        const r = resolveNetworkArgs({ vpcCidr: "10.0.0.0/16", azCount: 2, region: "us-west-2" });
        expect(r.natStrategy).toBe("perAz");
        expect(r.flowLogs).toBe(true);
        expect(r.flowLogRetentionDays).toBe(90);
    });

    it.each([
        [{ azCount: 4 }, "Network azCount (4) must be a whole number from 1 to 3"],
        [{ azCount: 0 }, "Network azCount (0) must be a whole number from 1 to 3"],
        [{ flowLogRetentionDays: 0 }, "Network flowLogRetentionDays (0) must be at least 1 day"],
        [{ vpcCidr: "10.0.0.0/33" }, "vpcCidr 10.0.0.0/33 has an octet above 255 or a prefix above /32"],
    ])("rejects %o", (bad, message) => {
        expect(() => resolveNetworkArgs({ vpcCidr: "10.0.0.0/16", azCount: 2, region: "us-west-2", ...bad })).toThrow(message);
    });
});
