/**
 * Local fakes of every API `verify` talks to, on loopback only: a Kubernetes API server (the REST
 * paths @kubernetes/client-node calls), JupyterHub, MLflow, Elasticsearch (https, with its own CA,
 * as ECK serves it), Prometheus, Alertmanager and Grafana. Each keeps what was created so tests can
 * assert that verify cleaned up; `behaviour` switches let a test break one thing at a time.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";

type Handler = (req: http.IncomingMessage, body: any, url: URL) => { status: number; body?: unknown; text?: string } | undefined;

async function listen(server: http.Server | https.Server): Promise<string> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `127.0.0.1:${(server.address() as any).port}`;
}

function serve(handler: Handler, tls?: { key: string; cert: string }): http.Server {
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
        const chunks: Buffer[] = [];
        req.on("data", (c) => chunks.push(c));
        req.on("end", () => {
            const raw = Buffer.concat(chunks).toString("utf8");
            let body: any = raw;
            try {
                body = raw ? JSON.parse(raw) : undefined;
            } catch {
                // not JSON: keep the text
            }
            const url = new URL(req.url ?? "/", "http://fake");
            const out = handler(req, body, url) ?? { status: 404, body: { kind: "Status", code: 404, message: `no route ${req.method} ${url.pathname}` } };
            res.writeHead(out.status, { "content-type": out.text !== undefined ? "text/plain" : "application/json" });
            res.end(out.text ?? (out.body === undefined ? "" : JSON.stringify(out.body)));
        });
    };
    return tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
}

const ready = [{ type: "Ready", status: "True", lastTransitionTime: new Date().toISOString() }];

/** The fake cluster's state and switches. */
export class FakeKube {
    nodes: any[] = [
        // One CPU group per AZ (issue 19); EKS labels each node with its group and zone.
        { metadata: { name: "cpu-1", labels: { "mlplatform.io/node-pool": "cpu", "eks.amazonaws.com/nodegroup": "cluster-cpu-1-abc", "topology.kubernetes.io/zone": "us-west-2a" } }, status: { conditions: ready } },
        { metadata: { name: "cpu-2", labels: { "mlplatform.io/node-pool": "cpu", "eks.amazonaws.com/nodegroup": "cluster-cpu-2-def", "topology.kubernetes.io/zone": "us-west-2b" } }, status: { conditions: ready } },
    ];
    deployments: any[] = [];
    statefulSets: any[] = [];
    daemonSets: any[] = [];
    pods: any[] = [];
    services: any[] = [];
    secrets: any[] = [];
    jobs: any[] = [];
    namespaces: string[] = [];
    /** Everything verify created, and everything it deleted, as `kind ns/name`. */
    created: string[] = [];
    deleted: string[] = [];
    behaviour = {
        /** What a created pod ends as (`never` keeps it Pending). */
        podOutcome: "Succeeded" as "Succeeded" | "Failed" | "never",
        podLog: "ok\n",
        /** SubjectAccessReview answer. */
        allow: (spec: any): boolean => spec.resourceAttributes?.verb === "create" && spec.groups?.[0]?.includes(spec.resourceAttributes?.namespace?.split("-")[0]),
        jobOutcome: "succeeded" as "succeeded" | "failed" | "never",
        /** Run for every created pod (e.g. to play Fluentd and index its line). */
        onPod: (_pod: any): void => undefined,
        /** Run when a GPU pod is created (e.g. to add a GPU node). */
        onGpuPod: (_fake: FakeKube): void => undefined,
    };

    constructor() {
        const dep = (ns: string, name: string) => ({ metadata: { namespace: ns, name }, spec: { replicas: 1 }, status: { availableReplicas: 1 } });
        const ds = (ns: string, name: string) => ({ metadata: { namespace: ns, name }, status: { desiredNumberScheduled: 2, numberAvailable: 2 } });
        this.deployments = [dep("kube-system", "coredns"), dep("kube-system", "ebs-csi-controller"), dep("mlflow", "mlflow"), dep("jupyterhub", "hub")];
        this.statefulSets = [{ metadata: { namespace: "monitoring", name: "prometheus-kps-prometheus" }, spec: { replicas: 1 }, status: { readyReplicas: 1 } }];
        this.daemonSets = ["aws-node", "kube-proxy", "eks-pod-identity-agent", "ebs-csi-node"].map((n) => ds("kube-system", n));
    }

    private list(items: any[], url: URL): any {
        let out = items;
        const label = url.searchParams.get("labelSelector");
        if (label) {
            const [k, v] = label.split("=");
            out = out.filter((x) => x.metadata?.labels?.[k] === v);
        }
        return { metadata: {}, items: out };
    }

    handler: Handler = (req, body, url) => {
        const p = url.pathname;
        const m = (re: RegExp) => re.exec(p);
        let g: RegExpExecArray | null;
        const find = (items: any[], ns: string, name: string) => items.find((x) => x.metadata.namespace === ns && x.metadata.name === name);
        const notFound = { status: 404, body: { kind: "Status", code: 404, reason: "NotFound" } };
        if (req.method === "GET" && p === "/api/v1/nodes") return { status: 200, body: this.list(this.nodes, url) };
        if (req.method === "GET" && (g = m(/^\/api\/v1\/nodes\/([^/]+)$/))) return { status: 200, body: this.nodes.find((n) => n.metadata.name === g![1]) };
        if (req.method === "GET" && p === "/apis/apps/v1/deployments") return { status: 200, body: this.list(this.deployments, url) };
        if (req.method === "GET" && p === "/apis/apps/v1/statefulsets") return { status: 200, body: this.list(this.statefulSets, url) };
        if (req.method === "GET" && p === "/apis/apps/v1/daemonsets") return { status: 200, body: this.list(this.daemonSets, url) };
        if (req.method === "GET" && p === "/api/v1/pods") return { status: 200, body: this.list(this.pods.filter((x) => x.status?.phase === "Running"), url) };
        if (req.method === "POST" && p === "/api/v1/namespaces") {
            this.namespaces.push(body.metadata.name);
            this.created.push(`Namespace ${body.metadata.name}`);
            return { status: 201, body };
        }
        if (req.method === "DELETE" && (g = m(/^\/api\/v1\/namespaces\/([^/]+)$/))) {
            if (!this.namespaces.includes(g[1])) return notFound;
            this.namespaces = this.namespaces.filter((n) => n !== g![1]);
            this.pods = this.pods.filter((x) => x.metadata.namespace !== g![1]);
            this.deleted.push(`Namespace ${g[1]}`);
            return { status: 200, body: { kind: "Status", status: "Success" } };
        }
        if ((g = m(/^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)$/))) return find(this.services, g[1], g[2]) ? { status: 200, body: find(this.services, g[1], g[2]) } : notFound;
        if ((g = m(/^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/))) return find(this.secrets, g[1], g[2]) ? { status: 200, body: find(this.secrets, g[1], g[2]) } : notFound;
        if (req.method === "GET" && (g = m(/^\/api\/v1\/namespaces\/([^/]+)\/pods$/))) return { status: 200, body: this.list(this.pods.filter((x) => x.metadata.namespace === g![1]), url) };
        if (req.method === "POST" && (g = m(/^\/api\/v1\/namespaces\/([^/]+)\/pods$/))) {
            const pod = { ...body, metadata: { ...body.metadata, namespace: g[1], creationTimestamp: new Date().toISOString() }, status: { phase: "Pending" } };
            this.pods.push(pod);
            this.created.push(`Pod ${g[1]}/${pod.metadata.name}`);
            const gpu = pod.spec.containers.some((c: any) => c.resources?.limits?.["nvidia.com/gpu"]);
            this.behaviour.onPod(pod);
            if (gpu) this.behaviour.onGpuPod(this);
            if (this.behaviour.podOutcome !== "never") {
                const now = new Date().toISOString();
                pod.spec.nodeName = gpu ? this.nodes.find((n) => n.metadata.labels["nvidia.com/gpu.present"])?.metadata.name : "cpu-1";
                pod.status = { phase: this.behaviour.podOutcome, containerStatuses: [{ state: { terminated: { startedAt: now, finishedAt: now, reason: this.behaviour.podOutcome === "Failed" ? "Error" : "Completed" } } }] };
            }
            return { status: 201, body: pod };
        }
        if ((g = m(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/))) return { status: 200, text: this.behaviour.podLog };
        if ((g = m(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/))) {
            const pod = find(this.pods, g[1], g[2]);
            if (!pod) return notFound;
            if (req.method === "DELETE") {
                this.pods = this.pods.filter((x) => x !== pod);
                this.deleted.push(`Pod ${g[1]}/${g[2]}`);
                this.behaviour.onGpuPod = () => undefined;
                return { status: 200, body: pod };
            }
            return { status: 200, body: pod };
        }
        if (req.method === "POST" && p === "/apis/authorization.k8s.io/v1/subjectaccessreviews") return { status: 201, body: { ...body, status: { allowed: this.behaviour.allow(body.spec) } } };
        if (req.method === "POST" && (g = m(/^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs$/))) {
            const job = { ...body, metadata: { ...body.metadata, namespace: g[1] }, status: this.behaviour.jobOutcome === "never" ? {} : { [this.behaviour.jobOutcome]: 1 } };
            this.jobs.push(job);
            this.created.push(`Job ${g[1]}/${job.metadata.name}`);
            return { status: 201, body: job };
        }
        if ((g = m(/^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)$/))) {
            const job = find(this.jobs, g[1], g[2]);
            if (!job) return notFound;
            if (req.method === "DELETE") {
                this.jobs = this.jobs.filter((x) => x !== job);
                this.deleted.push(`Job ${g[1]}/${g[2]}`);
            }
            return { status: 200, body: job };
        }
        return undefined;
    };
}

/** JupyterHub's REST API: users and their default server. */
export class FakeHub {
    users = new Map<string, { servers: Record<string, { ready: boolean; pending: string | null }> }>();
    requests: string[] = [];
    behaviour = { token: "hub-token", spawn: "ready" as "ready" | "never" | "dies" };
    handler: Handler = (req, _body, url) => {
        this.requests.push(`${req.method} ${url.pathname}`);
        if (req.headers.authorization !== `token ${this.behaviour.token}`) return { status: 403, body: { message: "forbidden" } };
        const g = /^\/hub\/api\/users\/([^/]+)(\/server)?$/.exec(url.pathname);
        if (!g) return undefined;
        const [, name, server] = g;
        const user = this.users.get(name);
        if (!server) {
            if (req.method === "POST") {
                if (user) return { status: 409, body: {} };
                this.users.set(name, { servers: {} });
                return { status: 201, body: { name } };
            }
            if (!user) return { status: 404, body: {} };
            if (req.method === "DELETE") {
                if (user.servers[""]) return { status: 400, body: { message: "server running" } };
                this.users.delete(name);
                return { status: 204 };
            }
            const s = user.servers[""];
            if (s && this.behaviour.spawn === "dies" && s.pending) delete user.servers[""];
            else if (s && this.behaviour.spawn === "ready") user.servers[""] = { ready: true, pending: null };
            return { status: 200, body: { name, servers: user.servers } };
        }
        if (!user) return { status: 404, body: {} };
        if (req.method === "POST") {
            user.servers[""] = { ready: false, pending: "spawn" };
            return { status: 202 };
        }
        if (req.method === "DELETE") {
            delete user.servers[""];
            return { status: 204 };
        }
        return undefined;
    };
}

/** MLflow's REST API and its artifact proxy. */
export class FakeMlflow {
    experiments = new Map<string, { name: string; deleted: boolean }>();
    runs = new Map<string, { metrics: any[]; deleted: boolean }>();
    artifacts = new Map<string, string>();
    behaviour = { artifactUri: (exp: string, run: string) => `mlflow-artifacts:/${exp}/${run}/artifacts`, artifactStatus: 200, password: "mlflow-admin-secret" };
    handler: Handler = (req, body, url) => {
        // MLflow's basic-auth app: every API request needs a user (401 otherwise).
        if (req.headers.authorization !== `Basic ${Buffer.from(`platform-admin:${this.behaviour.password}`).toString("base64")}`) return { status: 401, body: { error_code: "UNAUTHENTICATED" } };
        const p = url.pathname;
        const api = "/api/2.0/mlflow";
        if (p === `${api}/experiments/create`) {
            const id = String(this.experiments.size + 1);
            this.experiments.set(id, { name: body.name, deleted: false });
            return { status: 200, body: { experiment_id: id } };
        }
        if (p === `${api}/experiments/delete`) {
            this.experiments.get(body.experiment_id)!.deleted = true;
            return { status: 200, body: {} };
        }
        if (p === `${api}/runs/create`) {
            const id = `run${this.runs.size + 1}`;
            this.runs.set(id, { metrics: [], deleted: false });
            return { status: 200, body: { run: { info: { run_id: id, artifact_uri: this.behaviour.artifactUri(body.experiment_id, id) } } } };
        }
        if (p === `${api}/runs/delete`) {
            this.runs.get(body.run_id)!.deleted = true;
            return { status: 200, body: {} };
        }
        if (p === `${api}/runs/log-metric`) {
            this.runs.get(body.run_id)!.metrics.push({ key: body.key, value: body.value });
            return { status: 200, body: {} };
        }
        if (p === `${api}/metrics/get-history`) return { status: 200, body: { metrics: this.runs.get(url.searchParams.get("run_id")!)?.metrics ?? [] } };
        const a = /^\/api\/2\.0\/mlflow-artifacts\/artifacts\/(.+)$/.exec(p);
        if (a) {
            if (this.behaviour.artifactStatus !== 200) return { status: this.behaviour.artifactStatus, body: { error_code: "INTERNAL_ERROR", message: "S3 AccessDenied" } };
            if (req.method === "PUT") {
                this.artifacts.set(a[1], body);
                return { status: 200, body: {} };
            }
            if (req.method === "DELETE") {
                this.artifacts.delete(a[1]);
                return { status: 200, body: {} };
            }
            return this.artifacts.has(a[1]) ? { status: 200, text: this.artifacts.get(a[1]) } : { status: 404, body: {} };
        }
        return undefined;
    };
}

/** Elasticsearch's search API on the data stream, basic auth as `elastic`. */
export class FakeElasticsearch {
    documents: { message: string }[] = [];
    behaviour = { password: "es-password", indexLines: true };
    handler: Handler = (req, body, url) => {
        const expected = `Basic ${Buffer.from(`elastic:${this.behaviour.password}`).toString("base64")}`;
        if (req.headers.authorization !== expected) return { status: 401, body: { error: "unauthorized" } };
        if (url.pathname.endsWith("/_search")) {
            const phrase = body?.query?.match_phrase?.message;
            const hits = this.documents.filter((d) => d.message.includes(phrase)).map((d) => ({ _index: ".ds-logs-k8s-default-000001", _source: d }));
            return { status: 200, body: { hits: { hits } } };
        }
        return undefined;
    };
}

/** A self-signed certificate for the in-cluster Elasticsearch Service name (openssl from the OS). */
export function selfSignedCert(dnsName: string): { key: string; cert: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-cert-"));
    try {
        execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", `/CN=${dnsName}`,
            "-addext", `subjectAltName=DNS:${dnsName}`, "-addext", "basicConstraints=critical,CA:TRUE",
            "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")], { stdio: "ignore" });
        return { key: fs.readFileSync(path.join(dir, "key.pem"), "utf8"), cert: fs.readFileSync(path.join(dir, "cert.pem"), "utf8") };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * The fake Elasticsearch's certificate, made once per file: an RSA key generation is ~0.3 s of CPU
 * and every test starts its own fakes. Sharing it is safe: the key and certificate are strings no
 * test changes (a test that breaks the CA edits its own fake's copy in `kube.secrets`).
 */
let esTls: { key: string; cert: string } | undefined;
function esCertificate(): { key: string; cert: string } {
    esTls ??= selfSignedCert("logs-es-http.logging.svc");
    return esTls;
}

export interface FakePlatform {
    kube: FakeKube;
    hub: FakeHub;
    mlflow: FakeMlflow;
    es: FakeElasticsearch;
    prometheus: { targets: any[] };
    alertmanager: { alerts: any[] };
    grafana: { health: any };
    /** `namespace/service` → loopback address of the fake behind it. */
    addresses: Record<string, string>;
    kubeAddress: string;
    esCert: string;
    close(): Promise<void>;
}

/** Starts every fake on loopback. */
export async function startFakes(): Promise<FakePlatform> {
    const kube = new FakeKube();
    const hub = new FakeHub();
    const mlflow = new FakeMlflow();
    const es = new FakeElasticsearch();
    const prometheus = { targets: [{ labels: { job: "mlflow" }, health: "up" }, { labels: { job: "kubelet" }, health: "up" }] };
    const alertmanager = { alerts: [{ labels: { alertname: "Watchdog" } }] };
    const grafana = { health: { database: "ok", version: "12" } };
    const tls = esCertificate();
    const servers = {
        // Through a lambda, so a test may swap a fake's handler after start.
        kube: serve((...a) => kube.handler(...a)),
        hub: serve((...a) => hub.handler(...a)),
        mlflow: serve((...a) => mlflow.handler(...a)),
        es: serve((...a) => es.handler(...a), tls),
        prometheus: serve((_r, _b, u) => (u.pathname === "/api/v1/targets" ? { status: 200, body: { status: "success", data: { activeTargets: prometheus.targets } } } : undefined)),
        alertmanager: serve((_r, _b, u) => (u.pathname === "/api/v2/alerts" ? { status: 200, body: alertmanager.alerts } : undefined)),
        grafana: serve((_r, _b, u) => (u.pathname === "/api/health" ? { status: 200, body: grafana.health } : undefined)),
    };
    const a: Record<string, string> = {};
    for (const [k, s] of Object.entries(servers)) {
        a[k] = await listen(s);
    }
    kube.secrets.push(
        { metadata: { namespace: "mlflow", name: "mlflow-auth" }, data: { "admin-password": Buffer.from(mlflow.behaviour.password).toString("base64") } },
        { metadata: { namespace: "logging", name: "logs-es-elastic-user" }, data: { elastic: Buffer.from(es.behaviour.password).toString("base64") } },
        { metadata: { namespace: "logging", name: "logs-es-http-certs-public" }, data: { "ca.crt": Buffer.from(tls.cert).toString("base64") } },
    );
    return {
        kube, hub, mlflow, es, prometheus, alertmanager, grafana,
        kubeAddress: a.kube,
        esCert: tls.cert,
        addresses: {
            "jupyterhub/proxy-public": a.hub,
            "mlflow/mlflow": a.mlflow,
            "logging/logs-es-http": a.es,
            "monitoring/kps-prometheus": a.prometheus,
            "monitoring/kps-alertmanager": a.alertmanager,
            "monitoring/kube-prometheus-stack-grafana": a.grafana,
        },
        close: async () => {
            await Promise.all(Object.values(servers).map((s) => new Promise((r) => {
                s.closeAllConnections?.();
                s.close(r);
            })));
        },
    };
}
