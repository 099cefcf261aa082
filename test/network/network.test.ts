import { describe, expect, it } from "vitest";
import { Network, resolveNetworkArgs } from "../../components/network";
import { allRecords, byType, childrenOf, resetRecords, resolve, settle } from "../mocks";

async function build(name: string, args: Partial<ConstructorParameters<typeof Network>[1]> = {}) {
    resetRecords();
    const net = new Network(name, { vpcCidr: "10.0.0.0/16", azCount: 2, region: "us-west-2", ...args });
    await resolve(net.vpcId);
    await settle();
    return net;
}

describe("Network", () => {
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

    it("routes each private AZ through its own NAT when perAz", async () => {
        await build("net", { natStrategy: "perAz", azCount: 3 });
        const rts = byType("aws:ec2/routeTable:RouteTable", "net-private-rt-");
        const natIds = rts.map((rt) => rt.inputs.routes[0].natGatewayId);
        expect(new Set(natIds).size).toBe(3);
        expect(natIds).toEqual(["net-nat-1-id", "net-nat-2-id", "net-nat-3-id"]);
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

    it("closes the default security group", async () => {
        await build("net");
        const [sg] = byType("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
        expect(sg.inputs.ingress).toEqual([]);
        expect(sg.inputs.egress).toEqual([]);
    });

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
