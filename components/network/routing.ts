/**
 * Routing: the internet gateway and public route table, NAT gateways per strategy with one private
 * route table per AZ, a database route table with no internet route, and the S3 gateway endpoint.
 */
import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import { NetworkArgs } from "./args";
import { Subnets } from "./subnets";

/** Route tables, NAT gateways and the S3 gateway endpoint for the three subnet tiers. */
export function routing(name: string, a: NetworkArgs, vpcId: pulumi.Output<string>, igw: aws.ec2.InternetGateway, s: Subnets,
    parent: pulumi.ComponentResource): void {
    const publicRt = new aws.ec2.RouteTable(`${name}-public-rt`, {
        vpcId,
        routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
        tags: { Name: `${name}-public` },
    }, { parent });
    s.public.forEach((subnet, i) => new aws.ec2.RouteTableAssociation(`${name}-public-rta-${i + 1}`, {
        subnetId: subnet.id,
        routeTableId: publicRt.id,
    }, { parent }));

    const natCount = a.natStrategy === "single" ? 1 : a.azCount;
    const nats = Array.from({ length: natCount }, (_, i) => {
        const eip = new aws.ec2.Eip(`${name}-nat-eip-${i + 1}`, { domain: "vpc", tags: { Name: `${name}-nat-${i + 1}` } }, { parent });
        return new aws.ec2.NatGateway(`${name}-nat-${i + 1}`, {
            allocationId: eip.id,
            subnetId: s.public[i].id,
            tags: { Name: `${name}-nat-${i + 1}` },
        }, { parent, dependsOn: [igw] });
    });

    const privateRts = s.private.map((subnet, i) => {
        const rt = new aws.ec2.RouteTable(`${name}-private-rt-${i + 1}`, {
            vpcId,
            // With one NAT every AZ routes through it; with perAz each AZ keeps its own.
            routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[Math.min(i, natCount - 1)].id }],
            tags: { Name: `${name}-private-${i + 1}` },
        }, { parent });
        new aws.ec2.RouteTableAssociation(`${name}-private-rta-${i + 1}`, { subnetId: subnet.id, routeTableId: rt.id }, { parent });
        return rt;
    });

    // Database subnets only reach the VPC: RDS needs no internet access.
    const databaseRt = new aws.ec2.RouteTable(`${name}-database-rt`, {
        vpcId,
        tags: { Name: `${name}-database` },
    }, { parent });
    s.database.forEach((subnet, i) => new aws.ec2.RouteTableAssociation(`${name}-database-rta-${i + 1}`, {
        subnetId: subnet.id,
        routeTableId: databaseRt.id,
    }, { parent }));

    // S3 traffic (MLflow artifacts, ECR image layers) goes through the free gateway endpoint
    // instead of paying NAT data processing.
    new aws.ec2.VpcEndpoint(`${name}-s3`, {
        vpcId,
        serviceName: `com.amazonaws.${a.region}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: [...privateRts.map((rt) => rt.id), databaseRt.id],
        tags: { Name: `${name}-s3` },
    }, { parent });
}
