/**
 * Alerts on the training queues. Metric names are Kueue's at v0.19.2 (kubernetes-sigs/kueue
 * `pkg/metrics/metrics.go`, Subsystem "kueue"): `kueue_pending_workloads{cluster_queue, status}`
 * (status "active" or "inadmissible"), `kueue_cluster_queue_nominal_quota` and
 * `kueue_cluster_queue_resource_usage{cohort, cluster_queue, flavor, resource}` (reported only with
 * `metrics.enableClusterQueueResources`, which kueue-release.ts sets), each with `replica_role`
 * ("leader", "follower" or "standalone"; followers are dropped so nothing counts twice). GPU nodes and
 * GPU requests come from kube-state-metrics, which names the extended resource `nvidia_com_gpu`.
 */
import type { RuleGroup } from "../monitoring/rules";
import { KUEUE_JOB } from "./kueue-release";

/** Thresholds the queue alerts use (the README quotes them). */
export const QUEUE_THRESHOLDS = {
    pendingWithQuotaFor: "15m",
    idleGpuNodesFor: "30m",
} as const;

const runbookBase = "https://github.com/mlplatform/runbooks#";
const k = `job="${KUEUE_JOB}",replica_role!="follower"`;
const byResource = (metric: string) => `sum by (cluster_queue, resource) (${metric}{${k}})`;

/** The queue rule group; declared only when Kueue is scraped. */
export function queueRuleGroup(): RuleGroup {
    const nominal = byResource("kueue_cluster_queue_nominal_quota");
    // Usage series may be absent for a queue that never admitted anything: count that as 0.
    const usage = `(${byResource("kueue_cluster_queue_resource_usage")} or ${nominal} * 0)`;
    return {
        name: "mlplatform-queues",
        component: "queues",
        requiresJob: KUEUE_JOB,
        rules: [
            {
                alert: "KueueJobsPendingWithQuotaAvailable",
                // Pending Workloads, while every resource the queue has a budget for still has unused nominal quota.
                expr: `(sum by (cluster_queue) (kueue_pending_workloads{${k}}) > 0) and on (cluster_queue) (min by (cluster_queue) ((${nominal} - ${usage}) / (${nominal} > 0)) > 0)`,
                for: QUEUE_THRESHOLDS.pendingWithQuotaFor,
                severity: "warning",
                summary: "Jobs wait in queue {{ $labels.cluster_queue }} although it has unused quota",
                description: "Workloads have been pending for 15 minutes while the ClusterQueue has free nominal quota in every resource: a Job asks for more than is free (or than any flavor offers), lacks the GPU toleration, or names the wrong queue.",
                runbook: `${runbookBase}kueue-pending: kubectl -n <team> get workloads; kubectl -n <team> describe workload <name> shows why it is not admitted (flavor, toleration, quota).`,
            },
            {
                alert: "GPUNodesUpWithoutAdmittedWork",
                expr: `(count(kube_node_status_capacity{job="kube-state-metrics",resource="nvidia_com_gpu"} > 0) > 0)`
                    + ` unless on () (sum(kueue_cluster_queue_resource_usage{${k},resource="nvidia.com/gpu"}) > 0)`
                    + ` unless on () (sum(kube_pod_container_resource_requests{job="kube-state-metrics",resource="nvidia_com_gpu"} * on (namespace, pod) group_left () (max by (namespace, pod) (kube_pod_status_phase{job="kube-state-metrics",phase=~"Pending|Running"}) == 1)) > 0)`,
                for: QUEUE_THRESHOLDS.idleGpuNodesFor,
                severity: "warning",
                summary: "{{ $value }} GPU node(s) up with no admitted GPU workload",
                description: "GPU nodes have run for 30 minutes with no GPU admitted by Kueue and no live pod requesting a GPU; the autoscaler normally removes them after 10 unneeded minutes, so something keeps them (gpuMinSize above 0, a pod that blocks eviction, a scale-down error). Each costs its on-demand price.",
                runbook: `${runbookBase}gpu-nodes-idle: kubectl -n kube-system logs deploy/cluster-autoscaler | grep -i scale-down; kubectl describe node -l nvidia.com/gpu.present=true for pods that block eviction.`,
            },
        ],
    };
}
