import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { planSubnets } from "../shared/cidr";
import { cloudWatchLogsStatement } from "../shared/kms";

/**
 * Arguments of {@link Network}.
 */
export interface NetworkArgs {
    /** VPC IPv4 CIDR (RFC 1918, /16 to /20). */
    readonly vpcCidr: string;
    /** Number of availability zones (1 to 3). Decides how many subnets and route tables exist. */
    readonly azCount: number;
    /** AWS region, for the S3 gateway endpoint's service name. */
    readonly region: string;
    /**
     * NAT gateways: `single` (one, in the first AZ; a sandbox saves ~$32/month per gateway) or
     * `perAz` (one per AZ, so losing an AZ does not cut the others off the internet).
     * @default "perAz"
     */
    readonly natStrategy?: "single" | "perAz";
    /**
     * Send VPC flow logs (all traffic) to a CloudWatch log group the component declares.
     * @default true
     */
    readonly flowLogs?: boolean;
    /**
     * Retention of the flow-log group, in days.
     * @default 90
     */
    readonly flowLogRetentionDays?: number;
    /**
     * Encrypt the flow-log group with a customer-managed KMS key of its own (checklist LOG-01, in
     * production). Its own key because the platform key is made with the cluster, after the VPC.
     * The key is `protect`ed and `retainOnDelete` like the platform key (KMS-02).
     * @default false
     */
    readonly flowLogKms?: boolean;
    /**
     * Name of the EKS cluster that will use the subnets. Adds the `kubernetes.io/cluster/<name>`
     * tag the AWS Load Balancer Controller uses to pick subnets when several clusters share a VPC.
     * @default - no cluster tag
     */
    readonly clusterName?: string;
}

/** Resolved {@link NetworkArgs}. */
export type ResolvedNetworkArgs = Required<Omit<NetworkArgs, "clusterName">> & Pick<NetworkArgs, "clusterName">;

/** Applies defaults and validates; throws with the argument, its value and what is valid. */
export function resolveNetworkArgs(args: NetworkArgs): ResolvedNetworkArgs {
    const r: ResolvedNetworkArgs = {
        vpcCidr: args.vpcCidr,
        azCount: args.azCount,
        region: args.region,
        natStrategy: args.natStrategy ?? "perAz",
        flowLogs: args.flowLogs ?? true,
        flowLogRetentionDays: args.flowLogRetentionDays ?? 90,
        flowLogKms: args.flowLogKms ?? false,
        clusterName: args.clusterName,
    };
    if (!Number.isInteger(r.azCount) || r.azCount < 1 || r.azCount > 3) {
        throw new Error(`Network azCount (${r.azCount}) must be a whole number from 1 to 3`);
    }
    if (r.flowLogRetentionDays < 1) {
        throw new Error(`Network flowLogRetentionDays (${r.flowLogRetentionDays}) must be at least 1 day`);
    }
    // Throws with the CIDR and the reason when the block cannot hold the plan.
    planSubnets(r.vpcCidr, r.azCount);
    return r;
}

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
        const a = resolveNetworkArgs(args);
        const plan = planSubnets(a.vpcCidr, a.azCount);

        const azs = aws.getAvailabilityZonesOutput(
            // Local and Wavelength zones are opt-in; EKS and RDS need regular zones.
            { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
            { parent: this },
        );
        const azName = (i: number) => azs.names.apply((names) => {
            if (names.length < a.azCount) {
                throw new Error(`Network needs ${a.azCount} availability zones but ${a.region} offers ${names.length}: ${names.join(", ")}`);
            }
            return names[i];
        });

        const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: a.vpcCidr,
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

        const clusterTag: Record<string, string> = a.clusterName ? { [`kubernetes.io/cluster/${a.clusterName}`]: "shared" } : {};
        const tier = (tierName: string, i: number, cidrBlock: string, tags: Record<string, string>) =>
            new aws.ec2.Subnet(`${name}-${tierName}-${i + 1}`, {
                vpcId: vpc.id,
                cidrBlock,
                availabilityZone: azName(i),
                // Nothing launches with a public IP; NAT gateways and load balancers bring their own.
                mapPublicIpOnLaunch: false,
                tags: { Name: `${name}-${tierName}-${i + 1}`, tier: tierName, ...tags },
            }, { parent: this });

        const publicSubnets = plan.map((p, i) => tier("public", i, p.public, { "kubernetes.io/role/elb": "1", ...clusterTag }));
        const privateSubnets = plan.map((p, i) => tier("private", i, p.private, { "kubernetes.io/role/internal-elb": "1", ...clusterTag }));
        const databaseSubnets = plan.map((p, i) => tier("database", i, p.database, {}));

        const publicRt = new aws.ec2.RouteTable(`${name}-public-rt`, {
            vpcId: vpc.id,
            routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
            tags: { Name: `${name}-public` },
        }, { parent: this });
        publicSubnets.forEach((s, i) => new aws.ec2.RouteTableAssociation(`${name}-public-rta-${i + 1}`, {
            subnetId: s.id,
            routeTableId: publicRt.id,
        }, { parent: this }));

        const natCount = a.natStrategy === "single" ? 1 : a.azCount;
        const nats = Array.from({ length: natCount }, (_, i) => {
            const eip = new aws.ec2.Eip(`${name}-nat-eip-${i + 1}`, { domain: "vpc", tags: { Name: `${name}-nat-${i + 1}` } }, { parent: this });
            return new aws.ec2.NatGateway(`${name}-nat-${i + 1}`, {
                allocationId: eip.id,
                subnetId: publicSubnets[i].id,
                tags: { Name: `${name}-nat-${i + 1}` },
            }, { parent: this, dependsOn: [igw] });
        });

        const privateRts = privateSubnets.map((s, i) => {
            const rt = new aws.ec2.RouteTable(`${name}-private-rt-${i + 1}`, {
                vpcId: vpc.id,
                // With one NAT every AZ routes through it; with perAz each AZ keeps its own.
                routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[Math.min(i, natCount - 1)].id }],
                tags: { Name: `${name}-private-${i + 1}` },
            }, { parent: this });
            new aws.ec2.RouteTableAssociation(`${name}-private-rta-${i + 1}`, { subnetId: s.id, routeTableId: rt.id }, { parent: this });
            return rt;
        });

        // Database subnets only reach the VPC: RDS needs no internet access.
        const databaseRt = new aws.ec2.RouteTable(`${name}-database-rt`, {
            vpcId: vpc.id,
            tags: { Name: `${name}-database` },
        }, { parent: this });
        databaseSubnets.forEach((s, i) => new aws.ec2.RouteTableAssociation(`${name}-database-rta-${i + 1}`, {
            subnetId: s.id,
            routeTableId: databaseRt.id,
        }, { parent: this }));

        // S3 traffic (MLflow artifacts, ECR image layers) goes through the free gateway endpoint
        // instead of paying NAT data processing.
        new aws.ec2.VpcEndpoint(`${name}-s3`, {
            vpcId: vpc.id,
            serviceName: `com.amazonaws.${a.region}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: [...privateRts.map((rt) => rt.id), databaseRt.id],
            tags: { Name: `${name}-s3` },
        }, { parent: this });

        if (a.flowLogs) {
            const key = a.flowLogKms ? this.flowLogKey(name) : undefined;
            const logGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, {
                retentionInDays: a.flowLogRetentionDays,
                kmsKeyId: key?.arn,
            }, { parent: this });
            const role = new aws.iam.Role(`${name}-flow-logs`, {
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
            }, { parent: this });
            new aws.iam.RolePolicy(`${name}-flow-logs`, {
                role: role.id,
                policy: logGroup.arn.apply((arn) => JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        Resource: [arn, `${arn}:*`],
                    }],
                })),
            }, { parent: this });
            new aws.ec2.FlowLog(`${name}-flow-log`, {
                vpcId: vpc.id,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: logGroup.arn,
                iamRoleArn: role.arn,
            }, { parent: this });
        }

        this.vpcId = vpc.id;
        this.vpcCidr = a.vpcCidr;
        this.privateSubnetIds = privateSubnets.map((s) => s.id);
        this.publicSubnetIds = publicSubnets.map((s) => s.id);
        this.databaseSubnetIds = databaseSubnets.map((s) => s.id);
        this.availabilityZones = pulumi.all(privateSubnets.map((s) => s.availabilityZone));
        this.registerOutputs({
            vpcId: this.vpcId,
            privateSubnetIds: this.privateSubnetIds,
            publicSubnetIds: this.publicSubnetIds,
            databaseSubnetIds: this.databaseSubnetIds,
        });
    }

    /** KMS key for the flow-log group: rotated, 30-day window, usable by CloudWatch Logs in this account only. */
    private flowLogKey(name: string): aws.kms.Key {
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const region = aws.getRegionOutput({}, { parent: this }).region;
        return new aws.kms.Key(`${name}-flow-logs-key`, {
            description: `${name}: VPC flow logs`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            policy: pulumi.all([account, partition, region]).apply(([acct, part, reg]) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "AccountAdministration", Effect: "Allow", Principal: { AWS: `arn:${part}:iam::${acct}:root` }, Action: "kms:*", Resource: "*" },
                    cloudWatchLogsStatement(part, reg, acct),
                ],
            })),
        }, { parent: this, protect: true, retainOnDelete: true });
    }
}
