/**
 * MLflow's basic-auth app (checklist ML-04): who signs in to the tracking server, with what rights,
 * and how the platform hands out credentials without anyone pasting a password. Pure functions and
 * names only; components/tracking/credentials.ts and server.ts build the Kubernetes objects.
 *
 * What MLflow 3.x offers, read in mlflow/mlflow (`mlflow/server/auth/`):
 * - `mlflow server --app-name basic-auth` checks every request (Flask `before_request`) except
 *   `/static`, `/favicon.ico` and `/health` (`is_unprotected_route`), so probes still work and
 *   `/metrics` needs credentials too.
 * - Its settings come from the INI file named by `MLFLOW_AUTH_CONFIG_PATH` (`config.py`
 *   `read_auth_config`: `default_permission`, `database_uri`, `admin_username`, `admin_password`);
 *   the admin is created from them on first start. The file is mounted from a Secret, so the admin
 *   password is never in argv, env values or a ConfigMap.
 * - Users and per-resource permissions live in their own database (`database_uri`). It must not be
 *   the tracking database: both run Alembic with the default `alembic_version` table
 *   (`mlflow/server/auth/db/migrations/env.py` sets no `version_table`), so the platform gives it
 *   a database of its own on the same RDS instance.
 * - Permissions are READ < EDIT < MANAGE (plus NO_PERMISSIONS) per experiment and registered model
 *   (`permissions.py`); whoever creates an experiment or registered model gets MANAGE on it (the
 *   app's after-request handlers), creating one needs no grant, and writing runs or model versions
 *   into someone else's needs EDIT, deleting needs MANAGE. With `default_permission = READ` a team
 *   reads everything but writes and deletes only its own.
 * - Workspaces (`MLFLOW_ENABLE_WORKSPACES`) appear only in newer MLflow code than this platform can
 *   verify at its pinned tag; per-resource grants above are what it relies on.
 * - The client sends HTTP basic auth from `MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`
 *   (`mlflow/environment_variables.py`, read by `mlflow/utils/credentials.py`
 *   `get_default_host_creds`), so a pod that gets those two from a Secret just works.
 * - The app needs `MLFLOW_FLASK_SERVER_SECRET_KEY` (CSRF), the same on every replica.
 */

/** Secret (mlflow namespace) with the auth INI file, the admin password and the Flask secret key. */
export const MLFLOW_AUTH_SECRET = "mlflow-auth";
/** Secret (mlflow namespace) with one key per generated MLflow user: its password. */
export const MLFLOW_USERS_SECRET = "mlflow-users";
/** Secret name in a team or client namespace holding that identity's credentials. */
export const MLFLOW_CREDENTIALS_SECRET = "mlflow-credentials";
/** The two env names the MLflow client reads; the credentials Secret uses them as keys, so `envFrom` works. */
export const MLFLOW_USERNAME_ENV = "MLFLOW_TRACKING_USERNAME";
export const MLFLOW_PASSWORD_ENV = "MLFLOW_TRACKING_PASSWORD";
/** The admin MLflow creates from the INI file. */
export const MLFLOW_ADMIN_USER = "platform-admin";
/** Database of the auth app on the tracking RDS instance. */
export const AUTH_DB_NAME = "mlflow_auth";
/** Where the server mounts the auth Secret. */
export const AUTH_CONFIG_DIR = "/etc/mlflow-auth";
/** Where the bootstrap Job mounts the admin password and the users' passwords. */
export const BOOTSTRAP_ADMIN_DIR = "/etc/mlflow-admin";
export const BOOTSTRAP_USERS_DIR = "/etc/mlflow-users";
/** `app.kubernetes.io/name` of the bootstrap Job's pods (the server's NetworkPolicy admits them). */
export const AUTH_BOOTSTRAP_APP = "mlflow-auth-bootstrap";
/** Rights every signed-in user has on experiments and models it holds no grant on. */
export const DEFAULT_PERMISSION = "READ";

/** What an identity may do: a team writes its own resources; a reader only reads (serving, scraping). */
export type MlflowRole = "team" | "reader";

/** One generated MLflow identity. */
export interface MlflowIdentity {
    readonly username: string;
    readonly role: MlflowRole;
}

const NAME = /^[a-z][a-z0-9-]{0,40}$/;

/** The MLflow user of a team (`team-<name>`). */
export const teamUser = (team: string) => `team-${team}`;
/** The MLflow user of a read-only client (`reader-<name>`). */
export const readerUser = (reader: string) => `reader-${reader}`;
/** The built-in reader Prometheus scrapes `/metrics` with (basic auth protects it too). */
export const METRICS_READER = "metrics";

/** The identities for these teams and readers; throws on a bad or duplicate name. Pure. */
export function mlflowIdentities(teams: readonly string[], readers: readonly string[]): MlflowIdentity[] {
    for (const [key, names] of [["teams", teams], ["mlflowReaders", readers]] as const) {
        const seen = new Set<string>();
        for (const n of names) {
            if (typeof n !== "string" || !NAME.test(n)) {
                throw new Error(`${key} (${n}) must be a lowercase name of letters, digits and '-' starting with a letter, at most 41 characters (it names an MLflow user)`);
            }
            if (seen.has(n)) {
                throw new Error(`${key} (${n}) is listed twice`);
            }
            seen.add(n);
        }
    }
    return [
        ...teams.map((t): MlflowIdentity => ({ username: teamUser(t), role: "team" })),
        ...[METRICS_READER, ...readers.filter((r) => r !== METRICS_READER)].map((r): MlflowIdentity => ({ username: readerUser(r), role: "reader" })),
    ];
}

/**
 * The basic-auth INI (`read_auth_config` keys). Holds the admin password and the auth database
 * URI, so it only ever lives in a Secret mounted as a file. Pure.
 */
export function authIni(adminPassword: string, databaseUri: string): string {
    for (const [key, value] of [["adminPassword", adminPassword], ["databaseUri", databaseUri]]) {
        // configparser reads one line per value.
        if (/[\r\n]/.test(value)) {
            throw new Error(`${key} (secret) must not contain a newline (the INI file would be misread)`);
        }
    }
    // `read_auth_config` uses a plain ConfigParser, whose BasicInterpolation reads '%%' as '%' (a
    // URI-encoded database password has '%XX' escapes).
    const esc = (x: string) => x.replace(/%/g, "%%");
    return [
        "[mlflow]",
        `default_permission = ${DEFAULT_PERMISSION}`,
        `database_uri = ${esc(databaseUri)}`,
        `admin_username = ${MLFLOW_ADMIN_USER}`,
        `admin_password = ${esc(adminPassword)}`,
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth",
        "",
    ].join("\n");
}

/**
 * Creates the auth database next to the tracking one if it is missing, then runs `mlflow db
 * upgrade` on the tracking database; both URIs come from secretKeyRef env, never argv.
 * `cli.main` exits the process, so it runs last.
 */
export const DB_INIT_SCRIPT = [
    "import os, psycopg2",
    "from mlflow.cli import cli",
    "conn = psycopg2.connect(os.environ['MLFLOW_BACKEND_STORE_URI'].replace('postgresql+psycopg2://', 'postgresql://', 1))",
    "conn.autocommit = True",
    "cur = conn.cursor()",
    `cur.execute('SELECT 1 FROM pg_database WHERE datname = %s', ('${AUTH_DB_NAME}',))`,
    `cur.fetchone() or cur.execute('CREATE DATABASE ${AUTH_DB_NAME}')`,
    "conn.close()",
    "cli.main(args=['db', 'upgrade', os.environ['MLFLOW_BACKEND_STORE_URI']], prog_name='mlflow')",
].join("\n");

/**
 * The bootstrap Job's program: signs in as the admin (password read from a mounted file), then for
 * each identity in `MLFLOW_IDENTITIES` creates the user or resets its password to the one in its
 * mounted file (`/api/2.0/mlflow/users/create`, `.../users/update-password`, the auth REST API in
 * `mlflow/server/auth/routes.py`). No password is in argv or env. Readers and teams get no admin
 * flag; their rights come from `default_permission` and from owning what they create.
 */
export const BOOTSTRAP_SCRIPT = [
    "import base64, json, os, sys, time, urllib.error, urllib.parse, urllib.request",
    "uri = os.environ['MLFLOW_TRACKING_URI'].rstrip('/')",
    `admin = '${MLFLOW_ADMIN_USER}'`,
    `secret = lambda d, k: open(os.path.join(d, k)).read().strip()`,
    `auth = 'Basic ' + base64.b64encode((admin + ':' + secret('${BOOTSTRAP_ADMIN_DIR}', 'admin-password')).encode()).decode()`,
    "def call(method, path, body=None):",
    "    data = json.dumps(body).encode() if body is not None else None",
    "    req = urllib.request.Request(uri + '/api/2.0/mlflow/' + path, data=data, method=method, headers={'Authorization': auth, 'Content-Type': 'application/json'})",
    "    try:",
    "        with urllib.request.urlopen(req, timeout=30) as r:",
    "            return r.status",
    "    except urllib.error.HTTPError as e:",
    "        return e.code",
    "for attempt in range(60):",
    "    if call('GET', 'users/get?username=' + urllib.parse.quote(admin)) == 200:",
    "        break",
    "    time.sleep(5)",
    "else:",
    "    sys.exit('MLflow did not accept the admin credentials')",
    "for ident in json.loads(os.environ['MLFLOW_IDENTITIES']):",
    "    user = ident['username']",
    `    body = {'username': user, 'password': secret('${BOOTSTRAP_USERS_DIR}', user)}`,
    "    exists = call('GET', 'users/get?username=' + urllib.parse.quote(user)) == 200",
    "    status = call('PATCH', 'users/update-password', body) if exists else call('POST', 'users/create', body)",
    "    if status != 200:",
    "        sys.exit(f'{user}: HTTP {status}')",
    "    print(f'{user}: ' + ('password set' if exists else 'created'))",
].join("\n");

/** Secret (jupyterhub namespace) with the admin password and the key notebook passwords derive from. */
export const NOTEBOOK_PROVISIONER_SECRET = "mlflow-notebook-provisioner";
/** Where the hub mounts it. */
export const HUB_PROVISIONER_DIR = "/etc/mlflow-provisioner";
/** MLflow user of a JupyterHub user (`nb-<name>`). */
export const notebookUser = (hubUser: string) => `nb-${hubUser}`;

/**
 * JupyterHub `pre_spawn_hook` (hub.extraConfig): before each notebook server starts, the hub makes
 * sure the MLflow user `nb-<name>` exists with a password derived from a key only the hub holds
 * (HMAC-SHA256 of the name, so nothing needs storing and a key rotation resets every password on
 * the next spawn), writes it to a per-user Secret in the hub's namespace, and points the server's
 * `MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD` at that Secret with secretKeyRef. KubeSpawner
 * turns a dict env value into a `V1EnvVar` (jupyterhub/kubespawner `kubespawner/objects.py`
 * `make_pod`), so the password is never in the pod spec; the hub's chart Role already allows
 * create/delete on Secrets in its namespace (zero-to-jupyterhub `templates/hub/rbac.yaml`). Admin
 * password and key are read from mounted files; each user owns (MANAGE) what they create and reads
 * the rest (`default_permission`).
 */
export const HUB_MLFLOW_HOOK = [
    "import base64, hashlib, hmac, json, os, urllib.parse",
    "from kubernetes_asyncio.client import V1ObjectMeta, V1Secret",
    "from kubernetes_asyncio.client.rest import ApiException",
    "from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest",
    `def _mlflow_secret(k):`,
    `    return open(os.path.join('${HUB_PROVISIONER_DIR}', k)).read().strip()`,
    "async def _mlflow_call(method, path, body=None):",
    `    auth = base64.b64encode(('${MLFLOW_ADMIN_USER}:' + _mlflow_secret('admin-password')).encode()).decode()`,
    "    req = HTTPRequest(os.environ['MLFLOW_TRACKING_URI'].rstrip('/') + '/api/2.0/mlflow/' + path, method=method,",
    "                      body=None if body is None else json.dumps(body), request_timeout=30,",
    "                      headers={'Authorization': 'Basic ' + auth, 'Content-Type': 'application/json'})",
    "    try:",
    "        return (await AsyncHTTPClient().fetch(req)).code",
    "    except HTTPClientError as e:",
    "        return e.code",
    "async def mlflow_credentials(spawner):",
    "    user = 'nb-' + spawner.user.name",
    "    password = hmac.new(_mlflow_secret('user-key').encode(), user.encode(), hashlib.sha256).hexdigest()",
    "    body = {'username': user, 'password': password}",
    "    exists = await _mlflow_call('GET', 'users/get?username=' + urllib.parse.quote(user)) == 200",
    "    code = await _mlflow_call('PATCH', 'users/update-password', body) if exists else await _mlflow_call('POST', 'users/create', body)",
    "    if code != 200:",
    "        raise RuntimeError(f'MLflow user {user}: HTTP {code}')",
    "    name = 'mlflow-' + hashlib.sha256(spawner.user.name.encode()).hexdigest()[:20]",
    `    data = {'${MLFLOW_USERNAME_ENV}': user, '${MLFLOW_PASSWORD_ENV}': password}`,
    "    try:",
    "        await spawner.api.delete_namespaced_secret(name, spawner.namespace)",
    "    except ApiException as e:",
    "        if e.status != 404:",
    "            raise",
    "    await spawner.api.create_namespaced_secret(spawner.namespace, V1Secret(metadata=V1ObjectMeta(name=name), string_data=data))",
    "    # Assign a new dict: the trait's default is shared by every spawner.",
    "    spawner.environment = {**spawner.environment, **{k: {'valueFrom': {'secretKeyRef': {'name': name, 'key': k}}} for k in data}}",
    "c.KubeSpawner.pre_spawn_hook = mlflow_credentials",
    "",
].join("\n");
