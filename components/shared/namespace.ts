/**
 * Platform namespaces (checklist NS-01, NS-09, NS-10): a Pod Security level with its reason, and
 * ingress denied by default with explicit allows. Every layer that owns a namespace (monitoring,
 * logging, elastic-system, the GPU namespace, host agents, serving, queueing) builds it with these.
 */
import * as k8s from "./kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { podSecurity, PodSecurityLevel, standardLabels } from "./labels";
import { NAMESPACE_NAME_LABEL } from "./platform";

type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type Port = k8s.types.input.networking.v1.NetworkPolicyPort;

/** Arguments of {@link platformNamespace}. */
export interface PlatformNamespaceArgs {
    /** The namespace's name (fixed: other layers, rules and policies refer to it). */
    readonly name: string;
    /** Pod Security level enforced. */
    readonly level: PodSecurityLevel;
    /** Why the level is below `restricted` (required then; NS-01). */
    readonly reason?: string;
    /** Audit and warn at a stricter level than enforced. @default level */
    readonly auditWarn?: PodSecurityLevel;
    /** `app.kubernetes.io/*` labels of the owning layer. */
    readonly labels: Record<string, string>;
    /** Extra labels (e.g. the MLflow-client label). @default {} */
    readonly extraLabels?: Record<string, string>;
}

/** A namespace with its Pod Security labels and, below `restricted`, the reason annotation. */
export function platformNamespace(resourceName: string, args: PlatformNamespaceArgs, opts: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
    const ps = podSecurity(args.level, args.reason, args.auditWarn ?? args.level);
    return new k8s.core.v1.Namespace(resourceName, {
        metadata: {
            name: args.name,
            labels: { ...ps.labels, ...args.labels, ...(args.extraLabels ?? {}) },
            annotations: Object.keys(ps.annotations).length > 0 ? ps.annotations : undefined,
        },
    }, opts);
}

/** One explicit ingress allow. */
export interface IngressAllow {
    /** Short role, part of the policy's name (`allow-<role>`). */
    readonly role: string;
    /** Pods the allow applies to. @default {} (every pod in the namespace) */
    readonly podSelector?: Record<string, string>;
    /** Who may connect. Never empty: an empty `from` would admit every source. */
    readonly from: Peer[];
    /** Ports. @default - every port */
    readonly ports?: Port[];
}

/** Peer: every pod in the policy's own namespace. */
export const SAME_NAMESPACE: Peer = { podSelector: {} };

/** Peer: every pod of another namespace, by its name label. */
export const fromNamespace = (ns: string): Peer => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns } } });

const policyLabels = (resourceName: string) => standardLabels("network-policy", "ingress", resourceName);

/**
 * One explicit ingress allow as its own NetworkPolicy, `allow-<role>`; for a layer that opens a
 * port in a namespace another layer owns (e.g. monitoring scraping DCGM in the GPU namespace).
 */
export function ingressAllow(resourceName: string, namespace: pulumi.Input<string>, a: IngressAllow, opts: pulumi.CustomResourceOptions): k8s.networking.v1.NetworkPolicy {
    if (a.from.length === 0) {
        throw new Error(`ingress allow "${a.role}" has an empty from, which admits every source; name the peers`);
    }
    return new k8s.networking.v1.NetworkPolicy(`${resourceName}-allow-${a.role}`, {
        metadata: { name: `allow-${a.role}`, namespace, labels: policyLabels(resourceName) },
        spec: {
            podSelector: a.podSelector === undefined ? {} : { matchLabels: a.podSelector },
            policyTypes: ["Ingress"],
            ingress: [{ from: a.from, ports: a.ports }],
        },
    }, opts);
}

/**
 * A default-deny ingress NetworkPolicy (`podSelector: {}`, `policyTypes: [Ingress]`, no rules) plus
 * one policy per allow. Policies are additive, so the allows are the only ways in (NS-09). Egress
 * is left to each layer. `kubectl port-forward` still works (the container runtime connects to the
 * port inside the pod's own network namespace), and so do kubelet probes: the VPC CNI network
 * policy agent always admits the node's IP (aws/aws-network-policy-agent#65).
 */
export function defaultDenyIngress(
    resourceName: string,
    namespace: pulumi.Input<string>,
    allows: readonly IngressAllow[],
    opts: pulumi.CustomResourceOptions,
): k8s.networking.v1.NetworkPolicy[] {
    const roles = allows.map((a) => a.role);
    const twice = roles.find((r, i) => roles.indexOf(r) !== i);
    if (twice !== undefined) {
        throw new Error(`ingress allow "${twice}" is declared twice`);
    }
    return [
        new k8s.networking.v1.NetworkPolicy(`${resourceName}-deny-ingress`, {
            metadata: { name: "deny-ingress", namespace, labels: policyLabels(resourceName) },
            spec: { podSelector: {}, policyTypes: ["Ingress"] },
        }, opts),
        ...allows.map((a) => ingressAllow(resourceName, namespace, a, opts)),
    ];
}
