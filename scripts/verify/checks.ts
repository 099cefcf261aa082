/**
 * The checks `npm run verify` runs against a live stack, in order. Each creates only throwaway
 * objects named after the run id, and registers their deletion before it waits on them, so a
 * failure or a timeout still cleans up.
 */
import * as k8s from "@kubernetes/client-node";
import { DATA_STREAM } from "../../components/logging";
import { GPU_NODE_LABEL, GPU_RESOURCE, GPU_TOLERATION } from "../../components/shared/gpu";
import { teamGroups } from "../../components/tenancy";
import { MLFLOW_ADMIN_USER, MLFLOW_AUTH_SECRET } from "../../components/tracking/auth";
import { request, requestJson } from "./http";
import { deleteIgnoringMissing, Kube, Reach, withTunnel } from "./kube";
import { Check, CheckFailure, CheckScope, waitFor } from "./runner";
import { Targets } from "./targets";

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

const fail = (message: string): never => {
    throw new CheckFailure(message);
};

/** Restricted-profile security context for throwaway pods (team namespaces enforce restricted). */
const RESTRICTED = {
    runAsNonRoot: true,
    runAsUser: 65534,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/** A run-to-completion pod spec with one container. */
function probePod(name: string, image: string, command: string[], extra: Partial<k8s.V1PodSpec> = {}, resources?: k8s.V1ResourceRequirements): k8s.V1Pod {
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
async function scratchNamespace(ctx: VerifyContext, scope: CheckScope, suffix: string): Promise<string> {
    const name = `verify-${ctx.runId}-${suffix}`;
    await ctx.kube.core.createNamespace({
        body: { metadata: { name, labels: { "pod-security.kubernetes.io/enforce": "restricted", "app.kubernetes.io/managed-by": "verify" } } },
    });
    scope.defer(`namespace ${name}`, () => deleteIgnoringMissing(() => ctx.kube.core.deleteNamespace({ name })));
    return name;
}

/** A key of a Secret, decoded. */
async function secretKey(ctx: VerifyContext, namespace: string, name: string, key: string): Promise<string> {
    const secret = await ctx.kube.core.readNamespacedSecret({ name, namespace });
    return Buffer.from(secret.data?.[key] ?? fail(`Secret ${namespace}/${name} has no key ${key}`), "base64").toString("utf8");
}

/** {@link secretKey} for a credential: its value joins the secrets masked wherever verify prints. */
async function secretValue(ctx: VerifyContext, namespace: string, name: string, key: string): Promise<string> {
    const value = await secretKey(ctx, namespace, name, key);
    ctx.targets.secrets.push(value);
    return value;
}

/** Waits for a pod to finish; fails if it fails. Returns the pod. */
async function podCompleted(ctx: VerifyContext, scope: CheckScope, namespace: string, name: string, what: string): Promise<k8s.V1Pod> {
    const pod = await waitFor(scope, what, async () => {
        const p = await ctx.kube.core.readNamespacedPod({ name, namespace });
        return p.status?.phase === "Succeeded" || p.status?.phase === "Failed" ? p : undefined;
    }, ctx.pollMs);
    if (pod.status?.phase === "Failed") {
        fail(`pod ${namespace}/${name} failed: ${pod.status.containerStatuses?.[0]?.state?.terminated?.reason ?? "unknown reason"}`);
    }
    return pod;
}

const isReady = (n: k8s.V1Node) => (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
const isGpuNode = (n: k8s.V1Node) => n.metadata?.labels?.[GPU_NODE_LABEL.key] === GPU_NODE_LABEL.value;
const seconds = (from?: Date | string, to?: Date | string) => (from && to ? (new Date(to).getTime() - new Date(from).getTime()) / 1000 : NaN);

// ---------------------------------------------------------------------------------------------
// 1. Cluster
// ---------------------------------------------------------------------------------------------

export const nodesReady: Check<VerifyContext> = {
    name: "cluster: nodes Ready",
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
    name: "cluster: GPU group at zero when idle",
    timeoutSeconds: 60,
    async run(ctx) {
        const gpuNodes = (await ctx.kube.core.listNode({ labelSelector: `${GPU_NODE_LABEL.key}=${GPU_NODE_LABEL.value}` })).items;
        if (gpuNodes.length === 0) {
            return "no GPU nodes";
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
// 2. Notebooks
// ---------------------------------------------------------------------------------------------

export const notebookSpawn: Check<VerifyContext> = {
    name: "notebooks: spawn and stop a server",
    // The default (CPU) profile on a warm node: image cached by the pre-puller, well under this.
    timeoutSeconds: 600,
    async run(ctx, scope) {
        const token = ctx.targets.jupyterhubToken ?? fail("the stack has no jupyterhubVerifyToken output (update the stack with `pulumi up`)");
        return withTunnel(ctx.reach, ctx.targets.jupyterhub, async (address) => {
            const api = `http://${address}/hub/api`;
            const headers = { authorization: `token ${token}` };
            const user = `verify-${ctx.runId}`;
            await requestJson(`${api}/users/${user}`, { method: "POST", headers, body: {}, ok: [201] });
            scope.defer(`JupyterHub user ${user}`, () => requestJson(`${api}/users/${user}`, { method: "DELETE", headers, ok: [204, 404] }));
            const started = Date.now();
            await requestJson(`${api}/users/${user}/server`, { method: "POST", headers, body: {}, ok: [201, 202] });
            scope.defer(`server of ${user}`, async () => {
                await requestJson(`${api}/users/${user}/server`, { method: "DELETE", headers, ok: [202, 204, 400, 404] });
                // A user with a pending stop cannot be deleted: wait until the server is gone.
                await waitFor(scope, "server stopping", async () => {
                    const u = await requestJson(`${api}/users/${user}`, { headers, ok: [200, 404] });
                    return u === undefined || !u.servers?.[""] ? true : undefined;
                }, ctx.pollMs).catch(() => undefined);
            });
            await waitFor(scope, "server starting", async () => {
                const u = await requestJson(`${api}/users/${user}`, { headers });
                const s = u.servers?.[""];
                if (s && s.ready) {
                    return true;
                }
                if (!s || (!s.pending && !s.ready)) {
                    fail(`the server of ${user} stopped while starting`);
                }
                return undefined;
            }, ctx.pollMs);
            const spawn = (Date.now() - started) / 1000;
            scope.time("spawnSeconds", spawn);
            return `server for ${user} ready in ${spawn.toFixed(0)} s, stopped and deleted`;
        });
    },
};

// ---------------------------------------------------------------------------------------------
// 3. Tracking
// ---------------------------------------------------------------------------------------------

export const trackingRoundTrip: Check<VerifyContext> = {
    name: "tracking: log a run with a metric and an artifact",
    timeoutSeconds: 120,
    async run(ctx, scope) {
        // MLflow authenticates every request (basic-auth app, checklist ML-04): verify signs in as the
        // platform's MLflow admin, whose password the Tracking layer keeps in its auth Secret.
        const basic = { username: MLFLOW_ADMIN_USER, password: await secretValue(ctx, ctx.targets.mlflow.namespace, MLFLOW_AUTH_SECRET, "admin-password") };
        return withTunnel(ctx.reach, ctx.targets.mlflow, async (address) => {
            const api = `http://${address}/api/2.0/mlflow`;
            const exp = await requestJson(`${api}/experiments/create`, { basic, body: { name: `verify-${ctx.runId}` } });
            const experimentId: string = exp.experiment_id;
            scope.defer(`experiment ${experimentId}`, () => requestJson(`${api}/experiments/delete`, { basic, body: { experiment_id: experimentId } }));
            const run = (await requestJson(`${api}/runs/create`, { basic, body: { experiment_id: experimentId, start_time: Date.now() } })).run;
            const runId: string = run.info.run_id;
            scope.defer(`run ${runId}`, () => requestJson(`${api}/runs/delete`, { basic, body: { run_id: runId } }));
            await requestJson(`${api}/runs/log-metric`, { basic, body: { run_id: runId, key: "verify", value: 1.5, timestamp: Date.now(), step: 0 } });
            const history = await requestJson(`${api}/metrics/get-history?run_id=${runId}&metric_key=verify`, { basic });
            if (history.metrics?.[0]?.value !== 1.5) {
                fail(`metric read back as ${JSON.stringify(history.metrics)}`);
            }
            // The server proxies artifacts to S3 (`--serve-artifacts`): runs get mlflow-artifacts:/ URIs,
            // and /api/2.0/mlflow-artifacts/artifacts/<path> reads and writes them (mlflow/server/handlers.py).
            const uri: string = run.info.artifact_uri;
            const m = /^mlflow-artifacts:\/(.*)$/.exec(uri) ?? fail(`run artifact URI ${uri} is not proxied (mlflow-artifacts:/...): is the server started with --serve-artifacts?`);
            const path = `${m[1].replace(/^\/+/, "")}/verify.txt`;
            const artifacts = `http://${address}/api/2.0/mlflow-artifacts/artifacts/${path}`;
            const body = `verify ${ctx.runId}`;
            await requestJson(artifacts, { method: "PUT", basic, body, headers: { "content-type": "text/plain" } });
            scope.defer(`artifact ${path}`, () => requestJson(artifacts, { method: "DELETE", basic }));
            const back = await request(artifacts, { basic });
            if (back.status !== 200 || back.text !== body) {
                fail(`artifact read back ${back.status}: ${JSON.stringify(back.text.slice(0, 40))}`);
            }
            return `experiment, run, metric and artifact (through the S3 proxy) written, read back and deleted`;
        });
    },
};

// ---------------------------------------------------------------------------------------------
// 4. Logging
// ---------------------------------------------------------------------------------------------

export const logShipping: Check<VerifyContext> = {
    name: "logging: a pod's line reaches Elasticsearch",
    timeoutSeconds: 300,
    async run(ctx, scope) {
        const es = ctx.targets.elasticsearch;
        const password = await secretValue(ctx, es.namespace, es.userSecret, "elastic");
        // ECK's CA certificate is public: it is read, not masked.
        const ca = await secretKey(ctx, es.namespace, es.caSecret, "ca.crt");
        const ns = await scratchNamespace(ctx, scope, "logs");
        const marker = `platform-verify-${ctx.runId}-${Date.now()}`;
        await ctx.kube.core.createNamespacedPod({ namespace: ns, body: probePod("log-probe", ctx.images.probe, ["sh", "-c", `echo ${marker}`]) });
        const pod = await podCompleted(ctx, scope, ns, "log-probe", "log pod running");
        const wroteAt = pod.status?.containerStatuses?.[0]?.state?.terminated?.finishedAt ?? new Date();
        return withTunnel(ctx.reach, es, async (address) => {
            const tls = { ca, servername: `${es.service}.${es.namespace}.svc`, basic: { username: "elastic", password } };
            const found = await waitFor(scope, "line indexed", async () => {
                const r = await requestJson(`https://${address}/${DATA_STREAM}/_search`, {
                    ...tls,
                    body: { size: 1, query: { match_phrase: { message: marker } }, sort: [{ "@timestamp": "desc" }] },
                    ok: [200, 404],
                });
                return r?.hits?.hits?.length ? r.hits.hits[0] : undefined;
            }, ctx.pollMs);
            const latency = Math.max(0, seconds(wroteAt, new Date()));
            scope.time("ingestLatencySeconds", latency);
            return `line found in ${found._index} ${latency.toFixed(0)} s after it was written`;
        });
    },
};

// ---------------------------------------------------------------------------------------------
// 5. Monitoring
// ---------------------------------------------------------------------------------------------

export const scrapeTargetsUp: Check<VerifyContext> = {
    name: "monitoring: every scrape target up",
    timeoutSeconds: 60,
    async run(ctx) {
        return withTunnel(ctx.reach, ctx.targets.prometheus, async (address) => {
            const r = await requestJson(`http://${address}/api/v1/targets?state=active`);
            const targets: any[] = r.data?.activeTargets ?? [];
            if (targets.length === 0) {
                fail("Prometheus has no active targets");
            }
            const down = targets.filter((t) => t.health !== "up").map((t) => `${t.labels?.job ?? t.scrapePool} (${t.lastError || t.health})`);
            if (down.length) {
                fail(`${down.length} of ${targets.length} targets down: ${[...new Set(down)].join(", ")}`);
            }
            return `${targets.length} targets up`;
        });
    },
};

export const watchdogDelivered: Check<VerifyContext> = {
    name: "monitoring: Watchdog reaches Alertmanager, Grafana healthy",
    timeoutSeconds: 60,
    async run(ctx) {
        const alerts = await withTunnel(ctx.reach, ctx.targets.alertmanager, (address) =>
            requestJson<any[]>(`http://${address}/api/v2/alerts?filter=${encodeURIComponent('alertname="Watchdog"')}`));
        if (!alerts?.length) {
            fail("Alertmanager has no Watchdog alert: Prometheus is not sending alerts to it");
        }
        const health = await withTunnel(ctx.reach, ctx.targets.grafana, (address) => requestJson(`http://${address}/api/health`));
        if (health?.database !== "ok") {
            fail(`Grafana health: ${JSON.stringify(health)}`);
        }
        return "Watchdog firing in Alertmanager; Grafana database ok";
    },
};

// ---------------------------------------------------------------------------------------------
// 6. Teams
// ---------------------------------------------------------------------------------------------

/** Asks the API server whether a team's members may do something (SubjectAccessReview). */
async function allowed(ctx: VerifyContext, team: string, attrs: k8s.V1ResourceAttributes): Promise<boolean> {
    const r = await ctx.kube.authz.createSubjectAccessReview({
        body: { spec: { user: `verify:${team}-member`, groups: [teamGroups(team).members, "system:authenticated"], resourceAttributes: attrs } },
    });
    return r.status?.allowed === true;
}

export const teamIsolation: Check<VerifyContext> = {
    name: "teams: isolation (SubjectAccessReview)",
    timeoutSeconds: 120,
    async run(ctx) {
        const teams = Object.entries(ctx.targets.teams);
        if (teams.length === 0) {
            return { skip: "no teams configured" };
        }
        const problems: string[] = [];
        let reviews = 0;
        for (const [team, namespaces] of teams) {
            // A positive control: without it, a broken review (or a wrong group name) would pass every denial.
            reviews++;
            if (!(await allowed(ctx, team, { namespace: namespaces[0], verb: "create", resource: "pods" }))) {
                problems.push(`${team} cannot create pods in its own namespace ${namespaces[0]}`);
            }
            reviews++;
            if (await allowed(ctx, team, { namespace: "jupyterhub", verb: "get", resource: "pods" })) {
                problems.push(`${team} can read pods in jupyterhub (their env holds users' API tokens)`);
            }
            for (const [other, otherNs] of teams.filter(([o]) => o !== team)) {
                for (const ns of otherNs) {
                    reviews++;
                    if (await allowed(ctx, team, { namespace: ns, verb: "get", resource: "secrets" })) {
                        problems.push(`${team} can read Secrets in ${other}'s namespace ${ns}`);
                    }
                }
            }
        }
        if (problems.length) {
            fail(problems.join("; "));
        }
        return `${teams.length} teams, ${reviews} access reviews as expected`;
    },
};

// ---------------------------------------------------------------------------------------------
// 7. Queues and serving
// ---------------------------------------------------------------------------------------------

export const queueAdmission: Check<VerifyContext> = {
    name: "queues: a CPU Job admitted through each team's LocalQueue",
    timeoutSeconds: 300,
    async run(ctx, scope) {
        const queues = Object.entries(ctx.targets.queues);
        if (queues.length === 0) {
            return { skip: "no training queues configured" };
        }
        const waits: string[] = [];
        for (const [team, queue] of queues) {
            const namespace = ctx.targets.teams[team]?.[0] ?? fail(`queue of team ${team} but the team has no namespace`);
            const name = `verify-${ctx.runId}`;
            const pod = probePod(name, ctx.images.probe, ["true"]);
            const created = Date.now();
            await ctx.kube.batch.createNamespacedJob({
                namespace,
                body: {
                    // Kueue's job webhook admits a Job only through the queue its label names.
                    metadata: { name, labels: { "kueue.x-k8s.io/queue-name": queue, "app.kubernetes.io/managed-by": "verify" } },
                    spec: { backoffLimit: 0, activeDeadlineSeconds: 240, ttlSecondsAfterFinished: 600, template: { metadata: pod.metadata, spec: pod.spec } },
                },
            });
            scope.defer(`Job ${namespace}/${name}`, () => deleteIgnoringMissing(() => ctx.kube.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: "Background" })));
            await waitFor(scope, `${team}: Job admitted and complete`, async () => {
                const job = await ctx.kube.batch.readNamespacedJob({ name, namespace });
                if ((job.status?.failed ?? 0) > 0) {
                    fail(`Job ${namespace}/${name} failed`);
                }
                return (job.status?.succeeded ?? 0) > 0 ? true : undefined;
            }, ctx.pollMs);
            waits.push(`${team} ${((Date.now() - created) / 1000).toFixed(0)} s`);
        }
        return `admitted and completed: ${waits.join(", ")}`;
    },
};

export const modelEndpoints: Check<VerifyContext> = {
    name: "serving: every model endpoint healthy",
    timeoutSeconds: 120,
    async run(ctx) {
        if (ctx.targets.models.length === 0) {
            return { skip: "no models configured" };
        }
        const bad: string[] = [];
        for (const m of ctx.targets.models) {
            const r = await withTunnel(ctx.reach, m, (address) => request(`http://${address}${m.healthPath}`)).catch((e: Error) => ({ status: 0, text: e.message }));
            if (r.status !== 200) {
                bad.push(`${m.name}: ${r.status || r.text}`);
            }
        }
        if (bad.length) {
            fail(`unhealthy: ${bad.join("; ")}`);
        }
        return `${ctx.targets.models.length} endpoint(s) healthy`;
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

/** Every check, in the order the report lists them. */
export function allChecks(opts: { gpu: boolean; waitScaleDown: boolean }): Check<VerifyContext>[] {
    return [
        nodesReady,
        workloadsAvailable,
        gpuIdle,
        notebookSpawn,
        trackingRoundTrip,
        logShipping,
        scrapeTargetsUp,
        watchdogDelivered,
        teamIsolation,
        queueAdmission,
        modelEndpoints,
        ...(opts.gpu ? [gpuFromZero(opts)] : []),
    ];
}
