/** A Network built under mocks, shared by the network layer's tests. */
import { Network } from "../../components/network";
import { resetRecords, resolve, settle } from "../mocks";

export async function build(name: string, args: Partial<ConstructorParameters<typeof Network>[1]> = {}) {
    resetRecords();
    const net = new Network(name, { vpcCidr: "10.0.0.0/16", azCount: 2, region: "us-west-2", ...args });
    await resolve(net.vpcId);
    await settle();
    return net;
}
