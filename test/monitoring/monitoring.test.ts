import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { parse, stringify } from "yaml";
import { ALERTMANAGER_CONFIG_SECRET, Monitoring, MonitoringArgs, monitorSpec, resolveMonitoringArgs } from "../../components/monitoring";
import { DEAD_MANS_SWITCH_RECEIVER, NULL_RECEIVER, renderAlertmanagerConfig } from "../../components/monitoring/alertmanager-config";
import { DASHBOARDS } from "../../components/monitoring/dashboards";
import { platformRuleGroups } from "../../components/monitoring/rules";
import { ScrapeTarget } from "../../components/shared/platform";
import { MONITORING_VERSIONS } from "../../components/shared/versions";
import { Env } from "../../policy/checks";
import { MONITORING_CHECKS } from "../../policy/checks-monitoring";
import { invalidObjects } from "../k8s-schema";
import { allRecords as rawRecords, ResourceRecord, resetRecords, resolve, settle } from "../mocks";
import { installHint } from "../tools";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CR_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const CR_SM = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const CR_PM = "kubernetes:monitoring.coreos.com/v1:PodMonitor";
const SECRET = "kubernetes:core/v1:Secret";
const SLACK = "https://hooks.slack.com/services/T000/B000/super-secret-webhook";
const SMTP_PASSWORD = "smtp-password-not-in-clear";
const DMS = "https://hc-ping.com/secret-dead-mans-switch";

const TARGETS: ScrapeTarget[] = [
    { name: "mlflow", namespace: "mlflow", selector: { "app.kubernetes.io/name": "mlflow" }, port: "http" },
    { name: "jupyterhub", namespace: "jupyterhub", selector: { component: "hub" }, port: "hub", path: "/hub/metrics" },
    { name: "fluentd", namespace: "logging", selector: { "app.kubernetes.io/name": "fluentd" }, port: "metrics", kind: "PodMonitor", intervalSeconds: 60 },
    { name: "elasticsearch", namespace: "logging", selector: { "app.kubernetes.io/name": "elasticsearch-exporter" }, port: "http" },
];

const SANDBOX: MonitoringArgs = { targets: TARGETS, retentionDays: 3, storageGiB: 10 };
const PRODUCTION: MonitoringArgs = {
    targets: TARGETS,
    prometheusReplicas: 2,
    alertmanagerReplicas: 2,
    retentionDays: 30,
    storageGiB: 100,
    retentionSizeGiB: 80,
    alertmanagerStorageGiB: 5,
    podDisruptionBudgets: true,
    podAntiAffinity: "hard",
    slackWebhookUrl: pulumi.secret(SLACK),
    slackChannel: "#mlplatform-alerts",
    email: { to: "oncall@example.com", from: "alertmanager@example.com", smarthost: "email-smtp.us-west-2.amazonaws.com:587", username: "AKIAEXAMPLE", password: pulumi.secret(SMTP_PASSWORD) },
    deadMansSwitchUrl: pulumi.secret(DMS),
};

async function build(args: MonitoringArgs = SANDBOX) {
    resetRecords();
    const m = new Monitoring("mon", args);
    await resolve(m.grafanaPortForward);
    await settle();
    return m;
}

/** Pulumi's marker for a secret value in serialized properties. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Inputs with secret wrappers replaced by their values, as a policy pack sees them. */
function unwrap(x: any): any {
    if (Array.isArray(x)) {
        return x.map(unwrap);
    }
    if (x !== null && typeof x === "object") {
        if (SECRET_SIG in x) {
            return unwrap(x.value);
        }
        return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, unwrap(v)]));
    }
    return x;
}

/** Every record, secrets unwrapped (the shared harness keeps them wrapped). */
function allRecords(): ResourceRecord[] {
    return rawRecords().map((r) => ({ ...r, inputs: unwrap(r.inputs) }));
}
const byType = (type: string, prefix = "") => allRecords().filter((r) => r.type === type && r.name.startsWith(prefix));
function one(type: string, name: string): ResourceRecord {
    const found = allRecords().filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        throw new Error(`expected one ${type} ${name}, found ${found.length}`);
    }
    return found[0];
}
/** Rule records in the order the rules module declares the groups. */
function ruleRecords(): ResourceRecord[] {
    const order = platformRuleGroups().map((g) => g.name);
    return byType(CR_RULE).sort((a, b) => order.indexOf(a.inputs.metadata.name) - order.indexOf(b.inputs.metadata.name));
}

const kpsValues = () => one(RELEASE, "mon-kube-prometheus-stack").inputs.values;
const alertmanagerYaml = () => one(SECRET, "mon-alertmanager-config").inputs.stringData["alertmanager.yaml"] as string;

const tmpDirs: string[] = [];
afterAll(() => {
    for (const d of tmpDirs) {
        fs.rmSync(d, { recursive: true, force: true });
    }
});

function tmpDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlp-monitoring-"));
    tmpDirs.push(dir);
    return dir;
}

/** Runs a tool; a missing binary fails the test (test/global-setup.ts stops a whole run first). */
function run(tool: string, args: string[], cwd: string): string {
    try {
        return execFileSync(tool, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e: any) {
        if (e.code === "ENOENT") {
            throw new Error(installHint([tool]));
        }
        throw new Error(`${tool} ${args.join(" ")} failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
    }
}

/** The rule groups exactly as the recorded PrometheusRule objects carry them. */
function recordedGroups(): any[] {
    return ruleRecords().flatMap((r) => r.inputs.spec.groups);
}

describe("Monitoring: RBAC (NS-08)", () => {
    it("turns the chart's cluster-wide Secret access off and grants the operator Secrets only in the monitoring namespace", async () => {
        await build();
        const v = kpsValues();
        expect(v.global).toEqual({ rbac: { create: false } });
        expect(v.prometheusOperator).toMatchObject({
            prometheusInstanceNamespaces: ["monitoring"],
            alertmanagerInstanceNamespaces: ["monitoring"],
            admissionWebhooks: { enabled: false },
            tls: { enabled: false },
        });
        expect(v.prometheusOperator.namespaces.releaseNamespace).toBe(true);
        expect(v.grafana.rbac).toEqual({ namespaced: true });
        expect(v.grafana.sidecar.dashboards.searchNamespace).toEqual(["monitoring"]);
        expect(v["kube-state-metrics"].collectorsExclude).toEqual(["secrets"]);
        const roles = byType("kubernetes:rbac.authorization.k8s.io/v1:Role");
        const withSecrets = roles.filter((r) => JSON.stringify(r.inputs.rules).includes("secrets")).map((r) => r.inputs.metadata.namespace);
        expect(withSecrets).toEqual(["monitoring"]);
        for (const c of byType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")) {
            expect(JSON.stringify(c.inputs.rules), c.name).not.toMatch(/secrets|"\*"/);
        }
        const subjects = byType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").map((b) => b.inputs.subjects[0].name).sort();
        expect(subjects).toEqual(["kps-operator", "kps-prometheus"]);
        // The release waits for its RBAC, so the operator never starts without it.
        const rel = one(RELEASE, "mon-kube-prometheus-stack");
        for (const r of roles) {
            expect(rel.dependencies).toContain(r.urn);
        }
    });
});

describe("Monitoring: K8S-11 and K8S-12 on the operator's pods", () => {
    const spread = [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", additionalLabelSelectors: "OnResource" }];
    it.each<[string, MonitoringArgs, unknown[]]>([["sandbox", SANDBOX, []], ["production", PRODUCTION, spread]])("%s: zone spread only with several replicas; Alertmanager mounts no API token", async (_env, args, want) => {
        await build(args);
        const v = kpsValues();
        expect(v.prometheus.prometheusSpec.topologySpreadConstraints).toEqual(want);
        expect(v.alertmanager.alertmanagerSpec.topologySpreadConstraints).toEqual(want);
        expect(v.alertmanager.alertmanagerSpec.automountServiceAccountToken).toBe(false);
        expect(v.prometheusOperator.prometheusConfigReloader).toEqual({ resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } }, enableProbe: true });
    });
});

describe("Monitoring: kube-prometheus-stack", () => {
    it("installs the pinned chart with persistent, retained Prometheus and Alertmanager and the sandbox preset", async () => {
        await build();
        const rel = one(RELEASE, "mon-kube-prometheus-stack");
        expect(rel.inputs).toMatchObject({
            name: "kube-prometheus-stack",
            chart: "kube-prometheus-stack",
            version: MONITORING_VERSIONS.kubePrometheusStackChart.version,
            repositoryOpts: { repo: MONITORING_VERSIONS.kubePrometheusStackChart.repo },
            namespace: "monitoring",
        });
        const v = kpsValues();
        expect(v.prometheus.prometheusSpec).toMatchObject({
            replicas: 1,
            retention: "3d",
            retentionSize: "8GB",
            storageSpec: { volumeClaimTemplate: { spec: { storageClassName: "gp3", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } } } },
            // Retain even on a sandbox: an operator recreate must not take the volumes (the namespace does on destroy).
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            ruleSelectorNilUsesHelmValues: false,
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            probeSelectorNilUsesHelmValues: false,
            scrapeConfigSelectorNilUsesHelmValues: false,
            podAntiAffinity: "soft",
        });
        expect(v.alertmanager.alertmanagerSpec).toMatchObject({
            replicas: 1,
            storage: { volumeClaimTemplate: { spec: { storageClassName: "gp3", resources: { requests: { storage: "2Gi" } } } } },
            useExistingSecret: true,
            configSecret: ALERTMANAGER_CONFIG_SECRET,
        });
        expect(v.prometheus.podDisruptionBudget).toEqual({ enabled: false });
        expect(v.alertmanager.podDisruptionBudget).toEqual({ enabled: false });
        expect(v.grafana.admin).toEqual({ existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
        expect(v.grafana.adminPassword).toBeUndefined();
        for (const c of ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"]) {
            expect(v[c], c).toEqual({ enabled: false });
        }
        expect(rel.dependencies).toEqual(expect.arrayContaining([one(SECRET, "mon-grafana-admin").urn, one(SECRET, "mon-alertmanager-config").urn]));
    });

    it("runs two or more replicas with PDBs and hard anti-affinity, and retains volumes, in production", async () => {
        await build(PRODUCTION);
        const v = kpsValues();
        expect(v.prometheus.prometheusSpec).toMatchObject({ replicas: 2, retention: "30d", retentionSize: "80GB", podAntiAffinity: "hard", persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain" } });
        expect(v.alertmanager.alertmanagerSpec).toMatchObject({ replicas: 2, podAntiAffinity: "hard", storage: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "5Gi" } } } } } });
        expect(v.prometheus.podDisruptionBudget).toEqual({ enabled: true });
        expect(v.alertmanager.podDisruptionBudget).toEqual({ enabled: true });
    });

    it("grows the operator's volumes through PVC patches; the claim templates keep their creation size (prometheus-operator recreates on a template change)", async () => {
        await build(PRODUCTION);
        const kps = byType("kubernetes:helm.sh/v3:Release").find((r) => r.name.endsWith("kube-prometheus-stack"))!;
        expect(kps.ignoreChanges).toEqual(["values.prometheus.prometheusSpec.storageSpec", "values.alertmanager.alertmanagerSpec.storage"]);
        const patches = byType("kubernetes:core/v1:PersistentVolumeClaimPatch");
        expect(patches.map((p) => [p.inputs.metadata.name, p.inputs.spec.resources.requests.storage, p.retainOnDelete])).toEqual([
            ["prometheus-kps-prometheus-db-prometheus-kps-prometheus-0", "100Gi", true],
            ["prometheus-kps-prometheus-db-prometheus-kps-prometheus-1", "100Gi", true],
            ["alertmanager-kps-alertmanager-db-alertmanager-kps-alertmanager-0", "5Gi", true],
            ["alertmanager-kps-alertmanager-db-alertmanager-kps-alertmanager-1", "5Gi", true],
        ]);
        for (const p of patches) {
            // The full claim spec, so the patch can also create the claim the StatefulSet adopts by name.
            expect(p.inputs.spec).toMatchObject({ storageClassName: "gp3", accessModes: ["ReadWriteOnce"] });
            expect(p.inputs.metadata.annotations).toEqual({ "pulumi.com/patchForce": "true", "pulumi.com/skipAwait": "true" });
            expect(p.dependencies).toContain(kps.urn);
        }
    });

    it("runs node-exporter in a privileged namespace of its own, so monitoring enforces baseline and audits restricted (NS-10)", async () => {
        await build();
        const ns = one("kubernetes:core/v1:Namespace", "mon-ns");
        expect(ns.inputs.metadata.name).toBe("monitoring");
        expect(ns.inputs.metadata.labels).toMatchObject({
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
        });
        const agents = one("kubernetes:core/v1:Namespace", "mon-node-exporter-ns");
        expect(agents.inputs.metadata.name).toBe("node-exporter");
        expect(agents.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
        expect(agents.inputs.metadata.annotations["mlplatform.io/pod-security-reason"]).toMatch(/hostNetwork, hostPID and hostPath/);
        expect(kpsValues()["prometheus-node-exporter"].namespaceOverride).toBe("node-exporter");
        // The operator must read the ServiceMonitor the subchart puts there.
        expect(kpsValues().prometheusOperator.namespaces.additional).toContain("node-exporter");
        expect(one(RELEASE, "mon-kube-prometheus-stack").dependencies).toContain(agents.urn);
    });
});

describe("Monitoring: secrets", () => {
    it("keeps the Grafana password and every receiver secret out of Helm values, ConfigMaps and plain outputs", async () => {
        const m = await build(PRODUCTION);
        expect(await pulumi.isSecret(m.grafanaAdminPassword)).toBe(true);
        expect(await resolve(m.grafanaAdminPassword)).toBe("mock-secret-mon-grafana-admin");
        expect(await pulumi.isSecret(m.grafanaPortForward)).toBe(false);
        const grafana = one(SECRET, "mon-grafana-admin");
        expect(grafana.inputs.metadata).toMatchObject({ name: "grafana-admin", namespace: "monitoring" });
        expect(grafana.inputs.stringData).toEqual({ "admin-user": "admin", "admin-password": "mock-secret-mon-grafana-admin" });
        const yamlText = alertmanagerYaml();
        for (const s of [SLACK, SMTP_PASSWORD, DMS]) {
            expect(yamlText).toContain(s);
        }
        for (const r of allRecords().filter((x) => x.type !== SECRET && x.type !== "random:index/randomPassword:RandomPassword")) {
            const text = JSON.stringify(r.inputs);
            for (const s of [SLACK, SMTP_PASSWORD, DMS, "mock-secret-mon-grafana-admin"]) {
                expect(text.includes(s), `${r.type} ${r.name} contains a secret`).toBe(false);
            }
        }
    });

    it("exports port-forward commands for Grafana, Prometheus and Alertmanager", async () => {
        const m = await build();
        expect(await resolve(m.grafanaPortForward)).toBe("kubectl -n monitoring port-forward svc/kube-prometheus-stack-grafana 3000:80");
        expect(await resolve(m.prometheusPortForward)).toBe("kubectl -n monitoring port-forward svc/kps-prometheus 9090:9090");
        expect(await resolve(m.alertmanagerPortForward)).toBe("kubectl -n monitoring port-forward svc/kps-alertmanager 9093:9093");
        expect(await resolve(m.namespace)).toBe("monitoring");
    });
});

describe("Monitoring: Alertmanager configuration", () => {
    const check = (text: string) => {
        const dir = tmpDir();
        fs.writeFileSync(path.join(dir, "alertmanager.yml"), text);
        return run("amtool", ["check-config", "alertmanager.yml"], dir);
    };

    it("passes amtool check-config for the sandbox stack and routes everything to the named null receiver", async () => {
        await build();
        const text = alertmanagerYaml();
        expect(check(text)).toMatch(/SUCCESS/);
        const cfg = parse(text);
        expect(cfg.route.receiver).toBe(NULL_RECEIVER);
        expect(cfg.receivers).toEqual([{ name: NULL_RECEIVER }]);
        expect(cfg.route.routes.find((r: any) => r.matchers[0] === 'alertname = "Watchdog"').receiver).toBe(NULL_RECEIVER);
    });

    it("passes amtool check-config for the production stack with Slack, e-mail, severity routes, grouping, inhibition and the dead-man's switch", async () => {
        await build(PRODUCTION);
        const text = alertmanagerYaml();
        expect(check(text)).toMatch(/SUCCESS/);
        const cfg = parse(text);
        expect(cfg.route).toMatchObject({ receiver: "platform-warning", group_by: ["alertname", "namespace", "job", "component"], group_wait: "30s", group_interval: "5m" });
        const byMatcher = (m: string) => cfg.route.routes.find((r: any) => r.matchers.includes(m));
        expect(byMatcher('alertname = "Watchdog"')).toMatchObject({ receiver: DEAD_MANS_SWITCH_RECEIVER, repeat_interval: "1m" });
        expect(byMatcher('severity = "critical"')).toMatchObject({ receiver: "platform-critical", repeat_interval: "1h" });
        expect(byMatcher('severity = "warning"')).toMatchObject({ receiver: "platform-warning", repeat_interval: "12h" });
        expect(cfg.route.routes[0].matchers).toEqual(['alertname = "Watchdog"']);
        const critical = cfg.receivers.find((r: any) => r.name === "platform-critical");
        expect(critical.slack_configs[0]).toMatchObject({ api_url: SLACK, channel: "#mlplatform-alerts", send_resolved: true });
        expect(critical.email_configs[0]).toMatchObject({ to: "oncall@example.com", smarthost: "email-smtp.us-west-2.amazonaws.com:587", auth_password: SMTP_PASSWORD, require_tls: true });
        expect(cfg.receivers.find((r: any) => r.name === DEAD_MANS_SWITCH_RECEIVER).webhook_configs).toEqual([{ url: DMS, send_resolved: false }]);
        expect(cfg.inhibit_rules).toContainEqual({ source_matchers: ['severity = "critical"', 'component =~ ".+"'], target_matchers: ['severity = "warning"'], equal: ["component"] });
        expect(cfg.inhibit_rules).toContainEqual({ source_matchers: ['severity = "critical"'], target_matchers: ['severity =~ "warning|info"'], equal: ["namespace", "alertname"] });
    });

    it.each([
        ["Slack only", { slackWebhookUrl: "https://hooks.slack.com/services/x" }],
        ["e-mail only", { email: { to: "a@example.com", from: "b@example.com", smarthost: "smtp.example.com:587", username: "u", password: "p" } }],
        ["dead-man's switch only", { deadMansSwitchUrl: "https://hc-ping.com/x" }],
    ])("renders a valid config with %s", (_label, receivers) => {
        expect(check(renderAlertmanagerConfig(receivers))).toMatch(/SUCCESS/);
    });

    it("amtool rejects a broken config (the check is real)", () => {
        expect(() => check(renderAlertmanagerConfig({}).replace(NULL_RECEIVER, "x"))).toThrow(/amtool check-config/);
    });
});

describe("Monitoring: alert rules", () => {
    it("declares one PrometheusRule per group after the chart's CRDs, each alert with severity, summary, description and runbook", async () => {
        const m = await build();
        const rules = ruleRecords();
        // Kueue is not among these targets; its group is tested in test/queues/alerts.test.ts.
        expect(rules.map((r) => r.inputs.metadata.name)).toEqual(platformRuleGroups().map((g) => g.name).filter((n) => n !== "mlplatform-queues"));
        expect(m.ruleGroups).toHaveLength(7);
        const kps = one(RELEASE, "mon-kube-prometheus-stack");
        for (const r of rules) {
            expect(r.inputs.apiVersion).toBe("monitoring.coreos.com/v1");
            expect(r.inputs.metadata.namespace).toBe("monitoring");
            expect(r.dependencies).toContain(kps.urn);
        }
        const alerts = recordedGroups().flatMap((g) => g.rules);
        expect(alerts.map((a: any) => a.alert)).toEqual([
            "PlatformNodeNotReady", "PlatformPodCrashLooping", "PlatformPersistentVolumeNearlyFull",
            "GPUNodeIdle", "GPUXidError", "GPUHighTemperature",
            "MLflowDown", "MLflowBackendUnavailable", "MLflowHighErrorRate",
            "JupyterHubDown", "FluentdBufferGrowing", "FluentdOutputErrors", "FluentdDeadLetterRecords",
            "ElasticsearchClusterNotGreen", "ElasticsearchDiskNearlyFull",
        ]);
        for (const a of alerts) {
            expect(["critical", "warning"]).toContain(a.labels.severity);
            expect(a.labels.component).toMatch(/.+/);
            expect(Object.keys(a.annotations).sort()).toEqual(["description", "runbook", "summary"]);
            expect(a.annotations.runbook.length).toBeGreaterThan(20);
        }
    });

    it("declares a service's rules only when that service is scraped", async () => {
        const m = await build({ targets: [TARGETS[0]], gpuMetrics: false });
        expect(m.ruleGroups).toEqual(["mlplatform-nodes", "mlplatform-workloads", "mlplatform-mlflow"]);
        expect(byType(RELEASE, "mon-dcgm")).toHaveLength(0);
    });

    it("passes promtool check rules on every declared group", async () => {
        await build();
        const dir = tmpDir();
        for (const r of byType(CR_RULE)) {
            fs.writeFileSync(path.join(dir, `${r.inputs.metadata.name}.yaml`), stringify(r.inputs.spec));
        }
        const files = byType(CR_RULE).map((r) => `${r.inputs.metadata.name}.yaml`);
        const out = run("promtool", ["check", "rules", ...files], dir);
        expect(out.match(/SUCCESS/g)).toHaveLength(7);
    });

    it("passes promtool test rules: every alert fires on a failing series and stays quiet on a healthy one", async () => {
        await build();
        const dir = tmpDir();
        // Expressions, durations and labels exactly as declared. Annotations are left out because promtool
        // compares their rendered text; `check rules` above validates their templates.
        const groups = recordedGroups().map((g) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...rule }: any) => rule) }));
        fs.writeFileSync(path.join(dir, "platform-rules.yaml"), stringify({ groups }));
        const testFile = path.join(__dirname, "..", "alerts", "platform-rules.test.yaml");
        fs.copyFileSync(testFile, path.join(dir, "platform-rules.test.yaml"));
        expect(run("promtool", ["test", "rules", "platform-rules.test.yaml"], dir)).toMatch(/SUCCESS/);

        const cases = parse(fs.readFileSync(testFile, "utf8")).tests.flatMap((t: any) => t.alert_rule_test);
        for (const g of groups) {
            for (const rule of g.rules) {
                const mine = cases.filter((c: any) => c.alertname === rule.alert);
                expect(mine.some((c: any) => c.exp_alerts.length > 0), `${rule.alert} has a firing case`).toBe(true);
                expect(mine.some((c: any) => c.exp_alerts.length === 0), `${rule.alert} has a quiet case`).toBe(true);
            }
        }
    });

    it("promtool test rules fails when a rule breaks (the test is real)", async () => {
        await build();
        const dir = tmpDir();
        const groups = recordedGroups().map((g) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...rule }: any) => ({ ...rule, expr: rule.alert === "GPUHighTemperature" ? "vector(0) > 1" : rule.expr })) }));
        fs.writeFileSync(path.join(dir, "platform-rules.yaml"), stringify({ groups }));
        fs.copyFileSync(path.join(__dirname, "..", "alerts", "platform-rules.test.yaml"), path.join(dir, "platform-rules.test.yaml"));
        expect(() => run("promtool", ["test", "rules", "platform-rules.test.yaml"], dir)).toThrow(/GPUHighTemperature/);
    });
});

describe("Monitoring: scrape targets, GPU metrics and dashboards", () => {
    it("creates a ServiceMonitor or PodMonitor per target whose job label is the target name, after the CRDs", async () => {
        await build();
        const kps = one(RELEASE, "mon-kube-prometheus-stack");
        const sm = one(CR_SM, "mon-monitor-mlflow");
        expect(sm.inputs.metadata).toMatchObject({ name: "mlflow", namespace: "mlflow" });
        expect(sm.inputs.spec).toEqual({
            selector: { matchLabels: { "app.kubernetes.io/name": "mlflow" } },
            namespaceSelector: { matchNames: ["mlflow"] },
            endpoints: [{ port: "http", path: "/metrics", interval: "30s", relabelings: [{ action: "replace", targetLabel: "job", replacement: "mlflow" }] }],
        });
        const pm = one(CR_PM, "mon-monitor-fluentd");
        expect(pm.inputs.spec.podMetricsEndpoints).toEqual([{ port: "metrics", path: "/metrics", interval: "60s", relabelings: [{ action: "replace", targetLabel: "job", replacement: "fluentd" }] }]);
        expect(one(CR_SM, "mon-monitor-jupyterhub").inputs.spec.endpoints[0].path).toBe("/hub/metrics");
        expect(byType(CR_SM)).toHaveLength(4);
        expect(byType(CR_PM)).toHaveLength(1);
        for (const r of [...byType(CR_SM), ...byType(CR_PM)]) {
            expect(r.dependencies).toContain(kps.urn);
        }
    });

    it("runs the DCGM exporter only on GPU nodes, tolerating the taint, in the privileged GPU namespace, with a ServiceMonitor", async () => {
        await build();
        const rel = one(RELEASE, "mon-dcgm-exporter");
        expect(rel.inputs).toMatchObject({ chart: "dcgm-exporter", version: MONITORING_VERSIONS.dcgmExporterChart.version, namespace: "nvidia-device-plugin", repositoryOpts: { repo: MONITORING_VERSIONS.dcgmExporterChart.repo } });
        const v = rel.inputs.values;
        expect(`${v.image.repository}:${v.image.tag}`).toBe(MONITORING_VERSIONS.dcgmExporterImage);
        expect(v.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{ matchExpressions: [{ key: "nvidia.com/gpu.present", operator: "In", values: ["true"] }] }]);
        expect(v.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        expect(v.serviceMonitor).toEqual({ enabled: false });
        expect(v.securityContext).toMatchObject({ privileged: false, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } });
        const sm = one(CR_SM, "mon-monitor-dcgm-exporter");
        expect(sm.inputs.metadata.namespace).toBe("nvidia-device-plugin");
        expect(sm.inputs.spec.endpoints[0]).toMatchObject({ port: "metrics", interval: "15s", relabelings: [{ action: "replace", targetLabel: "job", replacement: "dcgm-exporter" }] });
    });

    it("provisions the GPU and services dashboards as sidecar ConfigMaps of valid Grafana JSON", async () => {
        await build();
        const cms = byType("kubernetes:core/v1:ConfigMap", "mon-dashboard-");
        expect(cms.map((c) => c.name).sort()).toEqual(["mon-dashboard-gpu", "mon-dashboard-services"]);
        for (const c of cms) {
            expect(c.inputs.metadata.labels.grafana_dashboard).toBe("1");
            expect(c.inputs.metadata.namespace).toBe("monitoring");
            const [file, json] = Object.entries(c.inputs.data as Record<string, string>)[0];
            const d = JSON.parse(json);
            expect(file).toBe(`${d.uid}.json`);
            expect(d.panels.length).toBeGreaterThan(3);
            expect(d.panels.every((p: any) => p.targets.length > 0 && p.datasource.uid === "${datasource}")).toBe(true);
        }
        expect(JSON.parse(one("kubernetes:core/v1:ConfigMap", "mon-dashboard-gpu").inputs.data["mlplatform-gpu.json"]).title).toBe(DASHBOARDS.gpu.title);
    });

    it("declares only schema-valid objects, all parented to the component", async () => {
        await build(PRODUCTION);
        expect(await invalidObjects(allRecords())).toEqual([]);
        for (const r of allRecords().filter((x) => x.type !== "mlplatform:index:Monitoring")) {
            expect(r.parent, r.name).toMatch(/::mlplatform:index:Monitoring::mon$/);
        }
    });
});

describe("resolveMonitoringArgs", () => {
    it("documents its defaults truthfully", () => {
        const r = resolveMonitoringArgs({});
        expect(r).toMatchObject({
            targets: [],
            prometheusReplicas: 1,
            retentionDays: 7,
            storageGiB: 20,
            retentionSizeGiB: 16,
            alertmanagerReplicas: 1,
            alertmanagerStorageGiB: 2,
            podDisruptionBudgets: false,
            podAntiAffinity: "soft",
            storageClassName: "gp3",
            gpuMetrics: true,
            gpuNamespace: "nvidia-device-plugin",
            platformNamespaces: ["mlflow", "jupyterhub", "logging", "monitoring", "nvidia-device-plugin", "kueue-system", "fluentd"],
        });
    });

    const email = { to: "a@example.com", from: "b@example.com", smarthost: "smtp.example.com:587", username: "u", password: "p" };
    it.each<[string, MonitoringArgs, string]>([
        ["replicas", { prometheusReplicas: 0 }, "prometheusReplicas (0) must be a whole number from 1 to 5"],
        ["am replicas", { alertmanagerReplicas: 1.5 }, "alertmanagerReplicas (1.5) must be a whole number from 1 to 5"],
        ["retention", { retentionDays: 0 }, "retentionDays (0) must be a whole number from 1 to 3650"],
        ["storage", { storageGiB: 2 }, "storageGiB (2) must be a whole number from 5 to 16384"],
        ["am storage", { alertmanagerStorageGiB: 0 }, "alertmanagerStorageGiB (0) must be a whole number from 1 to 100"],
        ["retention size", { storageGiB: 10, retentionSizeGiB: 10 }, "retentionSizeGiB (10) must be a whole number from 1 to 8 (85% of storageGiB 10, leaving room for the WAL)"],
        ["pdb", { podDisruptionBudgets: true, prometheusReplicas: 2 }, "podDisruptionBudgets (true) needs prometheusReplicas (2) and alertmanagerReplicas (1) >= 2: a budget on one replica blocks node drains"],
        ["anti-affinity", { podAntiAffinity: "never" as any }, 'podAntiAffinity (never) must be "soft" or "hard"'],
        ["channel", { slackChannel: "#x" }, "slackChannel (#x) needs slackWebhookUrl"],
        ["email empty", { email: { ...email, to: " " } }, 'email.to (" ") must not be empty'],
        ["smarthost", { email: { ...email, smarthost: "smtp.example.com" } }, "email.smarthost (smtp.example.com) must be host:port, e.g. email-smtp.us-west-2.amazonaws.com:587"],
        ["target name", { targets: [{ ...TARGETS[0], name: "MLflow" }] }, "targets[].name (MLflow) must be a lowercase DNS label of at most 42 characters"],
        ["duplicate", { targets: [TARGETS[0], TARGETS[0]] }, "targets[].name (mlflow) is used twice; names are job labels and must be unique"],
        ["interval", { targets: [{ ...TARGETS[0], intervalSeconds: 1 }] }, "targets[mlflow].intervalSeconds (1) must be a whole number from 5 to 300"],
        ["reserved", { targets: [{ ...TARGETS[0], name: "dcgm-exporter" }] }, "targets[].name (dcgm-exporter) is reserved for the DCGM exporter this component installs"],
    ])("rejects a bad %s", (_l, args, message) => {
        expect(() => resolveMonitoringArgs(args)).toThrow(message);
    });
});

describe("MONITORING_CHECKS", () => {
    const recorded = async (args: MonitoringArgs): Promise<ResourceRecord[]> => {
        await build(args);
        return allRecords();
    };
    const violations = (rs: ResourceRecord[], env: Env) => MONITORING_CHECKS.flatMap((c) => c.evaluate(rs, env));

    it("pass on the sandbox and production presets", async () => {
        expect(violations(await recorded(SANDBOX), "sandbox")).toEqual([]);
        expect(violations(await recorded(PRODUCTION), "production")).toEqual([]);
    });

    it("production checks fail on the sandbox preset (relaxations are explicit)", async () => {
        const ids = new Set(violations(await recorded(SANDBOX), "production").map((x) => x.id));
        expect([...ids].sort()).toEqual(["PM-02", "PM-03", "PM-04"]);
    });

    const mutate = (rs: ResourceRecord[], type: string, name: string, fn: (inputs: any) => void): ResourceRecord[] =>
        rs.map((r) => {
            if (r.type !== type || r.name !== name) {
                return r;
            }
            const inputs = JSON.parse(JSON.stringify(r.inputs));
            fn(inputs);
            return { ...r, inputs };
        });
    const kps = "mon-kube-prometheus-stack";
    it.each<[string, Env, string, string, (i: any) => void]>([
        ["PM-01", "sandbox", RELEASE, kps, (i) => { i.values.prometheus.prometheusSpec.storageSpec = {}; }],
        ["PM-01", "sandbox", RELEASE, kps, (i) => { i.values.prometheus.prometheusSpec.retentionSize = "10GB"; }],
        ["PM-02", "production", RELEASE, kps, (i) => { i.values.alertmanager.alertmanagerSpec.replicas = 1; }],
        ["PM-02", "sandbox", RELEASE, kps, (i) => { delete i.values.alertmanager.alertmanagerSpec.storage; }],
        ["PM-03", "production", RELEASE, kps, (i) => { i.values.prometheus.prometheusSpec.podAntiAffinity = "soft"; }],
        ["PM-03", "sandbox", RELEASE, kps, (i) => { i.values.alertmanager.podDisruptionBudget.enabled = true; }],
        ["PM-04", "production", SECRET, "mon-alertmanager-config", (i) => { i.stringData["alertmanager.yaml"] = renderAlertmanagerConfig({ slackWebhookUrl: "https://x" }); }],
        ["PM-04", "sandbox", RELEASE, kps, (i) => { i.values.alertmanager.alertmanagerSpec.useExistingSecret = false; }],
        // PM-04: a name is not a receiver; the root and critical routes need a receiver with an integration.
        ["PM-04", "production", SECRET, "mon-alertmanager-config", (i) => { const c = JSON.parse(i.stringData["alertmanager.yaml"]); c.route.receiver = "pager"; i.stringData["alertmanager.yaml"] = JSON.stringify(c); }],
        ["PM-04", "production", SECRET, "mon-alertmanager-config", (i) => { const c = JSON.parse(i.stringData["alertmanager.yaml"]); c.receivers.push({ name: "pager" }); for (const r of c.route.routes) if (r.matchers.includes('severity = "critical"')) r.receiver = "pager"; i.stringData["alertmanager.yaml"] = JSON.stringify(c); }],
        ["PM-04", "production", SECRET, "mon-alertmanager-config", (i) => { const c = JSON.parse(i.stringData["alertmanager.yaml"]); c.route.routes.reverse(); i.stringData["alertmanager.yaml"] = JSON.stringify(c); }],
        ["PM-04", "production", SECRET, "mon-alertmanager-config", (i) => { const c = JSON.parse(i.stringData["alertmanager.yaml"]); c.route.routes[0].receiver = c.route.receiver; i.stringData["alertmanager.yaml"] = JSON.stringify(c); }],
        ["K8S-03", "sandbox", RELEASE, "mon-dcgm-exporter", (i) => { i.values.securityContext.privileged = true; }],
        ["K8S-04", "sandbox", RELEASE, "mon-dcgm-exporter", (i) => { i.values.securityContext.capabilities.add = ["SYS_ADMIN", "NET_ADMIN"]; }],
        ["K8S-08", "sandbox", RELEASE, kps, (i) => { delete i.values.grafana.resources.limits; }],
        ["K8S-10", "sandbox", RELEASE, "mon-dcgm-exporter", (i) => { i.values.image.tag = "latest"; }],
        ["K8S-10", "sandbox", RELEASE, kps, (i) => { i.version = "88.x"; }],
    ])("%s fails on a mutated %s fixture", async (id, env, type, name, fn) => {
        const base = await recorded(env === "production" ? PRODUCTION : SANDBOX);
        const found = violations(mutate(base, type, name, fn), env);
        expect(found.map((x) => x.id)).toEqual([id]);
    });
});

describe("monitorSpec: basic auth (ML-04)", () => {
    it("scrapes with the credentials of a Secret in the target's namespace when the target asks for them", () => {
        const spec: any = monitorSpec({ name: "mlflow", namespace: "mlflow", selector: { app: "mlflow" }, port: "http", basicAuthSecret: "mlflow-metrics-credentials" });
        expect(spec.endpoints[0].basicAuth).toEqual({
            username: { name: "mlflow-metrics-credentials", key: "MLFLOW_TRACKING_USERNAME" },
            password: { name: "mlflow-metrics-credentials", key: "MLFLOW_TRACKING_PASSWORD" },
        });
        expect((monitorSpec({ name: "x", namespace: "x", selector: {}, port: "http" }) as any).endpoints[0].basicAuth).toBeUndefined();
    });
});
