import { describe, expect, it } from "vitest";
import { LEAD_RULES, MEMBER_RULES, PLATFORM_VIEW_RULES, TOKEN_NAMESPACE_VIEW_RULES } from "../../components/tenancy";
import { byType } from "../mocks";
import { build, inNs } from "./fixtures";

describe("Tenancy: RBAC", () => {
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
});
