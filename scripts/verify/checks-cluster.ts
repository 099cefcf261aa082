/**
 * Verify checks of the cluster itself: nodes Ready and every node group in one AZ, platform
 * workloads and EKS add-ons available, the GPU groups at zero when idle and one AZ each, and (opt-in) a GPU pod scheduled from zero.
 */
import * as k8s from "@kubernetes/client-node";
import { GPU_NODE_LABEL, GPU_RESOURCE, GPU_TOLERATION } from "../../components/shared/gpu";
import { fail, isGpuNode, isReady, podCompleted, probePod, RESTRICTED, scratchNamespace, seconds, VerifyContext } from "./context";
import { Check, waitFor } from "./runner";

// ---------------------------------------------------------------------------------------------
// 1. Cluster
// ---------------------------------------------------------------------------------------------

/**
 * Node groups (EKS labels each node with its group) with nodes in more than one AZ, as
 * `group (zone, zone)`. Issue 19: one group per AZ for both pools; one group over two AZs is the
 * shape the autoscaler cannot scale up for a volume's AZ (cluster/node-group.ts).
 */
export function groupsInSeveralAzs(nodes: readonly k8s.V1Node[]): string[] {
    const zonesByGroup = new Map<string, Set<string>>();
    for (const n of nodes) {
        const group = n.metadata?.labels?.["eks.amazonaws.com/nodegroup"] ?? "(no node group)";
        zonesByGroup.set(group, (zonesByGroup.get(group) ?? new Set()).add(n.metadata?.labels?.["topology.kubernetes.io/zone"] ?? "(no zone)"));
    }
    return [...zonesByGroup].filter(([, zones]) => zones.size > 1).map(([g, zones]) => `${g} (${[...zones].sort().join(", ")})`);
}

export const nodesReady: Check<VerifyContext> = {
    name: "cluster: nodes Ready, each node group in one AZ",
    timeoutSeconds: 60,
    async run(ctx) {
        const nodes = (await ctx.kube.core.listNode()).items;
        const notReady = nodes.filter((n) => !isReady(n)).map((n) => n.metadata?.name);
        if (nodes.length === 0) {
            fail("the cluster has no nodes");
        }
        if (notReady.length) {
            fail(`${notReady.length} of ${nodes.length} nodes not Ready: ${notReady.join(", ")}`);
        }
        // While `pulumi up` moves a stack from the old multi-AZ cluster-cpu group, its draining nodes
        // fail this until EKS has deleted the group (README "Operating").
        const spread = groupsInSeveralAzs(nodes);
        if (spread.length > 0) {
            fail(`node group(s) with nodes in more than one AZ: ${spread.join("; ")}; each node group must be one AZ (cluster/node-group.ts)`);
        }
        return `${nodes.length} nodes Ready (${nodes.filter(isGpuNode).length} GPU)`;
    },
};

/**
 * EKS add-ons as the cluster sees them: the workloads each add-on installs (vpc-cni → aws-node,
 * kube-proxy, coredns, eks-pod-identity-agent, aws-ebs-csi-driver → ebs-csi-controller/-node).
 */
export const ADDON_WORKLOADS = {
    daemonSets: ["aws-node", "kube-proxy", "eks-pod-identity-agent", "ebs-csi-node"],
    deployments: ["coredns", "ebs-csi-controller"],
} as const;

export const workloadsAvailable: Check<VerifyContext> = {
    name: "cluster: platform workloads and add-ons available",
    timeoutSeconds: 120,
    async run(ctx) {
        const teamNs = new Set(Object.values(ctx.targets.teams).flat());
        const platform = (ns?: string) => ns !== undefined && !teamNs.has(ns) && !ns.startsWith("verify-");
        const [deps, sets, dss] = await Promise.all([
            ctx.kube.apps.listDeploymentForAllNamespaces(),
            ctx.kube.apps.listStatefulSetForAllNamespaces(),
            ctx.kube.apps.listDaemonSetForAllNamespaces(),
        ]);
        const bad: string[] = [];
        for (const d of deps.items.filter((x) => platform(x.metadata?.namespace))) {
            const want = d.spec?.replicas ?? 1;
            if ((d.status?.availableReplicas ?? 0) < want) {
                bad.push(`Deployment ${d.metadata?.namespace}/${d.metadata?.name} ${d.status?.availableReplicas ?? 0}/${want}`);
            }
        }
        for (const s of sets.items.filter((x) => platform(x.metadata?.namespace))) {
            const want = s.spec?.replicas ?? 1;
            if ((s.status?.readyReplicas ?? 0) < want) {
                bad.push(`StatefulSet ${s.metadata?.namespace}/${s.metadata?.name} ${s.status?.readyReplicas ?? 0}/${want}`);
            }
        }
        for (const d of dss.items.filter((x) => platform(x.metadata?.namespace))) {
            const want = d.status?.desiredNumberScheduled ?? 0;
            if ((d.status?.numberAvailable ?? 0) < want) {
                bad.push(`DaemonSet ${d.metadata?.namespace}/${d.metadata?.name} ${d.status?.numberAvailable ?? 0}/${want}`);
            }
        }
        const has = (items: { metadata?: k8s.V1ObjectMeta }[], name: string) => items.some((x) => x.metadata?.namespace === "kube-system" && x.metadata?.name === name);
        const missing = [
            ...ADDON_WORKLOADS.daemonSets.filter((n) => !has(dss.items, n)).map((n) => `DaemonSet kube-system/${n}`),
            ...ADDON_WORKLOADS.deployments.filter((n) => !has(deps.items, n)).map((n) => `Deployment kube-system/${n}`),
        ];
        if (missing.length) {
            bad.push(...missing.map((m) => `${m} missing`));
        }
        if (bad.length) {
            fail(`not available: ${bad.join("; ")}`);
        }
        const count = (xs: { metadata?: k8s.V1ObjectMeta }[]) => xs.filter((x) => platform(x.metadata?.namespace)).length;
        return `${count(deps.items)} Deployments, ${count(sets.items)} StatefulSets, ${count(dss.items)} DaemonSets available; add-ons running`;
    },
};

export const gpuIdle: Check<VerifyContext> = {
    name: "cluster: GPU groups at zero when idle, one AZ each",
    timeoutSeconds: 60,
    async run(ctx) {
        const gpuNodes = (await ctx.kube.core.listNode({ labelSelector: `${GPU_NODE_LABEL.key}=${GPU_NODE_LABEL.value}` })).items;
        if (gpuNodes.length === 0) {
            return "no GPU nodes";
        }
        // Issue 19: one GPU node group per AZ (the same rule nodesReady applies to every group).
        const spread = groupsInSeveralAzs(gpuNodes);
        if (spread.length > 0) {
            fail(`GPU node group(s) with nodes in more than one AZ: ${spread.join("; ")}; each GPU group must be one AZ (cluster/node-group.ts)`);
        }
        const pods = (await ctx.kube.core.listPodForAllNamespaces({ fieldSelector: "status.phase=Running" })).items;
        const gpuPods = pods.filter((p) => (p.spec?.containers ?? []).some((c) => c.resources?.requests?.[GPU_RESOURCE] ?? c.resources?.limits?.[GPU_RESOURCE]));
        if (gpuPods.length === 0) {
            // The autoscaler removes an unneeded node after 10 minutes (scale-down-unneeded-time).
            fail(`${gpuNodes.length} GPU node(s) up with no GPU pod: the group should scale to zero within ~10 minutes; check the cluster autoscaler's logs if it does not`);
        }
        return `${gpuNodes.length} GPU node(s) in use by ${gpuPods.length} GPU pod(s)`;
    },
};

// ---------------------------------------------------------------------------------------------
// 8. GPU (opt-in)
// ---------------------------------------------------------------------------------------------

export function gpuFromZero(opts: { waitScaleDown: boolean }): Check<VerifyContext> {
    return {
        name: "gpu: a one-GPU pod from zero runs nvidia-smi",
        // Cold start p95 is minutes (node launch, device plugin, a multi-GB image); scale-down adds
        // the autoscaler's 10-minute unneeded time.
        timeoutSeconds: opts.waitScaleDown ? 45 * 60 : 20 * 60,
        async run(ctx, scope) {
            const ns = await scratchNamespace(ctx, scope, "gpu");
            const created = new Date();
            const pod = probePod("gpu-probe", ctx.images.gpu, ["nvidia-smi"], { tolerations: [GPU_TOLERATION] }, {
                requests: { cpu: "100m", memory: "256Mi", [GPU_RESOURCE]: "1" },
                limits: { memory: "1Gi", [GPU_RESOURCE]: "1" },
            });
            // The NVIDIA container runtime mounts nvidia-smi only with the `utility` capability.
            pod.spec!.containers[0].env = [{ name: "NVIDIA_DRIVER_CAPABILITIES", value: "compute,utility" }];
            pod.spec!.containers[0].securityContext = { ...RESTRICTED, runAsUser: 1000 };
            await ctx.kube.core.createNamespacedPod({ namespace: ns, body: pod });
            const scheduled = await waitFor(scope, "waiting for a GPU node", async () => {
                const p = await ctx.kube.core.readNamespacedPod({ name: "gpu-probe", namespace: ns });
                return p.spec?.nodeName ? p : undefined;
            }, ctx.pollMs);
            const node = await ctx.kube.core.readNode({ name: scheduled.spec!.nodeName! });
            const nodeReadyAt = (node.status?.conditions ?? []).find((c) => c.type === "Ready" && c.status === "True")?.lastTransitionTime;
            const done = await podCompleted(ctx, scope, ns, "gpu-probe", "nvidia-smi running");
            const startedAt = done.status?.containerStatuses?.[0]?.state?.terminated?.startedAt;
            const log = await ctx.kube.core.readNamespacedPodLog({ name: "gpu-probe", namespace: ns });
            if (!String(log).includes("NVIDIA-SMI")) {
                fail(`nvidia-smi printed no GPU table: ${String(log).slice(0, 120)}`);
            }
            scope.time("nodeReadySeconds", Math.max(0, seconds(created, nodeReadyAt)));
            scope.time("runningSeconds", seconds(created, startedAt));
            let detail = `node Ready after ${Math.max(0, seconds(created, nodeReadyAt)).toFixed(0)} s, nvidia-smi ran after ${seconds(created, startedAt).toFixed(0)} s`;
            if (opts.waitScaleDown) {
                await ctx.kube.core.deleteNamespacedPod({ name: "gpu-probe", namespace: ns });
                const from = Date.now();
                await waitFor(scope, "waiting for the GPU group to scale to zero", async () => {
                    const n = (await ctx.kube.core.listNode({ labelSelector: `${GPU_NODE_LABEL.key}=${GPU_NODE_LABEL.value}` })).items.length;
                    return n === 0 ? true : undefined;
                }, Math.max(ctx.pollMs, 1000));
                scope.time("scaleDownSeconds", (Date.now() - from) / 1000);
                detail += `; back to zero GPU nodes ${((Date.now() - from) / 1000).toFixed(0)} s later`;
            }
            return detail;
        },
    };
}
