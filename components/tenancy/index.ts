import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Cidr, formatCidr, parseCidr } from "../shared/cidr";
import { principalKey } from "../cluster";
import { GPU_RESOURCE } from "../shared/gpu";
import { podSecurity, standardLabels } from "../shared/labels";
import { MLFLOW_CLIENT_LABEL, MLFLOW_PORT, NAMESPACE_NAME_LABEL, NAMESPACES } from "../shared/platform";
import type { TeamQueueSpec } from "../queues/settings";
import { MLFLOW_CREDENTIALS_SECRET, MLFLOW_PASSWORD_ENV, MLFLOW_USERNAME_ENV } from "../tracking/auth";

const VIEW_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";
/** Label naming the team that owns a namespace. */
export const TEAM_LABEL = "mlplatform.io/team";
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

/** Arguments of {@link Tenancy}. */
export interface TenancyArgs {
    /** EKS cluster name, for access entries. */
    readonly clusterName: pulumi.Input<string>;
    /** The teams. */
    readonly teams: TeamSpec[];
    /** VPC CIDR: excluded from internet egress, and the target of Kubernetes API egress. */
    readonly vpcCidr: string;
    /**
     * Kubernetes Service CIDR: excluded from internet egress too. A NetworkPolicy may see a Service's
     * ClusterIP before it is rewritten to an endpoint (Kubernetes leaves the order undefined), and the
     * `kubernetes` Service (its first address) leads to the API server.
     * @default "172.20.0.0/16"
     */
    readonly serviceCidr?: string;
    /**
     * IAM principals with read-only access (no Secrets: AmazonEKSViewPolicy) to every namespace in
     * `auditedNamespaces` and the teams' namespaces; in `jupyterhub` they see everything but pods
     * (checklist NS-06), and cluster-wide only nodes, namespaces, volumes and RBAC.
     * @default []
     */
    readonly auditorPrincipalArns?: string[];
    /**
     * Platform namespaces auditors read through AmazonEKSViewPolicy. Never `jupyterhub`: the view
     * policy reads pods, and user server pods carry their owner's `JUPYTERHUB_API_TOKEN` (NS-06).
     * @default - every platform namespace but jupyterhub, plus kube-system and elastic-system
     */
    readonly auditedNamespaces?: string[];
    /**
     * Principals that already have an access entry (platform admins); a principal can have only one.
     * @default []
     */
    readonly reservedPrincipalArns?: string[];
    /**
     * Platform namespaces where every team may see pods, services and events (not Secrets).
     * @default ["mlflow", "jupyterhub"]
     */
    readonly platformReadNamespaces?: string[];
    /**
     * Each team's MLflow credentials (Tracking.teamCredentials): written to the Secret
     * `mlflow-credentials` in every namespace of the team, keys `MLFLOW_TRACKING_USERNAME` and
     * `MLFLOW_TRACKING_PASSWORD`, so a Job's `envFrom: [{secretRef: {name: mlflow-credentials}}]`
     * signs it in (checklist ML-04). @default {} (no Secrets)
     */
    readonly mlflowCredentials?: Readonly<Record<string, { readonly username: string; readonly password: pulumi.Input<string> }>>;
    /**
     * Removing a team (or one of its extra namespaces) from config keeps the namespace and what
     * the program put in it (quota, network policies, RBAC) in the cluster: Pulumi forgets them
     * (`retainOnDelete`) instead of deleting them, so the team's volumes, pods and data stay until a
     * platform admin deletes the namespace by hand (README "Operating": "Remove a team"). Access
     * entries still go, so the team's principals lose cluster access in the same update.
     * @default false - the namespace is deleted with everything in it (sandbox)
     */
    readonly retainNamespacesOnRemoval?: boolean;
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

/**
 * Namespaces whose pods carry a credential in their spec: JupyterHub 5.5.0 `Spawner.get_env`
 * (jupyterhub/spawner.py) sets `env['JUPYTERHUB_API_TOKEN'] = self.api_token`, and KubeSpawner 7.0.0
 * `make_pod` (kubespawner/objects.py) renders a plain string as `V1EnvVar(name=key, value=env)`, not
 * a secretKeyRef. Whoever can `get pods` there can act as any notebook user (checklist NS-06).
 */
export const TOKEN_POD_NAMESPACES: readonly string[] = [NAMESPACES.jupyterhub];

/** Group auditors' access entries map to (their RBAC beyond the view access policy). */
export const AUDITOR_GROUP = "mlplatform:auditors";

/** {@link TenancyArgs} with defaults applied. */
export type ResolvedTenancyArgs = Required<TenancyArgs>;

/** Applies defaults and validates (config.ts calls the same `validateTeams`). */
export function resolveTenancyArgs(args: TenancyArgs): ResolvedTenancyArgs {
    const r: ResolvedTenancyArgs = {
        ...args,
        auditorPrincipalArns: args.auditorPrincipalArns ?? [],
        reservedPrincipalArns: args.reservedPrincipalArns ?? [],
        serviceCidr: args.serviceCidr ?? "172.20.0.0/16",
        platformReadNamespaces: args.platformReadNamespaces ?? [NAMESPACES.mlflow, NAMESPACES.jupyterhub],
        mlflowCredentials: args.mlflowCredentials ?? {},
        auditedNamespaces: args.auditedNamespaces ?? [...Object.values(NAMESPACES).filter((n) => !TOKEN_POD_NAMESPACES.includes(n)), "kube-system", "elastic-system"],
        retainNamespacesOnRemoval: args.retainNamespacesOnRemoval ?? false,
    };
    if (typeof parseCidr(r.serviceCidr) === "string") {
        throw new Error(`serviceCidr "${r.serviceCidr}" ${parseCidr(r.serviceCidr)}`);
    }
    r.auditedNamespaces.forEach((n, i) => {
        if (TOKEN_POD_NAMESPACES.includes(n)) {
            throw new Error(`auditedNamespaces[${i}] "${n}" holds pods whose spec carries a user's JUPYTERHUB_API_TOKEN; auditors see it through the mlplatform-team-viewer Role instead (no pods)`);
        }
    });
    validateTeams(r.teams, r.reservedPrincipalArns, r.auditorPrincipalArns);
    return r;
}

/** The `kubernetes` Service's ClusterIP, as a /32: the first address of the Service CIDR. */
export function kubernetesServiceIp(serviceCidr: string): string {
    const c = parseCidr(serviceCidr) as Cidr;
    return formatCidr({ base: c.base + 1, prefix: 32 });
}

/** Kubernetes group names a team's principals are mapped to. */
export const teamGroups = (team: string) => ({ members: `mlplatform:team:${team}:members`, leads: `mlplatform:team:${team}:leads` });

const WRITE = ["get", "list", "watch", "create", "update", "patch", "delete"];
const READ = ["get", "list", "watch"];

/**
 * What members may do in their namespaces: run and manage workloads and their data. Explicit
 * resources and verbs, never wildcards, no escalate/bind/impersonate (checklist NS-04).
 */
export const MEMBER_RULES = [
    { apiGroups: [""], resources: ["pods", "services", "configmaps", "secrets", "persistentvolumeclaims", "serviceaccounts"], verbs: WRITE },
    { apiGroups: [""], resources: ["pods/log", "events"], verbs: READ },
    { apiGroups: [""], resources: ["pods/portforward"], verbs: ["create"] },
    { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "replicasets"], verbs: WRITE },
    { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: WRITE },
    // Watching a training Job's admission: its Workload and the team's LocalQueue (components/queues),
    // and the queue position through Kueue's visibility API.
    { apiGroups: ["kueue.x-k8s.io"], resources: ["workloads", "localqueues"], verbs: READ },
    { apiGroups: ["visibility.kueue.x-k8s.io"], resources: ["localqueues/pendingworkloads"], verbs: ["get"] },
];

/** Leads: members' rights, plus quota visibility and exec for debugging. */
export const LEAD_RULES = [
    ...MEMBER_RULES,
    { apiGroups: [""], resources: ["resourcequotas", "limitranges"], verbs: READ },
    { apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] },
];

/** What teams may see in platform namespaces: status, not configuration or Secrets. */
export const PLATFORM_VIEW_RULES = [
    { apiGroups: [""], resources: ["pods", "services", "events"], verbs: READ },
    { apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: READ },
];

/** The same in {@link TOKEN_POD_NAMESPACES}: no pods (their env holds users' API tokens, NS-06). */
export const TOKEN_NAMESPACE_VIEW_RULES = [
    { apiGroups: [""], resources: ["services", "events"], verbs: READ },
    { apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: READ },
];

/**
 * Cluster-scoped reads auditors keep once their view policy is namespace-scoped (an EKS access
 * policy with `namespace` scope grants nothing cluster-scoped).
 */
export const AUDITOR_CLUSTER_RULES = [
    { apiGroups: [""], resources: ["nodes", "namespaces", "persistentvolumes"], verbs: READ },
    { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"], verbs: READ },
    { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles", "clusterrolebindings", "roles", "rolebindings"], verbs: READ },
];

/**
 * Team tenancy: per team, namespaces with Pod Security `restricted`, a quota (GPUs included), a
 * LimitRange, default-deny network policies with explicit allows, RBAC for members and leads, and
 * EKS access entries for the team's IAM principals; cluster-wide read-only access for auditors.
 */
export class Tenancy extends pulumi.ComponentResource {
    /** Team name to its namespace names. */
    public readonly namespaces: Record<string, string[]>;

    constructor(name: string, args: TenancyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:Tenancy", name, {}, opts);
        const a = resolveTenancyArgs(args);
        const ps = podSecurity("restricted");

        // Keyed by principal, never by list position: removing the first member must not turn entry 2
        // into entry 1 (principalArn is ForceNew and EKS allows one entry per principal). `legacy` is
        // the positional name earlier versions used; the alias carries a live stack's entries over.
        // Both resources are ForceNew on every argument (terraform-provider-aws eks/access_entry.go,
        // eks/access_policy_association.go, whose id is cluster#principal#policy), so a replacement
        // must delete first: creating first would fail on the entry (one per principal) or, for the
        // association, re-associate the same id and then disassociate it, leaving no access at all.
        const accessEntry = (role: string, legacy: string, arn: string, groups: string[], scope: { type: string; namespaces?: string[] }) => {
            const key = `${role}-${principalKey(arn)}`;
            const entry = new aws.eks.AccessEntry(`${name}-${key}`, {
                clusterName: a.clusterName,
                principalArn: arn,
                type: "STANDARD",
                kubernetesGroups: groups.length ? groups : undefined,
            }, { parent: this, deleteBeforeReplace: true, aliases: [{ name: `${name}-${legacy}` }] });
            new aws.eks.AccessPolicyAssociation(`${name}-${key}`, {
                clusterName: a.clusterName,
                // From the entry, so replacing the entry (which drops its associations in EKS) replaces this too.
                principalArn: entry.principalArn,
                policyArn: VIEW_POLICY,
                accessScope: scope,
            }, { parent: this, deleteBeforeReplace: true, aliases: [{ name: `${name}-${legacy}` }] });
        };

        const namespaces: Record<string, string[]> = {};
        for (const team of a.teams) {
            const groups = teamGroups(team.name);
            const nsNames = [team.name, ...(team.extraNamespaces ?? []).map((s) => `${team.name}-${s}`)];
            namespaces[team.name] = nsNames;
            for (const nsName of nsNames) {
                const ns = this.teamNamespace(name, team, nsName, groups, ps, a.vpcCidr, a.serviceCidr, a.retainNamespacesOnRemoval);
                const creds = a.mlflowCredentials[team.name];
                if (creds !== undefined) {
                    new k8s.core.v1.Secret(`${name}-${nsName}-mlflow-credentials`, {
                        metadata: { name: MLFLOW_CREDENTIALS_SECRET, namespace: ns.metadata.name, labels: standardLabels("tenancy", "mlflow-credentials", name) },
                        type: "Opaque",
                        stringData: { [MLFLOW_USERNAME_ENV]: creds.username, [MLFLOW_PASSWORD_ENV]: creds.password },
                    }, { parent: this });
                }
            }
            // Read access everywhere in the team's namespaces comes from the access policy; writing
            // comes from the RBAC Roles bound to the team's groups.
            team.memberPrincipalArns.forEach((arn, i) => accessEntry(`${team.name}-member`, `${team.name}-member-${i + 1}`, arn, [groups.members], { type: "namespace", namespaces: nsNames }));
            team.leadPrincipalArns.forEach((arn, i) => accessEntry(`${team.name}-lead`, `${team.name}-lead-${i + 1}`, arn, [groups.leads], { type: "namespace", namespaces: nsNames }));
        }

        // Auditors: the view policy in every namespace except those whose pods carry tokens (NS-06);
        // AmazonEKSViewPolicy reads pods (docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html).
        const audited = [...a.auditedNamespaces, ...Object.values(namespaces).flat()];
        a.auditorPrincipalArns.forEach((arn, i) => accessEntry("auditor", `auditor-${i + 1}`, arn, [AUDITOR_GROUP], { type: "namespace", namespaces: audited }));
        const rbacLabels = standardLabels("tenancy", "rbac", name);
        const group = (g: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: g });
        if (a.auditorPrincipalArns.length > 0) {
            const role = new k8s.rbac.v1.ClusterRole(`${name}-auditor`, { metadata: { name: "mlplatform-auditor", labels: rbacLabels }, rules: AUDITOR_CLUSTER_RULES }, { parent: this });
            new k8s.rbac.v1.ClusterRoleBinding(`${name}-auditor`, {
                metadata: { name: "mlplatform-auditors", labels: rbacLabels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
                subjects: [group(AUDITOR_GROUP)],
            }, { parent: this });
        }

        const viewers = [
            ...a.teams.flatMap((t) => Object.values(teamGroups(t.name))),
            ...(a.auditorPrincipalArns.length > 0 ? [AUDITOR_GROUP] : []),
        ];
        const viewNamespaces = [...new Set([...a.platformReadNamespaces, ...(a.auditorPrincipalArns.length > 0 ? TOKEN_POD_NAMESPACES : [])])];
        if (a.teams.length > 0 || a.auditorPrincipalArns.length > 0) {
            for (const ns of viewNamespaces) {
                // Auditors read the other platform namespaces through their access policy.
                const subjects = TOKEN_POD_NAMESPACES.includes(ns) ? viewers : viewers.filter((g) => g !== AUDITOR_GROUP);
                if (subjects.length === 0) {
                    continue;
                }
                const role = new k8s.rbac.v1.Role(`${name}-view-${ns}`, {
                    metadata: { name: "mlplatform-team-viewer", namespace: ns, labels: rbacLabels },
                    rules: TOKEN_POD_NAMESPACES.includes(ns) ? TOKEN_NAMESPACE_VIEW_RULES : PLATFORM_VIEW_RULES,
                }, { parent: this });
                new k8s.rbac.v1.RoleBinding(`${name}-view-${ns}`, {
                    metadata: { name: "mlplatform-team-viewers", namespace: ns, labels: rbacLabels },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                    subjects: subjects.map(group),
                }, { parent: this });
            }
        }

        this.namespaces = namespaces;
        this.registerOutputs({ namespaces });
    }

    private teamNamespace(name: string, team: TeamSpec, nsName: string, groups: { members: string; leads: string }, ps: ReturnType<typeof podSecurity>, vpcCidr: string, serviceCidr: string, retain: boolean): k8s.core.v1.Namespace {
        const res = `${name}-${nsName}`;
        const opts = { parent: this, retainOnDelete: retain };
        const labels = standardLabels("tenancy", "team", name);
        const ns = new k8s.core.v1.Namespace(`${res}-ns`, {
            metadata: {
                name: nsName,
                labels: { ...ps.labels, ...labels, [TEAM_LABEL]: team.name, [MLFLOW_CLIENT_LABEL.key]: MLFLOW_CLIENT_LABEL.value },
            },
        }, opts);
        const namespace = ns.metadata.name;
        const meta = (n: string) => ({ name: n, namespace, labels });

        new k8s.core.v1.ResourceQuota(`${res}-quota`, {
            metadata: meta("team-quota"),
            spec: {
                hard: {
                    "requests.cpu": team.quota.cpu,
                    "requests.memory": team.quota.memory,
                    // Always set, 0 included: a team without GPU quota cannot hold a GPU.
                    [`requests.${GPU_RESOURCE}`]: `${team.quota.gpu}`,
                    "requests.storage": team.quota.storage,
                    pods: `${team.quota.pods}`,
                    // Checklist NS-07: a LoadBalancer or NodePort Service makes EKS build an
                    // internet-facing load balancer or open node ports outside the program; a platform
                    // admin exposes things through the platform's Ingress instead.
                    "services.loadbalancers": "0",
                    "services.nodeports": "0",
                },
            },
        }, opts);

        // Defaults for containers that state nothing, so the quota can count them. No CPU limit:
        // throttling hurts more than it protects (BPG dataplane).
        new k8s.core.v1.LimitRange(`${res}-limits`, {
            metadata: meta("team-defaults"),
            spec: {
                limits: [{
                    type: "Container",
                    defaultRequest: { cpu: "250m", memory: "512Mi" },
                    default: { memory: "2Gi" },
                }],
            },
        }, opts);

        const policy = (role: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
            new k8s.networking.v1.NetworkPolicy(`${res}-${role}`, { metadata: meta(role), spec }, opts);
        policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        policy("allow-dns", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{
                to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
            }],
        });
        policy("allow-same-namespace", {
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from: [{ podSelector: {} }] }],
            egress: [{ to: [{ podSelector: {} }] }],
        });
        policy("allow-mlflow", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: NAMESPACES.mlflow } } }], ports: [{ protocol: "TCP", port: MLFLOW_PORT }] }],
        });
        policy("allow-monitoring", {
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: NAMESPACES.monitoring } } }] }],
        });
        if (team.internetEgress ?? true) {
            policy("allow-internet-https", {
                podSelector: {},
                policyTypes: ["Egress"],
                // The internet, never the VPC (databases, other nodes), Service ClusterIPs (the
                // `kubernetes` Service is the API server, NS-09) or the instance metadata service.
                egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [vpcCidr, serviceCidr, "169.254.169.254/32"] } }], ports: [{ protocol: "TCP", port: 443 }] }],
            });
        }
        if (team.kubernetesApiAccess ?? false) {
            policy("allow-kubernetes-api", {
                podSelector: {},
                policyTypes: ["Egress"],
                // The private API endpoint's ENIs sit in the VPC's subnets; in-cluster clients dial the
                // `kubernetes` Service's ClusterIP, which a policy may see before it is rewritten.
                egress: [{ to: [{ ipBlock: { cidr: vpcCidr } }, { ipBlock: { cidr: kubernetesServiceIp(serviceCidr) } }], ports: [{ protocol: "TCP", port: 443 }] }],
            });
        }

        const bind = (role: string, rules: typeof MEMBER_RULES, group: string) => {
            const r = new k8s.rbac.v1.Role(`${res}-${role}`, { metadata: meta(`team-${role}`), rules }, opts);
            new k8s.rbac.v1.RoleBinding(`${res}-${role}`, {
                metadata: meta(`team-${role}s`),
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: r.metadata.name },
                subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group }],
            }, opts);
        };
        bind("member", MEMBER_RULES, groups.members);
        bind("lead", LEAD_RULES, groups.leads);
        return ns;
    }
}
