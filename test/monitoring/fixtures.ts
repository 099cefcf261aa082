/** What the monitoring tests share: arguments per preset, the component build, record readers and tools. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { Monitoring, MonitoringArgs } from "../../components/monitoring";
import { platformRuleGroups } from "../../components/monitoring/rules";
import { MONITORING_KEYS, MonitoringSettings, resolveMonitoringSettings } from "../../components/monitoring/settings";
import { ScrapeTarget } from "../../components/shared/platform";
import { Preset, RawConfig, SecretConfig, Settings } from "../../components/shared/settings";
import { allRecords as rawRecords, buildComponentOnce, ResourceRecord } from "../mocks";
import { installHint } from "../tools";

export const RELEASE = "kubernetes:helm.sh/v3:Release";
export const CR_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
export const CR_SM = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
export const CR_PM = "kubernetes:monitoring.coreos.com/v1:PodMonitor";
export const SECRET = "kubernetes:core/v1:Secret";
export const SLACK = "https://hooks.slack.com/services/T000/B000/super-secret-webhook";
export const SMTP_PASSWORD = "smtp-password-not-in-clear";
export const DMS = "https://hc-ping.com/secret-dead-mans-switch";

export const TARGETS: ScrapeTarget[] = [
    { name: "mlflow", namespace: "mlflow", selector: { "app.kubernetes.io/name": "mlflow" }, port: "http" },
    { name: "jupyterhub", namespace: "jupyterhub", selector: { component: "hub" }, port: "hub", path: "/hub/metrics" },
    { name: "fluentd", namespace: "logging", selector: { "app.kubernetes.io/name": "fluentd" }, port: "metrics", kind: "PodMonitor", intervalSeconds: 60 },
    { name: "elasticsearch", namespace: "logging", selector: { "app.kubernetes.io/name": "elasticsearch-exporter" }, port: "http" },
];

/** The monitoring settings a stack with `raw` config and `secrets` gets (settings.ts, the defaults' one owner). */
export function monitoringSettings(preset: Preset, raw: RawConfig = {}, secrets: SecretConfig = {}): MonitoringSettings {
    return resolveMonitoringSettings(new Settings(MONITORING_KEYS, raw, secrets, preset));
}

/** A sandbox stack's monitoring, scraping {@link TARGETS}. */
export const SANDBOX: MonitoringArgs = { ...monitoringSettings("sandbox"), targets: TARGETS };
/** A production stack's monitoring with every receiver (Slack, e-mail, dead-man's switch). */
export const PRODUCTION: MonitoringArgs = {
    ...monitoringSettings("production", {
        alertSlackChannel: "#mlplatform-alerts",
        alertEmailTo: "oncall@example.com",
        alertEmailFrom: "alertmanager@example.com",
        alertEmailSmarthost: "email-smtp.us-west-2.amazonaws.com:587",
        alertEmailUsername: "AKIAEXAMPLE",
    }, {
        alertSlackWebhookUrl: pulumi.secret(SLACK),
        alertEmailPassword: pulumi.secret(SMTP_PASSWORD),
        alertDeadMansSwitchUrl: pulumi.secret(DMS),
    }),
    targets: TARGETS,
};

/** The component `mon`, built alone. */
export function build(args: MonitoringArgs = SANDBOX): Promise<Monitoring> {
    return buildComponentOnce(["mon", args], () => new Monitoring("mon", args), (m) => [m.grafanaPortForward]);
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
export function allRecords(): ResourceRecord[] {
    return rawRecords().map((r) => ({ ...r, inputs: unwrap(r.inputs) }));
}
export const byType = (type: string, prefix = "") => allRecords().filter((r) => r.type === type && r.name.startsWith(prefix));
export function one(type: string, name: string): ResourceRecord {
    const found = allRecords().filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        throw new Error(`expected one ${type} ${name}, found ${found.length}`);
    }
    return found[0];
}
/** Rule records in the order the rules module declares the groups. */
export function ruleRecords(): ResourceRecord[] {
    const order = platformRuleGroups().map((g) => g.name);
    return byType(CR_RULE).sort((a, b) => order.indexOf(a.inputs.metadata.name) - order.indexOf(b.inputs.metadata.name));
}

export const kpsValues = () => one(RELEASE, "mon-kube-prometheus-stack").inputs.values;
export const alertmanagerYaml = () => one(SECRET, "mon-alertmanager-config").inputs.stringData["alertmanager.yaml"] as string;

/** A maker of temporary directories, removed after the calling file's tests. */
export function useTmpDirs(): () => string {
    const dirs: string[] = [];
    afterAll(() => {
        for (const d of dirs) {
            fs.rmSync(d, { recursive: true, force: true });
        }
    });
    return () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlp-monitoring-"));
        dirs.push(dir);
        return dir;
    };
}

/** Runs a tool; a missing binary fails the test (test/global-setup.ts stops a whole run first). */
export function run(tool: string, args: string[], cwd: string): string {
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
export function recordedGroups(): any[] {
    return ruleRecords().flatMap((r) => r.inputs.spec.groups);
}
