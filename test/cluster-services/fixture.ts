/** A ClusterServices built under mocks, shared by the cluster-services layer's tests. */
import * as pulumi from "@pulumi/pulumi";
import { ClusterServices, ClusterServicesArgs } from "../../components/cluster-services";
import { resetRecords, resolve, settle } from "../mocks";

class Agent extends pulumi.CustomResource {
    constructor() {
        super("aws:eks/addon:Addon", "agent", {});
    }
}

export async function build(overrides: Partial<ClusterServicesArgs> = {}) {
    resetRecords();
    const agent = new Agent();
    const s = new ClusterServices("svc", {
        clusterName: "mlp-test",
        region: "us-west-2",
        kubernetesVersion: "1.35",
        podIdentityAgent: agent,
        storageReclaimPolicy: "Retain",
        loadBalancerController: false,
        vpcId: VPC,
        ...overrides,
    });
    await resolve(s.storageClassName);
    await settle();
    return s;
}

export const VPC = "vpc-0123456789abcdef0";
export const LBC = { loadBalancerController: true, vpcId: VPC } as const;
