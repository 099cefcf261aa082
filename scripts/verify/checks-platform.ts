/**
 * Verify checks of the platform services: a notebook server spawns, MLflow keeps a run, a pod's
 * log line reaches Elasticsearch, Prometheus scrapes every target and Alertmanager gets the Watchdog.
 */
import { DATA_STREAM } from "../../components/logging";
import { MLFLOW_ADMIN_USER, MLFLOW_AUTH_SECRET } from "../../components/tracking/auth";
import { fail, podCompleted, probePod, scratchNamespace, secretKey, secretValue, seconds, VerifyContext } from "./context";
import { request, requestJson } from "./http";
import { withTunnel } from "./kube";
import { Check, waitFor } from "./runner";

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
