/** The tenancy layer's config keys: the teams (namespaces, quotas, access, queues) and the auditors. */
import { KeyTable, Settings } from "../shared/settings";
import { TeamSpec, validateTeams } from ".";

export const TENANCY_KEYS = {
    teams: { type: "object[]", description: "Teams: list of {name, memberPrincipalArns, leadPrincipalArns, quota: {cpu, memory, gpu, storage, pods}, extraNamespaces?, internetEgress?, kubernetesApiAccess?, queue?: {gpu?, gpuBorrowingLimit?, gpuNodeCpu?, gpuNodeMemory?}}.", default: { sandbox: [], production: [] }, docs: { sandbox: "`[]` (README \"Teams\")" } },
    auditorPrincipalArns: { type: "string[]", description: "IAM role or user ARNs with read-only access (no Secrets) to every namespace but jupyterhub, where they see no pods (NS-06).", default: { sandbox: [], production: [] } },
} as const satisfies KeyTable;

export interface TenancySettings {
    readonly teams: TeamSpec[];
    readonly auditorPrincipalArns: string[];
}

/** Resolves the teams; `adminPrincipalArns` (the cluster layer's) may not also be team members or auditors. */
export function resolveTenancySettings(s: Settings<keyof typeof TENANCY_KEYS>, adminPrincipalArns: string[]): TenancySettings {
    const teams = s.objectList("teams", "team objects") ?? [];
    const auditorPrincipalArns = s.strList("auditorPrincipalArns");
    const specs = teams.map((t) => ({ memberPrincipalArns: [], leadPrincipalArns: [], ...t }) as unknown as TeamSpec);
    try {
        validateTeams(specs, adminPrincipalArns, auditorPrincipalArns);
    } catch (e) {
        const message = (e as Error).message;
        const auditors = message.startsWith("auditorPrincipalArns");
        s.fail(auditors ? "auditorPrincipalArns" : "teams", auditors ? auditorPrincipalArns : teams, message);
    }
    return { teams: specs, auditorPrincipalArns };
}
