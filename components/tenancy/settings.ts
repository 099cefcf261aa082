/**
 * The tenancy layer's config keys: the teams (namespaces, quotas, access, queues) and the auditors.
 * The one owner of the teams' rules and defaults: errors name `teams[i].<field>` (or
 * `auditorPrincipalArns[i]`), the bad value and what is valid, before any resource is registered.
 */
import type { TeamQueueSpec } from "../queues/settings";
import { NAMESPACES } from "../shared/platform";
import { ConfigError, KeyTable, Settings } from "../shared/settings";

export const TENANCY_KEYS = {
    teams: { type: "object[]", description: "Teams: list of {name, memberPrincipalArns, leadPrincipalArns, quota: {cpu, memory, gpu, storage, pods}, extraNamespaces?, internetEgress?, kubernetesApiAccess?, queue?: {gpu?, gpuBorrowingLimit?, gpuNodeCpu?, gpuNodeMemory?}}.", default: { sandbox: [], production: [] }, docs: { sandbox: "`[]` (README \"Teams\")" } },
    auditorPrincipalArns: { type: "string[]", description: "IAM role or user ARNs with read-only access (no Secrets) to every namespace but jupyterhub, where they see no pods (NS-06).", default: { sandbox: [], production: [] } },
} as const satisfies KeyTable;

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^\d+(\.\d+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@\/-]{1,512}$/;
const RESERVED = new Set<string>(["default", "kube-system", "kube-public", "kube-node-lease", "elastic-system", ...Object.values(NAMESPACES)]);
// Every field a team spec may set: a misspelt one (`internetEgres: false`) would otherwise be
// ignored and leave the default (internet egress on) in place.
const TEAM_FIELDS = ["name", "memberPrincipalArns", "leadPrincipalArns", "quota", "extraNamespaces", "internetEgress", "kubernetesApiAccess", "queue"];
const QUOTA_FIELDS = ["cpu", "memory", "gpu", "storage", "pods"];

/** A team's resource budget, per namespace. */
export interface TeamQuota {
    /** Total CPU requests, a Kubernetes quantity (e.g. "16"). */
    readonly cpu: string;
    /** Total memory requests, a Kubernetes quantity (e.g. "64Gi"). */
    readonly memory: string;
    /** GPUs the team may request; 0 means none. */
    readonly gpu: number;
    /** Total PVC storage, a Kubernetes quantity (e.g. "500Gi"). */
    readonly storage: string;
    /** Maximum pods. */
    readonly pods: number;
}

/** One team, as declared in the stack config (`teams`). */
export interface TeamSpec {
    /** DNS label; also the team's namespace name. */
    readonly name: string;
    /**
     * IAM role/user ARNs of members: edit rights in the team's namespaces.
     * @default []
     */
    readonly memberPrincipalArns?: string[];
    /**
     * IAM role/user ARNs of leads: members' rights plus quota visibility and `pods/exec`.
     * @default []
     */
    readonly leadPrincipalArns?: string[];
    /** Quota applied to each of the team's namespaces. */
    readonly quota: TeamQuota;
    /**
     * Extra namespaces, named `<team>-<suffix>`, with the same isolation and quota.
     * @default []
     */
    readonly extraNamespaces?: string[];
    /**
     * Let pods reach the internet on 443 (package installs, model downloads); never the VPC or IMDS.
     * @default true
     */
    readonly internetEgress?: boolean;
    /**
     * Let pods reach the Kubernetes API (HTTPS to the VPC, where the private endpoint lives), for
     * workloads that launch their own pods (e.g. training operators).
     * @default false
     */
    readonly kubernetesApiAccess?: boolean;
    /**
     * The team's training queue in Kueue (components/queues validates it).
     * @default - nominal GPUs quota.gpu minus gpuBorrowingLimit, borrowing floor(quota.gpu / 2)
     */
    readonly queue?: TeamQueueSpec;
}

/** A {@link TeamSpec} with its defaults applied; the queue stays for the queues layer to resolve. */
export type ResolvedTeamSpec = Required<Omit<TeamSpec, "queue">> & Pick<TeamSpec, "queue">;

/** What a team gets when its spec leaves a field out (the README "Teams" section quotes these). */
export const TEAM_DEFAULTS = { extraNamespaces: [] as string[], internetEgress: true, kubernetesApiAccess: false } as const;

export interface TenancySettings {
    readonly teams: ResolvedTeamSpec[];
    readonly auditorPrincipalArns: string[];
}

/** Resolves the teams; `adminPrincipalArns` (the cluster layer's) may not also be team members or auditors. */
export function resolveTenancySettings(s: Settings<keyof typeof TENANCY_KEYS>, adminPrincipalArns: string[]): TenancySettings {
    const teams = (s.objectList("teams", "team objects") ?? []) as unknown as TeamSpec[];
    const auditorPrincipalArns = s.strList("auditorPrincipalArns");
    return { teams: resolveTeams(teams, adminPrincipalArns, auditorPrincipalArns), auditorPrincipalArns };
}

/**
 * Validates the teams and applies their defaults. Errors are ConfigErrors naming the key (`teams`,
 * or `auditorPrincipalArns`), the value as the stack sets it, and in the message the place
 * (`teams[i].<field>`), the bad value and what is valid. `adminPrincipalArns` (the cluster layer's)
 * already have access entries, so no team member or auditor may reuse one. Pure.
 */
export function resolveTeams(teams: readonly TeamSpec[], adminPrincipalArns: readonly string[] = [], auditorPrincipalArns: readonly string[] = []): ResolvedTeamSpec[] {
    const bad = (key: "teams" | "auditorPrincipalArns", message: string): never => {
        throw new ConfigError(key, key === "teams" ? teams : auditorPrincipalArns, message);
    };
    const names = new Set<string>();
    const principals = new Map<string, string>();
    for (const arn of adminPrincipalArns) {
        principals.set(arn, "adminPrincipalArns");
    }
    const claim = (key: "teams" | "auditorPrincipalArns", arn: string, where: string) => {
        if (!IAM_PRINCIPAL.test(arn)) {
            bad(key, `${where} "${arn}" is not an IAM role or user ARN like arn:aws:iam::123456789012:role/data-science`);
        }
        const prior = principals.get(arn);
        if (prior !== undefined) {
            bad(key, `${where} "${arn}" is already used by ${prior}; EKS allows one access entry per principal`);
        }
        principals.set(arn, where);
    };
    auditorPrincipalArns.forEach((arn, i) => claim("auditorPrincipalArns", arn, `auditorPrincipalArns[${i}]`));
    teams.forEach((t, i) => {
        const at = `teams[${i}]`;
        if (typeof t?.name !== "string" || !DNS_LABEL.test(t.name) || t.name.length > 40) {
            bad("teams", `${at}.name ${JSON.stringify(t?.name)} must be a DNS label (lowercase letters, digits, '-'; at most 40 characters)`);
        }
        if (RESERVED.has(t.name) || t.name.startsWith("kube-")) {
            bad("teams", `${at}.name "${t.name}" is reserved for the platform; pick another name`);
        }
        if (names.has(t.name)) {
            bad("teams", `${at}.name "${t.name}" is declared twice; team names must be unique`);
        }
        names.add(t.name);
        const unknown = Object.keys(t).find((k) => !TEAM_FIELDS.includes(k));
        if (unknown !== undefined) {
            bad("teams", `${at}.${unknown} is not a team field; valid fields are ${TEAM_FIELDS.join(", ")}`);
        }
        for (const key of ["internetEgress", "kubernetesApiAccess"] as const) {
            if (t[key] !== undefined && typeof t[key] !== "boolean") {
                bad("teams", `${at}.${key} ${JSON.stringify(t[key])} must be true or false (unquoted in YAML)`);
            }
        }
        if (t.extraNamespaces !== undefined && (!Array.isArray(t.extraNamespaces) || t.extraNamespaces.some((x) => typeof x !== "string"))) {
            bad("teams", `${at}.extraNamespaces ${JSON.stringify(t.extraNamespaces)} must be a list of namespace suffixes`);
        }
        const members = t.memberPrincipalArns ?? [];
        const leads = t.leadPrincipalArns ?? [];
        if (!Array.isArray(members) || !Array.isArray(leads) || members.length + leads.length === 0) {
            bad("teams", `${at} "${t.name}" needs at least one ARN in memberPrincipalArns or leadPrincipalArns`);
        }
        members.forEach((arn, j) => claim("teams", arn, `${at}.memberPrincipalArns[${j}]`));
        leads.forEach((arn, j) => claim("teams", arn, `${at}.leadPrincipalArns[${j}]`));
        const q = t.quota;
        if (q === undefined || typeof q !== "object") {
            bad("teams", `${at}.quota is required: {cpu, memory, gpu, storage, pods}`);
        }
        const unknownQuota = Object.keys(q).find((k) => !QUOTA_FIELDS.includes(k));
        if (unknownQuota !== undefined) {
            bad("teams", `${at}.quota.${unknownQuota} is not a quota field; valid fields are ${QUOTA_FIELDS.join(", ")}`);
        }
        for (const key of ["cpu", "memory", "storage"] as const) {
            if (typeof q[key] !== "string" || !QUANTITY.test(q[key])) {
                bad("teams", `${at}.quota.${key} ${JSON.stringify(q[key])} must be a Kubernetes quantity such as "16", "500m" or "64Gi"`);
            }
        }
        if (!Number.isInteger(q.gpu) || q.gpu < 0) {
            bad("teams", `${at}.quota.gpu ${JSON.stringify(q.gpu)} must be a whole number >= 0`);
        }
        if (!Number.isInteger(q.pods) || q.pods < 1) {
            bad("teams", `${at}.quota.pods ${JSON.stringify(q.pods)} must be a whole number >= 1`);
        }
        const extras = t.extraNamespaces ?? [];
        extras.forEach((suffix, j) => {
            const full = `${t.name}-${suffix}`;
            if (!DNS_LABEL.test(suffix) || full.length > 63) {
                bad("teams", `${at}.extraNamespaces[${j}] "${suffix}" must be a DNS label that keeps "${full}" within 63 characters`);
            }
            if (names.has(full)) {
                bad("teams", `${at}.extraNamespaces[${j}] "${full}" clashes with another namespace`);
            }
            names.add(full);
        });
    });
    return teams.map((t) => ({
        ...t,
        memberPrincipalArns: t.memberPrincipalArns ?? [],
        leadPrincipalArns: t.leadPrincipalArns ?? [],
        extraNamespaces: t.extraNamespaces ?? [...TEAM_DEFAULTS.extraNamespaces],
        internetEgress: t.internetEgress ?? TEAM_DEFAULTS.internetEgress,
        kubernetesApiAccess: t.kubernetesApiAccess ?? TEAM_DEFAULTS.kubernetesApiAccess,
    }));
}

