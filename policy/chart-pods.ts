/**
 * Pods that a chart or an operator renders, reproduced from the values the program passes, so the
 * K8S-* checks read them like the program's own workloads (checklist K8S-14). Each model takes
 * what the values set, and what the chart or operator always sets, from the pinned source:
 *
 * - Prometheus and Alertmanager (kube-prometheus-stack 88.5.3 values, prometheus-operator v0.93.0):
 *   pod `securityContext` from `prometheusSpec`/`alertmanagerSpec.securityContext` (chart default:
 *   uid 1000, runAsNonRoot, RuntimeDefault seccomp, `values.yaml`); the operator gives the main
 *   container and the config-reloader no escalation, a read-only root and `drop: [ALL]`
 *   (`pkg/prometheus/server/statefulset.go`, `pkg/alertmanager/statefulset.go` ~L716,
 *   `pkg/operator/config_reloader.go` ~L369) and distinct liveness/readiness probes to the main
 *   container (same files); the reloader's resources come from
 *   `prometheusOperator.prometheusConfigReloader.resources` (chart default `{}`: none).
 *   Images are the operator's defaults at the chart's pinned tags.
 * - The prometheus-operator Deployment, Grafana with its dashboard and datasource sidecars, and
 *   kube-state-metrics, and the node-exporter DaemonSet, from the same release's values over the defaults tables below (each cites
 *   its subchart's version and file).
 * - The DCGM exporter and the NVIDIA device plugin DaemonSets, and the ECK operator's StatefulSet
 *   (tables below, each cited).
 * - Elasticsearch and Kibana from the ECK custom resources' pod templates over ECK 3.5.0's defaults.
 * - The cluster autoscaler and the AWS Load Balancer Controller Deployments (tables below, each cited).
 *
 * A model records only what it knows; anything it cannot see counts as unset, so a check fails
 * rather than passes on a guess. Charts not modelled here are listed in the README.
 */
import { chartOf } from "./chart-rbac";
import { of, Res } from "./checks";
import { clusterAutoscalerPod, devicePluginPod, loadBalancerControllerPod } from "./chart-pods/cluster";
import { jupyterHubPods } from "./chart-pods/jupyterhub";
import { eckOperatorPod, eckWorkloads, ELASTICSEARCH, KIBANA } from "./chart-pods/logging";
import { dcgmPod, kubePrometheusStackPods } from "./chart-pods/monitoring";
import { servingAndQueuePods } from "./chart-pods/queues-serving";

const RELEASE = "kubernetes:helm.sh/v3:Release";

/** The workloads the platform's charts and operators render, as K8S-* check input. */
export function renderedWorkloads(rs: readonly Res[]): Res[] {
    const out: Res[] = [];
    for (const cr of of(rs, ELASTICSEARCH, KIBANA)) {
        out.push(...eckWorkloads(cr));
    }
    for (const r of of(rs, RELEASE)) {
        const values = r.inputs.values ?? {};
        if (chartOf(r) === "jupyterhub") {
            out.push(...jupyterHubPods(r, values));
        }
        if (chartOf(r) === "eck-operator") {
            out.push(eckOperatorPod(r, values));
        }
        if (chartOf(r) === "dcgm-exporter") {
            out.push(dcgmPod(r, values));
        }
        if (chartOf(r) === "nvidia-device-plugin" && values.devicePlugin?.enabled !== false) {
            out.push(devicePluginPod(r, values));
        }
        if (chartOf(r) === "cluster-autoscaler") {
            out.push(clusterAutoscalerPod(r, values));
        }
        if (chartOf(r) === "aws-load-balancer-controller") {
            out.push(loadBalancerControllerPod(r, values));
        }
        out.push(...servingAndQueuePods(r, values));
        if (chartOf(r) === "kube-prometheus-stack") {
            out.push(...kubePrometheusStackPods(r, values));
        }
    }
    return out;
}
