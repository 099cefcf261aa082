/** The network layer's config keys and their validation (the VPC's address plan and egress). */
import { formatCidr, isPrivate } from "../shared/cidr";
import { KeyTable, Settings } from "../shared/settings";

export type NatStrategy = "single" | "perAz";

export const NETWORK_KEYS = {
    vpcCidr: { type: "string", description: "VPC IPv4 CIDR, RFC 1918, prefix /16 to /20.", default: { sandbox: "10.0.0.0/16", production: "10.0.0.0/16" } },
    azCount: { type: "integer", description: "Availability zones to spread subnets and nodes over (2 or 3).", default: { sandbox: 2, production: 3 }, docs: { production: "`3` (production refuses fewer)" } },
    natStrategy: { type: "string", description: "NAT gateways: single (one for the VPC) or perAz (one per AZ).", default: { sandbox: "single", production: "perAz" } },
    // Flow logs cost per GB ingested; a disposable sandbox skips them (checklist NET-01).
    vpcFlowLogs: { type: "boolean", description: "Send VPC flow logs to CloudWatch Logs.", default: { sandbox: false, production: true } },
} as const satisfies KeyTable;

export interface NetworkSettings {
    readonly vpcCidr: string;
    readonly azCount: number;
    /**
     * AZs whose subnets the EKS control plane uses: the preset's count, whatever `azCount` says
     * later, because EKS refuses subnets outside the AZs a cluster was created with
     * (aws/containers-roadmap#170). Nodes and data stores use every AZ.
     */
    readonly controlPlaneAzCount: number;
    readonly natStrategy: NatStrategy;
    readonly flowLogs: boolean;
    readonly flowLogRetentionDays: number;
}

/** Resolves the network keys; `logRetentionDays` is the cluster layer's (one retention for both log kinds). */
export function resolveNetworkSettings(s: Settings<keyof typeof NETWORK_KEYS>, logRetentionDays: number): NetworkSettings {
    const vpcCidrText = s.str("vpcCidr")!;
    const vpc = s.cidr("vpcCidr", vpcCidrText);
    if (!isPrivate(vpc)) {
        s.fail("vpcCidr", vpcCidrText, "must lie in an RFC 1918 range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)");
    }
    if (vpc.prefix < 16 || vpc.prefix > 20) {
        s.fail("vpcCidr", vpcCidrText, "prefix must be between /16 and /20 (AWS allows /16 at most; /20 is the smallest that fits the subnet plan)");
    }
    const azCount = s.int("azCount", 2, 3);
    if (s.preset === "production" && azCount < 3) {
        s.fail("azCount", azCount, "production needs 3 availability zones (Multi-AZ RDS, zone-spread Elasticsearch)");
    }
    return {
        vpcCidr: formatCidr(vpc),
        azCount,
        controlPlaneAzCount: Math.min(azCount, s.default<number>("azCount")),
        natStrategy: s.oneOf<NatStrategy>("natStrategy", ["single", "perAz"]),
        flowLogs: s.bool("vpcFlowLogs"),
        flowLogRetentionDays: logRetentionDays,
    };
}
