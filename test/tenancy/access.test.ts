import { describe, expect, it } from "vitest";
import { AUDITOR_CLUSTER_RULES } from "../../components/tenancy";
import { byType, one } from "../mocks";
import { arn, build } from "./fixtures";

describe("Tenancy: EKS access entries", () => {
    it("maps each principal to its group with a namespace-scoped view policy; auditors view every namespace but jupyterhub", async () => {
        await build();
        const entry = one("aws:eks/accessEntry:AccessEntry", "teams-vision-member-role-vision-ds");
        expect(entry.inputs).toMatchObject({ clusterName: "mlp", principalArn: arn("vision-ds"), type: "STANDARD", kubernetesGroups: ["mlplatform:team:vision:members"] });
        const assoc = one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "teams-vision-member-role-vision-ds");
        expect(assoc.inputs.accessScope).toEqual({ type: "namespace", namespaces: ["vision", "vision-staging"] });
        expect(assoc.inputs.policyArn).toBe("arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy");
        expect(assoc.dependencies).toContain(entry.urn);
        // Every argument of both is ForceNew: a replacement must delete first (see components/tenancy/access.ts).
        expect([entry.deleteBeforeReplace, assoc.deleteBeforeReplace]).toEqual([true, true]);
        expect(one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "teams-auditor-role-auditor").inputs.accessScope).toEqual({
            type: "namespace",
            namespaces: ["mlflow", "logging", "monitoring", "nvidia-device-plugin", "kueue-system", "node-exporter", "fluentd", "kube-system", "elastic-system", "vision", "vision-staging", "nlp", "forecast"],
        });
        expect(one("aws:eks/accessEntry:AccessEntry", "teams-auditor-role-auditor").inputs.kubernetesGroups).toEqual(["mlplatform:auditors"]);
        expect(one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "teams-auditor").inputs.rules).toEqual(AUDITOR_CLUSTER_RULES);
        expect(JSON.stringify(AUDITOR_CLUSTER_RULES)).not.toMatch(/"pods|secrets/);
        expect(byType("aws:eks/accessEntry:AccessEntry")).toHaveLength(5);
    });
});
