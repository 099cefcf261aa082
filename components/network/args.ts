/**
 * The network layer's arguments: what the {@link Network} component takes, its defaults and the
 * checks on them (thrown before any resource is registered).
 */
import { planSubnets } from "../shared/cidr";

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
