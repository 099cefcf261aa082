/**
 * The subnets: public, private (nodes and pods) and database tiers, one subnet per AZ each, in
 * regular (not Local or Wavelength) zones. No subnet assigns public IPs on launch.
 */
import * as aws from "../shared/aws";
import * as pulumi from "@pulumi/pulumi";
import { planSubnets } from "../shared/cidr";
import { NetworkArgs } from "./args";

/** The three tiers, each one subnet per AZ in AZ order. */
export interface Subnets {
    readonly public: aws.ec2.Subnet[];
    readonly private: aws.ec2.Subnet[];
    readonly database: aws.ec2.Subnet[];
}

/**
 * Subnets per the CIDR plan. Public and private subnets carry the load-balancer role tags and,
 * with a cluster name, the `kubernetes.io/cluster/<name>` tag the AWS Load Balancer Controller
 * uses to pick subnets when several clusters share a VPC.
 */
export function subnets(name: string, a: NetworkArgs, vpcId: pulumi.Input<string>, parent: pulumi.ComponentResource): Subnets {
    const plan = planSubnets(a.vpcCidr, a.azCount);
    const azs = aws.getAvailabilityZonesOutput(
        // Local and Wavelength zones are opt-in; EKS and RDS need regular zones.
        { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
        { parent },
    );
    const azName = (i: number) => azs.names.apply((names) => {
        if (names.length < a.azCount) {
            throw new Error(`Network needs ${a.azCount} availability zones but ${a.region} offers ${names.length}: ${names.join(", ")}`);
        }
        return names[i];
    });

    const clusterTag: Record<string, string> = a.clusterName ? { [`kubernetes.io/cluster/${a.clusterName}`]: "shared" } : {};
    const tier = (tierName: string, i: number, cidrBlock: string, tags: Record<string, string>) =>
        new aws.ec2.Subnet(`${name}-${tierName}-${i + 1}`, {
            vpcId,
            cidrBlock,
            availabilityZone: azName(i),
            // Nothing launches with a public IP; NAT gateways and load balancers bring their own.
            mapPublicIpOnLaunch: false,
            tags: { Name: `${name}-${tierName}-${i + 1}`, tier: tierName, ...tags },
        }, { parent });

    return {
        public: plan.map((p, i) => tier("public", i, p.public, { "kubernetes.io/role/elb": "1", ...clusterTag })),
        private: plan.map((p, i) => tier("private", i, p.private, { "kubernetes.io/role/internal-elb": "1", ...clusterTag })),
        database: plan.map((p, i) => tier("database", i, p.database, {})),
    };
}
