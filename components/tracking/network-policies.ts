/**
 * The tracking namespace's NetworkPolicies: default deny, then clients and monitoring in on the
 * server's port; DNS, PostgreSQL, S3 (HTTPS, never IMDS) and the Pod Identity agent out. The auth
 * bootstrap Job's policy is declared with the Job (credentials.ts).
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MLFLOW_CLIENT_LABEL, MLFLOW_PORT, NAMESPACE_NAME_LABEL, NAMESPACES } from "../shared/platform";
import type { ResolvedTrackingArgs } from "./args";
import { AUTH_BOOTSTRAP_APP } from "./auth";
import { DB_PORT } from "./database";
import type { TrackingNamespace } from "./server";

/** The EKS Pod Identity agent's link-local address (hostNetwork DaemonSet, port 80). */
export const POD_IDENTITY_AGENT_CIDR = "169.254.170.23/32";
const IMDS_CIDR = "169.254.169.254/32";

/** DNS to kube-dns: the first egress rule of every pod in the namespace. */
export const DNS_EGRESS = {
    to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
    ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
};

/**
 * Default deny, then: clients and monitoring in on 5000; DNS, PostgreSQL, S3 (HTTPS) and the Pod
 * Identity agent out. Children `${name}-<policy>`.
 */
export function trackingNetworkPolicies(name: string, parent: pulumi.Resource, a: ResolvedTrackingArgs, { namespace, labels, selector }: TrackingNamespace): void {
    const policy = (role: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
        new k8s.networking.v1.NetworkPolicy(`${name}-${role}`, { metadata: { name: role, namespace, labels }, spec }, { parent });
    const port = [{ protocol: "TCP", port: MLFLOW_PORT }];
    policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    policy("allow-clients", {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress"],
        ingress: [
            { from: [{ namespaceSelector: { matchLabels: { [MLFLOW_CLIENT_LABEL.key]: MLFLOW_CLIENT_LABEL.value } } }], ports: port },
            { from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: NAMESPACES.monitoring } } }], ports: port },
            // The ALB targets pod IPs from its subnets in the VPC.
            ...(a.ingress !== undefined ? [{ from: [{ ipBlock: { cidr: a.vpcCidr } }], ports: port }] : []),
            // The auth bootstrap Job in this namespace.
            { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": AUTH_BOOTSTRAP_APP } } }], ports: port },
        ],
    });
    policy("allow-egress", {
        podSelector: { matchLabels: selector },
        policyTypes: ["Egress"],
        egress: [
            DNS_EGRESS,
            { to: [{ ipBlock: { cidr: a.vpcCidr } }], ports: [{ protocol: "TCP", port: DB_PORT }] },
            // S3 (through the gateway endpoint or not, its addresses are outside the VPC); never IMDS.
            { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [a.vpcCidr, a.serviceCidr, IMDS_CIDR] } }], ports: [{ protocol: "TCP", port: 443 }] },
            { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT_CIDR } }], ports: [{ protocol: "TCP", port: 80 }] },
        ],
    });
}
