/**
 * The teams as the stack config declares them (`teams`), and their validation: errors name
 * `teams[i].<field>`, the bad value and what is valid, before any resource is registered.
 */
import { NAMESPACES } from "../shared/platform";
import type { TeamQueueSpec } from "../queues/settings";

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^\d+(\.\d+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@\/-]{1,512}$/;
const RESERVED = new Set<string>(["default", "kube-system", "kube-public", "kube-node-lease", "elastic-system", ...Object.values(NAMESPACES)]);

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
    /** IAM role/user ARNs of members: edit rights in the team's namespaces. */
    readonly memberPrincipalArns: string[];
    /** IAM role/user ARNs of leads: members' rights plus quota visibility and `pods/exec`. */
    readonly leadPrincipalArns: string[];
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

/** Validates team specs; errors name `teams[i].field`, the value and what is valid. Pure. */
export function validateTeams(teams: TeamSpec[], reservedPrincipalArns: string[] = [], auditorPrincipalArns: string[] = []): void {
    const names = new Set<string>();
    const principals = new Map<string, string>();
    for (const arn of reservedPrincipalArns) {
        principals.set(arn, "adminPrincipalArns");
    }
    const claim = (arn: string, where: string) => {
        if (!IAM_PRINCIPAL.test(arn)) {
            throw new Error(`${where} "${arn}" is not an IAM role or user ARN like arn:aws:iam::123456789012:role/data-science`);
        }
        const prior = principals.get(arn);
        if (prior !== undefined) {
            throw new Error(`${where} "${arn}" is already used by ${prior}; EKS allows one access entry per principal`);
        }
        principals.set(arn, where);
    };
    auditorPrincipalArns.forEach((arn, i) => claim(arn, `auditorPrincipalArns[${i}]`));
    teams.forEach((t, i) => {
        const at = `teams[${i}]`;
        if (typeof t?.name !== "string" || !DNS_LABEL.test(t.name) || t.name.length > 40) {
            throw new Error(`${at}.name ${JSON.stringify(t?.name)} must be a DNS label (lowercase letters, digits, '-'; at most 40 characters)`);
        }
        if (RESERVED.has(t.name) || t.name.startsWith("kube-")) {
            throw new Error(`${at}.name "${t.name}" is reserved for the platform; pick another name`);
        }
        if (names.has(t.name)) {
            throw new Error(`${at}.name "${t.name}" is declared twice; team names must be unique`);
        }
        names.add(t.name);
        const members = t.memberPrincipalArns ?? [];
        const leads = t.leadPrincipalArns ?? [];
        if (!Array.isArray(members) || !Array.isArray(leads) || members.length + leads.length === 0) {
            throw new Error(`${at} "${t.name}" needs at least one ARN in memberPrincipalArns or leadPrincipalArns`);
        }
        members.forEach((arn, j) => claim(arn, `${at}.memberPrincipalArns[${j}]`));
        leads.forEach((arn, j) => claim(arn, `${at}.leadPrincipalArns[${j}]`));
        const q = t.quota;
        if (q === undefined || typeof q !== "object") {
            throw new Error(`${at}.quota is required: {cpu, memory, gpu, storage, pods}`);
        }
        for (const key of ["cpu", "memory", "storage"] as const) {
            if (typeof q[key] !== "string" || !QUANTITY.test(q[key])) {
                throw new Error(`${at}.quota.${key} ${JSON.stringify(q[key])} must be a Kubernetes quantity such as "16", "500m" or "64Gi"`);
            }
        }
        if (!Number.isInteger(q.gpu) || q.gpu < 0) {
            throw new Error(`${at}.quota.gpu ${JSON.stringify(q.gpu)} must be a whole number >= 0`);
        }
        if (!Number.isInteger(q.pods) || q.pods < 1) {
            throw new Error(`${at}.quota.pods ${JSON.stringify(q.pods)} must be a whole number >= 1`);
        }
        const extras = t.extraNamespaces ?? [];
        extras.forEach((suffix, j) => {
            const full = `${t.name}-${suffix}`;
            if (!DNS_LABEL.test(suffix) || full.length > 63) {
                throw new Error(`${at}.extraNamespaces[${j}] "${suffix}" must be a DNS label that keeps "${full}" within 63 characters`);
            }
            if (names.has(full)) {
                throw new Error(`${at}.extraNamespaces[${j}] "${full}" clashes with another namespace`);
            }
            names.add(full);
        });
    });
}

