import { describe, expect, it } from "vitest";
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
});
