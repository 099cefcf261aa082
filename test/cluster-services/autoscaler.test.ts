import { describe, expect, it } from "vitest";
import { autoscalerPolicy } from "../../components/cluster-services/autoscaler";
import { CHARTS, IMAGES } from "../../components/shared/versions";
import { byType, one } from "../mocks";
import { build } from "./fixture";

describe("ClusterServices: cluster autoscaler", () => {
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

    it("caps the GPUs of all per-AZ GPU groups together with --gpu-total <accelerator>:0:<max>", async () => {
        await build({ gpuTotal: { accelerator: "nvidia-l4", maxGpus: 16 } });
        const arg = one("kubernetes:helm.sh/v3:Release", "svc-cluster-autoscaler").inputs.values.extraArgs["gpu-total"];
        expect(arg).toBe("nvidia-l4:0:16");
        // cluster-autoscaler-1.35.2 config/flags/flags.go parseSingleGpuLimit: "<type>:<min>:<max>",
        // integers, 0 <= min <= max; the type is the node's k8s.amazonaws.com/accelerator value.
        const parts = String(arg).split(":");
        expect(parts).toHaveLength(3);
        const [min, max] = parts.slice(1).map(Number);
        expect(Number.isInteger(min) && Number.isInteger(max) && min >= 0 && min <= max).toBe(true);
    });

    it("caps all nodes of every per-AZ group, CPU and GPU, with --max-nodes-total, a string the chart prints as is", async () => {
        // cluster-autoscaler-1.35.2 config/flags/flags.go: max-nodes-total is an int flag; the chart
        // (9.59.0 templates/deployment.yaml) renders each extraArgs entry as --<key>=<value>.
        await build({ maxNodesTotal: 1000000 });
        const arg = one("kubernetes:helm.sh/v3:Release", "svc-cluster-autoscaler").inputs.values.extraArgs["max-nodes-total"];
        expect(arg).toBe("1000000");
        expect(`--max-nodes-total=${arg}`).toMatch(/^--max-nodes-total=[1-9][0-9]*$/);
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
});
