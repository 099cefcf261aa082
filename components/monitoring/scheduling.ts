/**
 * Placement and volumes shared by the chart's pods: Prometheus and Alertmanager (operator-managed
 * StatefulSets), Grafana, the operator and kube-state-metrics.
 */
import { NODE_POOL_LABEL } from "../shared/gpu";

/** nodeSelector of every platform pod the chart renders, except the node-exporter DaemonSet. */
export const ON_CPU_NODES: Readonly<Record<string, string>> = { [NODE_POOL_LABEL]: "cpu" };

/**
 * Retain in every preset: prometheus-operator deletes and recreates its StatefulSet whenever an
 * update is refused (see prometheus.ts), and whenDeleted: Delete would take the volumes with it. A
 * sandbox destroy still removes them: deleting the monitoring namespace deletes its PVCs.
 */
export const PVC_RETENTION: Readonly<Record<string, string>> = { whenDeleted: "Retain", whenScaled: "Retain" };

/** The claim template (and, in prometheus.ts, the PVC patch) of one operator-managed volume. */
export function volumeClaim(storageClassName: string, gib: number) {
    return {
        spec: { storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${gib}Gi` } } },
    };
}

/**
 * K8S-12: several replicas spread over zones. ScheduleAnyway, not DoNotSchedule: each replica's
 * EBS volume pins it to one zone, and a hard constraint could then leave it Pending forever.
 * OnResource: the operator adds the Prometheus/Alertmanager instance's own labels to the selector.
 */
export function zoneSpread(replicas: number) {
    return replicas < 2 ? [] : [{
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        additionalLabelSelectors: "OnResource",
    }];
}
