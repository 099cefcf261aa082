import { describe, expect, it } from "vitest";
import { PLATFORM_VIEW_RULES } from "../../components/tenancy";
import { Env } from "../../policy/checks";
import { TENANCY_CHECKS } from "../../policy/checks-tenancy";
import { allRecords, ResourceRecord } from "../mocks";
import { build } from "./fixtures";

describe("TENANCY_CHECKS", () => {
    const run = (rs: ResourceRecord[], env: Env = "production") => TENANCY_CHECKS.flatMap((c) => c.evaluate(rs, env));
    const mutated = (fn: (rs: ResourceRecord[]) => void) => {
        const rs = allRecords().map((r) => ({ ...r, inputs: structuredClone(r.inputs) }));
        fn(rs);
        return run(rs).map((x) => x.id);
    };
    const find = (rs: ResourceRecord[], type: string, ns: string, name: string) => rs.find((r) => r.type === type && r.inputs.metadata?.namespace === ns && r.inputs.metadata?.name === name)!;

    it("pass on the component in both environments", async () => {
        await build();
        expect(run(allRecords(), "production")).toEqual([]);
        expect(run(allRecords(), "sandbox")).toEqual([]);
    });

    it.each<[string, (rs: ResourceRecord[]) => void]>([
        ["NS-01", (rs) => { rs.find((r) => r.name === "teams-nlp-ns")!.inputs.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline"; }],
        ["NS-02", (rs) => { rs.splice(rs.indexOf(find(rs, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "nlp", "default-deny")), 1); }],
        ["NS-02", (rs) => { rs.splice(rs.indexOf(find(rs, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "nlp", "allow-dns")), 1); }],
        ["NS-03", (rs) => { delete find(rs, "kubernetes:core/v1:ResourceQuota", "nlp", "team-quota").inputs.spec.hard["requests.nvidia.com/gpu"]; }],
        ["NS-03", (rs) => { rs.splice(rs.indexOf(find(rs, "kubernetes:core/v1:LimitRange", "nlp", "team-defaults")), 1); }],
        ["NS-04", (rs) => { find(rs, "kubernetes:rbac.authorization.k8s.io/v1:Role", "nlp", "team-member").inputs.rules.push({ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }); }],
        ["NS-04", (rs) => { find(rs, "kubernetes:rbac.authorization.k8s.io/v1:Role", "nlp", "team-lead").inputs.rules.push({ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["bind"] }); }],
        ["NS-04", (rs) => { rs.push({ ...rs[0], type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", name: "x", inputs: { subjects: [{ kind: "Group", name: "mlplatform:team:nlp:members" }] } }); }],
        ["NS-06", (rs) => { find(rs, "kubernetes:rbac.authorization.k8s.io/v1:Role", "jupyterhub", "mlplatform-team-viewer").inputs.rules = PLATFORM_VIEW_RULES; }],
        ["NS-06", (rs) => { rs.find((r) => r.name === "teams-auditor-role-auditor" && r.type.endsWith("AccessPolicyAssociation"))!.inputs.accessScope = { type: "cluster" }; }],
        ["NS-06", (rs) => { rs.find((r) => r.name === "teams-auditor-role-auditor" && r.type.endsWith("AccessPolicyAssociation"))!.inputs.accessScope.namespaces.push("jupyterhub"); }],
        ["NS-06", (rs) => { find(rs, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "jupyterhub", "mlplatform-team-viewers").inputs.roleRef = { kind: "ClusterRole", name: "view" }; }],
        ["NS-06", (rs) => { rs.find((r) => r.name === "teams-auditor" && r.type.endsWith(":ClusterRole"))!.inputs.rules.push({ apiGroups: [""], resources: ["pods"], verbs: ["list"] }); }],
        // The audit's question: "internet on 443 except the VPC" also admits 172.20.0.1, the API server's Service IP.
        ["NS-09", (rs) => { find(rs, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "vision", "allow-internet-https").inputs.spec.egress[0].to[0].ipBlock.except = ["10.0.0.0/16", "169.254.169.254/32"]; }],
        ["NS-09", (rs) => { find(rs, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "nlp", "allow-kubernetes-api").inputs.spec.egress[0].to[1].ipBlock.cidr = "172.20.0.0/16"; }],
        ["NS-07", (rs) => { find(rs, "kubernetes:core/v1:ResourceQuota", "nlp", "team-quota").inputs.spec.hard["services.loadbalancers"] = "1"; }],
        ["NS-07", (rs) => { delete find(rs, "kubernetes:core/v1:ResourceQuota", "nlp", "team-quota").inputs.spec.hard["services.nodeports"]; }],
        ["NS-05", (rs) => { rs.find((r) => r.name === "teams-nlp-member-role-nlp-ds" && r.type.endsWith("AccessPolicyAssociation"))!.inputs.policyArn = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"; }],
        ["NS-05", (rs) => { rs.find((r) => r.name === "teams-nlp-member-role-nlp-ds" && r.type.endsWith("AccessPolicyAssociation"))!.inputs.accessScope = { type: "namespace", namespaces: [] }; }],
    ])("%s fails on a non-compliant fixture", async (id, mutate) => {
        await build();
        expect(mutated(mutate)).toContain(id);
    });
});

