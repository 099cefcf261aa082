import * as pulumi from "@pulumi/pulumi";
import { ScrapeTarget } from "../shared/platform";
import type { TeamSpec } from "../tenancy";
import { kueueRelease } from "./kueue-release";
import { defaultPodsReadyTimeoutSeconds, resolveQueueArgs, ResolvedQueueSettings } from "./settings";
import { LOCAL_QUEUE, teamQueues } from "./team-queues";

/** Arguments of {@link Queues}. */
export interface QueuesArgs {
    /** Teams (tenancy's list): a ClusterQueue each, a LocalQueue in each of their namespaces. */
    readonly teams: TeamSpec[];
    /** GPU node group maximum size; must hold the cohort's nominal GPUs. */
    readonly gpuMaxSize: number;
    /** GPU node group instance types (GPUs per node). */
    readonly gpuInstanceTypes: string[];
    /** VPC CIDR: where the EKS control plane's ENIs call Kueue's webhook from. */
    readonly vpcCidr: string;
    /** MLflow tracking URI, put in every team namespace's training environment ConfigMap. */
    readonly mlflowTrackingUri: pulumi.Input<string>;
    /**
     * Kueue controller replicas (2+ adds a PodDisruptionBudget and zone spread).
     * @default 1
     */
    readonly replicas?: number;
    /**
     * Seconds an admitted Job may take to get all pods Ready (Kueue `waitForPodsReady.timeout`).
     * @default defaultPodsReadyTimeoutSeconds(): the GPU start-up model (cold p95 + margin, no pre-pull)
     */
    readonly podsReadyTimeoutSeconds?: number;
}

/** {@link QueuesArgs} with defaults applied and the team queues resolved. */
export type ResolvedQueuesArgs = Required<Omit<QueuesArgs, "mlflowTrackingUri">> & ResolvedQueueSettings;

/** Applies defaults and validates; throws before any resource exists. */
export function resolveQueuesArgs(args: QueuesArgs): ResolvedQueuesArgs {
    const replicas = args.replicas ?? 1;
    const podsReadyTimeoutSeconds = args.podsReadyTimeoutSeconds ?? defaultPodsReadyTimeoutSeconds();
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 3) {
        throw new Error(`replicas (${replicas}) must be a whole number from 1 to 3`);
    }
    if (!Number.isInteger(podsReadyTimeoutSeconds) || podsReadyTimeoutSeconds < 300) {
        throw new Error(`podsReadyTimeoutSeconds (${podsReadyTimeoutSeconds}) must be a whole number of at least 300: a cold GPU node alone takes minutes`);
    }
    const { teams, gpuMaxSize, gpuInstanceTypes, vpcCidr } = args;
    return { teams, gpuMaxSize, gpuInstanceTypes, vpcCidr, replicas, podsReadyTimeoutSeconds, ...resolveQueueArgs(args) };
}

/**
 * Training queues with Kueue: the pinned controller in its own namespace, a ResourceFlavor per
 * node pool, and per team a ClusterQueue in one cohort (fair sharing, GPU borrowing, reclaim by
 * preemption) with a LocalQueue `training` in each team namespace.
 *
 * @see https://kueue.sigs.k8s.io/docs/concepts/
 */
export class Queues extends pulumi.ComponentResource {
    /** What monitoring scrapes (Kueue's metrics endpoint, job `kueue`). */
    public readonly scrapeTargets: ScrapeTarget[];
    /** Team name → the LocalQueue name in each of its namespaces (`kueue.x-k8s.io/queue-name`). */
    public readonly localQueues: Record<string, string>;

    constructor(name: string, args: QueuesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:Queues", name, {}, opts);
        const a = resolveQueuesArgs(args);
        const kueue = kueueRelease(name, this, a);
        // Kueue's CRDs and its validating webhook come with the release.
        teamQueues(name, this, a.queues, { MLFLOW_TRACKING_URI: args.mlflowTrackingUri }, [kueue.release]);
        this.scrapeTargets = [kueue.scrapeTarget];
        this.localQueues = Object.fromEntries(a.queues.map((q) => [q.team, LOCAL_QUEUE]));
        this.registerOutputs({ localQueues: this.localQueues });
    }
}
