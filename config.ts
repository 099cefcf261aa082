/**
 * The only module that reads Pulumi config. It turns a stack's raw settings into one typed,
 * validated {@link PlatformConfig}: an environment preset (`sandbox` | `production`) supplies every
 * default, and explicit keys override it. Every error names the key, the bad value and what is
 * valid, and is thrown before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { Cidr, formatCidr, isPrivate, overlaps, parseCidr } from "./components/shared/cidr";
import { JupyterHubArgs, NotebookProfile, resolveJupyterHubArgs } from "./components/jupyter-hub";
import { LOGGING_PRESETS, LoggingArgs, resolveLoggingArgs } from "./components/logging";
import { resolveTrackingArgs, TRACKING_PRESETS, TrackingArgs } from "./components/tracking";
import { resolveMonitoringArgs } from "./components/monitoring";
import { IngressSettings } from "./components/shared/ingress";
import { TeamSpec, validateTeams } from "./components/tenancy";
import { QueueSettingsError, resolveQueueArgs } from "./components/queues/settings";
import { ResolvedModel, resolveModels } from "./components/serving/settings";
import { GPU_FAMILIES, gpusPerInstance } from "./components/shared/gpu";
import { DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS } from "./components/shared/versions";

/** The config namespace: the project name in Pulumi.yaml. */
export const NAMESPACE = "mlplatform";

export type Preset = "sandbox" | "production";
export const PRESETS: readonly Preset[] = ["sandbox", "production"];

export type CapacityType = "ON_DEMAND" | "SPOT";
export type NatStrategy = "single" | "perAz";
export type ReclaimPolicy = "Delete" | "Retain";

export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;
export type ControlPlaneLogType = (typeof CONTROL_PLANE_LOG_TYPES)[number];

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Sizes of one managed node group. */
export interface NodeGroupConfig {
    readonly instanceTypes: string[];
    readonly capacityType: CapacityType;
    readonly minSize: number;
    readonly desiredSize: number;
    readonly maxSize: number;
    readonly diskSizeGiB: number;
}

/** Prometheus and Alertmanager sizing: a preset's defaults and a stack's resolved values alike. */
export interface MonitoringSizing {
    readonly prometheusReplicas: number;
    readonly retentionDays: number;
    readonly storageGiB: number;
    readonly retentionSizeGiB?: number;
    readonly alertmanagerReplicas: number;
    readonly alertmanagerStorageGiB: number;
    readonly podDisruptionBudgets: boolean;
    readonly podAntiAffinity: "soft" | "hard";
}

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
    readonly network: {
        readonly vpcCidr: string;
        readonly azCount: number;
        /**
         * AZs whose subnets the EKS control plane uses: the preset's count, whatever `azCount` says
         * later, because EKS refuses subnets outside the AZs a cluster was created with
         * (aws/containers-roadmap#170). Nodes and data stores use every AZ.
         */
        readonly controlPlaneAzCount: number;
        readonly natStrategy: NatStrategy;
        readonly flowLogs: boolean;
        readonly flowLogRetentionDays: number;
    };
    readonly cluster: {
        readonly kubernetesVersion: string;
        readonly serviceCidr: string;
        readonly publicAccessCidrs: string[];
        readonly adminPrincipalArns: string[];
        readonly controlPlaneLogTypes: ControlPlaneLogType[];
        readonly controlPlaneLogRetentionDays: number;
        readonly deletionProtection: boolean;
        readonly kmsDeletionWindowDays: number;
        readonly storageReclaimPolicy: ReclaimPolicy;
        readonly cpu: NodeGroupConfig;
        readonly gpu: NodeGroupConfig;
    };
    readonly monitoring: MonitoringSizing & {
        readonly slackWebhookUrl?: pulumi.Input<string>;
        readonly slackChannel?: string;
        readonly email?: { to: string; from: string; smarthost: string; username: string; password: pulumi.Input<string> };
        readonly deadMansSwitchUrl?: pulumi.Input<string>;
    };
    /** Elasticsearch, Kibana and Fluentd settings. */
    readonly logging: LoggingArgs;
    /** MLflow settings: the preset's values with the stack's overrides (infrastructure ids come from index.ts). */
    readonly tracking: TrackingSettings;
    /** JupyterHub settings (everything but what index.ts wires from other layers). */
    readonly notebooks: Omit<JupyterHubArgs, "mlflowTrackingUri" | "deleteVolumesWithWorkload">;
    readonly teams: TeamSpec[];
    readonly auditorPrincipalArns: string[];
    /** Model endpoints (components/serving/settings.ts). */
    readonly models: ResolvedModel[];
}

/** The {@link TrackingArgs} a stack's config decides. */
export type TrackingSettings = Omit<TrackingArgs, "clusterName" | "vpcId" | "vpcCidr" | "region" | "databaseSubnetIds" | "nodeSecurityGroupId" | "podIdentityAgent" | "kmsKeyArn" | "loadBalancerController">;

/** Secret config values, read with getSecret so they stay secret. */
export type SecretConfig = Partial<Record<ConfigKey, pulumi.Input<string>>>;

/** The error every invalid setting raises. */
export class ConfigError extends Error {
    constructor(
        readonly key: string,
        readonly value: unknown,
        readonly valid: string,
    ) {
        super(`Invalid config ${key.includes(":") ? key : `${NAMESPACE}:${key}`} = ${JSON.stringify(value)}: ${valid}`);
        this.name = "ConfigError";
    }
}

type KeyType = "string" | "integer" | "boolean" | "string[]" | "object[]";

/** One config key: its type and a description (also used for Pulumi.yaml and the README). */
export interface KeySpec {
    readonly type: KeyType;
    readonly description: string;
    /** The key holds a secret; read it with getSecret. */
    readonly secret?: boolean;
    /**
     * Every stack must set the key. Only such keys are declared in Pulumi.yaml: the Pulumi CLI
     * refuses a stack that leaves a declared key without `default` unset (scripts/gen-pulumi-yaml.ts).
     */
    readonly required?: boolean;
}

/**
 * Every key this program reads from the `mlplatform` namespace (the README's config table documents
 * each one; a test keeps them in step). Pulumi.yaml declares only the `required` ones, because the
 * CLI treats a declared key without `default` as required in every stack. Unknown keys in the
 * namespace are refused as typos.
 */
export const CONFIG_KEYS = {
    preset: { type: "string", required: true, description: "Environment preset: sandbox or production. Decides the default of every other key." },
    vpcCidr: { type: "string", description: "VPC IPv4 CIDR, RFC 1918, prefix /16 to /20." },
    azCount: { type: "integer", description: "Availability zones to spread subnets and nodes over (2 or 3)." },
    natStrategy: { type: "string", description: "NAT gateways: single (one for the VPC) or perAz (one per AZ)." },
    vpcFlowLogs: { type: "boolean", description: "Send VPC flow logs to CloudWatch Logs." },
    kubernetesVersion: { type: "string", description: "EKS Kubernetes minor version; add-on versions follow it." },
    serviceCidr: { type: "string", description: "Kubernetes Service IPv4 CIDR; must not overlap the VPC." },
    publicAccessCidrs: { type: "string[]", description: "CIDRs allowed to reach the public EKS API endpoint (your egress IP, CI runners). Required unless privateEndpointOnly." },
    privateEndpointOnly: { type: "boolean", description: "Turn the public EKS API endpoint off; only for deploys that run inside the VPC." },
    adminPrincipalArns: { type: "string[]", description: "IAM role or user ARNs given cluster-admin through EKS access entries." },
    controlPlaneLogTypes: { type: "string[]", description: "EKS control-plane log types sent to CloudWatch; must include audit and authenticator." },
    logRetentionDays: { type: "integer", description: "Retention of the control-plane and flow-log groups, in days (a CloudWatch-allowed value)." },
    clusterDeletionProtection: { type: "boolean", description: "EKS deletion protection." },
    kmsDeletionWindowDays: { type: "integer", description: "Waiting period before the platform KMS key is deleted (7 to 30)." },
    storageReclaimPolicy: { type: "string", description: "Reclaim policy of the default gp3 StorageClass: Delete or Retain." },
    cpuInstanceTypes: { type: "string[]", description: "Instance types of the CPU node group." },
    cpuCapacityType: { type: "string", description: "CPU node capacity: ON_DEMAND or SPOT." },
    cpuMinSize: { type: "integer", description: "CPU node group minimum size." },
    cpuDesiredSize: { type: "integer", description: "CPU node group initial desired size (the autoscaler owns it afterwards)." },
    cpuMaxSize: { type: "integer", description: "CPU node group maximum size." },
    cpuDiskSizeGiB: { type: "integer", description: "CPU node root volume size, GiB (encrypted gp3)." },
    gpuInstanceTypes: { type: "string[]", description: "Instance types of the GPU node group (NVIDIA)." },
    gpuCapacityType: { type: "string", description: "GPU node capacity: ON_DEMAND or SPOT." },
    gpuMinSize: { type: "integer", description: "GPU node group minimum size; 0 lets GPUs cost nothing while idle." },
    gpuMaxSize: { type: "integer", description: "GPU node group maximum size (the GPU budget)." },
    gpuDiskSizeGiB: { type: "integer", description: "GPU node root volume size, GiB (CUDA images are large)." },
    prometheusReplicas: { type: "integer", description: "Prometheus replicas (1 to 5)." },
    prometheusRetentionDays: { type: "integer", description: "Prometheus retention time, days." },
    prometheusStorageGiB: { type: "integer", description: "Prometheus volume size per replica, GiB." },
    prometheusRetentionSizeGiB: { type: "integer", description: "Prometheus size-based retention, GiB (at most 85% of the volume; default 80%)." },
    alertmanagerReplicas: { type: "integer", description: "Alertmanager replicas (1 to 5)." },
    alertmanagerStorageGiB: { type: "integer", description: "Alertmanager volume size per replica, GiB." },
    monitoringPodDisruptionBudgets: { type: "boolean", description: "PodDisruptionBudgets for Prometheus and Alertmanager (needs 2+ replicas each)." },
    monitoringPodAntiAffinity: { type: "string", description: "Spread Prometheus/Alertmanager replicas across nodes: soft or hard." },
    alertSlackWebhookUrl: { type: "string", secret: true, description: "Slack incoming-webhook URL for alerts (secret)." },
    alertSlackChannel: { type: "string", description: "Slack channel for alerts, e.g. #ml-platform-alerts." },
    alertEmailTo: { type: "string", description: "E-mail address that receives alerts." },
    alertEmailFrom: { type: "string", description: "Sender address of alert e-mails." },
    alertEmailSmarthost: { type: "string", description: "SMTP server for alert e-mails, host:port." },
    alertEmailUsername: { type: "string", description: "SMTP user name." },
    alertEmailPassword: { type: "string", secret: true, description: "SMTP password (secret)." },
    teams: { type: "object[]", description: "Teams: list of {name, memberPrincipalArns, leadPrincipalArns, quota: {cpu, memory, gpu, storage, pods}, extraNamespaces?, internetEgress?, kubernetesApiAccess?, queue?: {gpu?, gpuBorrowingLimit?, gpuNodeCpu?, gpuNodeMemory?}}." },
    auditorPrincipalArns: { type: "string[]", description: "IAM role or user ARNs with read-only access (no Secrets) to every namespace but jupyterhub, where they see no pods (NS-06)." },
    alertDeadMansSwitchUrl: { type: "string", secret: true, description: "Webhook that must receive the always-firing Watchdog alert; pages when it stops (secret)." },
    jupyterAuth: { type: "string", description: "JupyterHub sign-in: shared-password (generated user and admin passwords; sandbox only) or oauth (an OAuth2/OIDC provider)." },
    jupyterAdminUsers: { type: "string[]", description: "JupyterHub admin user names (with oauth, as the provider's username claim gives them)." },
    jupyterAllowedUsers: { type: "string[]", description: "More user names allowed to sign in with oauth (admins always are)." },
    notebookProfiles: { type: "object[]", description: "Notebook server sizes: list of {slug, displayName, description, cpuGuarantee, cpuLimit, memoryGuarantee, memoryLimit, gpus?, image?, default?}. Default: small CPU, large CPU, GPU." },
    notebookStorageGiB: { type: "integer", description: "Per-user home volume size, GiB (gp3, encrypted)." },
    cullTimeoutMinutes: { type: "integer", description: "Idle notebook servers are stopped after this many minutes." },
    gpuCullTimeoutMinutes: { type: "integer", description: "Idle GPU notebook servers stop themselves after this many minutes (at most cullTimeoutMinutes), releasing the GPU node." },
    oidcClientId: { type: "string", description: "OIDC client id of the platform's sign-in (JupyterHub oauth, the MLflow Ingress); register https://<host>/hub/oauth_callback and https://<host>/oauth2/idpresponse." },
    oidcClientSecret: { type: "string", secret: true, description: "OIDC client secret (secret)." },
    oidcIssuer: { type: "string", description: "OIDC issuer URL (https); needed by the MLflow Ingress's ALB sign-in." },
    oidcAuthorizeUrl: { type: "string", description: "OIDC authorization endpoint (https)." },
    oidcTokenUrl: { type: "string", description: "OIDC token endpoint (https)." },
    oidcUserinfoUrl: { type: "string", description: "OIDC userinfo endpoint (https)." },
    oidcUsernameClaim: { type: "string", description: "Userinfo claim used as the JupyterHub user name (default email)." },
    mlflowDbInstanceClass: { type: "string", description: "RDS instance class of the MLflow database." },
    mlflowDbStorageGiB: { type: "integer", description: "MLflow database storage, GiB (gp3, encrypted)." },
    mlflowDbMaxStorageGiB: { type: "integer", description: "Upper bound for RDS storage autoscaling, GiB." },
    mlflowDbMultiAz: { type: "boolean", description: "Multi-AZ standby for the MLflow database." },
    mlflowDbBackupRetentionDays: { type: "integer", description: "Automated backup retention of the MLflow database, days (1 to 35; production at least 7)." },
    mlflowDbPassword: { type: "string", secret: true, description: "MLflow database password (secret); generated when unset." },
    mlflowReplicas: { type: "integer", description: "MLflow tracking server replicas (production at least 2)." },
    elasticsearchNodes: { type: "integer", description: "Elasticsearch nodes: 1, or 3 to 9 (production at least 3, spread over zones)." },
    elasticsearchStorageGiB: { type: "integer", description: "Elasticsearch data volume per node, GiB (gp3)." },
    elasticsearchMemory: { type: "string", description: "Elasticsearch memory per node (request = limit), e.g. 4Gi; the JVM heap is half." },
    elasticsearchRetentionDays: { type: "integer", description: "Days container logs stay searchable; the index lifecycle policy deletes older data." },
    kibana: { type: "boolean", description: "Run Kibana (reached by port-forward)." },
    fluentdBufferLimitGiB: { type: "integer", description: "Per-node cap of Fluentd's on-disk buffer while Elasticsearch is unreachable, GiB." },
    mlflowIngressHost: { type: "string", description: "Host name of an HTTPS Ingress for MLflow with OIDC sign-in on the ALB (production only; port-forward otherwise)." },
    jupyterIngressHost: { type: "string", description: "Host name of the JupyterHub Ingress (required in production); the OAuth callback is https://<host>/hub/oauth_callback." },
    ingressCertificateArn: { type: "string", description: "ACM certificate ARN covering the Ingress hosts; the ALB terminates TLS with it (required with any Ingress host)." },
    ingressScheme: { type: "string", description: "ALB scheme of the platform's Ingresses: internal (VPC, VPN, peering) or internet-facing." },
    models: { type: "object[]", description: "Model endpoints: list of {name, team, modelUri (models:/<name>/<version> or models:/<name>@<alias>), minReplicas?, maxReplicas?, targetCpuUtilization?, cpu?, memory?, gpu?}." },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** Raw values as read from the stack: strings, or already-parsed JSON for structured keys. */
export type RawConfig = Partial<Record<ConfigKey, unknown>> & { [key: string]: unknown };

/** Preset defaults: every value a stack gets unless it overrides the key. */
export interface PresetValues {
    readonly azCount: number;
    readonly vpcCidr: string;
    readonly natStrategy: NatStrategy;
    readonly vpcFlowLogs: boolean;
    readonly serviceCidr: string;
    readonly controlPlaneLogTypes: ControlPlaneLogType[];
    readonly logRetentionDays: number;
    readonly clusterDeletionProtection: boolean;
    readonly kmsDeletionWindowDays: number;
    readonly storageReclaimPolicy: ReclaimPolicy;
    readonly cpu: NodeGroupConfig;
    readonly gpu: NodeGroupConfig;
    readonly monitoring: MonitoringSizing & {
        /** Production must page someone: a receiver and a dead-man's switch are required. */
        readonly requireReceivers: boolean;
    };
    readonly notebooks: {
        readonly auth: "shared-password" | "oauth";
        readonly adminUsers: string[];
        readonly notebookStorageGiB: number;
        readonly cullTimeoutMinutes: number;
        readonly gpuCullTimeoutMinutes: number;
        /** Production is reachable through an Ingress with TLS (checklist JH-05); a sandbox uses port-forward. */
        readonly requireIngress: boolean;
    };
}

/**
 * The environment presets (design.md, "Environment presets"). Every sandbox relaxation is here,
 * in one table, and covered by tests.
 */
export const PRESET_VALUES: Readonly<Record<Preset, PresetValues>> = {
    sandbox: {
        azCount: 2,
        vpcCidr: "10.0.0.0/16",
        natStrategy: "single",
        // Flow logs cost per GB ingested; a disposable sandbox skips them (checklist NET-01).
        vpcFlowLogs: false,
        serviceCidr: "172.20.0.0/16",
        // audit + authenticator are the minimum the checklist allows (EKS-01); api helps debugging.
        controlPlaneLogTypes: ["api", "audit", "authenticator"],
        logRetentionDays: 7,
        // A sandbox must destroy cleanly (EKS-07).
        clusterDeletionProtection: false,
        kmsDeletionWindowDays: 7,
        // Volumes go with the sandbox; Retain would leak EBS volumes on destroy (SC-01).
        storageReclaimPolicy: "Delete",
        // One node holds the idle platform: `npm run bench` sums every pod's requests against its
        // allocatable and fails above 85 %; the autoscaler adds up to three nodes for notebooks.
        cpu: { instanceTypes: ["m7i.xlarge", "m6i.xlarge", "m5.xlarge"], capacityType: "SPOT", minSize: 1, desiredSize: 1, maxSize: 4, diskSizeGiB: 50 },
        gpu: { instanceTypes: ["g5.xlarge"], capacityType: "ON_DEMAND", minSize: 0, desiredSize: 0, maxSize: 2, diskSizeGiB: 100 },
        // One replica each: a PDB on a single replica would block node drains (checklist K8S-13).
        monitoring: { prometheusReplicas: 1, retentionDays: 3, storageGiB: 10, alertmanagerReplicas: 1, alertmanagerStorageGiB: 1, podDisruptionBudgets: false, podAntiAffinity: "soft", requireReceivers: false },
        // Generated user and admin passwords, exported as secrets; GPU servers stop after 30 idle minutes.
        notebooks: { auth: "shared-password", adminUsers: ["admin"], notebookStorageGiB: 10, cullTimeoutMinutes: 60, gpuCullTimeoutMinutes: 30, requireIngress: false },
    },
    production: {
        azCount: 3,
        vpcCidr: "10.0.0.0/16",
        natStrategy: "perAz",
        vpcFlowLogs: true,
        serviceCidr: "172.20.0.0/16",
        controlPlaneLogTypes: [...CONTROL_PLANE_LOG_TYPES],
        logRetentionDays: 90,
        clusterDeletionProtection: true,
        kmsDeletionWindowDays: 30,
        storageReclaimPolicy: "Retain",
        // One node per AZ so every AZ that holds an EBS volume has capacity (NG-04).
        cpu: { instanceTypes: ["m7i.xlarge"], capacityType: "ON_DEMAND", minSize: 3, desiredSize: 3, maxSize: 12, diskSizeGiB: 100 },
        gpu: { instanceTypes: ["g5.2xlarge"], capacityType: "ON_DEMAND", minSize: 0, desiredSize: 0, maxSize: 8, diskSizeGiB: 200 },
        monitoring: { prometheusReplicas: 2, retentionDays: 30, storageGiB: 100, retentionSizeGiB: 80, alertmanagerReplicas: 2, alertmanagerStorageGiB: 5, podDisruptionBudgets: true, podAntiAffinity: "hard", requireReceivers: true },
        // Admins must be named per stack (no default user exists with OAuth).
        notebooks: { auth: "oauth", adminUsers: [], notebookStorageGiB: 50, cullTimeoutMinutes: 120, gpuCullTimeoutMinutes: 60, requireIngress: true },
    },
};

const INSTANCE_TYPE_RE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const IAM_PRINCIPAL_RE = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@\/-]{1,512}$/;
const REGION_RE = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;


// ---------------------------------------------------------------------------------------------
// Typed readers over raw values. Each names its key in the error it throws.
// ---------------------------------------------------------------------------------------------

function str(raw: RawConfig, key: ConfigKey): string | undefined {
    const v = raw[key];
    if (v === undefined) {
        return undefined;
    }
    if (typeof v !== "string") {
        throw new ConfigError(key, v, "must be a string");
    }
    return v;
}

function oneOf<T extends string>(raw: RawConfig, key: ConfigKey, allowed: readonly T[], fallback: T): T {
    const v = str(raw, key);
    if (v === undefined) {
        return fallback;
    }
    if (!(allowed as readonly string[]).includes(v)) {
        throw new ConfigError(key, v, `must be one of ${allowed.join(", ")}`);
    }
    return v as T;
}

function int(raw: RawConfig, key: ConfigKey, fallback: number, min: number, max: number): number {
    const v = raw[key];
    if (v === undefined) {
        return fallback;
    }
    const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isInteger(n)) {
        throw new ConfigError(key, v, `must be a whole number between ${min} and ${max}`);
    }
    if (n < min || n > max) {
        throw new ConfigError(key, n, `must be between ${min} and ${max}`);
    }
    return n;
}

function bool(raw: RawConfig, key: ConfigKey, fallback: boolean): boolean {
    const v = raw[key];
    if (v === undefined) {
        return fallback;
    }
    if (v === true || v === "true") {
        return true;
    }
    if (v === false || v === "false") {
        return false;
    }
    throw new ConfigError(key, v, "must be true or false");
}

function strList(raw: RawConfig, key: ConfigKey, fallback: string[]): string[] {
    let v = raw[key];
    if (v === undefined) {
        return fallback;
    }
    if (typeof v === "string") {
        try {
            v = JSON.parse(v);
        } catch {
            throw new ConfigError(key, v, "must be a list of strings (a YAML list in the stack file)");
        }
    }
    if (!Array.isArray(v) || v.some((e) => typeof e !== "string")) {
        throw new ConfigError(key, v, "must be a list of strings (a YAML list in the stack file)");
    }
    return v as string[];
}

function cidr(key: ConfigKey, text: string): Cidr {
    const c = parseCidr(text);
    if (typeof c === "string") {
        throw new ConfigError(key, text, `${c}; expected an IPv4 CIDR block such as 10.0.0.0/16`);
    }
    return c;
}

/**
 * Runs a component's pure validation and turns its error into a ConfigError on the matching key,
 * so each rule is written once (in the component) and still reported against the config key.
 *
 * @param keys the component argument names mapped to the config keys that set them
 */
function viaComponent<T>(raw: RawConfig, keys: Record<string, ConfigKey>, fallbackKey: ConfigKey, fn: () => T): T {
    try {
        return fn();
    } catch (e) {
        const message = (e as Error).message;
        const arg = Object.keys(keys).sort((a, b) => b.length - a.length).find((a) => message.startsWith(a));
        const key = arg !== undefined ? keys[arg] : fallbackKey;
        throw new ConfigError(key, raw[key], message);
    }
}

// ---------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------

/** A list of objects (a YAML list in the stack file, or its JSON text); undefined when unset. */
function objectList(raw: RawConfig, key: ConfigKey, what = "objects"): Record<string, unknown>[] | undefined {
    let v = raw[key];
    if (v === undefined) {
        return undefined;
    }
    if (typeof v === "string") {
        try {
            v = JSON.parse(v);
        } catch {
            throw new ConfigError(key, v, `must be a list of ${what} (a YAML list in the stack file)`);
        }
    }
    if (!Array.isArray(v) || v.some((e) => e === null || typeof e !== "object" || Array.isArray(e))) {
        throw new ConfigError(key, v, `must be a list of ${what} (a YAML list in the stack file)`);
    }
    return v as Record<string, unknown>[];
}

function teamsSection(raw: RawConfig, adminPrincipalArns: string[]): { teams: TeamSpec[]; auditorPrincipalArns: string[] } {
    const teams = objectList(raw, "teams", "team objects") ?? [];
    const auditorPrincipalArns = strList(raw, "auditorPrincipalArns", []);
    const specs = teams.map((t) => ({ memberPrincipalArns: [], leadPrincipalArns: [], ...t }) as unknown as TeamSpec);
    try {
        validateTeams(specs, adminPrincipalArns, auditorPrincipalArns);
    } catch (e) {
        const message = (e as Error).message;
        throw new ConfigError(message.startsWith("auditorPrincipalArns") ? "auditorPrincipalArns" : "teams", message.startsWith("auditorPrincipalArns") ? auditorPrincipalArns : teams, message);
    }
    return { teams: specs, auditorPrincipalArns };
}

/** Team queues (components/queues/settings.ts): per-team `queue` blocks, and the cohort within `gpuMaxSize`. */
function withQueues<T extends { teams: TeamSpec[] }>(t: T, gpu: NodeGroupConfig): T {
    try {
        resolveQueueArgs({ teams: t.teams, gpuMaxSize: gpu.maxSize, gpuInstanceTypes: gpu.instanceTypes });
    } catch (e) {
        if (e instanceof QueueSettingsError) {
            throw new ConfigError(e.key, e.key === "gpuMaxSize" ? gpu.maxSize : t.teams, e.message);
        }
        throw e;
    }
    return t;
}

function modelsSection(raw: RawConfig, teams: TeamSpec[], preset: Preset): ResolvedModel[] {
    const models = objectList(raw, "models", "model objects") ?? [];
    try {
        return resolveModels(models, teams, preset);
    } catch (e) {
        throw new ConfigError("models", models, (e as Error).message);
    }
}

function monitoringSection(raw: RawConfig, secrets: SecretConfig, p: PresetValues["monitoring"]): PlatformConfig["monitoring"] {
    const m = {
        prometheusReplicas: int(raw, "prometheusReplicas", p.prometheusReplicas, 1, 5),
        retentionDays: int(raw, "prometheusRetentionDays", p.retentionDays, 1, 3650),
        storageGiB: int(raw, "prometheusStorageGiB", p.storageGiB, 5, 16384),
        retentionSizeGiB: raw.prometheusRetentionSizeGiB === undefined ? p.retentionSizeGiB : int(raw, "prometheusRetentionSizeGiB", 0, 1, 16384),
        alertmanagerReplicas: int(raw, "alertmanagerReplicas", p.alertmanagerReplicas, 1, 5),
        alertmanagerStorageGiB: int(raw, "alertmanagerStorageGiB", p.alertmanagerStorageGiB, 1, 100),
        podDisruptionBudgets: bool(raw, "monitoringPodDisruptionBudgets", p.podDisruptionBudgets),
        podAntiAffinity: oneOf<"soft" | "hard">(raw, "monitoringPodAntiAffinity", ["soft", "hard"], p.podAntiAffinity),
        slackWebhookUrl: secrets.alertSlackWebhookUrl,
        slackChannel: str(raw, "alertSlackChannel"),
        deadMansSwitchUrl: secrets.alertDeadMansSwitchUrl,
        email: undefined as PlatformConfig["monitoring"]["email"],
    };
    const emailKeys = ["alertEmailTo", "alertEmailFrom", "alertEmailSmarthost", "alertEmailUsername"] as const;
    const given = emailKeys.filter((k) => raw[k] !== undefined);
    if (given.length > 0 || secrets.alertEmailPassword !== undefined) {
        const missing = [...emailKeys.filter((k) => raw[k] === undefined), ...(secrets.alertEmailPassword === undefined ? ["alertEmailPassword"] : [])];
        if (missing.length > 0) {
            throw new ConfigError(missing[0] as ConfigKey, undefined, `e-mail alerts need all of ${[...emailKeys, "alertEmailPassword"].join(", ")}; missing ${missing.join(", ")}`);
        }
        m.email = { to: str(raw, "alertEmailTo")!, from: str(raw, "alertEmailFrom")!, smarthost: str(raw, "alertEmailSmarthost")!, username: str(raw, "alertEmailUsername")!, password: secrets.alertEmailPassword! };
    }
    if (p.requireReceivers) {
        if (m.slackWebhookUrl === undefined && m.email === undefined) {
            throw new ConfigError("alertSlackWebhookUrl", undefined, "production must page someone: set alertSlackWebhookUrl (`pulumi config set --secret alertSlackWebhookUrl <url>`) or the alertEmail* keys");
        }
        if (m.deadMansSwitchUrl === undefined) {
            throw new ConfigError("alertDeadMansSwitchUrl", undefined, "production needs a dead-man's switch for the Watchdog alert: `pulumi config set --secret alertDeadMansSwitchUrl <url>`");
        }
    }
    viaComponent(raw, {
        prometheusReplicas: "prometheusReplicas", alertmanagerReplicas: "alertmanagerReplicas", retentionDays: "prometheusRetentionDays",
        storageGiB: "prometheusStorageGiB", retentionSizeGiB: "prometheusRetentionSizeGiB", alertmanagerStorageGiB: "alertmanagerStorageGiB",
        podDisruptionBudgets: "monitoringPodDisruptionBudgets", podAntiAffinity: "monitoringPodAntiAffinity", slackChannel: "alertSlackChannel",
        "email.smarthost": "alertEmailSmarthost", "email.to": "alertEmailTo", "email.from": "alertEmailFrom", "email.username": "alertEmailUsername",
    }, "prometheusReplicas", () => resolveMonitoringArgs(m));
    return m;
}


/** The HTTPS Ingress settings shared by every web UI the platform exposes. */
function ingressSettings(raw: RawConfig, host: string): IngressSettings {
    const certificateArn = str(raw, "ingressCertificateArn");
    if (certificateArn === undefined) {
        throw new ConfigError("ingressCertificateArn", undefined, `an Ingress (${host}) needs TLS: set the ACM certificate ARN that covers it`);
    }
    return { host, certificateArn, scheme: oneOf<"internal" | "internet-facing">(raw, "ingressScheme", ["internal", "internet-facing"], "internal") };
}

function loggingSection(raw: RawConfig, preset: Preset): LoggingArgs {
    const p = LOGGING_PRESETS[preset];
    const l: LoggingArgs = {
        ...p,
        elasticsearchNodes: int(raw, "elasticsearchNodes", p.elasticsearchNodes, 1, 9),
        elasticsearchStorageGiB: int(raw, "elasticsearchStorageGiB", p.elasticsearchStorageGiB, 5, 16384),
        elasticsearchMemory: str(raw, "elasticsearchMemory") ?? p.elasticsearchMemory,
        retentionDays: int(raw, "elasticsearchRetentionDays", p.retentionDays, 1, 3650),
        kibana: bool(raw, "kibana", p.kibana),
        fluentdBufferLimitGiB: int(raw, "fluentdBufferLimitGiB", p.fluentdBufferLimitGiB, 1, 50),
    };
    if (preset === "production" && l.elasticsearchNodes! < 3) {
        throw new ConfigError("elasticsearchNodes", l.elasticsearchNodes, "production runs at least 3 Elasticsearch nodes across zones (checklist ES-05)");
    }
    viaComponent(raw, {
        elasticsearchNodes: "elasticsearchNodes", elasticsearchStorageGiB: "elasticsearchStorageGiB", elasticsearchMemory: "elasticsearchMemory",
        retentionDays: "elasticsearchRetentionDays", fluentdBufferLimitGiB: "fluentdBufferLimitGiB",
    }, "elasticsearchNodes", () => resolveLoggingArgs(l));
    return l;
}

function trackingSection(raw: RawConfig, secrets: SecretConfig, preset: Preset, namePrefix: string): TrackingSettings {
    const p = TRACKING_PRESETS[preset];
    const host = str(raw, "mlflowIngressHost");
    if (host !== undefined && preset === "sandbox") {
        throw new ConfigError("mlflowIngressHost", host, "a sandbox reaches MLflow by port-forward: an Ingress makes a load balancer that a sandbox destroy could leave behind");
    }
    let ingress: TrackingSettings["ingress"];
    if (host !== undefined) {
        const keys = ["oidcIssuer", "oidcAuthorizeUrl", "oidcTokenUrl", "oidcUserinfoUrl", "oidcClientId"] as const;
        const missing = keys.filter((k) => raw[k] === undefined);
        if (missing.length > 0 || secrets.oidcClientSecret === undefined) {
            const all = [...missing, ...(secrets.oidcClientSecret === undefined ? ["oidcClientSecret"] : [])];
            throw new ConfigError(all[0] as ConfigKey, undefined, `the MLflow Ingress signs users in on the ALB and needs ${[...keys, "oidcClientSecret"].join(", ")}; missing ${all.join(", ")}`);
        }
        ingress = {
            ...ingressSettings(raw, host),
            oidc: {
                issuer: str(raw, "oidcIssuer")!,
                authorizationEndpoint: str(raw, "oidcAuthorizeUrl")!,
                tokenEndpoint: str(raw, "oidcTokenUrl")!,
                userInfoEndpoint: str(raw, "oidcUserinfoUrl")!,
                clientId: str(raw, "oidcClientId")!,
                clientSecret: secrets.oidcClientSecret,
            },
        };
    }
    const t: TrackingSettings = {
        ...p,
        namePrefix,
        instanceClass: str(raw, "mlflowDbInstanceClass") ?? p.instanceClass,
        allocatedStorageGiB: int(raw, "mlflowDbStorageGiB", p.allocatedStorageGiB, 20, 65536),
        maxAllocatedStorageGiB: int(raw, "mlflowDbMaxStorageGiB", p.maxAllocatedStorageGiB, 20, 65536),
        multiAz: bool(raw, "mlflowDbMultiAz", p.multiAz),
        backupRetentionDays: int(raw, "mlflowDbBackupRetentionDays", p.backupRetentionDays, 1, 35),
        replicas: int(raw, "mlflowReplicas", p.replicas, 1, 10),
        databasePassword: secrets.mlflowDbPassword,
        ingress,
    };
    if (preset === "production") {
        if (t.backupRetentionDays! < 7) {
            throw new ConfigError("mlflowDbBackupRetentionDays", t.backupRetentionDays, "production keeps at least 7 days of backups (checklist RDS-03)");
        }
        if (!t.multiAz) {
            throw new ConfigError("mlflowDbMultiAz", false, "production runs the database Multi-AZ (checklist RDS-04)");
        }
        if (t.replicas! < 2) {
            throw new ConfigError("mlflowReplicas", t.replicas, "production runs at least 2 replicas behind a PodDisruptionBudget (checklist K8S-13)");
        }
    }
    viaComponent(raw, {
        instanceClass: "mlflowDbInstanceClass", allocatedStorageGiB: "mlflowDbStorageGiB", maxAllocatedStorageGiB: "mlflowDbMaxStorageGiB",
        backupRetentionDays: "mlflowDbBackupRetentionDays", replicas: "mlflowReplicas", databasePassword: "mlflowDbPassword",
        "ingress.host": "mlflowIngressHost", "ingress.certificateArn": "ingressCertificateArn", "ingress.scheme": "ingressScheme",
        "ingress.oidc.issuer": "oidcIssuer", "ingress.oidc.authorizationEndpoint": "oidcAuthorizeUrl", "ingress.oidc.tokenEndpoint": "oidcTokenUrl",
        "ingress.oidc.userInfoEndpoint": "oidcUserinfoUrl", "ingress.oidc.clientId": "oidcClientId",
    }, "mlflowDbInstanceClass", () => resolveTrackingArgs({
        ...t,
        // Stand-ins for what index.ts wires from the network and cluster; only their shape is checked here.
        clusterName: "cluster", vpcId: "vpc", vpcCidr: "10.0.0.0/16", region: "us-west-2", databaseSubnetIds: ["subnet-a", "subnet-b"], nodeSecurityGroupId: "sg",
        podIdentityAgent: undefined as unknown as TrackingArgs["podIdentityAgent"], kmsKeyArn: t.bucketKms ? "arn:aws:kms:us-west-2:111122223333:key/x" : undefined,
    }));
    return t;
}

function notebooksSection(raw: RawConfig, secrets: SecretConfig, p: PresetValues["notebooks"], preset: Preset): PlatformConfig["notebooks"] {
    const auth = oneOf<"shared-password" | "oauth">(raw, "jupyterAuth", ["shared-password", "oauth"], p.auth);
    if (auth === "shared-password" && preset === "production") {
        throw new ConfigError("jupyterAuth", auth, "production needs oauth: shared-password auth gives every user one password");
    }
    const host = str(raw, "jupyterIngressHost");
    if (p.requireIngress && host === undefined) {
        throw new ConfigError("jupyterIngressHost", undefined, "production serves JupyterHub through an HTTPS Ingress (checklist JH-05): set jupyterIngressHost and ingressCertificateArn");
    }
    if (!p.requireIngress && host !== undefined) {
        throw new ConfigError("jupyterIngressHost", host, "a sandbox reaches JupyterHub by port-forward: an Ingress makes a load balancer that a sandbox destroy could leave behind");
    }
    const oauthKeys = ["oidcClientId", "oidcAuthorizeUrl", "oidcTokenUrl", "oidcUserinfoUrl"] as const;
    let authArgs: JupyterHubArgs["auth"];
    if (auth === "oauth") {
        const missing = oauthKeys.filter((k) => raw[k] === undefined);
        if (missing.length > 0) {
            throw new ConfigError(missing[0], undefined, `oauth sign-in needs ${[...oauthKeys, "oidcClientSecret"].join(", ")}; missing ${missing.join(", ")}`);
        }
        if (secrets.oidcClientSecret === undefined) {
            throw new ConfigError("oidcClientSecret", undefined, "oauth sign-in needs the client secret: `pulumi config set --secret oidcClientSecret <secret>`");
        }
        if (host === undefined) {
            throw new ConfigError("jupyterIngressHost", undefined, "oauth sign-in needs a public callback URL: set jupyterIngressHost");
        }
        authArgs = {
            type: "oauth",
            clientId: str(raw, "oidcClientId")!,
            clientSecret: secrets.oidcClientSecret,
            authorizeUrl: str(raw, "oidcAuthorizeUrl")!,
            tokenUrl: str(raw, "oidcTokenUrl")!,
            userdataUrl: str(raw, "oidcUserinfoUrl")!,
            usernameClaim: str(raw, "oidcUsernameClaim") ?? "email",
            callbackUrl: `https://${host}/hub/oauth_callback`,
        };
    } else {
        authArgs = { type: "shared-password" };
    }
    const cullTimeoutMinutes = int(raw, "cullTimeoutMinutes", p.cullTimeoutMinutes, 5, 10080);
    const n: PlatformConfig["notebooks"] = {
        auth: authArgs,
        adminUsers: strList(raw, "jupyterAdminUsers", p.adminUsers),
        allowedUsers: strList(raw, "jupyterAllowedUsers", []),
        profiles: objectList(raw, "notebookProfiles") as NotebookProfile[] | undefined,
        notebookStorageGiB: int(raw, "notebookStorageGiB", p.notebookStorageGiB, 1, 1024),
        cullTimeoutMinutes,
        // Defaults to the preset's value, capped by a shorter configured general timeout.
        gpuCullTimeoutMinutes: int(raw, "gpuCullTimeoutMinutes", Math.min(p.gpuCullTimeoutMinutes, cullTimeoutMinutes), 5, 10080),
        ingress: host !== undefined ? ingressSettings(raw, host) : undefined,
    };
    viaComponent(raw, {
        adminUsers: "jupyterAdminUsers", allowedUsers: "jupyterAllowedUsers", profiles: "notebookProfiles", notebookStorageGiB: "notebookStorageGiB",
        cullTimeoutMinutes: "cullTimeoutMinutes", gpuCullTimeoutMinutes: "gpuCullTimeoutMinutes", "auth.clientId": "oidcClientId",
        "auth.authorizeUrl": "oidcAuthorizeUrl", "auth.tokenUrl": "oidcTokenUrl", "auth.userdataUrl": "oidcUserinfoUrl",
        "auth.usernameClaim": "oidcUsernameClaim", "auth.callbackUrl": "jupyterIngressHost", "ingress.host": "jupyterIngressHost",
        "ingress.certificateArn": "ingressCertificateArn", "ingress.scheme": "ingressScheme", cpuImage: "notebookProfiles", gpuImage: "notebookProfiles",
    }, "notebookProfiles", () => resolveJupyterHubArgs(n));
    return n;
}

function nodeGroup(raw: RawConfig, prefix: "cpu" | "gpu", preset: NodeGroupConfig): NodeGroupConfig {
    const k = (s: string) => `${prefix}${s}` as ConfigKey;
    const instanceTypes = strList(raw, k("InstanceTypes"), preset.instanceTypes);
    if (instanceTypes.length === 0) {
        throw new ConfigError(k("InstanceTypes"), instanceTypes, "must list at least one EC2 instance type");
    }
    for (const t of instanceTypes) {
        if (!INSTANCE_TYPE_RE.test(t)) {
            throw new ConfigError(k("InstanceTypes"), instanceTypes, `"${t}" is not an EC2 instance type like m7i.xlarge`);
        }
        if (prefix === "gpu" && gpusPerInstance(t) === undefined) {
            throw new ConfigError(k("InstanceTypes"), instanceTypes, `"${t}" is not an NVIDIA GPU instance type of the families ${GPU_FAMILIES.join(", ")}`);
        }
    }
    if (prefix === "gpu" && new Set(instanceTypes.map(gpusPerInstance)).size > 1) {
        // The autoscaler builds one node template per group; mixed GPU counts make it guess wrong.
        throw new ConfigError(k("InstanceTypes"), instanceTypes, "must all carry the same number of GPUs (the cluster autoscaler models a node group as one shape)");
    }
    const capacityType = oneOf<CapacityType>(raw, k("CapacityType"), ["ON_DEMAND", "SPOT"], preset.capacityType);
    const maxSize = int(raw, k("MaxSize"), preset.maxSize, prefix === "gpu" ? 0 : 1, 1000);
    const minSize = int(raw, k("MinSize"), preset.minSize, prefix === "gpu" ? 0 : 1, 1000);
    if (minSize > maxSize) {
        throw new ConfigError(k("MinSize"), minSize, `must be <= ${prefix}MaxSize (${maxSize})`);
    }
    // The GPU group starts at its minimum: the autoscaler adds GPU nodes only when a pod asks.
    const desiredSize = prefix === "gpu" ? minSize : int(raw, k("DesiredSize"), Math.max(preset.desiredSize, minSize), minSize, maxSize);
    const diskSizeGiB = int(raw, k("DiskSizeGiB"), preset.diskSizeGiB, 20, 16384);
    return { instanceTypes, capacityType, minSize, desiredSize, maxSize, diskSizeGiB };
}

/**
 * Validates raw settings and resolves them against the preset. Pure: tests call it directly.
 *
 * @param raw values by key (strings as Pulumi stores them, or typed values)
 * @param ctx project, stack and region (region comes from `aws:region`)
 */
export function parseConfig(raw: RawConfig, ctx: { project: string; stack: string; region: string | undefined }, secrets: SecretConfig = {}): PlatformConfig {
    for (const key of Object.keys(raw)) {
        if (!(key in CONFIG_KEYS) && raw[key] !== undefined) {
            throw new ConfigError(key as ConfigKey, raw[key], `unknown key; valid keys are ${Object.keys(CONFIG_KEYS).join(", ")}`);
        }
    }
    const presetName = str(raw, "preset");
    if (presetName === undefined) {
        throw new ConfigError("preset", undefined, `is required; set it with \`pulumi config set preset sandbox\` (one of ${PRESETS.join(", ")})`);
    }
    if (!(PRESETS as readonly string[]).includes(presetName)) {
        throw new ConfigError("preset", presetName, `must be one of ${PRESETS.join(", ")}`);
    }
    const preset = presetName as Preset;
    const p = PRESET_VALUES[preset];

    if (ctx.region === undefined || !REGION_RE.test(ctx.region)) {
        throw new ConfigError("aws:region", ctx.region, "set aws:region to an AWS region such as us-west-2 (`pulumi config set aws:region us-west-2`)");
    }

    // Network
    const vpcCidrText = str(raw, "vpcCidr") ?? p.vpcCidr;
    const vpc = cidr("vpcCidr", vpcCidrText);
    if (!isPrivate(vpc)) {
        throw new ConfigError("vpcCidr", vpcCidrText, "must lie in an RFC 1918 range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)");
    }
    if (vpc.prefix < 16 || vpc.prefix > 20) {
        throw new ConfigError("vpcCidr", vpcCidrText, "prefix must be between /16 and /20 (AWS allows /16 at most; /20 is the smallest that fits the subnet plan)");
    }
    const azCount = int(raw, "azCount", p.azCount, 2, 3);
    if (preset === "production" && azCount < 3) {
        throw new ConfigError("azCount", azCount, "production needs 3 availability zones (Multi-AZ RDS, zone-spread Elasticsearch)");
    }
    const natStrategy = oneOf<NatStrategy>(raw, "natStrategy", ["single", "perAz"], p.natStrategy);
    const flowLogs = bool(raw, "vpcFlowLogs", p.vpcFlowLogs);
    const logRetentionDays = int(raw, "logRetentionDays", p.logRetentionDays, 1, 3653);
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
        throw new ConfigError("logRetentionDays", logRetentionDays, `must be one of CloudWatch's values: ${LOG_RETENTION_DAYS.join(", ")}`);
    }

    // Cluster
    const supported = Object.keys(KUBERNETES_VERSIONS);
    const kubernetesVersion = str(raw, "kubernetesVersion") ?? DEFAULT_KUBERNETES_VERSION;
    if (!supported.includes(kubernetesVersion)) {
        throw new ConfigError("kubernetesVersion", kubernetesVersion, `unsupported; supported versions are ${supported.join(", ")} (EKS standard support, with pinned add-ons)`);
    }
    const serviceCidrText = str(raw, "serviceCidr") ?? p.serviceCidr;
    const svc = cidr("serviceCidr", serviceCidrText);
    if (!isPrivate(svc) || svc.prefix < 12 || svc.prefix > 24) {
        throw new ConfigError("serviceCidr", serviceCidrText, "must be an RFC 1918 block between /12 and /24 (an EKS requirement)");
    }
    if (overlaps(vpc, svc)) {
        throw new ConfigError("serviceCidr", serviceCidrText, `overlaps vpcCidr ${formatCidr(vpc)}; pick a block outside the VPC, e.g. 172.20.0.0/16`);
    }

    const publicAccessCidrs = strList(raw, "publicAccessCidrs", []);
    const parsedPublic: Cidr[] = [];
    for (const text of publicAccessCidrs) {
        const c = cidr("publicAccessCidrs", text);
        if (c.prefix === 0) {
            throw new ConfigError("publicAccessCidrs", publicAccessCidrs, `${text} opens the Kubernetes API to the whole internet; list your office, VPN or CI egress CIDRs instead, or leave the list empty for a private-only endpoint`);
        }
        const clash = parsedPublic.find((o) => overlaps(o, c));
        if (clash) {
            throw new ConfigError("publicAccessCidrs", publicAccessCidrs, `${text} overlaps ${formatCidr(clash)}; list each range once`);
        }
        parsedPublic.push(c);
    }
    const privateEndpointOnly = bool(raw, "privateEndpointOnly", false);
    if (privateEndpointOnly && publicAccessCidrs.length > 0) {
        throw new ConfigError("publicAccessCidrs", publicAccessCidrs, "must be empty when privateEndpointOnly is true");
    }
    if (!privateEndpointOnly && publicAccessCidrs.length === 0) {
        // Without a CIDR the endpoint would be private and every Kubernetes resource would fail
        // after a 15-minute cluster build; refuse now instead.
        throw new ConfigError("publicAccessCidrs", publicAccessCidrs, "list the CIDRs that run `pulumi up` (e.g. `pulumi config set --path 'publicAccessCidrs[0]' <your-ip>/32`), or set privateEndpointOnly: true when deploying from inside the VPC");
    }

    const adminPrincipalArns = strList(raw, "adminPrincipalArns", []);
    for (const arn of adminPrincipalArns) {
        if (!IAM_PRINCIPAL_RE.test(arn)) {
            throw new ConfigError("adminPrincipalArns", adminPrincipalArns, `"${arn}" is not an IAM role or user ARN like arn:aws:iam::123456789012:role/platform-admin`);
        }
    }
    if (new Set(adminPrincipalArns).size !== adminPrincipalArns.length) {
        throw new ConfigError("adminPrincipalArns", adminPrincipalArns, "lists the same ARN twice");
    }

    const logTypes = strList(raw, "controlPlaneLogTypes", p.controlPlaneLogTypes);
    for (const t of logTypes) {
        if (!(CONTROL_PLANE_LOG_TYPES as readonly string[]).includes(t)) {
            throw new ConfigError("controlPlaneLogTypes", logTypes, `"${t}" is not a log type; valid: ${CONTROL_PLANE_LOG_TYPES.join(", ")}`);
        }
    }
    for (const required of ["audit", "authenticator"]) {
        if (!logTypes.includes(required)) {
            throw new ConfigError("controlPlaneLogTypes", logTypes, `must include "${required}" (security checklist EKS-01)`);
        }
    }

    const cpu = nodeGroup(raw, "cpu", p.cpu);
    const gpu = nodeGroup(raw, "gpu", p.gpu);

    const teams = teamsSection(raw, adminPrincipalArns);

    const namePrefix = namePrefixFor(ctx.project, ctx.stack);

    return {
        project: ctx.project,
        stack: ctx.stack,
        namePrefix,
        preset,
        region: ctx.region,
        network: { vpcCidr: formatCidr(vpc), azCount, controlPlaneAzCount: Math.min(azCount, p.azCount), natStrategy, flowLogs, flowLogRetentionDays: logRetentionDays },
        cluster: {
            kubernetesVersion,
            serviceCidr: formatCidr(svc),
            publicAccessCidrs,
            adminPrincipalArns,
            controlPlaneLogTypes: logTypes as ControlPlaneLogType[],
            controlPlaneLogRetentionDays: logRetentionDays,
            deletionProtection: bool(raw, "clusterDeletionProtection", p.clusterDeletionProtection),
            kmsDeletionWindowDays: int(raw, "kmsDeletionWindowDays", p.kmsDeletionWindowDays, 7, 30),
            storageReclaimPolicy: oneOf<ReclaimPolicy>(raw, "storageReclaimPolicy", ["Delete", "Retain"], p.storageReclaimPolicy),
            cpu,
            gpu,
        },
        monitoring: monitoringSection(raw, secrets, p.monitoring),
        logging: loggingSection(raw, preset),
        tracking: trackingSection(raw, secrets, preset, namePrefix),
        notebooks: notebooksSection(raw, secrets, p.notebooks, preset),
        ...withQueues(teams, gpu),
        models: modelsSection(raw, teams.teams, preset),
    };
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
