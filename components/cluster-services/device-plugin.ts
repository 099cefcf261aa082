/**
 * The NVIDIA device plugin: advertises `nvidia.com/gpu` on GPU nodes, in its own namespace (where
 * the monitoring layer also installs the DCGM exporter).
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GPU_NODE_LABEL, GPU_TOLERATION } from "../shared/gpu";
import { standardLabels } from "../shared/labels";
import { defaultDenyIngress, platformNamespace } from "../shared/namespace";
import { NAMESPACES } from "../shared/platform";
import { resources } from "../shared/security-context";
import { CHARTS } from "../shared/versions";

/**
 * The device plugin's namespace (privileged: hostPath socket directory), closed to ingress, and
 * the plugin's release, only on GPU nodes. Returns the namespace.
 */
export function nvidiaDevicePlugin(name: string, parent: pulumi.ComponentResource): k8s.core.v1.Namespace {
    const devicePluginNs = platformNamespace(`${name}-nvidia`, {
        name: NAMESPACES.gpu,
        level: "privileged",
        reason: "The NVIDIA device plugin mounts the kubelet's device-plugin socket directory (hostPath).",
        labels: standardLabels("nvidia-device-plugin", "gpu", name),
    }, { parent });
    // Nothing calls the device plugin over the network (the kubelet uses its socket); the DCGM
    // exporter's metrics port is opened by the monitoring layer that installs it (NS-09).
    defaultDenyIngress(`${name}-nvidia`, devicePluginNs.metadata.name, [], { parent });

    new k8s.helm.v3.Release(`${name}-nvidia-device-plugin`, {
        name: "nvidia-device-plugin",
        chart: CHARTS.nvidiaDevicePlugin.chart,
        version: CHARTS.nvidiaDevicePlugin.version,
        repositoryOpts: { repo: CHARTS.nvidiaDevicePlugin.repo },
        namespace: devicePluginNs.metadata.name,
        values: {
            // Only GPU nodes: the label is set by the GPU node group and by the autoscaler's template.
            affinity: {
                nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                        nodeSelectorTerms: [{ matchExpressions: [{ key: GPU_NODE_LABEL.key, operator: "In", values: [GPU_NODE_LABEL.value] }] }],
                    },
                },
            },
            tolerations: [GPU_TOLERATION, { key: "CriticalAddonsOnly", operator: "Exists" }],
            priorityClassName: "system-node-critical",
            // K8S-05/06/08. A non-empty `securityContext` replaces the chart's default (no escalation,
            // drop ALL: nvidia-device-plugin 0.20.0 _helpers.tpl `nvidia-device-plugin.securityContext`),
            // so it repeats that and adds a read-only root: the plugin writes only to its hostPath
            // volumes (/var/lib/kubelet/device-plugins, /var/run/cdi, the MPS root). Root: see K8S-01.
            podSecurityContext: { seccompProfile: { type: "RuntimeDefault" } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            resources: resources("10m", "64Mi", "128Mi"),
        },
    }, { parent });
    return devicePluginNs;
}
