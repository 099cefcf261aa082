import { describe, expect, it } from "vitest";
import { byType } from "../mocks";
import { build } from "./fixture";

describe("Network: subnets", () => {
    it.each([
        { natStrategy: "single" as const, azCount: 2, nats: 1 },
        { natStrategy: "perAz" as const, azCount: 3, nats: 3 },
        { natStrategy: "single" as const, azCount: 3, nats: 1 },
    ])("builds $azCount AZs with $nats NAT gateway(s) for $natStrategy", async ({ natStrategy, azCount, nats }) => {
        await build("net", { natStrategy, azCount });
        expect(byType("aws:ec2/vpc:Vpc")).toHaveLength(1);
        expect(byType("aws:ec2/subnet:Subnet")).toHaveLength(azCount * 3);
        expect(byType("aws:ec2/natGateway:NatGateway")).toHaveLength(nats);
        expect(byType("aws:ec2/eip:Eip")).toHaveLength(nats);
        // one public, one per AZ private, one database
        expect(byType("aws:ec2/routeTable:RouteTable")).toHaveLength(azCount + 2);
        expect(byType("aws:ec2/routeTableAssociation:RouteTableAssociation")).toHaveLength(azCount * 3);
    });

    it("spreads subnets over distinct AZs with the planned CIDRs and no public IPs", async () => {
        await build("net", { azCount: 3 });
        const subnets = byType("aws:ec2/subnet:Subnet");
        for (const s of subnets) {
            expect(s.inputs.mapPublicIpOnLaunch).toBe(false);
        }
        const privates = byType("aws:ec2/subnet:Subnet", "net-private-");
        expect(privates.map((s) => s.inputs.availabilityZone)).toEqual(["us-west-2a", "us-west-2b", "us-west-2c"]);
        expect(privates.map((s) => s.inputs.cidrBlock)).toEqual(["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"]);
        expect(byType("aws:ec2/subnet:Subnet", "net-public-").map((s) => s.inputs.cidrBlock)).toEqual(["10.0.192.0/22", "10.0.196.0/22", "10.0.200.0/22"]);
        expect(byType("aws:ec2/subnet:Subnet", "net-database-").map((s) => s.inputs.cidrBlock)).toEqual(["10.0.224.0/22", "10.0.228.0/22", "10.0.232.0/22"]);
    });

    it("tags subnets for load-balancer discovery", async () => {
        await build("net", { clusterName: "mlplatform-dev" });
        for (const s of byType("aws:ec2/subnet:Subnet", "net-public-")) {
            expect(s.inputs.tags["kubernetes.io/role/elb"]).toBe("1");
            expect(s.inputs.tags["kubernetes.io/cluster/mlplatform-dev"]).toBe("shared");
        }
        for (const s of byType("aws:ec2/subnet:Subnet", "net-private-")) {
            expect(s.inputs.tags["kubernetes.io/role/internal-elb"]).toBe("1");
        }
        for (const s of byType("aws:ec2/subnet:Subnet", "net-database-")) {
            expect(s.inputs.tags["kubernetes.io/role/elb"]).toBeUndefined();
            expect(s.inputs.tags["kubernetes.io/role/internal-elb"]).toBeUndefined();
        }
    });
});
