import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { autoscalerPolicy, ClusterServices, ClusterServicesArgs, resolveClusterServicesArgs } from "../components/cluster-services";
import { CHARTS, IMAGES } from "../components/shared/versions";
import { invalidObjects } from "./k8s-schema";
import { allRecords, byType, one, resetRecords, resolve, settle } from "./mocks";

class Agent extends pulumi.CustomResource {
    constructor() {
        super("aws:eks/addon:Addon", "agent", {});
    }
}

async function build(overrides: Partial<ClusterServicesArgs> = {}) {
    resetRecords();
    const agent = new Agent();
    const s = new ClusterServices("svc", {
        clusterName: "mlp-test",
        region: "us-west-2",
        kubernetesVersion: "1.35",
        podIdentityAgent: agent,
        ...overrides,
    });
    await resolve(s.storageClassName);
    await settle();
    return s;
}

describe("ClusterServices", () => {
    it("creates the default encrypted gp3 StorageClass bound where pods land", async () => {
        await build({ storageReclaimPolicy: "Delete" });
        const sc = one("kubernetes:storage.k8s.io/v1:StorageClass", "svc-gp3");
        expect(sc.inputs).toMatchObject({
            metadata: { name: "gp3", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
            provisioner: "ebs.csi.aws.com",
            parameters: { type: "gp3", encrypted: "true" },
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
            reclaimPolicy: "Delete",
        });
        expect(sc.inputs.parameters.kmsKeyId).toBeUndefined();
    });

    it("encrypts volumes with the given KMS key and retains them by default", async () => {
        await build({ volumeKmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/k" });
        const sc = one("kubernetes:storage.k8s.io/v1:StorageClass", "svc-gp3");
        expect(sc.inputs.parameters.kmsKeyId).toBe("arn:aws:kms:us-west-2:123456789012:key/k");
        expect(sc.inputs.reclaimPolicy).toBe("Retain");
    });

    it("runs the NVIDIA device plugin only on GPU nodes, tolerating their taint, in a privileged namespace with a reason", async () => {
        await build();
        const rel = one("kubernetes:helm.sh/v3:Release", "svc-nvidia-device-plugin");
        expect(rel.inputs.chart).toBe(CHARTS.nvidiaDevicePlugin.chart);
        expect(rel.inputs.version).toBe(CHARTS.nvidiaDevicePlugin.version);
        expect(rel.inputs.repositoryOpts).toEqual({ repo: CHARTS.nvidiaDevicePlugin.repo });
        expect(rel.inputs.namespace).toBe("nvidia-device-plugin");
        expect(rel.inputs.values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms)
            .toEqual([{ matchExpressions: [{ key: "nvidia.com/gpu.present", operator: "In", values: ["true"] }] }]);
        expect(rel.inputs.values.tolerations).toContainEqual({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
        const ns = one("kubernetes:core/v1:Namespace", "svc-nvidia");
        expect(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
        expect(ns.inputs.metadata.annotations["mlplatform.io/pod-security-reason"]).toMatch(/hostPath/);
    });

    it("configures the cluster autoscaler to discover this cluster's groups and scale GPU nodes down when idle", async () => {
        await build({ scaleDownUnneededMinutes: 5 });
        const rel = one("kubernetes:helm.sh/v3:Release", "svc-cluster-autoscaler");
        expect(rel.inputs.version).toBe(CHARTS.clusterAutoscaler.version);
        expect(rel.inputs.namespace).toBe("kube-system");
        const values = rel.inputs.values;
        expect(values.autoDiscovery).toEqual({ clusterName: "mlp-test" });
        expect(values.awsRegion).toBe("us-west-2");
        expect(`${values.image.repository}:${values.image.tag}`).toBe(IMAGES.clusterAutoscaler["1.35"]);
        expect(values.rbac.serviceAccount).toEqual({ create: true, name: "cluster-autoscaler" });
        expect(values.extraArgs).toMatchObject({ "scale-down-unneeded-time": "5m", "skip-nodes-with-system-pods": false, "balance-similar-node-groups": true });
        expect(values.containerSecurityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        expect(values.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        expect(rel.dependencies).toContain(one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "svc-autoscaler-association").urn);
    });

    it("binds the autoscaler's role to its ServiceAccount after the Pod Identity agent", async () => {
        await build();
        const assoc = one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "svc-autoscaler-association");
        expect(assoc.inputs).toMatchObject({ namespace: "kube-system", serviceAccount: "cluster-autoscaler", clusterName: "mlp-test" });
        expect(assoc.dependencies).toContain(byType("aws:eks/addon:Addon", "agent")[0].urn);
        const policy = JSON.parse(one("aws:iam/rolePolicy:RolePolicy", "svc-autoscaler-policy").inputs.policy);
        expect(policy).toEqual(JSON.parse(autoscalerPolicy("mlp-test")));
    });

    it("limits autoscaler writes to groups tagged as owned by this cluster and can read node groups at zero", () => {
        const policy = JSON.parse(autoscalerPolicy("mlp-test"));
        const [write, read] = policy.Statement;
        expect(write.Action).toEqual(["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]);
        expect(write.Condition).toEqual({ StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/mlp-test": "owned" } });
        expect(read.Action.every((a: string) => /:(Describe|Get)/.test(a))).toBe(true);
        expect(read.Action).toContain("eks:DescribeNodegroup");
        expect(read.Action).toContain("ec2:DescribeInstanceTypes");
    });

    it("declares only schema-valid objects under the component", async () => {
        await build();
        expect(await invalidObjects(allRecords())).toEqual([]);
        for (const r of allRecords().filter((x) => x.type !== "mlplatform:index:ClusterServices" && x.name !== "agent")) {
            expect(r.parent, r.name).toMatch(/::mlplatform:index:ClusterServices::svc$/);
        }
    });

    it("documents its defaults truthfully and validates", () => {
        const agent = {} as pulumi.Resource;
        const r = resolveClusterServicesArgs({ clusterName: "x", region: "us-west-2", kubernetesVersion: "1.35", podIdentityAgent: agent });
        expect(r.storageReclaimPolicy).toBe("Retain");
        expect(r.scaleDownUnneededMinutes).toBe(10);
        expect(() => resolveClusterServicesArgs({ clusterName: "x", region: "us-west-2", kubernetesVersion: "1.20", podIdentityAgent: agent }))
            .toThrow("kubernetesVersion (1.20) has no pinned cluster-autoscaler image");
        expect(() => resolveClusterServicesArgs({ clusterName: "x", region: "us-west-2", kubernetesVersion: "1.35", podIdentityAgent: agent, scaleDownUnneededMinutes: 0 }))
            .toThrow("scaleDownUnneededMinutes (0) must be a whole number from 1 to 120");
    });
});
