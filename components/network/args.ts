/**
 * The network layer's arguments: what the {@link Network} component takes. Their rules and
 * defaults are the network settings' (settings.ts: `vpcCidr`, `azCount`, `natStrategy`,
 * `vpcFlowLogs`) and the cluster settings' (`logRetentionDays`), which refuse a bad config key
 * before anything here runs; the component takes the resolved values as they are.
 */

/** Arguments of {@link Network}. */
export interface NetworkArgs {
    /** VPC IPv4 CIDR (RFC 1918, /16 to /20). */
    readonly vpcCidr: string;
    /** Number of availability zones (2 or 3). Decides how many subnets and route tables exist. */
    readonly azCount: number;
    /** AWS region, for the S3 gateway endpoint's service name. */
    readonly region: string;
    /**
     * NAT gateways: `single` (one, in the first AZ; a sandbox saves ~$32/month per gateway) or
     * `perAz` (one per AZ, so losing an AZ does not cut the others off the internet).
     */
    readonly natStrategy: "single" | "perAz";
    /** Send VPC flow logs (all traffic) to a CloudWatch log group the component declares. */
    readonly flowLogs: boolean;
    /** Retention of the flow-log group, in days (a CloudWatch-allowed value). */
    readonly flowLogRetentionDays: number;
    /**
     * Encrypt the flow-log group with a customer-managed KMS key of its own (checklist LOG-01, in
     * production). Its own key because the platform key is made with the cluster, after the VPC.
     * The key is `protect`ed and `retainOnDelete` like the platform key (KMS-02).
     */
    readonly flowLogKms: boolean;
    /**
     * Name of the EKS cluster that will use the subnets. Adds the `kubernetes.io/cluster/<name>`
     * tag the AWS Load Balancer Controller uses to pick subnets when several clusters share a VPC.
     * @default - no cluster tag
     */
    readonly clusterName?: string;
}
