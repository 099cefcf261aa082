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
        // The admin password and the per-user key as files (never env or argv).
        ...(mlflowProvisioner
            ? {
                  extraVolumes: [{ name: "mlflow-provisioner", secret: { secretName: NOTEBOOK_PROVISIONER_SECRET, defaultMode: 0o440 } }],
                  extraVolumeMounts: [{ name: "mlflow-provisioner", mountPath: HUB_PROVISIONER_DIR, readOnly: true }],
              }
            : {}),
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
        containerSecurityContext: { ...CHART_CONTAINER_CONTEXT, runAsUser: 1000, runAsGroup: 1000 },
        podSecurityContext: { fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
        resources: resources("100m", "512Mi", "1Gi"),
    };
}
