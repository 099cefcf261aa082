import { describe, expect, it } from "vitest";
import { byType } from "../mocks";
import { build } from "./fixture";

describe("Network: routing", () => {
    it("routes each private AZ through its own NAT when perAz", async () => {
        await build("net", { natStrategy: "perAz", azCount: 3 });
        const rts = byType("aws:ec2/routeTable:RouteTable", "net-private-rt-");
        const natIds = rts.map((rt) => rt.inputs.routes[0].natGatewayId);
        expect(new Set(natIds).size).toBe(3);
        expect(natIds).toEqual(["net-nat-1-id", "net-nat-2-id", "net-nat-3-id"]);
    });

    it("gives database subnets no route out and public subnets the internet gateway", async () => {
        await build("net");
        const db = byType("aws:ec2/routeTable:RouteTable", "net-database-rt")[0];
        expect(db.inputs.routes ?? []).toEqual([]);
        const pub = byType("aws:ec2/routeTable:RouteTable", "net-public-rt")[0];
        expect(pub.inputs.routes).toEqual([{ cidrBlock: "0.0.0.0/0", gatewayId: "net-igw-id" }]);
    });

    it("adds an S3 gateway endpoint on the private and database route tables", async () => {
        await build("net", { azCount: 2 });
        const [ep] = byType("aws:ec2/vpcEndpoint:VpcEndpoint");
        expect(ep.inputs.serviceName).toBe("com.amazonaws.us-west-2.s3");
        expect(ep.inputs.vpcEndpointType).toBe("Gateway");
        expect(ep.inputs.routeTableIds).toEqual(["net-private-rt-1-id", "net-private-rt-2-id", "net-database-rt-id"]);
    });
});
