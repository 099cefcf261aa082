/**
 * Grafana: its admin credentials (a random password in a Secret the chart reads), the platform's
 * dashboards (dashboards.ts) as ConfigMaps its sidecar loads, and the chart's `grafana` values.
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { standardLabels } from "../shared/labels";
import { NAMESPACES } from "../shared/platform";
import { resources } from "../shared/security-context";
import { DASHBOARDS, renderDashboard } from "./dashboards";
import { ON_CPU_NODES } from "./scheduling";

/** Secret holding Grafana's admin user and password. */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";

/** The admin password `${name}-grafana-admin` and the Secret {@link GRAFANA_ADMIN_SECRET} holding it. */
export function grafanaAdmin(parent: pulumi.Resource, name: string, namespace: pulumi.Input<string>): { password: random.RandomPassword; secret: k8s.core.v1.Secret } {
    const password = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, { parent });
    const secret = new k8s.core.v1.Secret(`${name}-grafana-admin`, {
        metadata: { name: GRAFANA_ADMIN_SECRET, namespace, labels: standardLabels("grafana", "dashboards", name) },
        type: "Opaque",
        stringData: { "admin-user": "admin", "admin-password": password.result },
    }, { parent });
    return { password, secret };
}

/** One ConfigMap per dashboard, `${name}-dashboard-<role>`, labelled for Grafana's sidecar. */
export function grafanaDashboards(parent: pulumi.Resource, name: string, namespace: pulumi.Input<string>): void {
    for (const [role, dashboard] of Object.entries(DASHBOARDS)) {
        new k8s.core.v1.ConfigMap(`${name}-dashboard-${role}`, {
            metadata: {
                name: `dashboard-${dashboard.uid}`,
                namespace,
                labels: { ...standardLabels("grafana", "dashboards", name), grafana_dashboard: "1" },
            },
            data: { [`${dashboard.uid}.json`]: renderDashboard(dashboard) },
        }, { parent });
    }
}

/** kube-prometheus-stack's `grafana` values. */
export function grafanaValues() {
    return {
        admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
        // Dashboards are code (ConfigMaps); nothing in Grafana's own database needs keeping.
        persistence: { enabled: false },
        // NS-08: a Role in the monitoring namespace, not a ClusterRole reading every Secret
        // (grafana 12.11.1 templates/role.yaml vs clusterrole.yaml), and dashboards from the
        // monitoring namespace only (kube-prometheus-stack sets searchNamespace: ALL).
        rbac: { namespaced: true },
        sidecar: {
            dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: [NAMESPACES.monitoring] },
            // K8S-06/08 for both k8s-sidecar containers (one `sidecar.securityContext` and
            // `sidecar.resources` for all, grafana 12.11.1 templates/_pod.tpl); the context
            // replaces nothing of the chart's (Helm merges maps key by key). They write only
            // to their mounted emptyDirs. Probes: see the K8S-09 exemption.
            securityContext: { readOnlyRootFilesystem: true, runAsNonRoot: true },
            resources: resources("10m", "64Mi", "128Mi"),
        },
        nodeSelector: ON_CPU_NODES,
        resources: resources("100m", "256Mi", "512Mi"),
        // K8S-06: merged over the chart's containerSecurityContext (no escalation, drop ALL,
        // RuntimeDefault). Grafana writes only to volumes: /var/lib/grafana and
        // /var/lib/grafana-search are emptyDirs, logs go to the console (grafana 12.11.1
        // values.yaml `grafana.ini.log.mode: console`, templates/_pod.tpl `storage`, `search`).
        containerSecurityContext: { readOnlyRootFilesystem: true },
    };
}
