/**
 * node-exporter (a kube-prometheus-stack subchart): its privileged namespace of its own and the
 * chart's `prometheus-node-exporter` values that put it there.
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../shared/labels";
import { defaultDenyIngress, platformNamespace } from "../shared/namespace";
import { NAMESPACES } from "../shared/platform";
import { resources } from "../shared/security-context";

/**
 * NS-10: node-exporter runs in a namespace of its own, so one privileged DaemonSet does not switch
 * Pod Security off for Grafana, Prometheus and Alertmanager. Returns the namespace `${name}-node-exporter-ns`.
 */
export function nodeExporterNamespace(parent: pulumi.Resource, name: string): k8s.core.v1.Namespace {
    const agentNs = platformNamespace(`${name}-node-exporter-ns`, {
        name: NAMESPACES.nodeExporter,
        level: "privileged",
        reason: "node-exporter (part of kube-prometheus-stack) reads host metrics through hostNetwork, hostPID and hostPath mounts of /proc, /sys and /.",
        labels: standardLabels("node-exporter", "monitoring", name),
    }, { parent });
    // node-exporter uses the host's network, where NetworkPolicy does not apply; the deny keeps
    // anything else that lands here closed.
    defaultDenyIngress(`${name}-node-exporter-ns`, agentNs.metadata.name, [], { parent });
    return agentNs;
}

/**
 * kube-prometheus-stack's `prometheus-node-exporter` values. NS-10: the DaemonSet and its
 * ServiceMonitor go to the privileged node-exporter namespace (prometheus-node-exporter 4.56.1
 * _helpers.tpl `namespace`, `monitor-namespace`).
 */
export function nodeExporterValues() {
    return {
        namespaceOverride: NAMESPACES.nodeExporter,
        // K8S-02/04/05/08: the chart sets only uid 65534 and a read-only root
        // (prometheus-node-exporter 4.56.1 values.yaml); Helm merges these maps over that.
        // Host network, PID and hostPath stay: see the K8S-07 exemption.
        securityContext: { seccompProfile: { type: "RuntimeDefault" } },
        containerSecurityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        resources: resources("20m", "32Mi", "64Mi"),
        // K8S-09: both probes GET / with the same default timing (templates/daemonset.yaml).
        readinessProbe: { periodSeconds: 5, failureThreshold: 2 },
        livenessProbe: { periodSeconds: 20, failureThreshold: 3 },
    };
}
