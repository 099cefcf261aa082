/**
 * The monitoring layer's arguments, their defaults and their validation (`resolveMonitoringArgs`),
 * which runs before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_STORAGE_CLASS } from "../cluster-services";
import { NAMESPACES, ScrapeTarget } from "../shared/platform";
import { wholeNumber } from "../shared/validate";
import { MONITORING_JOBS, PLATFORM_NAMESPACES } from "./rules";

const TARGET_NAME = /^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/;

/** E-mail receiver settings. */
export interface MonitoringEmailArgs {
    /** Recipient address. */
    readonly to: string;
    /** Sender address. */
    readonly from: string;
    /** SMTP `host:port` (STARTTLS is required). */
    readonly smarthost: string;
    /** SMTP user. */
    readonly username: string;
    /** SMTP password (secret). */
    readonly password: pulumi.Input<string>;
}

/** Arguments of {@link Monitoring}. */
export interface MonitoringArgs {
    /**
     * What to scrape, one ServiceMonitor or PodMonitor each; `name` becomes the `job` label, which the
     * platform's alert rules match (see `MONITORING_JOBS`). A service's rule group exists only when
     * its job is scraped.
     * @default []
     */
    readonly targets?: readonly ScrapeTarget[];
    /**
     * Prometheus replicas (each scrapes everything; two give HA).
     * @default 1
     */
    readonly prometheusReplicas?: number;
    /**
     * Days Prometheus keeps samples.
     * @default 7
     */
    readonly retentionDays?: number;
    /**
     * Size cap on the TSDB blocks, GiB; at most 85% of `storageGiB` because the WAL is not counted.
     * @default - 80% of storageGiB, rounded down
     */
    readonly retentionSizeGiB?: number;
    /**
     * Prometheus volume size per replica, GiB.
     * @default 20
     */
    readonly storageGiB?: number;
    /**
     * Alertmanager replicas (they gossip, so two or more deduplicate notifications).
     * @default 1
     */
    readonly alertmanagerReplicas?: number;
    /**
     * Alertmanager volume size per replica (silences and notification log), GiB.
     * @default 2
     */
    readonly alertmanagerStorageGiB?: number;
    /**
     * PodDisruptionBudgets for Prometheus and Alertmanager; needs two or more replicas of each,
     * because a budget on one replica blocks node drains.
     * @default false
     */
    readonly podDisruptionBudgets?: boolean;
    /**
     * Spread of replicas across nodes: "hard" refuses to co-locate replicas.
     * @default "soft"
     */
    readonly podAntiAffinity?: "soft" | "hard";
    /**
     * StorageClass for the volumes.
     * @default "gp3"
     */
    readonly storageClassName?: string;
    /**
     * Slack incoming-webhook URL (secret). With it, alerts go to Slack.
     * @default - no Slack receiver
     */
    readonly slackWebhookUrl?: pulumi.Input<string>;
    /**
     * Slack channel; needs `slackWebhookUrl`.
     * @default - the webhook's own channel
     */
    readonly slackChannel?: string;
    /**
     * E-mail receiver.
     * @default - no e-mail receiver
     */
    readonly email?: MonitoringEmailArgs;
    /**
     * URL the always-firing Watchdog alert is sent to (secret); an external service pages when it stops.
     * @default - Watchdog goes to the null receiver
     */
    readonly deadMansSwitchUrl?: pulumi.Input<string>;
    /**
     * Install the NVIDIA DCGM exporter on GPU nodes.
     * @default true
     */
    readonly gpuMetrics?: boolean;
    /**
     * Namespace for the DCGM exporter: it runs as root with SYS_ADMIN and a hostPath, so it needs a
     * privileged namespace, which ClusterServices already makes for the device plugin.
     * @default "nvidia-device-plugin"
     */
    readonly gpuNamespace?: string;
    /**
     * Namespaces whose crash-looping pods and filling volumes alert.
     * @default ["mlflow", "jupyterhub", "logging", "monitoring", "nvidia-device-plugin"]
     */
    readonly platformNamespaces?: readonly string[];
}

/** {@link MonitoringArgs} with defaults applied. */
export interface ResolvedMonitoringArgs {
    readonly targets: readonly ScrapeTarget[];
    readonly prometheusReplicas: number;
    readonly retentionDays: number;
    readonly retentionSizeGiB: number;
    readonly storageGiB: number;
    readonly alertmanagerReplicas: number;
    readonly alertmanagerStorageGiB: number;
    readonly podDisruptionBudgets: boolean;
    readonly podAntiAffinity: "soft" | "hard";
    readonly storageClassName: string;
    readonly slackChannel?: string;
    readonly gpuMetrics: boolean;
    readonly gpuNamespace: string;
    readonly platformNamespaces: readonly string[];
}


/** Applies defaults and validates plain fields (config.ts reuses it). */
export function resolveMonitoringArgs(args: MonitoringArgs): ResolvedMonitoringArgs {
    const prometheusReplicas = args.prometheusReplicas ?? 1;
    const alertmanagerReplicas = args.alertmanagerReplicas ?? 1;
    const retentionDays = args.retentionDays ?? 7;
    const storageGiB = args.storageGiB ?? 20;
    const alertmanagerStorageGiB = args.alertmanagerStorageGiB ?? 2;
    wholeNumber("prometheusReplicas", prometheusReplicas, 1, 5);
    wholeNumber("alertmanagerReplicas", alertmanagerReplicas, 1, 5);
    wholeNumber("retentionDays", retentionDays, 1, 3650);
    wholeNumber("storageGiB", storageGiB, 5, 16384);
    wholeNumber("alertmanagerStorageGiB", alertmanagerStorageGiB, 1, 100);
    const retentionSizeGiB = args.retentionSizeGiB ?? Math.floor(storageGiB * 0.8);
    const maxRetention = Math.floor(storageGiB * 0.85);
    if (!Number.isInteger(retentionSizeGiB) || retentionSizeGiB < 1 || retentionSizeGiB > maxRetention) {
        throw new Error(`retentionSizeGiB (${retentionSizeGiB}) must be a whole number from 1 to ${maxRetention} (85% of storageGiB ${storageGiB}, leaving room for the WAL)`);
    }
    const podDisruptionBudgets = args.podDisruptionBudgets ?? false;
    if (podDisruptionBudgets && (prometheusReplicas < 2 || alertmanagerReplicas < 2)) {
        throw new Error(`podDisruptionBudgets (true) needs prometheusReplicas (${prometheusReplicas}) and alertmanagerReplicas (${alertmanagerReplicas}) >= 2: a budget on one replica blocks node drains`);
    }
    const podAntiAffinity = args.podAntiAffinity ?? "soft";
    if (podAntiAffinity !== "soft" && podAntiAffinity !== "hard") {
        throw new Error(`podAntiAffinity (${podAntiAffinity}) must be "soft" or "hard"`);
    }
    if (args.slackChannel !== undefined && args.slackWebhookUrl === undefined) {
        throw new Error(`slackChannel (${args.slackChannel}) needs slackWebhookUrl`);
    }
    if (args.email !== undefined) {
        for (const key of ["to", "from", "smarthost", "username"] as const) {
            if (args.email[key].trim() === "") {
                throw new Error(`email.${key} ("${args.email[key]}") must not be empty`);
            }
        }
        if (!/^[^:\s]+:\d+$/.test(args.email.smarthost)) {
            throw new Error(`email.smarthost (${args.email.smarthost}) must be host:port, e.g. email-smtp.us-west-2.amazonaws.com:587`);
        }
    }
    const targets = args.targets ?? [];
    const seen = new Set<string>();
    for (const t of targets) {
        if (!TARGET_NAME.test(t.name)) {
            throw new Error(`targets[].name (${t.name}) must be a lowercase DNS label of at most 42 characters`);
        }
        if (seen.has(t.name)) {
            throw new Error(`targets[].name (${t.name}) is used twice; names are job labels and must be unique`);
        }
        seen.add(t.name);
        if (t.intervalSeconds !== undefined) {
            wholeNumber(`targets[${t.name}].intervalSeconds`, t.intervalSeconds, 5, 300);
        }
    }
    const gpuMetrics = args.gpuMetrics ?? true;
    if (gpuMetrics && seen.has(MONITORING_JOBS.dcgm)) {
        throw new Error(`targets[].name (${MONITORING_JOBS.dcgm}) is reserved for the DCGM exporter this component installs`);
    }
    return {
        targets,
        prometheusReplicas,
        retentionDays,
        retentionSizeGiB,
        storageGiB,
        alertmanagerReplicas,
        alertmanagerStorageGiB,
        podDisruptionBudgets,
        podAntiAffinity,
        storageClassName: args.storageClassName ?? DEFAULT_STORAGE_CLASS,
        slackChannel: args.slackChannel,
        gpuMetrics,
        gpuNamespace: args.gpuNamespace ?? NAMESPACES.gpu,
        platformNamespaces: args.platformNamespaces ?? PLATFORM_NAMESPACES,
    };
}
