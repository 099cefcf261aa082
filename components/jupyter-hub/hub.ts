import * as pulumi from "@pulumi/pulumi";
import { NAMESPACE_NAME_LABEL, NAMESPACES } from "../shared/platform";
import { resources } from "../shared/security-context";
import { HUB_MLFLOW_HOOK, HUB_PROVISIONER_DIR, NOTEBOOK_PROVISIONER_SECRET } from "../tracking/auth";
import { ResolvedJupyterHubArgs } from "./args";
import { authConfig, authExtraConfig, authSecretEnv, verifyServiceExtraConfig } from "./auth";
import { CHART_CONTAINER_CONTEXT } from "./chart";
import { SERVER_HTTP_TIMEOUT_SECONDS } from "./profiles";
import { userPodSecurity } from "./singleuser";

/**
 * The hub's root filesystem is read-only (K8S-06); it writes only to these, read from the source:
 * - `/srv/jupyterhub`, the hub-db PVC (z2jh 4.4.0 `templates/hub/deployment.yaml` mounts it there,
 *   `images/hub/Dockerfile` makes it the WORKDIR): the sqlite database (`files/hub/jupyterhub_config.py`
 *   `db_url = "sqlite:///jupyterhub.sqlite"`, relative to it) with its journal, and the backup
 *   `dbutil.backup_db_file` writes next to it on an upgrade.
 * - `/tmp`, an emptyDir: SQLite's temporary files (os_unix.c `unixTempFileDir`: SQLITE_TMPDIR,
 *   TMPDIR, /var/tmp, /usr/tmp, /tmp, the first writable one), Python's `tempfile`, and the
 *   alembic.ini of a schema upgrade (jupyterhub 5.5.0 `dbutil.py` `_temp_alembic_ini`:
 *   `TemporaryDirectory()`).
 * Nothing else: the cookie secret comes from z2jh's Secret through config (`jupyterhub_config.py`
 * `c.JupyterHub.cookie_secret = get_secret_value(...)`), so jupyterhub 5.5.0 `app.py` `init_secrets`
 * never writes `cookie_secret_file` (only when it generates a new secret); `pid_file` defaults to ''
 * (no PID file); the proxy runs in its own pod (`ConfigurableHTTPProxy.should_start = False`) and
 * its token comes from env; logs go to stdout.
 */
export const HUB_TMP_VOLUME = { name: "tmp", emptyDir: { sizeLimit: "256Mi" } };
export const HUB_TMP_MOUNT = { name: "tmp", mountPath: "/tmp" };

/**
 * z2jh `hub` values: sign-in and spawner config, the extraConfig hooks (secrets from env, the
 * verify service, MLflow credentials per user), the database volume, metrics and the hub pod.
 */
export function hubValues(a: ResolvedJupyterHubArgs, mlflowTrackingUri: pulumi.Input<string>, mlflowProvisioner: boolean) {
    const secretEnv = authSecretEnv(a.auth);
    return {
        config: {
            ...authConfig(a),
            KubeSpawner: {
                http_timeout: SERVER_HTTP_TIMEOUT_SECONDS,
                ...userPodSecurity(),
            },
        },
        extraEnv: mlflowProvisioner ? [...secretEnv, { name: "MLFLOW_TRACKING_URI", value: mlflowTrackingUri }] : secretEnv,
        extraConfig: { ...authExtraConfig(a.auth), ...verifyServiceExtraConfig(), ...(mlflowProvisioner ? { "20-mlflow-credentials": HUB_MLFLOW_HOOK } : {}) },
        // /tmp for the read-only root; the MLflow admin password and the per-user key as files (never env or argv).
        extraVolumes: [
            HUB_TMP_VOLUME,
            ...(mlflowProvisioner ? [{ name: "mlflow-provisioner", secret: { secretName: NOTEBOOK_PROVISIONER_SECRET, defaultMode: 0o440 } }] : []),
        ],
        extraVolumeMounts: [
            HUB_TMP_MOUNT,
            ...(mlflowProvisioner ? [{ name: "mlflow-provisioner", mountPath: HUB_PROVISIONER_DIR, readOnly: true }] : []),
        ],
        db: {
            type: "sqlite-pvc",
            pvc: {
                storage: `${a.hubStorageGiB}Gi`,
                storageClassName: a.storageClassName,
                // Production keeps the hub database (users, tokens) through a helm uninstall.
                annotations: a.deleteVolumesWithWorkload ? {} : { "helm.sh/resource-policy": "keep" },
            },
        },
        // /hub/metrics is served without a token so Prometheus needs none. The hub port admits the
        // monitoring namespace (below) and, by the chart's own policy, the proxy and user pods, so
        // notebooks can read these metrics too; they hold counts and latencies, no user data.
        authenticatePrometheus: false,
        networkPolicy: {
            enabled: true,
            ingress: [{ from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: NAMESPACES.monitoring } } }], ports: [{ port: 8081, protocol: "TCP" }] }],
        },
        // Singleton (JupyterHub is not HA): no PDB, which would block node drains (z2jh#1575).
        pdb: { enabled: false },
        containerSecurityContext: { ...CHART_CONTAINER_CONTEXT, runAsUser: 1000, runAsGroup: 1000, readOnlyRootFilesystem: true },
        podSecurityContext: { fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
        resources: resources("100m", "512Mi", "1Gi"),
    };
}
