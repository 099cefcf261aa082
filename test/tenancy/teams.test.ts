import { describe, expect, it } from "vitest";
import { TeamSpec, validateTeams } from "../../components/tenancy";
import { arn, teams } from "./fixtures";

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

