/** A ClusterServices built under mocks, shared by the cluster-services layer's tests. */
import * as pulumi from "@pulumi/pulumi";
import { ClusterServices, ClusterServicesArgs } from "../../components/cluster-services";
import { buildComponent } from "../mocks";

class Agent extends pulumi.CustomResource {
    constructor() {
        super("aws:eks/addon:Addon", "agent", {});
    }
}

export async function build(overrides: Partial<ClusterServicesArgs> = {}) {
    return buildComponent(
        () =>
            new ClusterServices("svc", {
                clusterName: "mlp-test",
                region: "us-west-2",
                kubernetesVersion: "1.35",
                podIdentityAgent: new Agent(),
                storageReclaimPolicy: "Retain",
                loadBalancerController: false,
                vpcId: VPC,
                gpuTotal: { accelerator: "nvidia-a10g", maxGpus: 3 },
                maxNodesTotal: 8,
                ...overrides,
            }),
        (s) => [s.storageClassName],
    );
}

export const VPC = "vpc-0123456789abcdef0";
export const LBC = { loadBalancerController: true, vpcId: VPC } as const;
