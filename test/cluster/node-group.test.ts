import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { GPU_ROOT_THROUGHPUT_MIBPS, gpuNodeUserData, NODE_ROLE_POLICIES } from "../../components/cluster/node-group";
import { ACCELERATOR_LABEL } from "../../components/shared/gpu";
import { byType, one } from "../mocks";
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

    it("taints and labels GPU nodes and lets them scale from zero", async () => {
        await build();
        const gpu = one("aws:eks/nodeGroup:NodeGroup", "c-gpu");
        expect(gpu.inputs).toMatchObject({
            amiType: "AL2023_x86_64_NVIDIA",
            scalingConfig: { minSize: 0, desiredSize: 0, maxSize: 3 },
            taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }],
            labels: { "mlplatform.io/node-pool": "gpu", "nvidia.com/gpu.present": "true", "k8s.amazonaws.com/accelerator": "nvidia-a10g" },
            tags: { "k8s.io/cluster-autoscaler/enabled": "true", "k8s.io/cluster-autoscaler/mlp-test": "owned" },
        });
    });

    it("tags the GPU Auto Scaling group with the node template the autoscaler needs at zero nodes", async () => {
        await build({ gpuNodeGroup: { ...base.gpuNodeGroup, instanceTypes: ["g5.12xlarge"] } });
        const tags: Record<string, any> = Object.fromEntries(byType("aws:autoscaling/tag:Tag").map((t) => [t.inputs.tag.key, t.inputs]));
        expect(Object.keys(tags).sort()).toEqual([
            "k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator",
            "k8s.io/cluster-autoscaler/node-template/label/mlplatform.io/node-pool",
            "k8s.io/cluster-autoscaler/node-template/label/nvidia.com/gpu.present",
            "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu",
            "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu",
        ]);
        expect(tags["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"].tag.value).toBe("4");
        expect(tags["k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"].tag.value).toBe("true:NoSchedule");
        for (const t of Object.values(tags)) {
            expect(t.autoscalingGroupName).toBe("eks-c-gpu-asg");
        }
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
        expect(one("aws:eks/nodeGroup:NodeGroup", "c-gpu").inputs.labels[ACCELERATOR_LABEL]).toBe(accelerator);
        expect(one("aws:eks/nodeGroup:NodeGroup", "c-cpu").inputs.labels[ACCELERATOR_LABEL]).toBeUndefined();
        const tag = byType("aws:autoscaling/tag:Tag").find((t) => t.inputs.tag.key === `k8s.io/cluster-autoscaler/node-template/label/${ACCELERATOR_LABEL}`);
        expect(tag?.inputs.tag).toEqual({ key: "k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator", value: accelerator, propagateAtLaunch: false });
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
