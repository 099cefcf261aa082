/**
 * Checklist items for namespaces, RBAC and tenancy (NS-01 … NS-05).
 */
import { Cidr, contains, parseCidr } from "../components/shared/cidr";
import { chartOf, renderedClusterRbac } from "./chart-rbac";
import { Check, of, Res, v, Violation } from "./checks";

const NS = "kubernetes:core/v1:Namespace";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const QUOTA = "kubernetes:core/v1:ResourceQuota";
const LIMITS = "kubernetes:core/v1:LimitRange";
const ROLES = ["kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"];
const CRB = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";
const ASSOC = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation";
const TEAM_LABEL = "mlplatform.io/team";
const LEVEL = "pod-security.kubernetes.io/enforce";
const ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
const TEAM_POLICIES = ["arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy", "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"];

const RB = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
/** Namespaces whose pods carry a user's JUPYTERHUB_API_TOKEN in their env (components/tenancy/rbac.ts TOKEN_POD_NAMESPACES). */
const TOKEN_POD_NAMESPACES = ["jupyterhub"];
/** Built-in ClusterRoles that read pods (Kubernetes user-facing roles). */
const BUILTIN_POD_READERS = ["view", "edit", "admin", "cluster-admin"];
/** Subjects allowed to read every pod: the platform admins' cluster-admin access and Kubernetes itself. */
const POD_READ_OK = (s: any) => s.kind === "ServiceAccount" || String(s.name).startsWith("system:");

const readsPods = (rules: any[]) => (rules ?? []).some((r: any) =>
    ((r.apiGroups ?? []).includes("") || (r.apiGroups ?? []).includes("*"))
    && ((r.resources ?? []).includes("pods") || (r.resources ?? []).includes("*"))
    && (r.verbs ?? []).some((x: string) => ["get", "list", "watch", "*"].includes(x)));

/** Namespaces Kubernetes or EKS own; the program does not create them. */
const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];
const MONITORING_NS = "monitoring";
const NAME_LABEL = "kubernetes.io/metadata.name";
const cidrOf = (text: unknown): Cidr | undefined => {
    const c = typeof text === "string" ? parseCidr(text) : "unknown";
    return typeof c === "string" ? undefined : c;
};
/** Is this peer the policy's own namespace (podSelector alone) or the monitoring namespace? */
const monitoringPeer = (p: any) => (p.ipBlock === undefined && p.namespaceSelector === undefined && p.podSelector !== undefined)
    || (p.ipBlock === undefined && p.namespaceSelector?.matchLabels?.[NAME_LABEL] === MONITORING_NS && Object.keys(p.namespaceSelector.matchLabels).length === 1);

const teamNamespaces = (rs: readonly Res[]) => of(rs, NS).filter((n) => n.inputs.metadata?.labels?.[TEAM_LABEL] !== undefined);
const inNs = (r: Res, ns: string) => r.inputs.metadata?.namespace === ns;

export const TENANCY_CHECKS: readonly Check[] = [
    {
        id: "NS-01",
        description: "team namespaces enforce/audit/warn restricted; namespaces below restricted state a reason",
        evaluate(rs) {
            const out: Violation[] = [];
            for (const n of of(rs, NS)) {
                const labels = n.inputs.metadata?.labels ?? {};
                if (labels[TEAM_LABEL] !== undefined) {
                    for (const mode of ["enforce", "audit", "warn"]) {
                        if (labels[`pod-security.kubernetes.io/${mode}`] !== "restricted") {
                            out.push(v("NS-01", n, `team namespace lacks pod-security ${mode}=restricted`));
                        }
                    }
                } else if (labels[LEVEL] === undefined) {
                    // An unlabelled namespace runs at the cluster default, which EKS leaves privileged.
                    out.push(v("NS-01", n, "namespace has no pod-security.kubernetes.io/enforce label"));
                } else if (!["restricted", "baseline", "privileged"].includes(labels[LEVEL])) {
                    out.push(v("NS-01", n, `pod-security enforce level ${labels[LEVEL]} is not a Pod Security Standard`));
                } else if (labels[LEVEL] !== "restricted" && !n.inputs.metadata?.annotations?.["mlplatform.io/pod-security-reason"]) {
                    out.push(v("NS-01", n, `namespace at ${labels[LEVEL]} gives no reason`));
                }
            }
            return out;
        },
    },
    {
        id: "NS-02",
        description: "every team namespace has a default-deny (ingress and egress) policy and a DNS allow",
        evaluate(rs) {
            return teamNamespaces(rs).flatMap((n) => {
                const name = n.inputs.metadata.name;
                const pols = of(rs, NETPOL).filter((p) => inNs(p, name));
                const out: Violation[] = [];
                const deny = pols.some((p) => Object.keys(p.inputs.spec?.podSelector ?? {}).length === 0 && !p.inputs.spec?.ingress && !p.inputs.spec?.egress
                    && ["Ingress", "Egress"].every((t) => (p.inputs.spec?.policyTypes ?? []).includes(t)));
                if (!deny) {
                    out.push(v("NS-02", n, "no default-deny NetworkPolicy for Ingress and Egress"));
                }
                const dns = pols.some((p) => (p.inputs.spec?.egress ?? []).some((e: any) =>
                    (e.to ?? []).some((t: any) => t.podSelector?.matchLabels?.["k8s-app"] === "kube-dns") && (e.ports ?? []).some((pt: any) => pt.port === 53)));
                if (!dns) {
                    out.push(v("NS-02", n, "no egress allow to kube-dns on 53"));
                }
                return out;
            });
        },
    },
    {
        id: "NS-03",
        description: "every team namespace has a ResourceQuota on cpu, memory, GPUs and pods, and a LimitRange with defaults",
        evaluate(rs) {
            return teamNamespaces(rs).flatMap((n) => {
                const name = n.inputs.metadata.name;
                const out: Violation[] = [];
                const quota = of(rs, QUOTA).find((q) => inNs(q, name));
                const hard = quota?.inputs.spec?.hard ?? {};
                const missing = ["requests.cpu", "requests.memory", "requests.nvidia.com/gpu", "pods"].filter((k) => hard[k] === undefined);
                if (!quota || missing.length) {
                    out.push(v("NS-03", n, `quota lacks ${missing.join(", ") || "everything"}`));
                }
                const lr = of(rs, LIMITS).find((l) => inNs(l, name));
                if (!lr || !(lr.inputs.spec?.limits ?? []).some((l: any) => l.defaultRequest && l.default)) {
                    out.push(v("NS-03", n, "no LimitRange with default requests and limits"));
                }
                return out;
            });
        },
    },
    {
        id: "NS-06",
        description: "no team, auditor or other human principal can read pods in jupyterhub (their env holds users' JUPYTERHUB_API_TOKEN)",
        evaluate(rs) {
            const out: Violation[] = [];
            const roleReadsPods = (ref: any, ns: string | undefined) => {
                const declared = of(rs, ...ROLES).find((r) => r.inputs.metadata?.name === ref?.name && r.type.endsWith(`:${ref?.kind}`)
                    && (ref?.kind === "ClusterRole" || r.inputs.metadata?.namespace === ns));
                return declared !== undefined ? readsPods(declared.inputs.rules) : ref?.kind === "ClusterRole" && BUILTIN_POD_READERS.includes(ref?.name);
            };
            const humans = (b: Res) => (b.inputs.subjects ?? []).filter((s: any) => !POD_READ_OK(s));
            for (const b of of(rs, RB).filter((x) => TOKEN_POD_NAMESPACES.includes(x.inputs.metadata?.namespace))) {
                if (humans(b).length > 0 && roleReadsPods(b.inputs.roleRef, b.inputs.metadata?.namespace)) {
                    out.push(v("NS-06", b, `lets ${humans(b).map((s: any) => s.name).join(", ")} read pods in ${b.inputs.metadata?.namespace}`));
                }
            }
            for (const b of of(rs, CRB)) {
                if (humans(b).length > 0 && roleReadsPods(b.inputs.roleRef, undefined)) {
                    out.push(v("NS-06", b, `lets ${humans(b).map((s: any) => s.name).join(", ")} read pods in every namespace, jupyterhub included`));
                }
            }
            // Every EKS access policy but the admins' reads pods in its scope.
            for (const a of of(rs, ASSOC).filter((x) => x.inputs.policyArn !== ADMIN_POLICY)) {
                const scope = a.inputs.accessScope ?? {};
                if (scope.type === "cluster" || (scope.namespaces ?? []).some((n: string) => TOKEN_POD_NAMESPACES.includes(n))) {
                    out.push(v("NS-06", a, `${a.inputs.policyArn} with scope ${JSON.stringify(scope)} reads pods in jupyterhub`));
                }
            }
            return out;
        },
    },
    {
        id: "NS-08",
        description: "no chart reads Secrets cluster-wide; the Prometheus operator watches Secrets only in its instances' namespace; ECK is namespaced; Grafana loads dashboards only from platform namespaces",
        evaluate(rs) {
            const out: Violation[] = [];
            for (const r of renderedClusterRbac(rs)) {
                if (r.type === CRB) {
                    continue;
                }
                const reads = (r.inputs.rules ?? []).some((x: any) => (x.resources ?? []).includes("secrets") && (x.verbs ?? []).some((vb: string) => ["get", "list", "watch", "*"].includes(vb)));
                if (reads) {
                    out.push(v("NS-08", { ...r, name: r.name.split("/")[0] }, `the chart's ${r.inputs.metadata.name} ClusterRole reads Secrets in every namespace`));
                }
            }
            const platform = new Set(of(rs, NS).filter((n) => n.inputs.metadata?.labels?.[TEAM_LABEL] === undefined).map((n) => n.inputs.metadata?.name));
            for (const r of of(rs, "kubernetes:helm.sh/v3:Release")) {
                const values = r.inputs.values ?? {};
                if (chartOf(r) === "kube-prometheus-stack") {
                    const op = values.prometheusOperator ?? {};
                    for (const key of ["prometheusInstanceNamespaces", "alertmanagerInstanceNamespaces"]) {
                        // prometheus-operator v0.93.0 pkg/operator/config.go: unset, it watches Secrets in every --namespaces namespace (all by default).
                        if (!Array.isArray(op[key]) || op[key].length === 0) {
                            out.push(v("NS-08", r, `prometheusOperator.${key} is unset, so the operator watches Secrets wherever it watches monitors`));
                        }
                    }
                    const search = values.grafana?.sidecar?.dashboards?.searchNamespace;
                    // kube-prometheus-stack's own default is "ALL"; unset in our values means that default.
                    const list: string[] = search === undefined ? ["ALL"] : Array.isArray(search) ? search : [search];
                    const foreign = list.filter((n) => n === "ALL" || !platform.has(n));
                    if (foreign.length > 0) {
                        out.push(v("NS-08", r, `Grafana loads dashboards from ${foreign.join(", ")}; only platform namespaces may provide them`));
                    }
                }
                if (chartOf(r) === "eck-operator" && !(values.managedNamespaces ?? []).length) {
                    out.push(v("NS-08", r, "ECK manages every namespace (managedNamespaces is empty)"));
                }
            }
            return out;
        },
    },
    {
        id: "NS-09",
        description: "platform namespaces deny ingress by default; Prometheus and Alertmanager take traffic only from monitoring; no egress ipBlock admits the API server's Service IP by accident",
        evaluate(rs) {
            const out: Violation[] = [];
            const pols = of(rs, NETPOL);
            for (const n of of(rs, NS)) {
                const name = n.inputs.metadata?.name;
                if (n.inputs.metadata?.labels?.[TEAM_LABEL] !== undefined || SYSTEM_NAMESPACES.includes(name)) {
                    continue;
                }
                const deny = pols.some((p) => inNs(p, name) && Object.keys(p.inputs.spec?.podSelector ?? {}).length === 0
                    && (p.inputs.spec?.policyTypes ?? []).includes("Ingress") && (p.inputs.spec?.ingress ?? []).length === 0);
                if (!deny) {
                    out.push(v("NS-09", n, `platform namespace ${name} has no default-deny ingress NetworkPolicy`));
                }
            }
            for (const p of pols.filter((x) => inNs(x, MONITORING_NS))) {
                for (const rule of p.inputs.spec?.ingress ?? []) {
                    if ((rule.from ?? []).length === 0 || !(rule.from ?? []).every(monitoringPeer)) {
                        out.push(v("NS-09", p, "admits traffic from outside the monitoring namespace to Prometheus/Alertmanager's namespace"));
                    }
                }
            }
            // A Service IP may be matched before it is rewritten to an endpoint (Kubernetes leaves it
            // undefined), so a wide ipBlock that holds the `kubernetes` Service IP reaches the API server.
            const cluster = of(rs, "eks:index:Cluster", "aws:eks/cluster:Cluster")[0];
            const svc = cidrOf(cluster?.inputs.kubernetesServiceIpAddressRange ?? cluster?.inputs.kubernetesNetworkConfig?.serviceIpv4Cidr ?? "172.20.0.0/16")!;
            const apiIp: Cidr = { base: svc.base + 1, prefix: 32 };
            for (const p of pols) {
                for (const rule of p.inputs.spec?.egress ?? []) {
                    for (const peer of rule.to ?? []) {
                        const block = cidrOf(peer.ipBlock?.cidr);
                        if (block === undefined || block.prefix === 32 || !contains(block, apiIp)) {
                            continue;
                        }
                        if (!(peer.ipBlock.except ?? []).some((e: string) => { const c = cidrOf(e); return c !== undefined && contains(c, apiIp); })) {
                            out.push(v("NS-09", p, `egress to ${peer.ipBlock.cidr} admits the kubernetes Service IP; except the Service CIDR or allow the API on purpose with a /32`));
                        }
                    }
                }
            }
            return out;
        },
    },
    {
        id: "NS-07",
        description: "team ResourceQuotas hard-limit services.loadbalancers and services.nodeports to 0",
        evaluate(rs) {
            return teamNamespaces(rs).flatMap((n) => {
                const hard = of(rs, QUOTA).find((q) => inNs(q, n.inputs.metadata.name))?.inputs.spec?.hard ?? {};
                return ["services.loadbalancers", "services.nodeports"]
                    .filter((k) => String(hard[k]) !== "0")
                    .map((k) => v("NS-07", n, `quota ${k} is ${hard[k] ?? "unset"}; teams must not expose Services outside the platform's Ingress`));
            });
        },
    },
    {
        id: "NS-04",
        description: "roles (chart-rendered included) use no wildcards, escalate/bind/impersonate, nodes/proxy create or cluster-wide secret reads; no ClusterRoleBinding for team groups; no RoleBinding gives a team admin or cluster-admin",
        evaluate(declared) {
            const out: Violation[] = [];
            const rs = [...declared, ...renderedClusterRbac(declared)];
            for (const b of of(rs, RB)) {
                const ref = b.inputs.roleRef ?? {};
                if (ref.kind === "ClusterRole" && ["admin", "cluster-admin"].includes(ref.name) && (b.inputs.subjects ?? []).some((s: any) => String(s.name).startsWith("mlplatform:team:"))) {
                    out.push(v("NS-04", b, `binds a team group to ${ref.name}`));
                }
            }
            for (const r of of(rs, ...ROLES)) {
                for (const rule of r.inputs.rules ?? []) {
                    const all = [...(rule.verbs ?? []), ...(rule.resources ?? []), ...(rule.apiGroups ?? [])];
                    if (all.includes("*")) {
                        out.push(v("NS-04", r, "rule uses a wildcard"));
                    }
                    const bad = (rule.verbs ?? []).filter((x: string) => ["escalate", "bind", "impersonate"].includes(x));
                    if (bad.length) {
                        out.push(v("NS-04", r, `rule grants ${bad.join(", ")}`));
                    }
                    if ((rule.resources ?? []).includes("nodes/proxy") && (rule.verbs ?? []).includes("create")) {
                        out.push(v("NS-04", r, "rule creates nodes/proxy"));
                    }
                    if (r.type.endsWith(":ClusterRole") && (rule.resources ?? []).includes("secrets") && (rule.verbs ?? []).some((x: string) => ["list", "watch", "get"].includes(x))) {
                        out.push(v("NS-04", r, "cluster-wide read of secrets"));
                    }
                }
            }
            for (const b of of(rs, CRB)) {
                if ((b.inputs.subjects ?? []).some((s: any) => String(s.name).startsWith("mlplatform:team:"))) {
                    out.push(v("NS-04", b, "team group bound cluster-wide"));
                }
            }
            return out;
        },
    },
    {
        id: "NS-05",
        description: "access policies: team principals namespace-scoped Edit/View; cluster admin only with cluster scope for admins",
        evaluate(rs) {
            return of(rs, ASSOC).flatMap((a) => {
                const policy = a.inputs.policyArn;
                const scope = a.inputs.accessScope ?? {};
                if (policy === ADMIN_POLICY) {
                    return scope.type === "cluster" ? [] : [v("NS-05", a, "cluster admin policy must be cluster-scoped and only for admins")];
                }
                if (!TEAM_POLICIES.includes(policy)) {
                    return [v("NS-05", a, `unexpected access policy ${policy}`)];
                }
                // View policies for auditors may be cluster-wide (no secrets); edit never is.
                if (scope.type === "cluster" && policy !== TEAM_POLICIES[1]) {
                    return [v("NS-05", a, "edit access must be namespace-scoped")];
                }
                if (scope.type === "namespace" && !(scope.namespaces ?? []).length) {
                    return [v("NS-05", a, "namespace scope lists no namespaces")];
                }
                return [];
            });
        },
    },
];
