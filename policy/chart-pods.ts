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
 *
 * A model records only what it knows; anything it cannot see counts as unset, so a check fails
 * rather than passes on a guess. Charts not modelled here are listed in the README.
 */
import { chartOf } from "./chart-rbac";
import { of, Res } from "./checks";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
const OPERATOR_CONTAINER_CONTEXT = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };
/** kube-prometheus-stack 88.5.3 `values.yaml` default for both Spec.securityContext. */
const KPS_POD_CONTEXT = { runAsGroup: 2000, runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } };

/** A synthetic workload record for a rendered pod; its name says which release renders it. */
function workload(release: Res, app: string, namespace: string, replicas: number, spec: Record<string, unknown>): Res {
    return {
        type: STATEFUL_SET,
        name: `${release.name}/${app}`,
        urn: release.urn,
        inputs: {
            metadata: { namespace, labels: { "app.kubernetes.io/name": app } },
            spec: { replicas, template: { metadata: { labels: { "app.kubernetes.io/name": app } }, spec } },
        },
    };
}

/** Prometheus or Alertmanager as prometheus-operator renders it from the chart's `<x>Spec`. */
function operatorInstance(release: Res, app: "prometheus" | "alertmanager", s: any, reloader: any, fullname: string): Res {
    // config_reloader.go addProbes (with --enable-config-reloader-probes): one handler for liveness and readiness.
    const reloaderProbe = reloader?.enableProbe === true ? { httpGet: { path: "/healthz", port: "reloader-web" } } : undefined;
    const probe = (path: string) => ({ httpGet: { path, port: "web" } });
    return workload(release, app, String(release.inputs.namespace ?? ""), s.replicas ?? 1, {
        serviceAccountName: `${fullname}-${app}`,
        automountServiceAccountToken: s.automountServiceAccountToken ?? true,
        securityContext: s.securityContext ?? KPS_POD_CONTEXT,
        topologySpreadConstraints: s.topologySpreadConstraints ?? [],
        containers: [
            {
                name: app,
                image: `quay.io/prometheus/${app}:pinned-by-chart`,
                securityContext: OPERATOR_CONTAINER_CONTEXT,
                resources: s.resources,
                livenessProbe: probe("/-/healthy"),
                readinessProbe: probe("/-/ready"),
            },
            {
                name: "config-reloader",
                image: "quay.io/prometheus-operator/prometheus-config-reloader:pinned-by-chart",
                securityContext: OPERATOR_CONTAINER_CONTEXT,
                resources: reloader?.resources,
                livenessProbe: reloaderProbe,
                readinessProbe: reloaderProbe,
            },
        ],
    });
}

/** The workloads the platform's charts and operators render, as K8S-* check input. */
export function renderedWorkloads(rs: readonly Res[]): Res[] {
    const out: Res[] = [];
    for (const r of of(rs, RELEASE)) {
        const values = r.inputs.values ?? {};
        if (chartOf(r) === "kube-prometheus-stack") {
            const fullname = values.fullnameOverride ?? r.inputs.name ?? "kube-prometheus-stack";
            const reloader = values.prometheusOperator?.prometheusConfigReloader;
            if (values.prometheus?.enabled !== false) {
                out.push(operatorInstance(r, "prometheus", values.prometheus?.prometheusSpec ?? {}, reloader, fullname));
            }
            if (values.alertmanager?.enabled !== false) {
                out.push(operatorInstance(r, "alertmanager", values.alertmanager?.alertmanagerSpec ?? {}, reloader, fullname));
            }
        }
    }
    return out;
}
