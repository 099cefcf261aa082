/** A minimal Cluster, built under mocks, shared by the cluster layer's tests. */
import { Cluster, ClusterArgs } from "../../components/cluster";
import { buildComponentOnce } from "../mocks";

/** Production-like arguments, as the cluster settings resolve them (components/cluster/settings.ts). */
export const base: ClusterArgs = {
    clusterName: "mlp-test",
    vpcId: "vpc-1",
    privateSubnetIds: ["subnet-a", "subnet-b"],
    publicSubnetIds: ["subnet-pa", "subnet-pb"],
    controlPlaneAzCount: 2,
    kubernetesVersion: "1.35",
    serviceCidr: "172.20.0.0/16",
    cpuNodeGroup: { instanceTypes: ["m7i.xlarge"], capacityType: "ON_DEMAND", minSize: 2, desiredSize: 2, maxSize: 5, diskSizeGiB: 50 },
    gpuNodeGroup: { instanceTypes: ["g5.xlarge"], capacityType: "ON_DEMAND", minSize: 0, desiredSize: 0, maxSize: 3, diskSizeGiB: 100 },
    publicAccessCidrs: ["203.0.113.0/24"],
    adminPrincipalArns: [],
    controlPlaneLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    logRetentionDays: 90,
    deletionProtection: true,
    protect: false,
    kmsDeletionWindowDays: 30,
};

export async function build(overrides: Partial<ClusterArgs> = {}) {
    return buildComponentOnce(["c", overrides], () => new Cluster("c", { ...base, ...overrides }), (c) => [c.clusterName, ...c.gpuAutoScalingGroupNames]);
}
