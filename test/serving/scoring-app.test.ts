/**
 * Runs the scoring wrapper (SCORING_APP) and the fetcher (FETCH_SCRIPT) in a real Python
 * interpreter. MLflow and prometheus_client are not installed here, so tiny stand-ins provide
 * exactly the names the scripts import (their real signatures: `mlflow.pyfunc.scoring_server.app:app`
 * is an ASGI app; `prometheus_client.Histogram(name, doc, labelnames, buckets=)`,
 * `.labels(**kw).observe(v)`, `make_asgi_app()`; `mlflow.artifacts.download_artifacts(artifact_uri=, dst_path=)`
 * returns the local path).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { APP_MODULE, FETCH_SCRIPT, PATH_PREFIX_ENV, SCORING_APP } from "../../components/serving/scoring-app";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function sandbox(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlp-scoring-"));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
}

const STUBS = {
    "mlflow/__init__.py": "",
    "mlflow/pyfunc/__init__.py": "",
    "mlflow/pyfunc/scoring_server/__init__.py": "",
    // The scoring server: 200 on /ping and /invocations, 500 on /invocations?fail, lifespan acknowledged.
    "mlflow/pyfunc/scoring_server/app.py": `
LIFESPAN = []
PATHS = []
async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        LIFESPAN.append("seen")
        return
    PATHS.append([scope["path"], scope.get("raw_path", b"").decode()])
    status = 500 if scope.get("query_string") == b"fail" else 200
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})
`,
    "prometheus_client/__init__.py": `
OBSERVED = []
class Histogram:
    def __init__(self, name, documentation, labelnames, buckets):
        self.name = name
    def labels(self, **kw):
        h = self
        class Child:
            def observe(self, v):
                OBSERVED.append((h.name, kw["handler"], kw["status"]))
        return Child()
def make_asgi_app():
    async def metrics(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"metrics"})
    return metrics
`,
    "mlflow/artifacts.py": `
import os
def download_artifacts(artifact_uri, dst_path):
    out = os.path.join(dst_path, "model")
    os.makedirs(out, exist_ok=True)
    open(os.path.join(out, "MLmodel"), "w").write(artifact_uri)
    return out
`,
};

const DRIVER = `
import asyncio, json
import ${APP_MODULE} as m
import prometheus_client, mlflow.pyfunc.scoring_server.app as inner

async def call(path, query=b""):
    sent = []
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(msg):
        sent.append(msg)
    await m.app({"type": "http", "path": path, "query_string": query}, receive, send)
    return sent[0]["status"]

async def main():
    await m.app({"type": "lifespan"}, None, None)
    statuses = [await call("/invocations"), await call("/invocations", b"fail"), await call("/ping"), await call("/version"), await call("/metrics")]
    print(json.dumps({"statuses": statuses, "observed": prometheus_client.OBSERVED, "lifespan": inner.LIFESPAN}))

asyncio.run(main())
`;

describe("scoring wrapper (Python)", () => {
    it("passes requests and lifespan to MLflow's app, records /invocations and health by status, and serves /metrics itself", () => {
        const dir = sandbox({ ...STUBS, [`${APP_MODULE}.py`]: SCORING_APP, "driver.py": DRIVER });
        const out = JSON.parse(execFileSync("python3", ["driver.py"], { cwd: dir, encoding: "utf8" }));
        expect(out.statuses).toEqual([200, 500, 200, 200, 200]);
        expect(out.lifespan).toEqual(["seen"]);
        expect(out.observed).toEqual([
            ["mlflow_model_request_duration_seconds", "/invocations", "200"],
            ["mlflow_model_request_duration_seconds", "/invocations", "500"],
            ["mlflow_model_request_duration_seconds", "/ping", "200"],
        ]);
    });

    it("strips an exposed model's public prefix (/<team>/<model>) before the scoring server, and only that prefix", () => {
        const driver = `
import asyncio, json
import ${APP_MODULE} as m
import prometheus_client, mlflow.pyfunc.scoring_server.app as inner

async def call(path):
    sent = []
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(msg):
        sent.append(msg)
    await m.app({"type": "http", "path": path, "raw_path": path.encode(), "query_string": b""}, receive, send)
    return sent[0]["status"]

async def main():
    statuses = [await call(p) for p in ["/vision/churn/invocations", "/vision/churn", "/invocations", "/vision/churnx/invocations", "/vision/churn/metrics"]]
    print(json.dumps({"statuses": statuses, "paths": inner.PATHS, "observed": prometheus_client.OBSERVED}))

asyncio.run(main())
`;
        const dir = sandbox({ ...STUBS, [`${APP_MODULE}.py`]: SCORING_APP, "driver.py": driver });
        const run = (env: Record<string, string>) => JSON.parse(execFileSync("python3", ["driver.py"], { cwd: dir, env: { ...process.env, ...env }, encoding: "utf8" }));
        const out = run({ [PATH_PREFIX_ENV]: "/vision/churn" });
        // /vision/churn/metrics is served by the wrapper itself (after stripping), so it never reaches MLflow's app.
        expect(out.paths).toEqual([["/invocations", "/invocations"], ["/", "/"], ["/invocations", "/invocations"], ["/vision/churnx/invocations", "/vision/churnx/invocations"]]);
        expect(out.observed[0]).toEqual(["mlflow_model_request_duration_seconds", "/invocations", "200"]);
        // Not exposed: nothing is stripped.
        expect(run({}).paths[0]).toEqual(["/vision/churn/invocations", "/vision/churn/invocations"]);
    });

    it("fetcher links the downloaded model where the server loads it, and replaces an old link on restart", () => {
        const dir = sandbox(STUBS);
        const script = FETCH_SCRIPT.replaceAll("/models", path.join(dir, "models"));
        fs.mkdirSync(path.join(dir, "models"));
        const env = { ...process.env, MODEL_URI: "models:/churn/3", PYTHONPATH: dir };
        execFileSync("python3", ["-c", script], { cwd: dir, env, encoding: "utf8" });
        execFileSync("python3", ["-c", script], { cwd: dir, env, encoding: "utf8" });
        expect(fs.readFileSync(path.join(dir, "models", "model", "MLmodel"), "utf8")).toBe("models:/churn/3");
        expect(fs.lstatSync(path.join(dir, "models", "model")).isSymbolicLink()).toBe(true);
    });

    it("keeps the model URI out of argv (it comes from the environment)", () => {
        expect(FETCH_SCRIPT).toContain('os.environ["MODEL_URI"]');
        expect(FETCH_SCRIPT).not.toMatch(/models:\//);
    });
});
