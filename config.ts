/**
 * The only module that reads Pulumi config. It reads `pulumi.Config` once, refuses unknown keys,
 * resolves the environment preset (`sandbox` | `production`) and hands each layer its keys: every
 * key, default and rule lives in the owning layer's `settings.ts` (components/<layer>/settings.ts),
 * whose errors name the key, the bad value and what is valid, before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { CLUSTER_KEYS, ClusterSettings, resolveClusterSettings, resolveLogRetentionDays } from "./components/cluster/settings";
import { JUPYTER_HUB_KEYS, NotebookSettings, resolveNotebookSettings } from "./components/jupyter-hub/settings";
import { LOGGING_KEYS, resolveLoggingSettings } from "./components/logging/settings";
import { LoggingArgs } from "./components/logging";
import { MONITORING_KEYS, MonitoringSettings, resolveMonitoringSettings } from "./components/monitoring/settings";
import { NETWORK_KEYS, NetworkSettings, resolveNetworkSettings } from "./components/network/settings";
import { checkQueueSettings } from "./components/queues/settings";
import { GatewaySettings } from "./components/serving/gateway";
import { ResolvedModel, resolveServingGateway, resolveServingSettings, SERVING_KEYS } from "./components/serving/settings";
import { INGRESS_KEYS } from "./components/shared/ingress-settings";
import { ConfigError, KeySpec, KeyTable, NAMESPACE, Preset, PRESETS, RawConfig, SecretConfig, Settings } from "./components/shared/settings";
import { resolveTenancySettings, TENANCY_KEYS } from "./components/tenancy/settings";
import { ResolvedTeamSpec } from "./components/tenancy";
import { resolveTrackingSettings, TRACKING_KEYS, TrackingSettings } from "./components/tracking/settings";

export { ConfigError, NAMESPACE, PRESETS };
export type { KeySpec, Preset, RawConfig, SecretConfig };

/** The keys config.ts itself reads: the preset every other default depends on. */
const CORE_KEYS = {
    preset: { type: "string", required: true, description: "Environment preset: sandbox or production. Decides the default of every other key." },
} as const satisfies KeyTable;

/** Each layer's key table, in the order the README documents them. */
export const KEY_TABLES = {
    core: CORE_KEYS,
    network: NETWORK_KEYS,
    cluster: CLUSTER_KEYS,
    tenancy: TENANCY_KEYS,
    monitoring: MONITORING_KEYS,
    notebooks: JUPYTER_HUB_KEYS,
    ingress: INGRESS_KEYS,
    serving: SERVING_KEYS,
    logging: LOGGING_KEYS,
    tracking: TRACKING_KEYS,
} as const;

type Tables = typeof KEY_TABLES;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/**
 * Every key this program reads from the `mlplatform` namespace: the layers' tables merged (a key
 * belongs to one layer; a test refuses duplicates). Pulumi.yaml declares only the `required` ones
 * and the README documents all of them, both generated from these tables
 * (scripts/gen-config-docs.ts). Unknown keys in the namespace are refused as typos.
 */
export const CONFIG_KEYS = Object.assign({}, ...Object.values(KEY_TABLES)) as UnionToIntersection<Tables[keyof Tables]>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** The whole, validated configuration of one stack. */
export interface PlatformConfig {
    /** Project name, used in tags and physical names. */
    readonly project: string;
    /** Stack name, used in physical names so environments can share an account. */
    readonly stack: string;
    /** Prefix for physical names: `<project>-<stack>`, shortened to fit AWS limits. */
    readonly namePrefix: string;
    readonly preset: Preset;
    readonly region: string;
    readonly network: NetworkSettings;
    readonly cluster: ClusterSettings;
    readonly monitoring: MonitoringSettings;
    /** Elasticsearch, Kibana and Fluentd settings. */
    readonly logging: LoggingArgs;
    /** MLflow settings: the preset's values with the stack's overrides (infrastructure ids come from index.ts). */
    readonly tracking: TrackingSettings;
    /** JupyterHub settings (everything but what index.ts wires from other layers). */
    readonly notebooks: NotebookSettings;
    readonly teams: ResolvedTeamSpec[];
    readonly auditorPrincipalArns: string[];
    /** Model endpoints (components/serving/settings.ts). */
    readonly models: ResolvedModel[];
    /** The endpoints' Ingress and auth proxy, when a model has `expose: true` (production). */
    readonly servingGateway?: GatewaySettings;
}

const REGION_RE = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/**
 * Validates raw settings and resolves them against the preset. Pure: tests call it directly.
 *
 * @param raw values by key (strings as Pulumi stores them, or typed values)
 * @param ctx project, stack and region (region comes from `aws:region`)
 */
export function parseConfig(raw: RawConfig, ctx: { project: string; stack: string; region: string | undefined }, secrets: SecretConfig = {}): PlatformConfig {
    for (const key of Object.keys(raw)) {
        if (!(key in CONFIG_KEYS) && raw[key] !== undefined) {
            throw new ConfigError(key, raw[key], `unknown key; valid keys are ${Object.keys(CONFIG_KEYS).join(", ")}`);
        }
    }
    const presetName = raw.preset;
    if (presetName === undefined) {
        throw new ConfigError("preset", undefined, `is required; set it with \`pulumi config set preset sandbox\` (one of ${PRESETS.join(", ")})`);
    }
    if (typeof presetName !== "string" || !(PRESETS as readonly string[]).includes(presetName)) {
        throw new ConfigError("preset", presetName, typeof presetName !== "string" ? "must be a string" : `must be one of ${PRESETS.join(", ")}`);
    }
    const preset = presetName as Preset;
    if (ctx.region === undefined || !REGION_RE.test(ctx.region)) {
        throw new ConfigError("aws:region", ctx.region, "set aws:region to an AWS region such as us-west-2 (`pulumi config set aws:region us-west-2`)");
    }
    const s = new Settings<ConfigKey>(CONFIG_KEYS, raw, secrets, preset);

    // Layers in dependency order: each takes what it needs from those before it.
    // One retention for the control-plane and flow-log groups: validated once, used by both layers.
    const logRetentionDays = resolveLogRetentionDays(s);
    const network = resolveNetworkSettings(s, logRetentionDays);
    const cluster = resolveClusterSettings(s, network.vpcCidr, logRetentionDays);
    const tenancy = resolveTenancySettings(s, cluster.adminPrincipalArns);
    const namePrefix = namePrefixFor(ctx.project, ctx.stack);
    const monitoring = resolveMonitoringSettings(s);
    const logging = resolveLoggingSettings(s);
    const tracking = resolveTrackingSettings(s, namePrefix);
    const notebooks = resolveNotebookSettings(s);
    checkQueueSettings(tenancy.teams, cluster.gpu);
    const models = resolveServingSettings(s, tenancy.teams);
    const servingGateway = resolveServingGateway(s, models);
    return { project: ctx.project, stack: ctx.stack, namePrefix, preset, region: ctx.region, network, cluster, monitoring, logging, tracking, notebooks, ...tenancy, models, servingGateway };
}

/**
 * The prefix of the stack's physical names (cluster, RDS identifier, bucket, KMS alias, log group):
 * `<project>-<stack>`, lowercase, `[a-z0-9-]` with single hyphens, at most 29 characters (RDS
 * identifiers and the bucket prefix, at most 37, append suffixes to it). A longer name is cut and
 * ends in a hash of the whole stack name, so two personal sandboxes that share their first
 * characters (`alexandra-experiments-sandbox`, `alexandra-experiments2-sandbox`) never share names.
 */
export function namePrefixFor(project: string, stack: string): string {
    const full = `${project}-${stack}`.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/--+/g, "-").replace(/-+$/, "");
    if (full.length <= 29) {
        return full;
    }
    const hash = createHash("sha256").update(stack).digest("hex").slice(0, 6);
    return `${full.slice(0, 22).replace(/-+$/, "")}-${hash}`;
}

/**
 * Reads the stack's config and returns the validated platform config. Call it once, first thing
 * in `index.ts`, so a bad value stops the program before any resource exists.
 */
export function loadConfig(): PlatformConfig {
    const cfg = new pulumi.Config(NAMESPACE);
    const raw: RawConfig = {};
    const secrets: SecretConfig = {};
    for (const [key, spec] of Object.entries(CONFIG_KEYS) as [ConfigKey, KeySpec][]) {
        if (spec.secret) {
            // getSecret keeps the value secret from here to the Kubernetes Secret that holds it.
            const secret = cfg.getSecret(key);
            if (secret !== undefined) {
                secrets[key] = secret;
            }
            continue;
        }
        const v = cfg.get(key);
        if (v !== undefined) {
            raw[key] = v;
        }
    }
    // Unknown keys in our namespace are almost always typos of a real key.
    for (const fullKey of Object.keys(pulumi.runtime.allConfig())) {
        const [ns, key] = fullKey.split(":");
        if (ns === NAMESPACE && !(key in CONFIG_KEYS)) {
            raw[key] = pulumi.runtime.allConfig()[fullKey];
        }
    }
    return parseConfig(raw, {
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
        region: new pulumi.Config("aws").get("region"),
    }, secrets);
}
