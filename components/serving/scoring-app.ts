/**
 * The Python the model pods run, as text (mounted from a ConfigMap: it holds no secret).
 *
 * Why not `mlflow models serve` as the container command: it downloads the model and starts the
 * server in one process, so the credentials that read the registry would live as long as the
 * server that runs the model's own (pickled, user-written) code; and MLflow's scoring server has
 * no Prometheus metrics (mlflow/mlflow issue #25263, open), so there would be no latency or error
 * rate to alert on. The pod therefore splits what `mlflow models serve --env-manager local` does:
 *
 * - init container `fetch-model`: `mlflow.artifacts.download_artifacts(models:/...)`, which
 *   resolves `models:/<name>/<version>` or `models:/<name>@<alias>` through the registry at
 *   MLFLOW_TRACKING_URI and downloads through the tracking server's artifact proxy
 *   (`mlflow-artifacts:` URIs, since the server runs with `--serve-artifacts`): no S3 identity.
 *   Only this container gets the MLflow credentials.
 * - container `server`: exactly the ASGI app `mlflow models serve` runs
 *   (`mlflow.pyfunc.scoring_server.app:app`, see `get_cmd` in mlflow/pyfunc/scoring_server/__init__.py,
 *   MLflow 3.x: `uvicorn ... mlflow.pyfunc.scoring_server.app:app` with `__pyfunc_model_path__` set),
 *   wrapped by a small ASGI layer that records a request-duration histogram and serves `/metrics`.
 *   The scoring server's routes are unchanged: `/ping` and `/health` (200 once the model loaded),
 *   `/version`, `/invocations` (`init()` in the same file).
 */

/** Port the scoring server listens on (the MLflow container convention, `mlflow models build-docker` uses 8080). */
export const SERVING_PORT = 8080;

/** Where the model volume is mounted in both containers. */
export const MODEL_MOUNT = "/models";

/** The symlink the fetcher leaves to the downloaded model directory; the server loads it. */
export const MODEL_PATH = `${MODEL_MOUNT}/model`;

/** Where the ConfigMap with {@link SCORING_APP} is mounted (on PYTHONPATH). */
export const APP_MOUNT = "/opt/mlplatform";

/** Module name of the wrapper (file `${APP_MODULE}.py`). */
export const APP_MODULE = "mlplatform_scoring";

/**
 * Env naming the public path prefix (`/<team>/<model>`) of an exposed model: the auth proxy forwards
 * the request path unchanged (gateway.ts), and the wrapper strips the prefix before the scoring
 * server, whose routes are `/invocations`, `/ping`, ... Unset for a model that is not exposed.
 */
export const PATH_PREFIX_ENV = "MLPLATFORM_PATH_PREFIX";

/** The histogram the wrapper records; alert rules and tests use this name. */
export const REQUEST_METRIC = "mlflow_model_request_duration_seconds";

/**
 * Downloads the model and links it at {@link MODEL_PATH}. `download_artifacts` returns the local
 * directory it wrote (its name depends on the URI form), hence the link instead of a guessed path.
 * The URI comes from the environment; no credential is ever in argv.
 */
export const FETCH_SCRIPT = [
    "import os",
    "from mlflow.artifacts import download_artifacts",
    `path = download_artifacts(artifact_uri=os.environ["MODEL_URI"], dst_path="${MODEL_MOUNT}/download")`,
    `link = "${MODEL_PATH}"`,
    "if os.path.lexists(link):",
    "    os.remove(link)",
    "os.symlink(path, link)",
    `print("fetched", os.environ["MODEL_URI"], "to", path, "files:", sorted(os.listdir(path)))`,
].join("\n");

/**
 * The wrapper module. prometheus_client is in the `-full` MLflow image (prometheus-flask-exporter,
 * from `mlflow[extras]`, depends on it). One uvicorn worker per pod: the HPA scales pods, and the
 * default (single-process) registry is then exact.
 */
export const SCORING_APP = `"""Prometheus metrics around MLflow's pyfunc scoring server (mlplatform)."""
import os
import time

from prometheus_client import Histogram, make_asgi_app

from mlflow.pyfunc.scoring_server.app import app as scoring_app

REQUESTS = Histogram(
    "${REQUEST_METRIC}",
    "Scoring server request duration, by handler and HTTP status.",
    ["handler", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
METRICS = make_asgi_app()
OBSERVED = {"/invocations", "/ping", "/health"}
PREFIX = os.environ.get("${PATH_PREFIX_ENV}", "").rstrip("/")


def strip_prefix(scope):
    """/<team>/<model>/invocations from the auth proxy -> /invocations; other paths unchanged."""
    path = scope["path"]
    if not PREFIX or not (path == PREFIX or path.startswith(PREFIX + "/")):
        return scope
    raw = scope.get("raw_path") or path.encode()
    prefix = PREFIX.encode()
    return dict(scope, path=path[len(PREFIX):] or "/", raw_path=(raw[len(prefix):] if raw.startswith(prefix) else raw) or b"/")


async def app(scope, receive, send):
    if scope["type"] != "http":
        # lifespan and websocket events go to the scoring server untouched
        return await scoring_app(scope, receive, send)
    scope = strip_prefix(scope)
    if scope["path"] == "/metrics":
        return await METRICS(scope, receive, send)
    status = {"code": 500}

    async def record_status(message):
        if message["type"] == "http.response.start":
            status["code"] = message["status"]
        await send(message)

    start = time.perf_counter()
    try:
        await scoring_app(scope, receive, record_status)
    finally:
        if scope["path"] in OBSERVED:
            REQUESTS.labels(handler=scope["path"], status=str(status["code"])).observe(time.perf_counter() - start)
`;
