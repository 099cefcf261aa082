/**
 * Checklist §9 (PM-*) and the §12 workload items that apply to the monitoring layer's Helm values,
 * as predicates over declared resources.
 */
import { Check, Env, perResource, Res } from "./checks";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";
const isChart = (r: Res, chart: string) => r.type === RELEASE && r.inputs.chart === chart;
const KPS = "kube-prometheus-stack";
const DCGM = "dcgm-exporter";
const NULL_RECEIVERS = ["null", "null-no-receiver-configured"];

/** `alertmanager.yaml` from the platform's Alertmanager config Secret (JSON is YAML). */
function alertmanagerConfig(r: Res): any {
    const text = r.inputs.stringData?.["alertmanager.yaml"];
    try {
        return typeof text === "string" ? JSON.parse(text) : undefined;
    } catch {
        return undefined;
    }
}

function kpsCheck(id: string, description: string, fn: (values: any, env: Env) => string | string[] | undefined): Check {
    return perResource(id, description, [RELEASE], (r, env) => (isChart(r, KPS) ? fn(r.inputs.values ?? {}, env) : undefined));
}

/** Workload specs in a release's values: [path, {resources, securityContext}]. */
function workloads(r: Res): [string, any][] {
    const v = r.inputs.values ?? {};
    if (isChart(r, KPS)) {
        return [
            ["prometheusOperator", v.prometheusOperator],
            ["prometheus.prometheusSpec", v.prometheus?.prometheusSpec],
            ["alertmanager.alertmanagerSpec", v.alertmanager?.alertmanagerSpec],
            ["grafana", v.grafana],
            ["kube-state-metrics", v["kube-state-metrics"]],
        ];
    }
    return isChart(r, DCGM) ? [["", v]] : [];
}

export const MONITORING_CHECKS: readonly Check[] = [
    kpsCheck("PM-01", "Prometheus on a PVC with explicit retention; retentionSize <= 85% of the PVC", (v) => {
        const spec = v.prometheus?.prometheusSpec ?? {};
        const size = spec.storageSpec?.volumeClaimTemplate?.spec?.resources?.requests?.storage;
        if (typeof size !== "string" || !/^\d+Gi$/.test(size)) {
            return "prometheus.prometheusSpec.storageSpec.volumeClaimTemplate storage is not set (emptyDir loses data)";
        }
        if (typeof spec.retention !== "string" || spec.retention === "") {
            return "prometheus.prometheusSpec.retention is not explicit";
        }
        const cap = /^(\d+)GB$/.exec(spec.retentionSize ?? "");
        if (cap === null || Number(cap[1]) > 0.85 * parseInt(size, 10)) {
            return `prometheus.prometheusSpec.retentionSize (${spec.retentionSize}) must be set and <= 85% of ${size}`;
        }
        return undefined;
    }),
    kpsCheck("PM-02", "Alertmanager on a PVC; Prometheus and Alertmanager >= 2 replicas in production, 1 in sandbox", (v, env) => {
        const out: string[] = [];
        const am = v.alertmanager?.alertmanagerSpec ?? {};
        if (am.storage?.volumeClaimTemplate?.spec?.resources?.requests?.storage === undefined) {
            out.push("alertmanager.alertmanagerSpec.storage.volumeClaimTemplate is not set");
        }
        const counts = { "prometheus.prometheusSpec.replicas": v.prometheus?.prometheusSpec?.replicas ?? 1, "alertmanager.alertmanagerSpec.replicas": am.replicas ?? 1 };
        for (const [path, n] of Object.entries(counts)) {
            if (env === "production" ? n < 2 : n !== 1) {
                out.push(`${path} is ${n}; expected ${env === "production" ? ">= 2" : "1 (sandbox)"}`);
            }
        }
        return out;
    }),
    kpsCheck("PM-03", "production: PDBs and hard anti-affinity; sandbox: no PDB on single replicas", (v, env) => {
        const out: string[] = [];
        for (const part of ["prometheus", "alertmanager"]) {
            const pdb = v[part]?.podDisruptionBudget?.enabled === true;
            const anti = v[part]?.[part === "prometheus" ? "prometheusSpec" : "alertmanagerSpec"]?.podAntiAffinity;
            if (env === "production" && (!pdb || anti !== "hard")) {
                out.push(`${part}: podDisruptionBudget.enabled (${pdb}) must be true and podAntiAffinity (${anti}) "hard"`);
            }
            if (env === "sandbox" && pdb) {
                out.push(`${part}: no PodDisruptionBudget on a single sandbox replica (it blocks node drains)`);
            }
        }
        return out;
    }),
    {
        id: "PM-04",
        description: "Alertmanager config from the platform's Secret; production routes to a real receiver and the Watchdog to a dead-man's switch",
        evaluate(resources, env) {
            const kps = resources.filter((r) => isChart(r, KPS));
            return kps.flatMap((r) => {
                const am = r.inputs.values?.alertmanager?.alertmanagerSpec ?? {};
                const res = `${r.type}::${r.name}`;
                const secret = resources.find((s) => s.type === SECRET && s.inputs.metadata?.name === am.configSecret);
                if (am.useExistingSecret !== true || secret === undefined) {
                    return [{ id: "PM-04", resource: res, message: "alertmanager config must come from a declared Secret (useExistingSecret + configSecret); the chart default routes to 'null'" }];
                }
                const cfg = alertmanagerConfig(secret);
                if (cfg === undefined) {
                    return [{ id: "PM-04", resource: res, message: "alertmanager.yaml in the config Secret is missing or unreadable" }];
                }
                if (env === "sandbox") {
                    return [];
                }
                const out: string[] = [];
                // A real receiver is one declared in `receivers` with at least one integration
                // (`*_configs`): a name alone, or a receiver without integrations, notifies nobody.
                const real = (name: unknown) => (cfg.receivers ?? []).some((x: any) => x.name === name && !NULL_RECEIVERS.includes(name as string)
                    && Object.entries(x).some(([k, val]) => k.endsWith("_configs") && Array.isArray(val) && val.length > 0));
                if (!real(cfg.route?.receiver)) {
                    out.push(`route.receiver ${cfg.route?.receiver} is not a declared receiver with a notification integration`);
                }
                const routes: any[] = cfg.route?.routes ?? [];
                const critical = routes.find((x) => (x.matchers ?? []).includes('severity = "critical"'));
                if (critical !== undefined && !real(critical.receiver)) {
                    out.push(`critical alerts route to ${critical.receiver}, not a receiver with a notification integration`);
                }
                // Alertmanager stops at the first matching child route (no `continue`), so the
                // Watchdog route must come first, and its receiver must be a webhook/heartbeat.
                const watchdog = routes.findIndex((x) => (x.matchers ?? []).includes('alertname = "Watchdog"'));
                const switchReceiver = (cfg.receivers ?? []).find((x: any) => x.name === routes[watchdog]?.receiver);
                if (watchdog !== 0 || !real(routes[watchdog]?.receiver) || !["webhook_configs", "pagerduty_configs", "opsgenie_configs"].some((k) => (switchReceiver?.[k] ?? []).length > 0)) {
                    out.push("the Watchdog alert must be the first route, to a dead-man's-switch receiver (a webhook, PagerDuty or Opsgenie heartbeat)");
                }
                return out.map((message) => ({ id: "PM-04", resource: res, message }));
            });
        },
    },
    perResource("K8S-03", "monitoring workloads are not privileged", [RELEASE], (r) =>
        workloads(r).filter(([, w]) => w?.securityContext?.privileged === true).map(([p]) => `${p || "values"}.securityContext.privileged is true`)),
    perResource("K8S-04", "capabilities drop ALL; only the DCGM exporter adds SYS_ADMIN (privileged GPU namespace)", [RELEASE], (r) => {
        if (!isChart(r, DCGM)) {
            return undefined;
        }
        const caps = r.inputs.values?.securityContext?.capabilities ?? {};
        const added: string[] = caps.add ?? [];
        return !(caps.drop ?? []).includes("ALL") || added.some((c) => c !== "SYS_ADMIN") ? `securityContext.capabilities ${JSON.stringify(caps)} must drop ALL and add at most SYS_ADMIN` : undefined;
    }),
    perResource("K8S-08", "monitoring workloads request cpu and memory and limit memory", [RELEASE], (r) =>
        workloads(r).flatMap(([p, w]) => {
            const res = w?.resources ?? {};
            return res.requests?.cpu && res.requests?.memory && res.limits?.memory ? [] : [`${p || "values"}.resources lacks cpu/memory requests or a memory limit`];
        })),
    perResource("K8S-10", "monitoring charts and images are pinned (no latest)", [RELEASE], (r) => {
        if (!isChart(r, KPS) && !isChart(r, DCGM)) {
            return undefined;
        }
        const out: string[] = [];
        if (typeof r.inputs.version !== "string" || !/^\d+\.\d+\.\d+$/.test(r.inputs.version)) {
            out.push(`chart version (${r.inputs.version}) is not an exact version`);
        }
        const tag = r.inputs.values?.image?.tag;
        if (isChart(r, DCGM) && (typeof tag !== "string" || tag === "" || tag === "latest")) {
            out.push(`image.tag (${tag}) must be pinned`);
        }
        return out;
    }),
];
