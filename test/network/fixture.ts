/** A Network built under mocks, shared by the network layer's tests. */
import { Network, NetworkArgs } from "../../components/network";
import { buildComponent } from "../mocks";

/** Production-like arguments, as the network settings resolve them (components/network/settings.ts). */
const BASE: NetworkArgs = { vpcCidr: "10.0.0.0/16", azCount: 2, region: "us-west-2", natStrategy: "perAz", flowLogs: true, flowLogRetentionDays: 90, flowLogKms: false };

export async function build(name: string, args: Partial<NetworkArgs> = {}) {
    return buildComponent(() => new Network(name, { ...BASE, ...args }), (net) => [net.vpcId]);
}
