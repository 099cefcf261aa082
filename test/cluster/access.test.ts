import { describe, expect, it } from "vitest";
import { principalKey } from "../../components/cluster/access";
import { byType } from "../mocks";
import { build } from "./fixture";

describe("Cluster: access entries", () => {
    it("maps each admin principal to cluster-admin through an access entry", async () => {
        await build({ adminPrincipalArns: ["arn:aws:iam::123456789012:role/platform-admin", "arn:aws:iam::123456789012:user/alice"] });
        expect(byType("aws:eks/accessEntry:AccessEntry").map((r) => r.name)).toEqual(["c-admin-role-platform-admin", "c-admin-user-alice"]);
        for (const a of byType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")) {
            expect(a.inputs.policyArn).toBe("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
            expect(a.inputs.accessScope).toEqual({ type: "cluster" });
            expect(a.inputs.clusterName).toBe("mlp-test");
        }
    });

    it("derives stable access-entry keys from ARNs", () => {
        expect(principalKey("arn:aws:iam::123456789012:role/team/Data-Admin")).toBe("role-team-data-admin");
    });
});
