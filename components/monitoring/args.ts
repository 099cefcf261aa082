/**
 * The Monitoring component's arguments: what the stack's config decides (settings.ts resolves and
 * validates it, the one owner of those rules and defaults), plus what the program wires in (scrape
 * targets from the other layers, the GPU namespace), validated here by `resolveMonitoringArgs`
 * before any resource is registered.
 */
import { DEFAULT_STORAGE_CLASS } from "../cluster-services";
import { IssuedCertificate, NAMESPACES, ScrapeTarget } from "../shared/platform";
import { wholeNumber } from "../shared/validate";
import { MONITORING_JOBS, notAfterUnix, PLATFORM_NAMESPACES } from "./rules";
import { MonitoringSettings } from "./settings";

const TARGET_NAME = /^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/;

/** Arguments of {@link Monitoring}: the resolved settings and what the program wires in. */
export interface MonitoringArgs extends MonitoringSettings {
    /**
     * What to scrape, one ServiceMonitor or PodMonitor each; `name` becomes the `job` label, which the
     * platform's alert rules match (see `MONITORING_JOBS`). A service's rule group exists only when
     * its job is scraped.
     * @default []
     */
    readonly targets?: readonly ScrapeTarget[];
    /**
     * StorageClass for the volumes.
     * @default "gp3"
     */
    readonly storageClassName?: string;
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
     * @default ["mlflow", "jupyterhub", "logging", "monitoring", "nvidia-device-plugin", "kueue-system"]
     */
    readonly platformNamespaces?: readonly string[];
    /**
     * Certificates the program issues, alerted on before they expire (a `pulumi up` in the renewal
     * window renews them; nothing else does).
     * @default []
     */
    readonly certificates?: readonly IssuedCertificate[];
}

/** {@link MonitoringArgs} with defaults applied. */
export type ResolvedMonitoringArgs = MonitoringArgs & {
    readonly targets: readonly ScrapeTarget[];
    readonly storageClassName: string;
    readonly gpuMetrics: boolean;
    readonly gpuNamespace: string;
    readonly platformNamespaces: readonly string[];
    readonly certificates: readonly IssuedCertificate[];
};

/** Applies the defaults of the program-wired arguments and validates the scrape targets. */
export function resolveMonitoringArgs(args: MonitoringArgs): ResolvedMonitoringArgs {
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
        if (typeof t.namespace !== "string" && t.namespaceName === undefined) {
            throw new Error(`targets[${t.name}].namespaceName must be set when its namespace is an Output (it names the operator's Role there)`);
        }
        if (typeof t.namespace === "string" && t.namespaceName !== undefined && t.namespaceName !== t.namespace) {
            throw new Error(`targets[${t.name}].namespaceName (${t.namespaceName}) differs from its namespace (${t.namespace})`);
        }
        if (t.intervalSeconds !== undefined) {
            wholeNumber(`targets[${t.name}].intervalSeconds`, t.intervalSeconds, 5, 300);
        }
    }
    for (const c of args.certificates ?? []) {
        // An Output comes from the tls provider (RFC 3339); a plain value is checked here, before any resource.
        if (typeof c.notAfter === "string") {
            notAfterUnix(c.name, c.notAfter);
        }
        if (!Number.isInteger(c.renewalWindowHours) || c.renewalWindowHours < 1) {
            throw new Error(`certificate ${c.name}: renewalWindowHours ${c.renewalWindowHours} must be a whole number of hours >= 1`);
        }
    }
    const gpuMetrics = args.gpuMetrics ?? true;
    if (gpuMetrics && seen.has(MONITORING_JOBS.dcgm)) {
        throw new Error(`targets[].name (${MONITORING_JOBS.dcgm}) is reserved for the DCGM exporter this component installs`);
    }
    return {
        ...args,
        targets,
        storageClassName: args.storageClassName ?? DEFAULT_STORAGE_CLASS,
        gpuMetrics,
        gpuNamespace: args.gpuNamespace ?? NAMESPACES.gpu,
        platformNamespaces: args.platformNamespaces ?? PLATFORM_NAMESPACES,
        certificates: args.certificates ?? [],
    };
}
