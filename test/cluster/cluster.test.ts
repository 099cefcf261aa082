import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { Cluster, ClusterArgs, GPU_ROOT_THROUGHPUT_MIBPS, gpuNodeUserData, NODE_ROLE_POLICIES, principalKey, resolveClusterArgs } from "../../components/cluster";
import { ACCELERATOR_LABEL } from "../../components/shared/gpu";
import { KUBERNETES_VERSIONS } from "../../components/shared/versions";
import { allRecords, byType, one, resetRecords, resolve, settle } from "../mocks";

const base: ClusterArgs = {
    clusterName: "mlp-test",
    vpcId: "vpc-1",
    privateSubnetIds: ["subnet-a", "subnet-b"],
    publicSubnetIds: ["subnet-pa", "subnet-pb"],
    kubernetesVersion: "1.35",
    cpuNodeGroup: { instanceTypes: ["m7i.xlarge"], capacityType: "ON_DEMAND", minSize: 2, desiredSize: 2, maxSize: 5, diskSizeGiB: 50 },
    gpuNodeGroup: { instanceTypes: ["g5.xlarge"], capacityType: "ON_DEMAND", minSize: 0, desiredSize: 0, maxSize: 3, diskSizeGiB: 100 },
    publicAccessCidrs: ["203.0.113.0/24"],
};

async function build(overrides: Partial<ClusterArgs> = {}) {
    resetRecords();
    const c = new Cluster("c", { ...base, ...overrides });
    await resolve(c.clusterName);
    await resolve(c.gpuAutoScalingGroupName);
    await settle();
    return c;
}

describe("Cluster: control plane", () => {
    it("passes the hardened settings to the eks component", async () => {
        await build();
        const eks = one("eks:index:Cluster", "c-eks");
        expect(eks.inputs).toMatchObject({
            name: "mlp-test",
            version: "1.35",
            authenticationMode: "API",
            endpointPrivateAccess: true,
            endpointPublicAccess: true,
            publicAccessCidrs: ["203.0.113.0/24"],
            enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
            encryptionConfigKeyArn: "arn:aws:kms:us-west-2:123456789012:key/c-key",
            upgradePolicy: { supportType: "STANDARD" },
            deletionProtection: true,
            skipDefaultNodeGroup: true,
            skipDefaultSecurityGroups: true,
            nodeAssociatePublicIpAddress: false,
            bootstrapSelfManagedAddons: false,
            corednsAddonOptions: { enabled: false },
            kubeProxyAddonOptions: { enabled: false },
            kubernetesServiceIpAddressRange: "172.20.0.0/16",
        });
    });

    it("turns the public endpoint off when no CIDR is listed", async () => {
        await build({ publicAccessCidrs: [] });
        const eks = one("eks:index:Cluster", "c-eks");
        expect(eks.inputs.endpointPublicAccess).toBe(false);
        expect(eks.inputs.publicAccessCidrs).toBeUndefined();
    });

    it("declares the control-plane log group, with retention and KMS, before the cluster", async () => {
        await build({ logRetentionDays: 14 });
        const lg = one("aws:cloudwatch/logGroup:LogGroup", "c-control-plane-logs");
        expect(lg.inputs.name).toBe("/aws/eks/mlp-test/cluster");
        expect(lg.inputs.retentionInDays).toBe(14);
        expect(lg.inputs.kmsKeyId).toBe("arn:aws:kms:us-west-2:123456789012:key/c-key");
        expect(one("eks:index:Cluster", "c-eks").dependencies).toContain(lg.urn);
    });

    it("creates a rotating KMS key whose policy admits only the account and CloudWatch Logs", async () => {
        await build({ kmsDeletionWindowDays: 7 });
        const key = one("aws:kms/key:Key", "c-key");
        expect(key.inputs.enableKeyRotation).toBe(true);
        expect(key.inputs.deletionWindowInDays).toBe(7);
        const policy = JSON.parse(key.inputs.policy);
        expect(policy.Statement.map((s: any) => s.Principal)).toEqual([
            { AWS: "arn:aws:iam::123456789012:root" },
            { Service: "logs.us-west-2.amazonaws.com" },
        ]);
        expect(policy.Statement[1].Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"]).toBe("arn:aws:logs:us-west-2:123456789012:log-group:*");
    });

    it("maps each admin principal to cluster-admin through an access entry", async () => {
        await build({ adminPrincipalArns: ["arn:aws:iam::123456789012:role/platform-admin", "arn:aws:iam::123456789012:user/alice"] });
        expect(byType("aws:eks/accessEntry:AccessEntry").map((r) => r.name)).toEqual(["c-admin-role-platform-admin", "c-admin-user-alice"]);
        for (const a of byType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")) {
            expect(a.inputs.policyArn).toBe("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
            expect(a.inputs.accessScope).toEqual({ type: "cluster" });
            expect(a.inputs.clusterName).toBe("mlp-test");
        }
    });
});

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
});

describe("Cluster: add-ons", () => {
    it("pins every add-on to the versions for its Kubernetes version", async () => {
        await build({ kubernetesVersion: "1.35" });
        const v = KUBERNETES_VERSIONS["1.35"];
        const addons = Object.fromEntries(byType("aws:eks/addon:Addon").map((a) => [a.inputs.addonName, a.inputs.addonVersion]));
        expect(addons).toEqual({
            "vpc-cni": v.vpcCni,
            "kube-proxy": v.kubeProxy,
            "eks-pod-identity-agent": v.podIdentityAgent,
            "coredns": v.coredns,
            "aws-ebs-csi-driver": v.ebsCsiDriver,
        });
    });

    it("enables network policy enforcement in the VPC CNI", async () => {
        await build();
        const cni = one("aws:eks/addon:Addon", "c-vpc-cni");
        expect(JSON.parse(cni.inputs.configurationValues)).toEqual({ enableNetworkPolicy: "true" });
    });

    it("has the EBS CSI driver tag its volumes with the cluster (kubernetes.io/cluster/<name>=owned, for the destroy leftover check)", async () => {
        await build();
        const csi = one("aws:eks/addon:Addon", "c-ebs-csi");
        expect(JSON.parse(csi.inputs.configurationValues)).toEqual({ controller: { k8sTagClusterId: expect.any(String) } });
        expect(JSON.parse(csi.inputs.configurationValues).controller.k8sTagClusterId).not.toBe("");
    });

    it("installs DaemonSet add-ons before nodes and Deployment add-ons alongside the CPU group", async () => {
        await build();
        const urn = (n: string) => one("aws:eks/addon:Addon", n).urn;
        const cpu = one("aws:eks/nodeGroup:NodeGroup", "c-cpu");
        const gpu = one("aws:eks/nodeGroup:NodeGroup", "c-gpu");
        for (const ng of [cpu, gpu]) {
            expect(ng.dependencies).toEqual(expect.arrayContaining([urn("c-vpc-cni"), urn("c-kube-proxy"), urn("c-pod-identity-agent")]));
        }
        // GPU nodes are not held back by the CPU group: they are created in parallel.
        expect(gpu.dependencies).not.toContain(cpu.urn);
        // coredns and the EBS CSI driver start with the CPU group (issue 19), after the CNI their
        // pods need; the provider waits for them to be ACTIVE, so nothing downstream changes.
        for (const n of ["c-coredns", "c-ebs-csi"]) {
            expect(one("aws:eks/addon:Addon", n).dependencies).not.toContain(cpu.urn);
            expect(one("aws:eks/addon:Addon", n).dependencies).toEqual(expect.arrayContaining([urn("c-vpc-cni"), urn("c-kube-proxy")]));
        }
    });

    it("gives the EBS CSI driver its own Pod Identity role bound to its ServiceAccount", async () => {
        await build();
        const assoc = one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "c-ebs-csi-association");
        expect(assoc.inputs).toMatchObject({ namespace: "kube-system", serviceAccount: "ebs-csi-controller-sa", clusterName: "mlp-test" });
        expect(assoc.dependencies).toContain(one("aws:eks/addon:Addon", "c-pod-identity-agent").urn);
        expect(one("aws:eks/addon:Addon", "c-ebs-csi").dependencies).toContain(assoc.urn);
        const trust = JSON.parse(one("aws:iam/role:Role", "c-ebs-csi-role").inputs.assumeRolePolicy);
        expect(trust.Statement).toEqual([{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }]);
        const kms = JSON.parse(one("aws:iam/rolePolicy:RolePolicy", "c-ebs-csi-policy").inputs.policy);
        for (const s of kms.Statement) {
            expect(s.Resource).toBe("arn:aws:kms:us-west-2:123456789012:key/c-key");
        }
    });
});

describe("Cluster: outputs and structure", () => {
    it("keeps the kubeconfig secret and parents every child", async () => {
        const c = await build();
        const pulumi = await import("@pulumi/pulumi");
        expect(await pulumi.isSecret(c.kubeconfigJson)).toBe(true);
        for (const r of allRecords().filter((x) => x.type !== "mlplatform:index:Cluster")) {
            expect(r.parent, r.name).toMatch(/::mlplatform:index:Cluster::c$/);
        }
        expect(c.workloadPrerequisites).toHaveLength(3);
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

    it("documents its defaults truthfully", () => {
        const r = resolveClusterArgs(base);
        expect(r.serviceCidr).toBe("172.20.0.0/16");
        expect(r.adminPrincipalArns).toEqual([]);
        expect(r.controlPlaneLogTypes).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
        expect(r.logRetentionDays).toBe(90);
        expect(r.deletionProtection).toBe(true);
        expect(r.kmsDeletionWindowDays).toBe(30);
        expect(r.controlPlaneAzCount).toBe(base.privateSubnetIds.length);
        expect(resolveClusterArgs({ ...base, publicAccessCidrs: undefined }).publicAccessCidrs).toEqual([]);
    });

    it.each<[Partial<ClusterArgs>, string]>([
        [{ kubernetesVersion: "1.20" }, "kubernetesVersion (1.20) is not supported; use one of"],
        [{ privateSubnetIds: ["a"] }, "privateSubnetIds has 1 subnet(s); EKS needs at least two AZs"],
        [{ controlPlaneAzCount: 3 }, "controlPlaneAzCount (3) must be from 2 (an EKS minimum) to the 2 AZs of privateSubnetIds"],
        [{ publicAccessCidrs: ["0.0.0.0/0"] }, "publicAccessCidrs contains 0.0.0.0/0"],
        [{ controlPlaneLogTypes: ["api"] }, "controlPlaneLogTypes (api) must include audit"],
        [{ kmsDeletionWindowDays: 31 }, "kmsDeletionWindowDays (31) must be between 7 and 30"],
        [{ cpuNodeGroup: { ...base.cpuNodeGroup, minSize: 0 } }, "cpuNodeGroup sizes must satisfy 1 <= minSize (0)"],
        [{ gpuNodeGroup: { ...base.gpuNodeGroup, minSize: 4 } }, "gpuNodeGroup sizes must satisfy 0 <= minSize (4) <= desiredSize (0) <= maxSize (3)"],
        [{ gpuNodeGroup: { ...base.gpuNodeGroup, instanceTypes: [] } }, "gpuNodeGroup.instanceTypes is empty"],
        [{ gpuNodeGroup: { ...base.gpuNodeGroup, instanceTypes: ["m7i.large"] } }, "must be NVIDIA types with the same GPU count"],
        [{ gpuNodeGroup: { ...base.gpuNodeGroup, instanceTypes: ["g5.xlarge", "g6.xlarge"] } }, "gpuNodeGroup.instanceTypes (g5.xlarge,g6.xlarge) must share one GPU model; they have nvidia-a10g, nvidia-l4"],
        [{ cpuNodeGroup: { ...base.cpuNodeGroup, diskSizeGiB: 8 } }, "cpuNodeGroup.diskSizeGiB (8) must be at least 20"],
    ])("rejects %o", (bad, message) => {
        expect(() => resolveClusterArgs({ ...base, ...bad })).toThrow(message);
    });

    it("derives stable access-entry keys from ARNs", () => {
        expect(principalKey("arn:aws:iam::123456789012:role/team/Data-Admin")).toBe("role-team-data-admin");
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
