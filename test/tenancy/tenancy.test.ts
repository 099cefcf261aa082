import { describe, expect, it } from "vitest";
import { AUDITOR_CLUSTER_RULES, LEAD_RULES, MEMBER_RULES, PLATFORM_VIEW_RULES, resolveTenancyArgs, TOKEN_NAMESPACE_VIEW_RULES, TeamSpec, Tenancy, TenancyArgs, validateTeams } from "../../components/tenancy";
import { MLFLOW_CREDENTIALS_SECRET } from "../../components/tracking/auth";
import { Env } from "../../policy/checks";
import { TENANCY_CHECKS } from "../../policy/checks-tenancy";
import { invalidObjects } from "../k8s-schema";
import { allRecords, byType, one, resetRecords, resolve, ResourceRecord, settle } from "../mocks";

const arn = (n: string) => `arn:aws:iam::123456789012:role/${n}`;
const teams: TeamSpec[] = [
    { name: "vision", memberPrincipalArns: [arn("vision-ds")], leadPrincipalArns: [arn("vision-lead")], quota: { cpu: "32", memory: "128Gi", gpu: 4, storage: "1Ti", pods: 100 }, extraNamespaces: ["staging"] },
    { name: "nlp", memberPrincipalArns: [arn("nlp-ds")], leadPrincipalArns: [], quota: { cpu: "16", memory: "64Gi", gpu: 0, storage: "500Gi", pods: 50 }, internetEgress: false, kubernetesApiAccess: true },
    { name: "forecast", memberPrincipalArns: [], leadPrincipalArns: [arn("fc-lead")], quota: { cpu: "8", memory: "32Gi", gpu: 1, storage: "100Gi", pods: 20 } },
];
const base: TenancyArgs = { clusterName: "mlp", teams, vpcCidr: "10.0.0.0/16", auditorPrincipalArns: [arn("auditor")] };

async function build(args: TenancyArgs = base) {
    resetRecords();
    const t = new Tenancy("teams", args);
    await resolve(t.urn);
    await settle();
    return t;
}
const inNs = (type: string, ns: string) => byType(type).filter((r) => r.inputs.metadata?.namespace === ns);

describe("Tenancy", () => {
    it("creates one restricted, MLflow-admitted namespace per team and extra namespace", async () => {
        const t = await build();
        expect(t.namespaces).toEqual({ vision: ["vision", "vision-staging"], nlp: ["nlp"], forecast: ["forecast"] });
        const names = byType("kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata.name);
        expect(names).toEqual(["vision", "vision-staging", "nlp", "forecast"]);
        for (const n of byType("kubernetes:core/v1:Namespace")) {
            expect(n.inputs.metadata.labels).toMatchObject({
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
                "pod-security.kubernetes.io/warn": "restricted",
                "mlplatform.io/mlflow-client": "true",
            });
        }
        expect(one("kubernetes:core/v1:Namespace", "teams-vision-staging-ns").inputs.metadata.labels["mlplatform.io/team"]).toBe("vision");
    });

    it.each([["vision", "4"], ["nlp", "0"], ["forecast", "1"]])("quotas team %s at %s GPUs, with cpu, memory, storage and pods", async (team, gpus) => {
        await build();
        const [q] = inNs("kubernetes:core/v1:ResourceQuota", team);
        const spec = teams.find((x) => x.name === team)!.quota;
        expect(q.inputs.spec.hard).toEqual({
            "requests.cpu": spec.cpu,
            "requests.memory": spec.memory,
            "requests.nvidia.com/gpu": gpus,
            "requests.storage": spec.storage,
            pods: `${spec.pods}`,
            "services.loadbalancers": "0",
            "services.nodeports": "0",
        });
    });

    it("sets default requests and a memory limit, no CPU limit", async () => {
        await build();
        const [lr] = inNs("kubernetes:core/v1:LimitRange", "nlp");
        expect(lr.inputs.spec.limits).toEqual([{ type: "Container", defaultRequest: { cpu: "250m", memory: "512Mi" }, default: { memory: "2Gi" } }]);
    });

    it("denies all traffic by default and allows DNS, the namespace, MLflow, monitoring and (per team) HTTPS out", async () => {
        await build();
        const names = (ns: string) => inNs("kubernetes:networking.k8s.io/v1:NetworkPolicy", ns).map((p) => p.inputs.metadata.name).sort();
        expect(names("vision")).toEqual(["allow-dns", "allow-internet-https", "allow-mlflow", "allow-monitoring", "allow-same-namespace", "default-deny"]);
        expect(names("nlp")).toEqual(["allow-dns", "allow-kubernetes-api", "allow-mlflow", "allow-monitoring", "allow-same-namespace", "default-deny"]);
        const pol = (ns: string, n: string) => inNs("kubernetes:networking.k8s.io/v1:NetworkPolicy", ns).find((p) => p.inputs.metadata.name === n)!.inputs.spec;
        expect(pol("vision", "default-deny")).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        expect(pol("vision", "allow-internet-https").egress).toEqual([{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/16", "172.20.0.0/16", "169.254.169.254/32"] } }], ports: [{ protocol: "TCP", port: 443 }] }]);
        expect(pol("vision", "allow-mlflow").egress).toEqual([{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "mlflow" } } }], ports: [{ protocol: "TCP", port: 5000 }] }]);
        expect(pol("nlp", "allow-kubernetes-api").egress).toEqual([{ to: [{ ipBlock: { cidr: "10.0.0.0/16" } }, { ipBlock: { cidr: "172.20.0.1/32" } }], ports: [{ protocol: "TCP", port: 443 }] }]);
    });

    it("binds members and leads to exact, namespaced roles", async () => {
        await build();
        const roles = inNs("kubernetes:rbac.authorization.k8s.io/v1:Role", "vision");
        expect(roles.find((r) => r.inputs.metadata.name === "team-member")!.inputs.rules).toEqual(MEMBER_RULES);
        expect(roles.find((r) => r.inputs.metadata.name === "team-lead")!.inputs.rules).toEqual(LEAD_RULES);
        const bindings = inNs("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "vision");
        expect(bindings.map((b) => [b.inputs.roleRef.name, b.inputs.subjects])).toEqual([
            ["team-member", [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "mlplatform:team:vision:members" }]],
            ["team-lead", [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "mlplatform:team:vision:leads" }]],
        ]);
        // The only cluster-wide binding is the auditors' (nodes, namespaces, volumes, RBAC).
        expect(byType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").map((b) => b.inputs.subjects)).toEqual([[{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "mlplatform:auditors" }]]);
        // Leads differ from members only by quota visibility and exec.
        expect(LEAD_RULES.slice(MEMBER_RULES.length)).toEqual([
            { apiGroups: [""], resources: ["resourcequotas", "limitranges"], verbs: ["get", "list", "watch"] },
            { apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] },
        ]);
    });

    it("lets every team see platform pods, never their Secrets, and no pods in jupyterhub (NS-06)", async () => {
        await build();
        const [mlflowRole] = inNs("kubernetes:rbac.authorization.k8s.io/v1:Role", "mlflow");
        expect(mlflowRole.inputs.rules).toEqual(PLATFORM_VIEW_RULES);
        const [hubRole] = inNs("kubernetes:rbac.authorization.k8s.io/v1:Role", "jupyterhub");
        expect(hubRole.inputs.rules).toEqual(TOKEN_NAMESPACE_VIEW_RULES);
        // User server pods carry JUPYTERHUB_API_TOKEN as a plain env value (jupyterhub 5.5.0
        // Spawner.get_env; kubespawner 7.0.0 make_pod): reading pods there is acting as any user.
        expect(JSON.stringify(hubRole.inputs.rules)).not.toMatch(/"pods/);
        for (const ns of ["mlflow", "jupyterhub"]) {
            const [role] = inNs("kubernetes:rbac.authorization.k8s.io/v1:Role", ns);
            expect(JSON.stringify(role.inputs.rules)).not.toContain("secrets");
        }
        const subjects = (ns: string) => inNs("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", ns)[0].inputs.subjects.map((s: any) => s.name);
        expect(subjects("mlflow")).toHaveLength(6);
        expect(subjects("jupyterhub")).toEqual([...subjects("mlflow"), "mlplatform:auditors"]);
    });

    it("maps each principal to its group with a namespace-scoped view policy; auditors view every namespace but jupyterhub", async () => {
        await build();
        const entry = one("aws:eks/accessEntry:AccessEntry", "teams-vision-member-role-vision-ds");
        expect(entry.inputs).toMatchObject({ clusterName: "mlp", principalArn: arn("vision-ds"), type: "STANDARD", kubernetesGroups: ["mlplatform:team:vision:members"] });
        const assoc = one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "teams-vision-member-role-vision-ds");
        expect(assoc.inputs.accessScope).toEqual({ type: "namespace", namespaces: ["vision", "vision-staging"] });
        expect(assoc.inputs.policyArn).toBe("arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy");
        expect(assoc.dependencies).toContain(entry.urn);
        // Every argument of both is ForceNew: a replacement must delete first (see tenancy.ts).
        expect([entry.deleteBeforeReplace, assoc.deleteBeforeReplace]).toEqual([true, true]);
        expect(one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "teams-auditor-role-auditor").inputs.accessScope).toEqual({
            type: "namespace",
            namespaces: ["mlflow", "logging", "monitoring", "nvidia-device-plugin", "kueue-system", "node-exporter", "kube-system", "elastic-system", "vision", "vision-staging", "nlp", "forecast"],
        });
        expect(one("aws:eks/accessEntry:AccessEntry", "teams-auditor-role-auditor").inputs.kubernetesGroups).toEqual(["mlplatform:auditors"]);
        expect(one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "teams-auditor").inputs.rules).toEqual(AUDITOR_CLUSTER_RULES);
        expect(JSON.stringify(AUDITOR_CLUSTER_RULES)).not.toMatch(/"pods|secrets/);
        expect(byType("aws:eks/accessEntry:AccessEntry")).toHaveLength(5);
    });

    it("refuses jupyterhub among the audited namespaces", () => {
        expect(() => resolveTenancyArgs({ ...base, auditedNamespaces: ["mlflow", "jupyterhub"] })).toThrow('auditedNamespaces[1] "jupyterhub" holds pods whose spec carries a user\'s JUPYTERHUB_API_TOKEN');
    });

    it("declares only schema-valid objects, all under the component", async () => {
        await build();
        expect(await invalidObjects(allRecords())).toEqual([]);
        for (const r of allRecords().filter((x) => x.type !== "mlplatform:index:Tenancy")) {
            expect(r.parent, r.name).toMatch(/::mlplatform:index:Tenancy::teams$/);
        }
    });

    it("creates nothing for no teams", async () => {
        await build({ ...base, teams: [], auditorPrincipalArns: [] });
        expect(allRecords().filter((r) => r.type !== "mlplatform:index:Tenancy")).toEqual([]);
    });

    it("documents its defaults truthfully", () => {
        const r = resolveTenancyArgs({ clusterName: "c", teams: [], vpcCidr: "10.0.0.0/16" });
        expect(r.auditorPrincipalArns).toEqual([]);
        expect(r.reservedPrincipalArns).toEqual([]);
        expect(r.platformReadNamespaces).toEqual(["mlflow", "jupyterhub"]);
        expect(r.auditedNamespaces).toEqual(["mlflow", "logging", "monitoring", "nvidia-device-plugin", "kueue-system", "node-exporter", "kube-system", "elastic-system"]);
        expect(r.retainNamespacesOnRemoval).toBe(false);
    });
});

describe("validateTeams", () => {
    const t = (over: Partial<TeamSpec>): TeamSpec => ({ ...teams[1], ...over });
    it.each<[string, TeamSpec[], string[], string]>([
        ["a name that is not a DNS label", [t({ name: "Data_Sci" })], [], 'teams[0].name "Data_Sci" must be a DNS label'],
        ["a reserved name", [t({ name: "mlflow" })], [], 'teams[0].name "mlflow" is reserved for the platform'],
        ["a kube- name", [t({ name: "kube-x" })], [], 'teams[0].name "kube-x" is reserved'],
        ["duplicate names", [t({}), t({ memberPrincipalArns: [arn("other")] })], [], 'teams[1].name "nlp" is declared twice'],
        ["no principals", [t({ memberPrincipalArns: [], leadPrincipalArns: [] })], [], 'teams[0] "nlp" needs at least one ARN'],
        ["a bad ARN", [t({ memberPrincipalArns: ["nlp-people"] })], [], 'teams[0].memberPrincipalArns[0] "nlp-people" is not an IAM role or user ARN'],
        ["an ARN used twice", [t({ memberPrincipalArns: [arn("x")], leadPrincipalArns: [arn("x")] })], [], 'teams[0].leadPrincipalArns[0] "arn:aws:iam::123456789012:role/x" is already used by teams[0].memberPrincipalArns[0]'],
        ["an admin's ARN", [t({ memberPrincipalArns: [arn("admin")] })], [arn("admin")], "is already used by adminPrincipalArns"],
        ["a bad quantity", [t({ quota: { ...teams[1].quota, memory: "64 GB" } })], [], 'teams[0].quota.memory "64 GB" must be a Kubernetes quantity'],
        ["negative GPUs", [t({ quota: { ...teams[1].quota, gpu: -1 } })], [], "teams[0].quota.gpu -1 must be a whole number >= 0"],
        ["zero pods", [t({ quota: { ...teams[1].quota, pods: 0 } })], [], "teams[0].quota.pods 0 must be a whole number >= 1"],
        ["a bad extra namespace", [t({ extraNamespaces: ["Stage"] })], [], 'teams[0].extraNamespaces[0] "Stage" must be a DNS label'],
        ["an extra namespace clashing with a team", [t({ name: "a", extraNamespaces: ["b"] }), t({ name: "a-b", memberPrincipalArns: [arn("y")] })], [], 'teams[1].name "a-b" is declared twice'],
    ])("refuses %s", (_label, specs, reserved, message) => {
        expect(() => validateTeams(specs, reserved)).toThrow(message);
    });

    it("accepts the example teams", () => {
        expect(() => validateTeams(teams, [arn("platform-admin")], [arn("auditor")])).not.toThrow();
    });
});

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

describe("Tenancy: MLflow credentials (ML-04)", () => {
    it("writes the team's MLflow user into a mlflow-credentials Secret in each of its namespaces, keyed by the client's env names", async () => {
        await build({ ...base, mlflowCredentials: { vision: { username: "team-vision", password: "vision-pw" }, nlp: { username: "team-nlp", password: "nlp-pw" } } });
        const secrets = byType("kubernetes:core/v1:Secret").filter((s) => s.inputs.metadata.name === MLFLOW_CREDENTIALS_SECRET);
        expect(secrets.map((s) => s.inputs.metadata.namespace)).toEqual(["vision", "vision-staging", "nlp"]);
        expect(secrets[0].inputs.stringData).toEqual({ MLFLOW_TRACKING_USERNAME: "team-vision", MLFLOW_TRACKING_PASSWORD: "vision-pw" });
        expect(secrets[2].inputs.stringData.MLFLOW_TRACKING_USERNAME).toBe("team-nlp");
        // Created after the namespace it lives in.
        const ns = one("kubernetes:core/v1:Namespace", "teams-nlp-ns");
        expect(secrets[2].dependencies).toContain(ns.urn);
    });
});
