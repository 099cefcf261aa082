/**
 * GPU metrics: the NVIDIA DCGM exporter on GPU nodes, in the privileged GPU namespace, and the
 * NetworkPolicy that lets Prometheus scrape it.
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GPU_NODE_LABEL, GPU_TOLERATION } from "../shared/gpu";
import { fromNamespace, ingressAllow } from "../shared/namespace";
import { NAMESPACES, ScrapeTarget } from "../shared/platform";
import { chartResources } from "../shared/security-context";
import { MONITORING_VERSIONS } from "../shared/versions";
import { MONITORING_JOBS } from "./rules";

/** dcgm-exporter chart 4.8.2 `values.yaml` `service.port` / container `metrics` port. */
const DCGM_METRICS_PORT = 9400;

/**
 * The release `${name}-dcgm-exporter` in `gpuNamespace` and its ingress policy. Returns the scrape
 * target (job {@link MONITORING_JOBS.dcgm}) the GPU alert rules and dashboard need.
 */
export function dcgmExporter(parent: pulumi.Resource, name: string, gpuNamespace: string): ScrapeTarget {
    const [repository, tag] = MONITORING_VERSIONS.dcgmExporterImage.split(/:(?=[^:]+$)/);
    new k8s.helm.v3.Release(`${name}-dcgm-exporter`, {
        name: "dcgm-exporter",
        chart: MONITORING_VERSIONS.dcgmExporterChart.chart,
        version: MONITORING_VERSIONS.dcgmExporterChart.version,
        repositoryOpts: { repo: MONITORING_VERSIONS.dcgmExporterChart.repo },
        namespace: gpuNamespace,
        values: {
            image: { repository, tag },
            // Only GPU nodes, tolerating their taint.
            affinity: {
                nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                        nodeSelectorTerms: [{ matchExpressions: [{ key: GPU_NODE_LABEL.key, operator: "In", values: [GPU_NODE_LABEL.value] }] }],
                    },
                },
            },
            tolerations: [GPU_TOLERATION],
            // The platform declares the ServiceMonitor itself, with the job label the rules use.
            serviceMonitor: { enabled: false },
            // Exception (privileged namespace): DCGM needs root and SYS_ADMIN for profiling counters
            // and reads the kubelet's pod-resources socket (hostPath) to map GPUs to pods; the K8S-01/04/06
            // exemptions (policy/checks-workloads.ts) say why, policy/chart-pods.ts renders the pod.
            securityContext: {
                runAsNonRoot: false,
                runAsUser: 0,
                privileged: false,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] },
                seccompProfile: { type: "RuntimeDefault" },
            },
            // The chart's default CPU limit (200m) is dropped: no CPU limits on platform pods.
            resources: chartResources("100m", "256Mi", "512Mi"),
        },
    }, { parent });
    ingressAllow(`${name}-dcgm`, gpuNamespace, {
        role: "dcgm-metrics",
        podSelector: { "app.kubernetes.io/name": "dcgm-exporter" },
        from: [fromNamespace(NAMESPACES.monitoring)],
        ports: [{ protocol: "TCP", port: DCGM_METRICS_PORT }],
    }, { parent });
    return {
        name: MONITORING_JOBS.dcgm,
        namespace: gpuNamespace,
        selector: { "app.kubernetes.io/name": "dcgm-exporter", "app.kubernetes.io/instance": "dcgm-exporter" },
        port: "metrics",
        intervalSeconds: 15,
    };
}
