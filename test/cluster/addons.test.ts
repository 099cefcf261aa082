import { describe, expect, it } from "vitest";
import { KUBERNETES_VERSIONS } from "../../components/shared/versions";
import { byType, one } from "../mocks";
import { build } from "./fixture";

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

    it("creates the DaemonSet add-ons with the node groups, not before them, and the Deployment add-ons after the DaemonSets", async () => {
        await build();
        const urn = (n: string) => one("aws:eks/addon:Addon", n).urn;
        const cpus = byType("aws:eks/nodeGroup:NodeGroup", "c-cpu-");
        const gpus = byType("aws:eks/nodeGroup:NodeGroup", "c-gpu-");
        expect(cpus).toHaveLength(2);
        expect(gpus).toHaveLength(2);
        // Issue 19: waiting for the CNI add-on to be ACTIVE before creating the nodes put ~1 min on
        // every fresh stack; terraform-aws-modules/eks v21.19.0 creates them together (addons.ts).
        for (const ng of [...cpus, ...gpus]) {
            for (const daemonSet of ["c-vpc-cni", "c-kube-proxy", "c-pod-identity-agent"]) {
                expect(ng.dependencies).not.toContain(urn(daemonSet));
            }
        }
        // No group is held back by another (CPU or GPU, any AZ): they are created in parallel.
        for (const ng of [...cpus, ...gpus]) {
            expect(ng.dependencies.filter((d) => [...cpus, ...gpus].some((g) => g.urn === d))).toEqual([]);
        }
        // coredns and the EBS CSI driver start with the CPU group (issue 19), after the CNI their
        // pods need; the provider waits for them to be ACTIVE, so nothing downstream changes.
        for (const n of ["c-coredns", "c-ebs-csi"]) {
            expect(one("aws:eks/addon:Addon", n).dependencies.filter((d) => cpus.some((g) => g.urn === d))).toEqual([]);
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
