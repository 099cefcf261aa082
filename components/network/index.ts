/**
 * The network layer: the VPC with its default security group closed, the subnet tiers
 * (subnets.ts), routing with NAT and the S3 gateway endpoint (routing.ts), and flow logs
 * (flow-logs.ts).
 */
import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import { NetworkArgs } from "./args";
import { flowLogs } from "./flow-logs";
import { routing } from "./routing";
import { subnets } from "./subnets";

export { NetworkArgs } from "./args";

/**
 * A VPC for EKS: public, private (nodes and pods) and database subnets in each AZ; NAT per
 * strategy; an S3 gateway endpoint so artifact traffic skips NAT; the default security group
 * closed; optional flow logs. No subnet assigns public IPs on launch.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html
 */
export class Network extends pulumi.ComponentResource {
    /** VPC ID. */
    public readonly vpcId: pulumi.Output<string>;
    /** Private subnet IDs, one per AZ, for nodes and internal load balancers. */
    public readonly privateSubnetIds: pulumi.Output<string>[];
    /** Public subnet IDs, one per AZ, for NAT gateways and internet-facing load balancers. */
    public readonly publicSubnetIds: pulumi.Output<string>[];
    /** Database subnet IDs, one per AZ, with no route to the internet. */
    public readonly databaseSubnetIds: pulumi.Output<string>[];
    /** The AZ names the subnets use, in subnet order. */
    public readonly availabilityZones: pulumi.Output<string[]>;
    /** The VPC CIDR. */
    public readonly vpcCidr: string;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:Network", name, {}, opts);
        const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: args.vpcCidr,
            enableDnsHostnames: true,
            enableDnsSupport: true,
            tags: { Name: name },
        }, { parent: this });

        // Adopt the default security group and strip its rules, so nothing can use it by accident
        // (checklist NET-01, CKV2_AWS_12).
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, {
            vpcId: vpc.id,
            ingress: [],
            egress: [],
            tags: { Name: `${name}-default-closed` },
        }, { parent: this });

        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: name } }, { parent: this });
        const tiers = subnets(name, args, vpc.id, this);
        routing(name, args, vpc.id, igw, tiers, this);
        if (args.flowLogs) {
            flowLogs(name, args, vpc.id, this);
        }

        this.vpcId = vpc.id;
        this.vpcCidr = args.vpcCidr;
        this.privateSubnetIds = tiers.private.map((s) => s.id);
        this.publicSubnetIds = tiers.public.map((s) => s.id);
        this.databaseSubnetIds = tiers.database.map((s) => s.id);
        this.availabilityZones = pulumi.all(tiers.private.map((s) => s.availabilityZone));
        this.registerOutputs({
            vpcId: this.vpcId,
            privateSubnetIds: this.privateSubnetIds,
            publicSubnetIds: this.publicSubnetIds,
            databaseSubnetIds: this.databaseSubnetIds,
        });
    }
}
