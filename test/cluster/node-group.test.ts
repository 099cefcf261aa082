import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { GPU_ROOT_THROUGHPUT_MIBPS, gpuNodeUserData, NODE_ROLE_POLICIES, perAzGroupSizes } from "../../components/cluster/node-group";
import { ACCELERATOR_LABEL } from "../../components/shared/gpu";
import { GraphNode } from "../../scripts/bench-critical-path";
import { idleMonthlyCost } from "../../scripts/bench-cost";
import { allRecords, byType, one } from "../mocks";
import { base, build } from "./fixture";

/** What every group of a pool shares: AMI, version, types, capacity, rolling updates, its pool's template, autoscaler tags, blue/green replacement. */
function expectPoolGroup(g: ReturnType<typeof one>, pool: "cpu" | "gpu", amiType: string, instanceType: string): void {
    expect(g.inputs).toMatchObject({
        amiType,
        version: "1.35",
        instanceTypes: [instanceType],
        capacityType: "ON_DEMAND",
        updateConfig: { maxUnavailable: 1 },
        launchTemplate: { id: `c-${pool}-lt-id`, version: "1" },
        tags: { "k8s.io/cluster-autoscaler/enabled": "true", "k8s.io/cluster-autoscaler/mlp-test": "owned" },
    });
    expect(g.inputs.remoteAccess).toBeUndefined();
    expect(g.inputs.nodeGroupName).toBeUndefined();
    expect(g.ignoreChanges).toContain("scalingConfig.desiredSize");
    expect(g.deleteBeforeReplace).toBe(false);
}

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

    it("runs CPU nodes in private subnets on the standard AL2023 AMI, one identical group per AZ on one launch template", async () => {
        await build({ privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"] });
        const groups = byType("aws:eks/nodeGroup:NodeGroup", "c-cpu-");
        expect(groups).toHaveLength(3);
        for (const cpu of groups) {
            expectPoolGroup(cpu, "cpu", "AL2023_x86_64_STANDARD", "m7i.xlarge");
            expect(cpu.inputs.labels).toEqual({ "mlplatform.io/node-pool": "cpu" });
            expect(cpu.inputs.taints).toBeUndefined();
        }
        // cpuMinSize/desired 2 over 3 AZs: 1, 1, 0; each group may grow to the whole cpuMaxSize.
        expect(groups.map((g) => g.inputs.scalingConfig)).toEqual([
            { minSize: 1, desiredSize: 1, maxSize: 5 }, { minSize: 1, desiredSize: 1, maxSize: 5 }, { minSize: 0, desiredSize: 0, maxSize: 5 },
        ]);
        // balance-similar-node-groups treats the groups as one set only if their nodes look alike.
        const shape = (g: (typeof groups)[number]) => JSON.stringify({ ...g.inputs, subnetIds: undefined, scalingConfig: undefined });
        expect(new Set(groups.map(shape)).size).toBe(1);
    });

    const GPU_LABELS = { "mlplatform.io/node-pool": "gpu", "nvidia.com/gpu.present": "true", "k8s.amazonaws.com/accelerator": "nvidia-a10g" };

    it.each([
        [["subnet-a", "subnet-b"]],
        [["subnet-a", "subnet-b", "subnet-c"]],
    ])("runs one CPU and one GPU group per private subnet (one per AZ), each in exactly that subnet: %j", async (privateSubnetIds) => {
        // Issue 19: a multi-AZ group at zero gets a template node in its first AZ only
        // (cluster-autoscaler-1.35.2 aws_manager.go getAsgTemplate), and one with nodes is modelled
        // on a running node, its AZ included (mixed_nodeinfos_processor.go), so a pod whose volume
        // is in another AZ may never scale it up.
        await build({ privateSubnetIds });
        for (const pool of ["cpu", "gpu"]) {
            const groups = byType("aws:eks/nodeGroup:NodeGroup", `c-${pool}`);
            expect(groups.map((g) => g.name)).toEqual(privateSubnetIds.map((_, i) => `c-${pool}-${i + 1}`));
            expect(groups.map((g) => g.inputs.subnetIds)).toEqual(privateSubnetIds.map((id) => [id]));
        }
    });

    it("taints and labels every GPU group identically, on one launch template, and lets them scale from zero", async () => {
        await build({ privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"] });
        const groups = byType("aws:eks/nodeGroup:NodeGroup", "c-gpu-");
        expect(groups).toHaveLength(3);
        for (const gpu of groups) {
            expectPoolGroup(gpu, "gpu", "AL2023_x86_64_NVIDIA", "g5.xlarge");
            // maxSize is the whole gpuMaxSize in each AZ: every user with a home there may need a GPU.
            expect(gpu.inputs.scalingConfig).toEqual({ minSize: 0, desiredSize: 0, maxSize: 3 });
            expect(gpu.inputs.labels).toEqual(GPU_LABELS);
            expect(gpu.inputs.taints).toEqual([{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }]);
        }
        // balance-similar-node-groups treats the groups as one set only if their nodes look alike.
        const shape = (g: (typeof groups)[number]) => JSON.stringify({ ...g.inputs, subnetIds: undefined });
        expect(new Set(groups.map(shape)).size).toBe(1);
        expect(byType("aws:ec2/launchTemplate:LaunchTemplate").map((lt) => lt.name).sort()).toEqual(["c-cpu-lt", "c-gpu-lt"]);
    });

    it("tags every GPU Auto Scaling group with the node template the autoscaler needs at zero nodes, and no zone tag", async () => {
        await build({ gpuNodeGroup: { ...base.gpuNodeGroup, instanceTypes: ["g5.12xlarge"] }, privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"] });
        const tags = byType("aws:autoscaling/tag:Tag", "c-gpu-");
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

    it.each([2, 3])("tags every CPU Auto Scaling group (over %i AZs) with the node-pool label, so a CPU group at zero takes platform pods", async (azs) => {
        // The sandbox keeps 1 CPU node in total: its second AZ's group idles at zero, and a platform
        // pod (nodeSelector mlplatform.io/node-pool: cpu) whose volume is there scales it up only if
        // the template node carries the label (aws_manager.go extractLabelsFromAsg; DescribeNodegroup
        // only until the group's first node).
        const privateSubnetIds = ["subnet-a", "subnet-b", "subnet-c"].slice(0, azs);
        const c = await build({ privateSubnetIds, cpuNodeGroup: { ...base.cpuNodeGroup, minSize: 1, desiredSize: 1 } });
        const groups = byType("aws:eks/nodeGroup:NodeGroup", "c-cpu-");
        expect(groups.map((g) => g.inputs.scalingConfig.minSize)).toEqual([1, ...privateSubnetIds.slice(1).map(() => 0)]);
        const tags = byType("aws:autoscaling/tag:Tag", "c-cpu-");
        expect(tags.map((t) => [t.name, t.inputs.autoscalingGroupName, t.inputs.tag])).toEqual(privateSubnetIds.map((_, i) => [
            `c-cpu-${i + 1}-asg-label-mlplatform-io-node-pool`, `eks-c-cpu-${i + 1}-asg`,
            { key: "k8s.io/cluster-autoscaler/node-template/label/mlplatform.io/node-pool", value: groups[i].inputs.labels["mlplatform.io/node-pool"], propagateAtLaunch: false },
        ]));
        expect(tags[0].inputs.tag.value).toBe("cpu");
        expect(await Promise.all(c.cpuAutoScalingGroupNames.map((n) => new Promise((r) => n.apply(r))))).toEqual(privateSubnetIds.map((_, i) => `eks-c-cpu-${i + 1}-asg`));
    });

    it.each([
        [{ minSize: 1, desiredSize: 1, maxSize: 4 }, 2, [[1, 1, 4], [0, 0, 4]]],
        [{ minSize: 3, desiredSize: 3, maxSize: 12 }, 3, [[1, 1, 12], [1, 1, 12], [1, 1, 12]]],
        [{ minSize: 0, desiredSize: 0, maxSize: 2 }, 2, [[0, 0, 2], [0, 0, 2]]],
        [{ minSize: 0, desiredSize: 0, maxSize: 8 }, 3, [[0, 0, 8], [0, 0, 8], [0, 0, 8]]],
        [{ minSize: 1, desiredSize: 1, maxSize: 8 }, 3, [[1, 1, 8], [0, 0, 8], [0, 0, 8]]],
        [{ minSize: 5, desiredSize: 5, maxSize: 8 }, 3, [[2, 2, 8], [2, 2, 8], [1, 1, 8]]],
    ])("sizes a pool's per-AZ groups from %j over %i AZs: the minimum is a total, never more idle nodes than configured", (spec, azs, expected) => {
        const sizes = perAzGroupSizes("cpu", spec, azs);
        expect(sizes.map((g) => [g.minSize, g.desiredSize, g.maxSize])).toEqual(expected);
        expect(sizes.reduce((n, g) => n + g.minSize, 0)).toBe(spec.minSize);
        expect(sizes.reduce((n, g) => n + g.desiredSize, 0)).toBe(spec.desiredSize);
    });

    it("refuses per-AZ groups without a private subnet, naming the pool", () => {
        expect(() => perAzGroupSizes("gpu", base.gpuNodeGroup, 0)).toThrow("Cluster: privateSubnetIds has 0 subnets; the GPU node groups need one private subnet per AZ, at least one");
        expect(() => perAzGroupSizes("cpu", base.cpuNodeGroup, 0)).toThrow("Cluster: privateSubnetIds has 0 subnets; the CPU node groups need one private subnet per AZ, at least one");
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

    it.each([2, 3])("caps all nodes at cpuMaxSize + gpuMaxSize however many per-AZ groups there are (%i AZs; the autoscaler's --max-nodes-total)", async (azs) => {
        const c = await build({ privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"].slice(0, azs) });
        // Each of the 2 x azs groups may reach its pool's maximum alone; the cluster not beyond 5 + 3.
        expect(byType("aws:eks/nodeGroup:NodeGroup").reduce((n, g) => n + g.inputs.scalingConfig.maxSize, 0)).toBe(azs * (5 + 3));
        expect(c.maxNodesTotal).toBe(5 + 3);
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
        expect(one("aws:eks/nodeGroup:NodeGroup", "c-cpu-1").inputs.labels[ACCELERATOR_LABEL]).toBeUndefined();
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
