/** The monitoring namespace: Prometheus, Alertmanager, Grafana, the operator and kube-state-metrics. */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../shared/labels";
import { defaultDenyIngress, platformNamespace, SAME_NAMESPACE } from "../shared/namespace";
import { NAMESPACES } from "../shared/platform";

/** The namespace `${name}-ns`: Pod Security baseline enforced, restricted audited and warned. */
export function monitoringNamespace(parent: pulumi.Resource, name: string): k8s.core.v1.Namespace {
    const ns = platformNamespace(`${name}-ns`, {
        name: NAMESPACES.monitoring,
        level: "baseline",
        auditWarn: "restricted",
        reason: "Grafana's and kube-state-metrics' chart-rendered pods are not yet modelled against restricted before deploy (policy/chart-pods.ts covers Prometheus and Alertmanager); baseline refuses host namespaces, hostPath and privileged, and audit/warn report every restricted gap.",
        labels: standardLabels("monitoring", "monitoring", name),
    }, { parent });
    return ns;
}

/**
 * The namespace's ingress policy. NS-09: Prometheus and Alertmanager have no authentication
 * (Alertmanager's API creates silences), so only the namespace's own pods (Grafana, the operator,
 * Prometheus itself) and port-forward reach them.
 */
export function monitoringIngress(parent: pulumi.Resource, name: string, namespace: pulumi.Input<string>): void {
    defaultDenyIngress(`${name}-ns`, namespace, [{ role: "same-namespace", from: [SAME_NAMESPACE] }], { parent });
}
