/**
 * What every verify check gets (the stack's targets, a Kubernetes client, the run id) and the
 * helpers the checks share: throwaway pods that pass Pod Security `restricted`, a scratch namespace
 * deleted after the check, Secret reads that mask credentials.
 */
import * as k8s from "@kubernetes/client-node";
import { GPU_NODE_LABEL } from "../../components/shared/gpu";
import { deleteIgnoringMissing, Kube, Reach } from "./kube";
import { CheckFailure, CheckScope, waitFor } from "./runner";
import { Targets } from "./targets";

/** What every check is handed. */
export interface VerifyContext {
    readonly targets: Targets;
    readonly kube: Kube;
    readonly reach: Reach;
    /** Short random id: every object verify creates carries it. */
    readonly runId: string;
    /** Pinned images for throwaway pods: a small one with a shell, and the GPU notebook image. */
    readonly images: { readonly probe: string; readonly gpu: string };
    /** Poll interval, ms (tests shorten it). */
    readonly pollMs: number;
}

/** Ends a check as failed with `message`. */
export const fail = (message: string): never => {
    throw new CheckFailure(message);
};

/** Restricted-profile security context for throwaway pods (team namespaces enforce restricted). */
export const RESTRICTED = {
    runAsNonRoot: true,
    runAsUser: 65534,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/** A run-to-completion pod spec with one container. */
export function probePod(name: string, image: string, command: string[], extra: Partial<k8s.V1PodSpec> = {}, resources?: k8s.V1ResourceRequirements): k8s.V1Pod {
    return {
        metadata: { name, labels: { "app.kubernetes.io/name": "platform-verify", "app.kubernetes.io/managed-by": "verify" } },
        spec: {
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            containers: [{
                name: "probe",
                image,
                command,
                securityContext: RESTRICTED,
                resources: resources ?? { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
            }],
            ...extra,
        },
    };
}

/** Creates the run's own namespace (restricted Pod Security) and registers its deletion. */
export async function scratchNamespace(ctx: VerifyContext, scope: CheckScope, suffix: string): Promise<string> {
    const name = `verify-${ctx.runId}-${suffix}`;
    await ctx.kube.core.createNamespace({
        body: { metadata: { name, labels: { "pod-security.kubernetes.io/enforce": "restricted", "app.kubernetes.io/managed-by": "verify" } } },
    });
    scope.defer(`namespace ${name}`, () => deleteIgnoringMissing(() => ctx.kube.core.deleteNamespace({ name })));
    return name;
}

/** A key of a Secret, decoded. */
export async function secretKey(ctx: VerifyContext, namespace: string, name: string, key: string): Promise<string> {
    const secret = await ctx.kube.core.readNamespacedSecret({ name, namespace });
    return Buffer.from(secret.data?.[key] ?? fail(`Secret ${namespace}/${name} has no key ${key}`), "base64").toString("utf8");
}

/** {@link secretKey} for a credential: its value joins the secrets masked wherever verify prints. */
export async function secretValue(ctx: VerifyContext, namespace: string, name: string, key: string): Promise<string> {
    const value = await secretKey(ctx, namespace, name, key);
    ctx.targets.secrets.push(value);
    return value;
}

/** Waits for a pod to finish; fails if it fails. Returns the pod. */
export async function podCompleted(ctx: VerifyContext, scope: CheckScope, namespace: string, name: string, what: string): Promise<k8s.V1Pod> {
    const pod = await waitFor(scope, what, async () => {
        const p = await ctx.kube.core.readNamespacedPod({ name, namespace });
        return p.status?.phase === "Succeeded" || p.status?.phase === "Failed" ? p : undefined;
    }, ctx.pollMs);
    if (pod.status?.phase === "Failed") {
        fail(`pod ${namespace}/${name} failed: ${pod.status.containerStatuses?.[0]?.state?.terminated?.reason ?? "unknown reason"}`);
    }
    return pod;
}

/** A node whose Ready condition is True. */
export const isReady = (n: k8s.V1Node) => (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
/** A node of the GPU group (by its node label). */
export const isGpuNode = (n: k8s.V1Node) => n.metadata?.labels?.[GPU_NODE_LABEL.key] === GPU_NODE_LABEL.value;
/** Seconds between two timestamps; NaN when either is missing. */
export const seconds = (from?: Date | string, to?: Date | string) => (from && to ? (new Date(to).getTime() - new Date(from).getTime()) / 1000 : NaN);
