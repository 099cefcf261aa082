import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { resolveTeams, TEAM_DEFAULTS, TeamSpec } from "../../components/tenancy/settings";
import { ConfigError } from "../../components/shared/settings";
import { arn, specs as teams } from "./fixtures";

describe("resolveTeams", () => {
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
        ["a misspelt field", [{ ...t({}), internetEgres: false } as TeamSpec], [], 'teams[0].internetEgres is not a team field; valid fields are name, memberPrincipalArns'],
        ["a quoted boolean", [t({ internetEgress: "false" as unknown as boolean })], [], 'teams[0].internetEgress "false" must be true or false'],
        ["a non-boolean API access", [t({ kubernetesApiAccess: 1 as unknown as boolean })], [], "teams[0].kubernetesApiAccess 1 must be true or false"],
        ["extra namespaces that are not a list", [t({ extraNamespaces: "staging" as unknown as string[] })], [], 'teams[0].extraNamespaces "staging" must be a list of namespace suffixes'],
        ["a misspelt quota field", [t({ quota: { ...teams[1].quota, gpus: 2 } as TeamSpec["quota"] })], [], "teams[0].quota.gpus is not a quota field; valid fields are cpu, memory, gpu, storage, pods"],
        ["an extra namespace clashing with a team", [t({ name: "a", extraNamespaces: ["b"] }), t({ name: "a-b", memberPrincipalArns: [arn("y")] })], [], 'teams[1].name "a-b" is declared twice'],
    ])("refuses %s, naming the teams key", (_label, specs, reserved, message) => {
        let error: unknown;
        try {
            resolveTeams(specs, reserved);
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect(error).toMatchObject({ key: "teams", value: specs, valid: expect.stringContaining(message) });
        expect((error as Error).message).toMatch(/^Invalid config mlplatform:teams = /);
    });

    it("refuses a bad auditor ARN, and one a team already uses, naming auditorPrincipalArns", () => {
        expect(() => resolveTeams([], [], ["auditor"])).toThrow('Invalid config mlplatform:auditorPrincipalArns = ["auditor"]: auditorPrincipalArns[0] "auditor" is not an IAM role or user ARN');
        expect(() => resolveTeams([t({ memberPrincipalArns: [arn("a")] })], [], [arn("a")])).toThrow('mlplatform:teams = [{"name":"nlp"');
        expect(() => resolveTeams([], [arn("admin")], [arn("admin")])).toThrow('auditorPrincipalArns[0] "arn:aws:iam::123456789012:role/admin" is already used by adminPrincipalArns');
    });

    it("accepts the example teams and fills every default", () => {
        const resolved = resolveTeams(teams, [arn("platform-admin")], [arn("auditor")]);
        expect(resolved[0]).toEqual({ ...teams[0], internetEgress: true, kubernetesApiAccess: false });
        expect(resolved[1]).toEqual({ ...teams[1], extraNamespaces: [] });
        expect(resolved[2]).toEqual({ ...teams[2], memberPrincipalArns: [], extraNamespaces: [], internetEgress: true, kubernetesApiAccess: false });
        expect(resolveTeams([{ name: "x", leadPrincipalArns: [arn("x")], quota: teams[0].quota }])[0]).toEqual({
            name: "x", memberPrincipalArns: [], leadPrincipalArns: [arn("x")], quota: teams[0].quota, extraNamespaces: [], internetEgress: true, kubernetesApiAccess: false,
        });
    });

    it("documents the defaults the README's Teams example states", () => {
        const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
        expect(readme).toMatch(new RegExp(`internetEgress: ${TEAM_DEFAULTS.internetEgress} +# optional, default ${TEAM_DEFAULTS.internetEgress}\\b`));
        expect(readme).toMatch(new RegExp(`kubernetesApiAccess: ${TEAM_DEFAULTS.kubernetesApiAccess} +# optional, default ${TEAM_DEFAULTS.kubernetesApiAccess}\\b`));
        expect(TEAM_DEFAULTS.extraNamespaces).toEqual([]);
    });
});

