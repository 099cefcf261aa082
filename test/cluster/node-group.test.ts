import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { GPU_ROOT_THROUGHPUT_MIBPS, gpuGroupSizes, gpuNodeUserData, NODE_ROLE_POLICIES } from "../../components/cluster/node-group";
import { ACCELERATOR_LABEL } from "../../components/shared/gpu";
import { GraphNode } from "../../scripts/bench-critical-path";
import { idleMonthlyCost } from "../../scripts/bench-cost";
import { allRecords, byType, one } from "../mocks";
import { base, build } from "./fixture";

describe("Cluster: nodes", () => {
    it.each(["cpu", "gpu"])("%s launch template requires IMDSv2 with hop limit 1 and encrypted gp3 root", async (role) => {
        await build();
        const lt = one("aws:ec2/launchTemplate:LaunchTemplate", `c-${role}-lt`);
        expect(lt.inputs.metadataOptions).toEqual({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
        expect(lt.inputs.blockDeviceMappings).toEqual([{
            deviceName: "/dev/xvda",
            ebs: { volumeSize: role === "cpu" ? 50 : 100, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true", ...(role === "gpu" ? { throughput: 600 } : {}) },
        }]);
        expect(lt.inputs.vpcSecurityGroupIds).toEqual(["sg-0cluster0000000001", "c-node-sg-id"]);
        expect(lt.inputs.networkInterfaces).toBeUndefined();
    });

    it("runs CPU nodes in private subnets on the standard AL2023 AMI", async () => {
        await build();
        const cpu = one("aws:eks/nodeGroup:NodeGroup", "c-cpu");
        expect(cpu.inputs).toMatchObject({
            amiType: "AL2023_x86_64_STANDARD",
            subnetIds: ["subnet-a", "subnet-b"],
            instanceTypes: ["m7i.xlarge"],
            capacityType: "ON_DEMAND",
            scalingConfig: { minSize: 2, desiredSize: 2, maxSize: 5 },
            labels: { "mlplatform.io/node-pool": "cpu" },
            launchTemplate: { id: "c-cpu-lt-id", version: "1" },
        });
        expect(cpu.inputs.taints).toBeUndefined();
        expect(cpu.inputs.remoteAccess).toBeUndefined();
        expect(cpu.ignoreChanges).toContain("scalingConfig.desiredSize");
    });

    const GPU_LABELS = { "mlplatform.io/node-pool": "gpu", "nvidia.com/gpu.present": "true", "k8s.amazonaws.com/accelerator": "nvidia-a10g" };

    it.each([
        [["subnet-a", "subnet-b"]],
        [["subnet-a", "subnet-b", "subnet-c"]],
    ])("runs one GPU group per private subnet (one per AZ), each in exactly that subnet: %j", async (privateSubnetIds) => {
        // Issue 19: a multi-AZ group at zero gets a template node in its first AZ only
        // (cluster-autoscaler-1.35.2 aws_manager.go getAsgTemplate), so a pod whose volume is in
        // another AZ never scales it up.
        await build({ privateSubnetIds });
        const groups = byType("aws:eks/nodeGroup:NodeGroup", "c-gpu");
        expect(groups.map((g) => g.name)).toEqual(privateSubnetIds.map((_, i) => `c-gpu-${i + 1}`));
        expect(groups.map((g) => g.inputs.subnetIds)).toEqual(privateSubnetIds.map((id) => [id]));
        // The CPU group keeps every AZ (not changed by issue 19).
        expect(one("aws:eks/nodeGroup:NodeGroup", "c-cpu").inputs.subnetIds).toEqual(privateSubnetIds);
    });

    it("taints and labels every GPU group identically, on one launch template, and lets them scale from zero", async () => {
        await build({ privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"] });
        const groups = byType("aws:eks/nodeGroup:NodeGroup", "c-gpu-");
        expect(groups).toHaveLength(3);
        for (const gpu of groups) {
            expect(gpu.inputs).toMatchObject({
                amiType: "AL2023_x86_64_NVIDIA",
                version: "1.35",
                instanceTypes: ["g5.xlarge"],
                capacityType: "ON_DEMAND",
                // maxSize is the whole gpuMaxSize in each AZ: every user with a home there may need a GPU.
                scalingConfig: { minSize: 0, desiredSize: 0, maxSize: 3 },
                updateConfig: { maxUnavailable: 1 },
                launchTemplate: { id: "c-gpu-lt-id", version: "1" },
                tags: { "k8s.io/cluster-autoscaler/enabled": "true", "k8s.io/cluster-autoscaler/mlp-test": "owned" },
            });
            expect(gpu.inputs.labels).toEqual(GPU_LABELS);
            expect(gpu.inputs.taints).toEqual([{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }]);
            expect(gpu.inputs.nodeGroupName).toBeUndefined();
            expect(gpu.ignoreChanges).toContain("scalingConfig.desiredSize");
            expect(gpu.deleteBeforeReplace).toBe(false);
        }
        // balance-similar-node-groups treats the groups as one set only if their nodes look alike.
        const shape = (g: (typeof groups)[number]) => JSON.stringify({ ...g.inputs, subnetIds: undefined });
        expect(new Set(groups.map(shape)).size).toBe(1);
        expect(byType("aws:ec2/launchTemplate:LaunchTemplate").map((lt) => lt.name).sort()).toEqual(["c-cpu-lt", "c-gpu-lt"]);
    });

    it("tags every GPU Auto Scaling group with the node template the autoscaler needs at zero nodes, and no zone tag", async () => {
        await build({ gpuNodeGroup: { ...base.gpuNodeGroup, instanceTypes: ["g5.12xlarge"] }, privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"] });
        const tags = byType("aws:autoscaling/tag:Tag");
        const asgs = [...new Set(tags.map((t) => t.inputs.autoscalingGroupName))].sort();
        expect(asgs).toEqual(["eks-c-gpu-1-asg", "eks-c-gpu-2-asg", "eks-c-gpu-3-asg"]);
        for (const asg of asgs) {
            const mine: Record<string, any> = Object.fromEntries(tags.filter((t) => t.inputs.autoscalingGroupName === asg).map((t) => [t.inputs.tag.key, t.inputs.tag]));
            // No topology.kubernetes.io/zone tag: a one-AZ ASG's AvailabilityZones[0] is already its zone
            // (aws_manager.go getAsgTemplate / buildGenericLabels), so the tag would restate it.
            expect(Object.keys(mine).sort()).toEqual([
                "k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator",
                "k8s.io/cluster-autoscaler/node-template/label/mlplatform.io/node-pool",
                "k8s.io/cluster-autoscaler/node-template/label/nvidia.com/gpu.present",
                "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu",
                "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu",
            ]);
            expect(mine["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"].value).toBe("4");
            expect(mine["k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"].value).toBe("true:NoSchedule");
            expect(Object.values(mine).every((t) => t.propagateAtLaunch === false)).toBe(true);
        }
        expect(tags.filter((t) => t.name.startsWith("c-gpu-2-asg-"))).toHaveLength(5);
    });

    it.each([
        [{ minSize: 0, desiredSize: 0, maxSize: 2 }, 2, [[0, 0, 2], [0, 0, 2]]],
        [{ minSize: 0, desiredSize: 0, maxSize: 8 }, 3, [[0, 0, 8], [0, 0, 8], [0, 0, 8]]],
        [{ minSize: 1, desiredSize: 1, maxSize: 8 }, 3, [[1, 1, 8], [0, 0, 8], [0, 0, 8]]],
        [{ minSize: 5, desiredSize: 5, maxSize: 8 }, 3, [[2, 2, 8], [2, 2, 8], [1, 1, 8]]],
    ])("sizes the per-AZ GPU groups from %j over %i AZs: the minimum is a total, never more idle GPUs than configured", (spec, azs, expected) => {
        const sizes = gpuGroupSizes(spec, azs);
        expect(sizes.map((g) => [g.minSize, g.desiredSize, g.maxSize])).toEqual(expected);
        expect(sizes.reduce((n, g) => n + g.minSize, 0)).toBe(spec.minSize);
        expect(sizes.reduce((n, g) => n + g.desiredSize, 0)).toBe(spec.desiredSize);
    });

    it("refuses GPU groups without a private subnet", () => {
        expect(() => gpuGroupSizes(base.gpuNodeGroup, 0)).toThrow("Cluster: privateSubnetIds has 0 subnets; the GPU node groups need one private subnet per AZ, at least one");
    });

    it("spreads a warm GPU minimum over the groups and keeps the total", async () => {
        await build({ gpuNodeGroup: { ...base.gpuNodeGroup, minSize: 1, desiredSize: 1 } });
        expect(byType("aws:eks/nodeGroup:NodeGroup", "c-gpu-").map((g) => g.inputs.scalingConfig)).toEqual([
            { minSize: 1, desiredSize: 1, maxSize: 3 }, { minSize: 0, desiredSize: 0, maxSize: 3 },
        ]);
        // The idle bill (scripts/bench-cost.ts) holds one GPU node, as with the single group before.
        const gpuLines = idleMonthlyCost(allRecords() as unknown as GraphNode[]).lines.filter((l) => l.item.includes("g5.xlarge"));
        expect(gpuLines.map((l) => l.item)).toEqual(["1 × g5.xlarge ON_DEMAND (c-gpu-1) + root volumes"]);
    });

    it.each([
        [["g5.xlarge"], 3, { accelerator: "nvidia-a10g", maxGpus: 3 }],
        [["g5.12xlarge"], 3, { accelerator: "nvidia-a10g", maxGpus: 12 }],
        [["p5.48xlarge"], 2, { accelerator: "nvidia-h100", maxGpus: 16 }],
    ])("caps %j x %i nodes at their GPUs in total over every AZ (the autoscaler's --gpu-total)", async (instanceTypes, maxSize, total) => {
        const c = await build({ gpuNodeGroup: { ...base.gpuNodeGroup, instanceTypes, maxSize } });
        expect(c.gpuTotal).toEqual(total);
    });

    it("gives the node role only the worker, CNI, ECR read-only and SSM policies", async () => {
        await build();
        const attached = byType("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "c-node-").map((a) => a.inputs.policyArn).sort();
        expect(attached).toEqual(Object.values(NODE_ROLE_POLICIES).sort());
        expect(JSON.parse(one("aws:iam/role:Role", "c-node-role").inputs.assumeRolePolicy).Statement[0].Principal).toEqual({ Service: "ec2.amazonaws.com" });
    });

    it("gives the node security group no ingress and only the documented egress", async () => {
        await build();
        const sg = one("aws:ec2/securityGroup:SecurityGroup", "c-node-sg");
        expect(sg.inputs.ingress).toEqual([]);
        expect(sg.inputs.egress).toHaveLength(1);
    });

    it.each([
        [["g5.xlarge"], "nvidia-a10g"],
        [["g4dn.xlarge", "g4dn.2xlarge"], "nvidia-tesla-t4"],
        [["g6.xlarge"], "nvidia-l4"],
        [["p5.48xlarge"], "nvidia-h100"],
    ])("labels GPU nodes %j k8s.amazonaws.com/accelerator=%s on the node and the scale-from-zero template alike", async (instanceTypes, accelerator) => {
        // cluster-autoscaler 1.35.2 aws_cloud_provider.go GPULabel; gpu_processor.go treats a labelled
        // node without nvidia.com/gpu allocatable as unready, so it does not scale up a second node.
        await build({ gpuNodeGroup: { ...base.gpuNodeGroup, instanceTypes } });
        const groups = byType("aws:eks/nodeGroup:NodeGroup", "c-gpu-");
        expect(groups).toHaveLength(2);
        expect(groups.map((g) => g.inputs.labels[ACCELERATOR_LABEL])).toEqual([accelerator, accelerator]);
        expect(one("aws:eks/nodeGroup:NodeGroup", "c-cpu").inputs.labels[ACCELERATOR_LABEL]).toBeUndefined();
        const tags = byType("aws:autoscaling/tag:Tag").filter((t) => t.inputs.tag.key === `k8s.io/cluster-autoscaler/node-template/label/${ACCELERATOR_LABEL}`);
        expect(tags.map((t) => t.inputs.autoscalingGroupName)).toEqual(["eks-c-gpu-1-asg", "eks-c-gpu-2-asg"]);
        for (const tag of tags) {
            expect(tag.inputs.tag).toEqual({ key: "k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator", value: accelerator, propagateAtLaunch: false });
        }
        expect(ACCELERATOR_LABEL).toBe("k8s.amazonaws.com/accelerator");
    });

    it("turns on nodeadm FastImagePull on GPU nodes only, in user data EKS can merge, with the disk throughput it needs", async () => {
        await build();
        const gpuLt = one("aws:ec2/launchTemplate:LaunchTemplate", "c-gpu-lt");
        const cpuLt = one("aws:ec2/launchTemplate:LaunchTemplate", "c-cpu-lt");
        const configs = nodeadmConfigs(Buffer.from(gpuLt.inputs.userData, "base64").toString("utf8"));
        expect(configs).toEqual([{ apiVersion: "node.eks.aws/v1alpha1", kind: "NodeConfig", spec: { featureGates: { FastImagePull: true } } }]);
        // nodeadm 1.x NodeConfig enum for featureGates (api/v1alpha1/nodeconfig_types.go); EKS supplies spec.cluster.
        expect(Object.keys(configs[0].spec.featureGates).every((g) => ["InstanceIdNodeName", "FastImagePull"].includes(g))).toBe(true);
        expect(configs[0].spec.cluster).toBeUndefined();
        expect(cpuLt.inputs.userData).toBeUndefined();
        expect(gpuLt.inputs.blockDeviceMappings[0].ebs.throughput).toBe(600);
        expect(GPU_ROOT_THROUGHPUT_MIBPS).toBeGreaterThanOrEqual(600);
        expect(cpuLt.inputs.blockDeviceMappings[0].ebs.throughput).toBeUndefined();
    });

    it("reads user data the way nodeadm does: a plain NodeConfig is not a multipart document EKS can merge into", () => {
        expect(() => nodeadmConfigs(gpuNodeUserData().replace("multipart/mixed", "text/plain"))).toThrow("not multipart");
        expect(() => nodeadmConfigs(gpuNodeUserData().replace("application/node.eks.aws", "text/x-shellscript"))).toThrow("could not find NodeConfig");
    });
});

/**
 * nodeadm's reading of user data (awslabs/amazon-eks-ami `nodeadm/internal/configprovider/mime.go`):
 * an RFC 822 message whose Content-Type is multipart/* with a boundary; every part whose media
 * type is `application/node.eks.aws` is a NodeConfig document; none at all is an error.
 */
function nodeadmConfigs(userData: string): any[] {
    const text = userData.replace(/\r\n/g, "\n");
    const split = text.indexOf("\n\n");
    const headers = Object.fromEntries(text.slice(0, split).split("\n").map((l) => [l.slice(0, l.indexOf(":")).trim().toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
    const contentType = headers["content-type"] ?? "";
    if (!/^multipart\//i.test(contentType)) {
        throw new Error("MIME type is not multipart");
    }
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (boundary === undefined) {
        throw new Error("multipart without boundary");
    }
    const body = text.slice(split + 2);
    const parts = body.split(new RegExp(`^--${boundary}(?:--)?$`, "m")).slice(1, -1);
    const configs = parts.flatMap((part) => {
        const p = part.replace(/^\n/, "");
        const end = p.indexOf("\n\n");
        const type = /^content-type:\s*([^;\n]+)/im.exec(p.slice(0, end))?.[1].trim();
        return type === "application/node.eks.aws" ? parseAllDocuments(p.slice(end + 2)).map((d) => d.toJS()).filter((d) => d !== null) : [];
    });
    if (configs.length === 0) {
        throw new Error("could not find NodeConfig within UserData");
    }
    return configs;
}
