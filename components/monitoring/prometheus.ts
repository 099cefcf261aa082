/**
 * kube-prometheus-stack: the release (prometheus-operator, Prometheus, Alertmanager, Grafana,
 * kube-state-metrics, node-exporter) with its values, and the in-place growth of the operator's
 * volumes. The values of Alertmanager, Grafana and node-exporter come from their own parts.
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NAMESPACES } from "../shared/platform";
import { resources } from "../shared/security-context";
import { MONITORING_VERSIONS } from "../shared/versions";
import { alertmanagerValues } from "./alertmanager";
import { ResolvedMonitoringArgs } from "./args";
import { grafanaValues } from "./grafana";
import { nodeExporterValues } from "./node-exporter";
import { ON_CPU_NODES, PVC_RETENTION, volumeClaim, zoneSpread } from "./scheduling";

/** Helm release name; the chart's Service names derive from it and from {@link FULLNAME}. */
export const KPS_RELEASE = "kube-prometheus-stack";
/** `fullnameOverride`, so Services are `kps-prometheus` and `kps-alertmanager` whatever the release is called. */
export const FULLNAME = "kps";

/** The chart's values: `monitorNamespaces` are the namespaces whose monitors the operator reads. */
export function kubePrometheusStackValues(a: ResolvedMonitoringArgs, monitorNamespaces: pulumi.Input<string>[]) {
    return {
        fullnameOverride: FULLNAME,
        // EKS runs the control plane; these targets cannot be scraped and would only raise TargetDown.
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeEtcd: { enabled: false },
        kubeProxy: { enabled: false },
        // NS-08: the chart's operator ClusterRole has '*' on Secrets cluster-wide; the program
        // writes namespaced RBAC instead (rbac.ts).
        global: { rbac: { create: false } },
        prometheusOperator: {
            nodeSelector: ON_CPU_NODES,
            resources: resources("100m", "128Mi", "256Mi"),
            namespaces: { releaseNamespace: true, additional: monitorNamespaces },
            prometheusInstanceNamespaces: [NAMESPACES.monitoring],
            alertmanagerInstanceNamespaces: [NAMESPACES.monitoring],
            alertmanagerConfigNamespaces: [NAMESPACES.monitoring],
            thanosRulerInstanceNamespaces: [NAMESPACES.monitoring],
            // The admission webhook's patch Jobs need cluster RBAC the chart no longer creates, and
            // the operator's TLS listener reads the certificate those Jobs make
            // (templates/prometheus-operator/deployment.yaml `tls-secret`). Rules are checked by
            // promtool in tests instead.
            admissionWebhooks: { enabled: false },
            tls: { enabled: false },
            // K8S-08/09 for the config-reloader sidecar the operator adds to Prometheus and
            // Alertmanager: the chart passes these as --config-reloader-* flags
            // (templates/prometheus-operator/deployment.yaml); its default is none.
            prometheusConfigReloader: { resources: resources("10m", "32Mi", "64Mi"), enableProbe: true },
            // K8S-09: the chart renders both probes as GET /healthz with the same default timing
            // (templates/prometheus-operator/deployment.yaml); readiness reacts within 10s, liveness
            // restarts only after 60s of failures.
            readinessProbe: { enabled: true, periodSeconds: 5, failureThreshold: 2 },
            livenessProbe: { enabled: true, periodSeconds: 20, failureThreshold: 3 },
        },
        prometheus: {
            podDisruptionBudget: { enabled: a.podDisruptionBudgets },
            prometheusSpec: {
                replicas: a.prometheusReplicas,
                retention: `${a.retentionDays}d`,
                // Prometheus' GB is 2^30 bytes.
                retentionSize: `${a.retentionSizeGiB}GB`,
                storageSpec: { volumeClaimTemplate: volumeClaim(a.storageClassName, a.storageGiB) },
                persistentVolumeClaimRetentionPolicy: PVC_RETENTION,
                // Select every ServiceMonitor, PodMonitor, Probe, ScrapeConfig and PrometheusRule, not only the chart's.
                ruleSelectorNilUsesHelmValues: false,
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                probeSelectorNilUsesHelmValues: false,
                scrapeConfigSelectorNilUsesHelmValues: false,
                podAntiAffinity: a.podAntiAffinity,
                topologySpreadConstraints: zoneSpread(a.prometheusReplicas),
                nodeSelector: ON_CPU_NODES,
                resources: resources("250m", "1Gi", "2Gi"),
            },
        },
        alertmanager: alertmanagerValues(a),
        grafana: grafanaValues(),
        // NS-08: without the secrets collector its ClusterRole has no list/watch on Secrets
        // (kube-state-metrics 8.4.0 templates/role.yaml `if has "secrets" $activeCollectors`).
        // NS-10: node-exporter.ts.
        "prometheus-node-exporter": nodeExporterValues(),
        "kube-state-metrics": { nodeSelector: ON_CPU_NODES, resources: resources("50m", "128Mi", "256Mi"), collectorsExclude: ["secrets"] },
    };
}

/**
 * The release `${name}-kube-prometheus-stack` in `namespace`, after `dependsOn` (its Secrets, the
 * node-exporter namespace, its RBAC), and the PVC patches `${name}-prometheus-volume-<i>` and
 * `${name}-alertmanager-volume-<i>` that grow the operator's volumes.
 */
export function kubePrometheusStack(parent: pulumi.Resource, name: string, namespace: pulumi.Output<string>, a: ResolvedMonitoringArgs, monitorNamespaces: pulumi.Input<string>[], dependsOn: pulumi.Resource[]): k8s.helm.v3.Release {
    const kps = new k8s.helm.v3.Release(`${name}-kube-prometheus-stack`, {
        name: KPS_RELEASE,
        chart: MONITORING_VERSIONS.kubePrometheusStackChart.chart,
        version: MONITORING_VERSIONS.kubePrometheusStackChart.version,
        repositoryOpts: { repo: MONITORING_VERSIONS.kubePrometheusStackChart.repo },
        namespace,
        values: kubePrometheusStackValues(a, monitorNamespaces),
    }, {
        parent,
        dependsOn,
        // A volumeClaimTemplate is immutable in a StatefulSet: on any change prometheus-operator
        // v0.93 deletes the StatefulSet (ForceUpdateStatefulSet in pkg/k8s/statefulset.go, foreground
        // propagation: every replica down at once) and its own docs say the PVCs are not expanded
        // (Documentation/platform/storage.md, "Resizing volumes"). So the templates keep the size a
        // stack was created with, and growth goes to the PVCs directly (operatorVolumes below).
        ignoreChanges: [`values.prometheus.prometheusSpec.storageSpec`, `values.alertmanager.alertmanagerSpec.storage`],
    });
    operatorVolumes(parent, `${name}-prometheus-volume`, namespace, `prometheus-${FULLNAME}-prometheus`, a.prometheusReplicas, volumeClaim(a.storageClassName, a.storageGiB), kps);
    operatorVolumes(parent, `${name}-alertmanager-volume`, namespace, `alertmanager-${FULLNAME}-alertmanager`, a.alertmanagerReplicas, volumeClaim(a.storageClassName, a.alertmanagerStorageGiB), kps);
    return kps;
}

/**
 * Grows the volumes of an operator-managed StatefulSet in place: one server-side-apply patch per
 * replica on the PVC the StatefulSet controller names `<template>-<statefulset>-<ordinal>`, whose
 * template prometheus-operator v0.93 names `<statefulset>-db` (pkg/prometheus/common.go VolumeName,
 * pkg/alertmanager/statefulset.go volumeName); the StatefulSets are `prometheus-<cr>` and
 * `alertmanager-<cr>`, the CRs `<fullname>-prometheus` and `<fullname>-alertmanager`
 * (kube-prometheus-stack templates/_helpers.tpl `prometheus.crname`, `alertmanager.crname`). A PVC's
 * `spec.resources` is not force-new in pulumi-kubernetes (provider/pkg/provider/diff.go), the gp3 StorageClass allows expansion and the
 * EBS CSI driver resizes online, so a larger size is an in-place update with the pods running.
 * The patch carries the full claim spec, so on a new stack it may create the claim before the
 * StatefulSet does (which then adopts it by name). It takes field ownership from the controller
 * (`patchForce`) and is retained on delete: dropping a replica or the patch leaves the claim to
 * the StatefulSet's retention policy and the namespace, never deletes it.
 */
function operatorVolumes(parent: pulumi.Resource, name: string, namespace: pulumi.Input<string>, statefulSet: string, replicas: number, claim: { spec: Record<string, unknown> }, release: pulumi.Resource): void {
    for (let i = 0; i < replicas; i++) {
        new k8s.core.v1.PersistentVolumeClaimPatch(`${name}-${i}`, {
            metadata: {
                name: `${statefulSet}-db-${statefulSet}-${i}`,
                namespace,
                annotations: { "pulumi.com/patchForce": "true", "pulumi.com/skipAwait": "true" },
            },
            spec: claim.spec,
        }, { parent, dependsOn: [release], retainOnDelete: true });
    }
}
