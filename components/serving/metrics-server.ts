/**
 * metrics-server: the implementation of the `metrics.k8s.io` API that every `Resource` metric of a
 * HorizontalPodAutoscaler reads. EKS does not install it; without it an HPA reports
 * `FailedGetResourceMetric` and never scales.
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NODE_POOL_LABEL } from "../shared/gpu";
import { resources } from "../shared/security-context";
import { SERVING_VERSIONS } from "../shared/versions";

/** The APIService the chart registers (`templates/apiservice.yaml`: name v1beta1.metrics.k8s.io, group metrics.k8s.io). */
export const METRICS_API = { group: "metrics.k8s.io", version: "v1beta1" } as const;

/** Helm values: the chart's defaults already meet the restricted profile (values.yaml `securityContext`: non-root uid 1000, read-only root, drop ALL, RuntimeDefault); these add what it leaves open. */
export function metricsServerValues() {
    const [repository, tag] = SERVING_VERSIONS.metricsServerImage.split(/:(?=[^:]+$)/);
    return {
        image: { repository, tag },
        // Registers v1beta1.metrics.k8s.io: the HPA's metric source. The chart default, stated so a
        // values change cannot turn the HPA blind unnoticed (a test reads it).
        apiService: { create: true },
        // The chart leaves the memory limit open (values.yaml `resources`: requests only).
        resources: resources("100m", "200Mi", "400Mi"),
        nodeSelector: { [NODE_POOL_LABEL]: "cpu" },
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    };
}

/** Installs the pinned metrics-server chart in kube-system. */
export function metricsServer(name: string, parent: pulumi.Resource): k8s.helm.v3.Release {
    const pin = SERVING_VERSIONS.metricsServerChart;
    return new k8s.helm.v3.Release(name, {
        name: "metrics-server",
        chart: pin.chart,
        version: pin.version,
        repositoryOpts: { repo: pin.repo },
        namespace: "kube-system",
        values: metricsServerValues(),
    }, { parent });
}
