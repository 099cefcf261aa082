/**
 * A team namespace's network policies: deny everything, then allow DNS, the namespace itself,
 * MLflow, scrapes from monitoring and, per team, HTTPS to the internet and to the Kubernetes API.
 */
import * as k8s from "../shared/kubernetes";
import { Cidr, formatCidr, parseCidr } from "../shared/cidr";
import { MLFLOW_PORT, NAMESPACE_NAME_LABEL, NAMESPACES } from "../shared/platform";
import type { TeamNamespace } from "./namespace";

/** The `kubernetes` Service's ClusterIP, as a /32: the first address of the Service CIDR. */
export function kubernetesServiceIp(serviceCidr: string): string {
    const c = parseCidr(serviceCidr) as Cidr;
    return formatCidr({ base: c.base + 1, prefix: 32 });
}

/** What a team's policies allow beyond the platform's defaults (ResolvedTeamSpec fields). */
export interface TeamEgress {
    readonly internetEgress: boolean;
    readonly kubernetesApiAccess: boolean;
}

/** The network policies of one team namespace; `vpcCidr` and `serviceCidr` bound its egress. */
export function teamNetworkPolicies(ns: TeamNamespace, egress: TeamEgress, vpcCidr: string, serviceCidr: string): void {
    const policy = (role: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
        new k8s.networking.v1.NetworkPolicy(`${ns.res}-${role}`, { metadata: ns.meta(role), spec }, ns.opts);
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
    if (egress.internetEgress) {
        policy("allow-internet-https", {
            podSelector: {},
            policyTypes: ["Egress"],
            // The internet, never the VPC (databases, other nodes), Service ClusterIPs (the
            // `kubernetes` Service is the API server, NS-09) or the instance metadata service.
            egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [vpcCidr, serviceCidr, "169.254.169.254/32"] } }], ports: [{ protocol: "TCP", port: 443 }] }],
        });
    }
    if (egress.kubernetesApiAccess) {
        policy("allow-kubernetes-api", {
            podSelector: {},
            policyTypes: ["Egress"],
            // The private API endpoint's ENIs sit in the VPC's subnets; in-cluster clients dial the
            // `kubernetes` Service's ClusterIP, which a policy may see before it is rewritten.
            egress: [{ to: [{ ipBlock: { cidr: vpcCidr } }, { ipBlock: { cidr: kubernetesServiceIp(serviceCidr) } }], ports: [{ protocol: "TCP", port: 443 }] }],
        });
    }
}
