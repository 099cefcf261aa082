import * as k8s from "@pulumi/kubernetes";
import { defaultDenyIngress } from "../shared/namespace";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DEFAULT_STORAGE_CLASS } from "../cluster-services";
import { GPU_NODE_LABEL, GPU_RESOURCE, GPU_TOLERATION } from "../shared/gpu";
import { gpuStartTimeoutSeconds } from "../shared/gpu-startup";
import { ALB_INGRESS_CLASS, albAnnotations, IngressSettings, validateIngress } from "../shared/ingress";
import { podSecurity, selectorLabels, standardLabels } from "../shared/labels";
import { MLFLOW_CLIENT_LABEL, MLFLOW_PORT, NAMESPACE_NAME_LABEL, NAMESPACES, ScrapeTarget } from "../shared/platform";
import { resources, restrictedContainerSecurityContext } from "../shared/security-context";
import { HUB_MLFLOW_HOOK, HUB_PROVISIONER_DIR, NOTEBOOK_PROVISIONER_SECRET } from "../tracking/auth";
import { NOTEBOOK_VERSIONS } from "../shared/versions";
import { httpsUrl, wholeNumber } from "../shared/validate";

/** Helm release name. z2jh's `fullnameOverride: ""` default keeps Service names unprefixed (`hub`, `proxy-public`). */
export const JUPYTERHUB_RELEASE = "jupyterhub";
/** Secret holding the shared passwords or the OAuth client secret; the hub reads it through env. */
export const JUPYTERHUB_AUTH_SECRET = "jupyterhub-auth";
/** Env var the hub's extraConfig reads the shared user password from. */
export const USER_PASSWORD_ENV = "USER_PASSWORD";
/** Env var the hub's extraConfig reads the admin password from (admins sign in with it, users cannot). */
export const ADMIN_PASSWORD_ENV = "ADMIN_PASSWORD";
/** Env var the hub's extraConfig reads the OAuth client secret from. */
export const OAUTH_CLIENT_SECRET_ENV = "OAUTH_CLIENT_SECRET";
/**
 * JupyterHub service that `npm run verify` uses to start and stop a throwaway user's server. Its
 * token is generated, reaches the hub only through the auth Secret, and is a secret stack output.
 */
export const VERIFY_SERVICE = "platform-verify";
/** Env var the hub's extraConfig reads the verify service's token from. */
export const VERIFY_TOKEN_ENV = "PLATFORM_VERIFY_TOKEN";
/**
 * The verify service's scopes (jupyterhub 5.5 `scopes.py`): `admin:users` creates and deletes the
 * throwaway user; `servers` starts, reads and stops servers (subscopes read:servers, delete:servers).
 * Not `admin:servers` (server state) and no token or group rights.
 */
export const VERIFY_SCOPES = ["admin:users", "servers"] as const;
/** Notebook user id and group of the Jupyter docker-stacks images (`jovyan`, uid 1000, gid 100). */
export const NOTEBOOK_UID = 1000;
export const NOTEBOOK_GID = 100;

/**
 * KubeSpawner `start_timeout` for CPU profiles, seconds: the z2jh 4.4.0 default
 * (`jupyterhub/values.yaml` `singleuser.startTimeout: 300`). CPU nodes are running and the CPU
 * image is pre-pulled, so a CPU spawn that takes longer is broken and should fail fast.
 */
export const CPU_START_TIMEOUT_SECONDS = 300;
/**
 * JupyterHub `Spawner.http_timeout`, seconds: how long the hub waits for a started server to answer
 * (jupyterhub 5.5.0 `jupyterhub/spawner.py`, default 30). On a node that just unpacked the image
 * jupyter-server reads everything from a cold page cache; the start-up model allows 25 s at p95
 * (components/shared/gpu-startup.ts `serverStart`), too close to 30 for comfort.
 */
export const SERVER_HTTP_TIMEOUT_SECONDS = 60;

const QUANTITY = /^[1-9]\d*(Mi|Gi|Ti)$/;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;
const SLUG = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** One server size users pick at spawn time (a z2jh `profileList` entry). */
export interface NotebookProfile {
    /** Stable identifier (`profile` slug in the spawn form), lowercase DNS label. */
    readonly slug: string;
    /** Name shown in the spawn form. */
    readonly displayName: string;
    /** One-line description shown under the name. */
    readonly description: string;
    /** CPU guarantee (request), cores. */
    readonly cpuGuarantee: number;
    /** CPU limit, cores (>= guarantee). */
    readonly cpuLimit: number;
    /** Memory guarantee (request), e.g. "4Gi". */
    readonly memoryGuarantee: string;
    /** Memory limit, e.g. "4Gi" (>= guarantee). */
    readonly memoryLimit: string;
    /** GPUs per server; > 0 adds the GPU limit, toleration and node selector. @default 0 */
    readonly gpus?: number;
    /** Image `name:tag`. @default - cpuImage, or gpuImage when gpus > 0 */
    readonly image?: string;
    /** Preselected in the spawn form (at most one profile). @default false */
    readonly default?: boolean;
}

/** Sign-in method. */
export type JupyterHubAuth =
    | {
          /**
           * JupyterHub's SharedPasswordAuthenticator (sandbox only): one generated password for any
           * non-admin user name, and a separate generated admin password that only `adminUsers` can use.
           */
          readonly type: "shared-password";
      }
    | {
          /** OAuth2/OIDC provider through oauthenticator's GenericOAuthenticator. */
          readonly type: "oauth";
          /** OAuth client id. */
          readonly clientId: string;
          /** OAuth client secret (secret); reaches the hub only through a Kubernetes Secret. */
          readonly clientSecret: pulumi.Input<string>;
          /** Authorization endpoint URL (https). */
          readonly authorizeUrl: string;
          /** Token endpoint URL (https). */
          readonly tokenUrl: string;
          /** Userinfo endpoint URL (https). */
          readonly userdataUrl: string;
          /** Claim of the userinfo response used as the JupyterHub user name, e.g. "email" or "preferred_username". */
          readonly usernameClaim: string;
          /** Redirect URL registered with the provider, ending in /hub/oauth_callback. */
          readonly callbackUrl: string;
          /** Scopes to request. @default ["openid", "email", "profile"] */
          readonly scopes?: readonly string[];
      };

/** Arguments of {@link JupyterHub}. */
export interface JupyterHubArgs {
    /** MLflow tracking URI injected into every notebook as MLFLOW_TRACKING_URI, e.g. "http://mlflow.mlflow.svc:5000". */
    readonly mlflowTrackingUri: pulumi.Input<string>;
    /**
     * Password of MLflow's admin (Tracking.adminPassword). With it the hub gives each user their own
     * MLflow user `nb-<name>` before the server starts, its credentials in a per-user Secret read by
     * secretKeyRef (components/tracking/auth.ts HUB_MLFLOW_HOOK; checklist ML-04).
     * @default - none: notebooks get no MLflow credentials
     */
    readonly mlflowAdminPassword?: pulumi.Input<string>;
    /** Sign-in method. @default { type: "shared-password" } */
    readonly auth?: JupyterHubAuth;
    /** JupyterHub admin user names (also allowed to sign in). @default [] */
    readonly adminUsers?: readonly string[];
    /** Further user names allowed to sign in with OAuth (admins always are). Ignored by shared-password auth, which allows anyone with the password. @default [] */
    readonly allowedUsers?: readonly string[];
    /** Per-user home volume size, GiB. @default 10 */
    readonly notebookStorageGiB?: number;
    /** Hub database volume size, GiB. @default 1 */
    readonly hubStorageGiB?: number;
    /** StorageClass for the hub and user volumes. @default "gp3" */
    readonly storageClassName?: string;
    /** Minutes of inactivity after which the hub's idle culler stops any server. @default 60 */
    readonly cullTimeoutMinutes?: number;
    /**
     * Minutes of inactivity after which a GPU server shuts itself down (jupyter-server's own
     * shutdown_no_activity_timeout, set per GPU profile); at most cullTimeoutMinutes.
     * @default 30
     */
    readonly gpuCullTimeoutMinutes?: number;
    /** Server sizes offered at spawn time. @default - small CPU (1 CPU/4Gi), large CPU (3-4 CPU/12-16Gi), GPU (3-4 CPU/12-16Gi, 1 GPU); see DEFAULT_PROFILES */
    readonly profiles?: readonly NotebookProfile[];
    /** Image for CPU profiles, `name:tag`. @default NOTEBOOK_VERSIONS.cpuImage */
    readonly cpuImage?: string;
    /** Image for GPU profiles, `name:tag`. @default NOTEBOOK_VERSIONS.gpuImage */
    readonly gpuImage?: string;
    /** HTTPS Ingress (ALB) in front of the proxy. @default - none (ClusterIP + port-forward) */
    readonly ingress?: IngressSettings;
    /**
     * Delete the hub volume with the release and user volumes with the namespace (sandbox). When
     * false the hub volume is kept by Helm and the namespace (with user volumes) is retained on delete.
     * @default false
     */
    readonly deleteVolumesWithWorkload?: boolean;
}

/** A profile with defaults applied. */
export interface ResolvedNotebookProfile extends Required<Omit<NotebookProfile, "image">> {
    readonly image: string;
}

/** {@link JupyterHubArgs} with defaults applied (plain fields only). */
export interface ResolvedJupyterHubArgs {
    readonly auth: JupyterHubAuth;
    readonly adminUsers: readonly string[];
    readonly allowedUsers: readonly string[];
    readonly notebookStorageGiB: number;
    readonly hubStorageGiB: number;
    readonly storageClassName: string;
    readonly cullTimeoutMinutes: number;
    readonly gpuCullTimeoutMinutes: number;
    readonly profiles: readonly ResolvedNotebookProfile[];
    readonly cpuImage: string;
    readonly gpuImage: string;
    readonly ingress?: IngressSettings;
    readonly deleteVolumesWithWorkload: boolean;
}

/**
 * The default server sizes (images filled in by {@link resolveJupyterHubArgs}). Both presets run
 * xlarge nodes (m7i.xlarge: 4 vCPU/16 GiB; g5.xlarge: 4 vCPU/16 GiB, 1 GPU), whose allocatable
 * capacity minus the node DaemonSets is about 3.4 CPU and 13.5 GiB: a 4 CPU/16 GiB guarantee would
 * never schedule (and the autoscaler would not add a node for it). So the large and GPU profiles
 * guarantee 3 CPU/12 GiB and may burst to 4 CPU/16 GiB.
 */
export const DEFAULT_PROFILES: readonly NotebookProfile[] = [
    { slug: "small-cpu", displayName: "Small CPU", description: "1 CPU, 4 GiB RAM", cpuGuarantee: 1, cpuLimit: 1, memoryGuarantee: "4Gi", memoryLimit: "4Gi", default: true },
    { slug: "large-cpu", displayName: "Large CPU", description: "3-4 CPU, 12-16 GiB RAM", cpuGuarantee: 3, cpuLimit: 4, memoryGuarantee: "12Gi", memoryLimit: "16Gi" },
    { slug: "gpu", displayName: "GPU", description: "3-4 CPU, 12-16 GiB RAM, 1 NVIDIA GPU (PyTorch, CUDA 12)", cpuGuarantee: 3, cpuLimit: 4, memoryGuarantee: "12Gi", memoryLimit: "16Gi", gpus: 1 },
];


function bytes(q: string): number {
    const m = /^(\d+)(Mi|Gi|Ti)$/.exec(q)!;
    return Number(m[1]) * { Mi: 1, Gi: 1024, Ti: 1024 * 1024 }[m[2] as "Mi" | "Gi" | "Ti"];
}

function image(arg: string, value: string): void {
    const tag = /^[^\s:]+(:\d+)?\/[^\s:]+:([^\s:@]+)$/.exec(value)?.[2] ?? /^[^\s:/]+:([^\s:@]+)$/.exec(value)?.[1];
    if (tag === undefined || tag === "latest") {
        throw new Error(`${arg} (${value}) must be name:tag with a pinned tag (not latest)`);
    }
}


/** Applies defaults and validates plain fields (config.ts reuses it). */
export function resolveJupyterHubArgs(args: Omit<JupyterHubArgs, "mlflowTrackingUri">): ResolvedJupyterHubArgs {
    const auth = args.auth ?? { type: "shared-password" as const };
    if (auth.type !== "shared-password" && auth.type !== "oauth") {
        throw new Error(`auth.type (${(auth as any).type}) must be "shared-password" or "oauth"`);
    }
    if (auth.type === "oauth") {
        for (const key of ["clientId", "usernameClaim"] as const) {
            if (typeof auth[key] !== "string" || auth[key].trim() === "") {
                throw new Error(`auth.${key} ("${auth[key]}") must not be empty`);
            }
        }
        for (const key of ["authorizeUrl", "tokenUrl", "userdataUrl", "callbackUrl"] as const) {
            httpsUrl(`auth.${key}`, auth[key]);
        }
        if (!auth.callbackUrl.endsWith("/hub/oauth_callback")) {
            throw new Error(`auth.callbackUrl (${auth.callbackUrl}) must end with /hub/oauth_callback`);
        }
    }
    const adminUsers = args.adminUsers ?? [];
    const allowedUsers = args.allowedUsers ?? [];
    for (const [arg, list] of [["adminUsers", adminUsers], ["allowedUsers", allowedUsers]] as const) {
        for (const u of list) {
            if (!USERNAME.test(u)) {
                throw new Error(`${arg} entry (${u}) must be a user name of letters, digits and ._@+- (at most 128 characters)`);
            }
        }
    }
    if (auth.type === "oauth" && adminUsers.length === 0) {
        throw new Error("adminUsers ([]) must name at least one admin with oauth auth, or nobody can administer the hub");
    }
    const notebookStorageGiB = args.notebookStorageGiB ?? 10;
    wholeNumber("notebookStorageGiB", notebookStorageGiB, 1, 1024);
    const hubStorageGiB = args.hubStorageGiB ?? 1;
    wholeNumber("hubStorageGiB", hubStorageGiB, 1, 100);
    const cullTimeoutMinutes = args.cullTimeoutMinutes ?? 60;
    wholeNumber("cullTimeoutMinutes", cullTimeoutMinutes, 5, 10080);
    const gpuCullTimeoutMinutes = args.gpuCullTimeoutMinutes ?? Math.min(30, cullTimeoutMinutes);
    wholeNumber("gpuCullTimeoutMinutes", gpuCullTimeoutMinutes, 5, 10080);
    if (gpuCullTimeoutMinutes > cullTimeoutMinutes) {
        throw new Error(`gpuCullTimeoutMinutes (${gpuCullTimeoutMinutes}) must be at most cullTimeoutMinutes (${cullTimeoutMinutes}): the hub culler stops GPU servers at cullTimeoutMinutes anyway`);
    }
    const cpuImage = args.cpuImage ?? NOTEBOOK_VERSIONS.cpuImage;
    image("cpuImage", cpuImage);
    const gpuImage = args.gpuImage ?? NOTEBOOK_VERSIONS.gpuImage;
    image("gpuImage", gpuImage);
    const raw = args.profiles ?? DEFAULT_PROFILES;
    if (raw.length === 0) {
        throw new Error("profiles ([]) must list at least one profile");
    }
    const slugs = new Set<string>();
    const profiles = raw.map((p): ResolvedNotebookProfile => {
        const at = `profiles[${p.slug}]`;
        if (!SLUG.test(p.slug)) {
            throw new Error(`profiles[].slug (${p.slug}) must be a lowercase DNS label`);
        }
        if (slugs.has(p.slug)) {
            throw new Error(`profiles[].slug (${p.slug}) is used twice; slugs must be unique`);
        }
        slugs.add(p.slug);
        if (p.displayName.trim() === "") {
            throw new Error(`${at}.displayName ("${p.displayName}") must not be empty`);
        }
        if (!(p.cpuGuarantee > 0) || !(p.cpuLimit >= p.cpuGuarantee) || p.cpuLimit > 192) {
            throw new Error(`${at}.cpuGuarantee (${p.cpuGuarantee}) and cpuLimit (${p.cpuLimit}) must satisfy 0 < guarantee <= limit <= 192`);
        }
        for (const key of ["memoryGuarantee", "memoryLimit"] as const) {
            if (!QUANTITY.test(p[key])) {
                throw new Error(`${at}.${key} (${p[key]}) must be a whole quantity in Mi, Gi or Ti, e.g. "4Gi"`);
            }
        }
        if (bytes(p.memoryLimit) < bytes(p.memoryGuarantee)) {
            throw new Error(`${at}.memoryLimit (${p.memoryLimit}) must be at least memoryGuarantee (${p.memoryGuarantee})`);
        }
        const gpus = p.gpus ?? 0;
        wholeNumber(`${at}.gpus`, gpus, 0, 8);
        if (p.image !== undefined) {
            image(`${at}.image`, p.image);
        }
        return {
            slug: p.slug,
            displayName: p.displayName,
            description: p.description,
            cpuGuarantee: p.cpuGuarantee,
            cpuLimit: p.cpuLimit,
            memoryGuarantee: p.memoryGuarantee,
            memoryLimit: p.memoryLimit,
            gpus,
            image: p.image ?? (gpus > 0 ? gpuImage : cpuImage),
            default: p.default ?? false,
        };
    });
    const defaults = profiles.filter((p) => p.default).length;
    if (defaults > 1) {
        throw new Error(`profiles mark ${defaults} profiles as default; at most one may be`);
    }
    if (args.ingress !== undefined) {
        validateIngress("ingress", args.ingress);
    }
    return {
        auth,
        adminUsers,
        allowedUsers,
        notebookStorageGiB,
        hubStorageGiB,
        storageClassName: args.storageClassName ?? DEFAULT_STORAGE_CLASS,
        cullTimeoutMinutes,
        gpuCullTimeoutMinutes,
        profiles,
        cpuImage,
        gpuImage,
        ingress: args.ingress,
        deleteVolumesWithWorkload: args.deleteVolumesWithWorkload ?? false,
    };
}

function splitImage(ref: string): { name: string; tag: string } {
    const i = ref.lastIndexOf(":");
    return { name: ref.slice(0, i), tag: ref.slice(i + 1) };
}

/** Restricted container context for the chart's own pods (hub, proxy, user scheduler). */
const CHART_CONTAINER_CONTEXT = {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/** Python run by the hub at start: secrets come from env (a Secret), never from values. */
export function authExtraConfig(auth: JupyterHubAuth): Record<string, string> {
    return auth.type === "shared-password"
        ? {
              "10-shared-password":
                  `import os\nc.SharedPasswordAuthenticator.user_password = os.environ["${USER_PASSWORD_ENV}"]\n` +
                  `c.SharedPasswordAuthenticator.admin_password = os.environ["${ADMIN_PASSWORD_ENV}"]\n`,
          }
        : { "10-oauth-client-secret": `import os\nc.GenericOAuthenticator.client_secret = os.environ["${OAUTH_CLIENT_SECRET_ENV}"]\n` };
}

/**
 * Spawn timeouts, seconds. How the real code applies them (read, not assumed):
 * - jupyterhub 5.5.0 `jupyterhub/user.py` `spawn()` calls `spawner.start()` and then
 *   `asyncio.wait_for(f, timeout=spawner.start_timeout)`: the hub's own limit is read right after
 *   `start()` returns.
 * - kubespawner 7.0.0 `KubeSpawner.start()` only schedules `_start()`, and `_start()` first awaits
 *   `load_user_options()`, which applies the profile's `kubespawner_override` with `setattr`
 *   (`_apply_overrides`). So a profile's `start_timeout` is set after the hub read its limit: it
 *   governs only KubeSpawner's own wait for the pod (`exponential_backoff(..., timeout=self.start_timeout)`).
 * So the class-wide value (`singleuser.startTimeout` -> `c.KubeSpawner.start_timeout`, z2jh
 * `files/hub/jupyterhub_config.py`) must be the longest any profile needs (the GPU one, from the
 * start-up model); CPU profiles get the shorter value as an override, which makes KubeSpawner
 * give up on them first.
 */
export function startTimeouts(a: ResolvedJupyterHubArgs): { hub: number; cpu: number; gpu: number } {
    const gpu = gpuStartTimeoutSeconds();
    return { hub: a.profiles.some((p) => p.gpus > 0) ? gpu : CPU_START_TIMEOUT_SECONDS, cpu: CPU_START_TIMEOUT_SECONDS, gpu };
}

/**
 * Registers the verify service and its role. z2jh 4.4.0 `jupyterhub_config.py` sets
 * `c.JupyterHub.services = []` and `c.JupyterHub.load_roles = []` before its own entries and runs
 * `hub.extraConfig` last, so appending here adds to, and does not replace, the idle culler's.
 */
export function verifyServiceExtraConfig(): Record<string, string> {
    return {
        "20-platform-verify":
            `import os\nc.JupyterHub.services.append({"name": "${VERIFY_SERVICE}", "api_token": os.environ["${VERIFY_TOKEN_ENV}"]})\n` +
            `c.JupyterHub.load_roles.append({"name": "${VERIFY_SERVICE}", "scopes": ${JSON.stringify(VERIFY_SCOPES)}, "services": ["${VERIFY_SERVICE}"]})\n`,
    };
}

/** The z2jh `profileList`. */
export function profileList(a: ResolvedJupyterHubArgs) {
    const timeouts = startTimeouts(a);
    return a.profiles.map((p) => {
        const override: Record<string, unknown> = {
            image: p.image,
            start_timeout: p.gpus > 0 ? timeouts.gpu : timeouts.cpu,
            cpu_guarantee: p.cpuGuarantee,
            cpu_limit: p.cpuLimit,
            // KubeSpawner's byte units K/M/G/T are powers of 1024, so "16Gi" is written "16G".
            mem_guarantee: p.memoryGuarantee.replace(/i$/, ""),
            mem_limit: p.memoryLimit.replace(/i$/, ""),
        };
        if (p.gpus > 0) {
            Object.assign(override, {
                extra_resource_limits: { [GPU_RESOURCE]: String(p.gpus) },
                tolerations: [{ ...GPU_TOLERATION }],
                node_selector: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value },
                // The hub's idle culler has one timeout for all servers, so a GPU server stops itself
                // sooner: jupyter-server exits after this long with no kernels, terminals or requests,
                // and culls idle kernels (a running kernel counts as busy and is not culled).
                args: [
                    `--ServerApp.shutdown_no_activity_timeout=${a.gpuCullTimeoutMinutes * 60}`,
                    `--MappingKernelManager.cull_idle_timeout=${a.gpuCullTimeoutMinutes * 60}`,
                    "--MappingKernelManager.cull_interval=300",
                    "--MappingKernelManager.cull_connected=True",
                ],
            });
        }
        return {
            display_name: p.displayName,
            slug: p.slug,
            description: p.description,
            ...(p.default ? { default: true } : {}),
            kubespawner_override: override,
        };
    });
}

/** Helm values for the z2jh chart (no secrets: those are referenced from {@link JUPYTERHUB_AUTH_SECRET}). */
export function jupyterHubValues(a: ResolvedJupyterHubArgs, mlflowTrackingUri: pulumi.Input<string>, mlflowProvisioner = false) {
    const first = a.profiles.find((p) => p.default) ?? a.profiles[0];
    const cpuImage = splitImage(a.cpuImage);
    const authConfig =
        a.auth.type === "shared-password"
            ? {
                  // JupyterHub >= 5.3 (chart 4.4.0 ships 5.5). Anyone with the user password may sign
                  // in under any non-admin name (sandbox only); admin names need the admin password.
                  JupyterHub: { authenticator_class: "shared-password" },
                  Authenticator: { admin_users: [...a.adminUsers], allow_all: true },
              }
            : {
                  JupyterHub: { authenticator_class: "generic-oauth" },
                  Authenticator: { admin_users: [...a.adminUsers], allowed_users: [...new Set([...a.adminUsers, ...a.allowedUsers])] },
                  GenericOAuthenticator: {
                      client_id: a.auth.clientId,
                      oauth_callback_url: a.auth.callbackUrl,
                      authorize_url: a.auth.authorizeUrl,
                      token_url: a.auth.tokenUrl,
                      userdata_url: a.auth.userdataUrl,
                      username_claim: a.auth.usernameClaim,
                      scope: [...(a.auth.scopes ?? ["openid", "email", "profile"])],
                  },
              };
    const fromSecret = (env: string, key: string) => ({ name: env, valueFrom: { secretKeyRef: { name: JUPYTERHUB_AUTH_SECRET, key } } });
    const secretEnv = [
        ...(a.auth.type === "shared-password"
            ? [fromSecret(USER_PASSWORD_ENV, "secret"), fromSecret(ADMIN_PASSWORD_ENV, "admin")]
            : [fromSecret(OAUTH_CLIENT_SECRET_ENV, "secret")]),
        fromSecret(VERIFY_TOKEN_ENV, "verify-token"),
    ];
    return {
        hub: {
            config: {
                ...authConfig,
                KubeSpawner: {
                    http_timeout: SERVER_HTTP_TIMEOUT_SECONDS,
                    // Restricted-profile fields on user pods that z2jh does not set itself.
                    pod_security_context: { runAsNonRoot: true, fsGroup: NOTEBOOK_GID, seccompProfile: { type: "RuntimeDefault" } },
                    container_security_context: { runAsNonRoot: true, runAsUser: NOTEBOOK_UID, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
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
        },
        proxy: {
            service: { type: "ClusterIP" },
            chp: {
                // configurable-http-proxy keeps its routes in memory and logs to stdout: nothing to write.
                containerSecurityContext: { ...CHART_CONTAINER_CONTEXT, runAsUser: 65534, runAsGroup: 65534, readOnlyRootFilesystem: true },
                // K8S-11: z2jh 4.4.0 templates/proxy/deployment.yaml writes no serviceAccountName and no
                // automountServiceAccountToken; extraPodSpec is the pod spec's only hook. The proxy never calls the API.
                extraPodSpec: { serviceAccountName: PROXY_SERVICE_ACCOUNT, automountServiceAccountToken: false },
                resources: resources("50m", "128Mi", "512Mi"),
                pdb: { enabled: false },
            },
        },
        // A spawn may now wait ~10 minutes behind the ALB (idle timeout 60 s by default) and CHP
        // (z2jh 4.4.0 `templates/proxy/deployment.yaml` passes no --timeout): neither cuts it, as the
        // spawn page's progress stream writes a keepalive every 8 s (jupyterhub 5.5.0
        // `apihandlers/users.py` SpawnProgressAPIHandler.keepalive_interval) and the hub redirects
        // to that page at once (z2jh `slow_spawn_timeout: 0`).
        ingress: a.ingress
            ? {
                  enabled: true,
                  ingressClassName: a.ingress.className ?? ALB_INGRESS_CLASS,
                  // The ALB terminates TLS with the ACM certificate; the tls entry names the host it covers.
                  annotations: albAnnotations(a.ingress),
                  hosts: [a.ingress.host],
                  tls: [{ hosts: [a.ingress.host] }],
              }
            : { enabled: false },
        scheduling: {
            userScheduler: {
                containerSecurityContext: { ...CHART_CONTAINER_CONTEXT, runAsUser: 65534, runAsGroup: 65534 },
                resources: resources("50m", "256Mi", "512Mi"),
                pdb: { enabled: false },
            },
        },
        singleuser: {
            image: { name: cpuImage.name, tag: cpuImage.tag },
            uid: NOTEBOOK_UID,
            fsGid: NOTEBOOK_GID,
            allowPrivilegeEscalation: false,
            // The iptables init container is privileged with NET_ADMIN; the NetworkPolicy below blocks IMDS instead (JH-01).
            cloudMetadata: { blockWithIptables: false },
            networkPolicy: {
                enabled: true,
                egressAllowRules: {
                    cloudMetadataServer: false,
                    dnsPortsCloudMetadataServer: false,
                    dnsPortsKubeSystemNamespace: true,
                    dnsPortsPrivateIPs: true,
                    nonPrivateIPs: true,
                    privateIPs: false,
                },
                // privateIPs is off, so the in-cluster MLflow server needs its own rule.
                egress: [
                    {
                        to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: NAMESPACES.mlflow } } }],
                        ports: [{ port: MLFLOW_PORT, protocol: "TCP" }],
                    },
                ],
            },
            extraEnv: { MLFLOW_TRACKING_URI: mlflowTrackingUri },
            cpu: { guarantee: first.cpuGuarantee, limit: first.cpuLimit },
            memory: { guarantee: first.memoryGuarantee.replace(/i$/, ""), limit: first.memoryLimit.replace(/i$/, "") },
            storage: {
                type: "dynamic",
                capacity: `${a.notebookStorageGiB}Gi`,
                dynamic: { storageClass: a.storageClassName },
            },
            profileList: profileList(a),
            // The hub's limit for every spawn; see startTimeouts for why it is the GPU profile's.
            startTimeout: startTimeouts(a).hub,
            // KubeSpawner relays the pod's events (FailedScheduling, TriggeredScaleUp from the
            // cluster autoscaler, Pulling, Pulled, Started) to the spawn page's progress bar
            // (kubespawner 7.0.0 `progress()`; z2jh maps `singleuser.events` to `events_enabled`).
            // The chart default is already true; set here so a change to it fails a test.
            events: true,
        },
        cull: { enabled: true, timeout: a.cullTimeoutMinutes * 60, every: 300 },
        // The pullers run on untainted nodes only, so pulling every profile image would put the
        // multi-GB CUDA image on every CPU node and never on the GPU nodes; only the default image is pre-pulled.
        prePuller: {
            pullProfileListImages: false,
            // No install-time hook: z2jh 4.4.0's hook-image-awaiter Job (pre-install/pre-upgrade,
            // templates/image-puller/job.yaml) holds `helm install` until the hook DaemonSet has
            // pulled the notebook image on every node, minutes on a fresh stack. The continuous
            // puller stays on (it pulls on every node, new ones too) and does not hold the install:
            // its DaemonSet has maxUnavailable 100% (_helpers-daemonset.tpl), so helm's wait
            // (pkg/kube/ready.go daemonSetReady: desired - maxUnavailable) expects 0 ready pods.
            hook: { enabled: false },
            continuous: { enabled: true },
            // z2jh 4.4.0 gives every puller container (init containers that only `echo`, then
            // pause) `prePuller.resources` (default {}: none) and the chart's security context,
            // which lacks a read-only root; none of them writes anything.
            resources: resources("10m", "16Mi", "32Mi"),
            containerSecurityContext: { ...CHART_CONTAINER_CONTEXT, runAsUser: 65534, runAsGroup: 65534, readOnlyRootFilesystem: true },
            pause: { containerSecurityContext: { ...CHART_CONTAINER_CONTEXT, runAsUser: 65534, runAsGroup: 65534, readOnlyRootFilesystem: true } },
        },
    };
}

/** The proxy's own ServiceAccount (the chart would leave it on the namespace's default). */
export const PROXY_SERVICE_ACCOUNT = "proxy";

/** Name (and `app.kubernetes.io/name`) of the GPU image pre-puller DaemonSet. */
export const GPU_PREPULLER = "gpu-image-prepuller";

/**
 * The GPU profiles' images pulled on every GPU node as soon as it joins. Why, next to FastImagePull
 * (which makes each pull faster, see components/cluster/index.ts): a notebook pod asking for a GPU cannot
 * even be scheduled until the device plugin has advertised `nvidia.com/gpu` (~60-90 s after the node
 * is Ready), and kubelet pulls its image only after its home volume is attached (kubernetes
 * pkg/kubelet/kubelet.go SyncPod). This pod asks for no GPU, so it is scheduled the moment the node
 * is Ready and the pull overlaps those stages: it helps the very pod that triggered the scale-up,
 * and every later pod on that node finds the image cached. z2jh's own pullers cannot do this: they
 * run on the user-pod nodes and would put the CUDA image on every CPU node (see prePuller below).
 * The init containers only pull (`/bin/sh -c`, as z2jh's image-puller does); `NVIDIA_VISIBLE_DEVICES=void`
 * keeps the NVIDIA runtime from exposing the node's GPUs to a pod that did not ask for any.
 */
export function gpuPrePullerSpec(images: readonly string[], instance: string) {
    const labels = standardLabels(GPU_PREPULLER, "notebooks", instance);
    return {
        selector: { matchLabels: selectorLabels(GPU_PREPULLER, instance) },
        // Every node pulls at once on an image change; nothing is served, so no availability to keep.
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "100%" } },
        template: {
            metadata: { labels },
            spec: {
                serviceAccountName: GPU_PREPULLER,
                automountServiceAccountToken: false,
                nodeSelector: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value },
                tolerations: [{ ...GPU_TOLERATION }],
                securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
                terminationGracePeriodSeconds: 0,
                initContainers: images.map((image, i) => ({
                    name: `pull-${i}`,
                    image,
                    command: ["/bin/sh", "-c", "echo pulled"],
                    env: [{ name: "NVIDIA_VISIBLE_DEVICES", value: "void" }],
                    securityContext: restrictedContainerSecurityContext(),
                    resources: resources("10m", "16Mi"),
                })),
                containers: [{
                    name: "pause",
                    image: NOTEBOOK_VERSIONS.pauseImage,
                    securityContext: restrictedContainerSecurityContext(),
                    resources: resources("1m", "8Mi"),
                }],
            },
        },
    };
}

/**
 * JupyterHub (Zero to JupyterHub chart) in its own namespace: CPU and GPU server profiles,
 * per-user volumes, idle culling, MLflow wired into every notebook, and shared-password or OAuth sign-in
 * with the secret kept in a Kubernetes Secret. Needs a Kubernetes provider through opts.
 */
export class JupyterHub extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** Command that exposes the hub on http://localhost:8080. */
    public readonly portForwardCommand: pulumi.Output<string>;
    /** API token of the `platform-verify` JupyterHub service (secret), for `npm run verify`. */
    public readonly verifyToken: pulumi.Output<string>;
    /** Generated shared user password (secret), shared-password auth only. */
    public readonly userPassword: pulumi.Output<string> | undefined;
    /** Generated admin password (secret) for `adminUsers`, shared-password auth only. */
    public readonly adminPassword: pulumi.Output<string> | undefined;
    /** The hub's metrics endpoint, for the monitoring layer. */
    public readonly scrapeTargets: ScrapeTarget[];
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: JupyterHubArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:JupyterHub", name, {}, opts);
        const a = resolveJupyterHubArgs(args);
        const labels = standardLabels("jupyterhub", "notebooks", name);
        // Enforce baseline, audit and warn restricted. The chart 4.4.0 pods (hub, proxy, user scheduler,
        // image pullers) ship restricted contexts, and this component sets restricted pod and container
        // contexts on user pods through KubeSpawner's pod_security_context/container_security_context.
        // But KubeSpawner builds user pods at spawn time from those traits merged with profile overrides,
        // which cannot be checked before deploy; under enforce=restricted any gap makes every spawn fail.
        // audit/warn=restricted reports such a gap; switch enforce once a live cluster shows none.
        const pss = podSecurity(
            "baseline",
            "User pods are built by KubeSpawner at spawn time (uid, fsGroup, seccomp and capabilities merged from hub.config " +
                "and profile overrides), which cannot be verified before deploy; enforce=restricted would turn any gap into failed " +
                "spawns. Audit and warn are restricted. Baseline still refuses privileged, hostPath and NET_ADMIN (the iptables init container is off).",
            "restricted",
        );

        const ns = new k8s.core.v1.Namespace(`${name}-namespace`, {
            metadata: {
                name: NAMESPACES.jupyterhub,
                labels: { ...labels, ...pss.labels, [MLFLOW_CLIENT_LABEL.key]: MLFLOW_CLIENT_LABEL.value },
                annotations: pss.annotations,
            },
        // User volumes are made by KubeSpawner, not Helm: they go with the namespace, so production keeps the namespace.
        }, { parent: this, retainOnDelete: !a.deleteVolumesWithWorkload });
        const namespace = ns.metadata.name;
        // NS-09: the chart's own policies (hub, proxy, user pods) are the explicit allows; every other
        // pod in the namespace (image pullers, user scheduler) takes no traffic.
        defaultDenyIngress(`${name}-namespace`, namespace, [], { parent: this });

        let secretData: Record<string, pulumi.Input<string>>;
        if (a.auth.type === "shared-password") {
            // JupyterHub refuses an admin password shorter than 32 characters or equal to the user password.
            const user = new random.RandomPassword(`${name}-user-password`, { length: 24, special: false }, { parent: this });
            const admin = new random.RandomPassword(`${name}-admin-password`, { length: 40, special: false }, { parent: this });
            secretData = { secret: pulumi.secret(user.result), admin: pulumi.secret(admin.result) };
            this.userPassword = pulumi.secret(user.result);
            this.adminPassword = pulumi.secret(admin.result);
        } else {
            secretData = { secret: pulumi.secret(a.auth.clientSecret) };
            this.userPassword = undefined;
            this.adminPassword = undefined;
        }
        const verifyToken = new random.RandomPassword(`${name}-verify-token`, { length: 48, special: false }, { parent: this });
        this.verifyToken = pulumi.secret(verifyToken.result);
        const authSecret = new k8s.core.v1.Secret(`${name}-auth`, {
            metadata: { name: JUPYTERHUB_AUTH_SECRET, namespace, labels: standardLabels("jupyterhub", "auth", name) },
            type: "Opaque",
            stringData: { ...secretData, "verify-token": this.verifyToken },
        }, { parent: this });

        const proxySa = new k8s.core.v1.ServiceAccount(`${name}-proxy-sa`, {
            metadata: { name: PROXY_SERVICE_ACCOUNT, namespace, labels: standardLabels("proxy", "service-account", name) },
            automountServiceAccountToken: false,
        }, { parent: this });
        this.release = new k8s.helm.v3.Release(`${name}-jupyterhub`, {
            name: JUPYTERHUB_RELEASE,
            chart: NOTEBOOK_VERSIONS.chart.chart,
            version: NOTEBOOK_VERSIONS.chart.version,
            repositoryOpts: { repo: NOTEBOOK_VERSIONS.chart.repo },
            namespace,
            // Pulling notebook images and binding volumes can take a while on a fresh node.
            timeout: 900,
            values: jupyterHubValues(a, args.mlflowTrackingUri, args.mlflowAdminPassword !== undefined),
        }, { parent: this, dependsOn: [authSecret, proxySa, ...this.mlflowProvisionerSecret(name, namespace, args.mlflowAdminPassword)] });

        const gpuImages = [...new Set(a.profiles.filter((p) => p.gpus > 0).map((p) => p.image))];
        if (gpuImages.length > 0) {
            const sa = new k8s.core.v1.ServiceAccount(`${name}-gpu-prepuller`, {
                metadata: { name: GPU_PREPULLER, namespace, labels: standardLabels(GPU_PREPULLER, "notebooks", name) },
                automountServiceAccountToken: false,
            }, { parent: this });
            new k8s.apps.v1.DaemonSet(`${name}-gpu-prepuller`, {
                metadata: { name: GPU_PREPULLER, namespace: sa.metadata.namespace, labels: standardLabels(GPU_PREPULLER, "notebooks", name) },
                spec: gpuPrePullerSpec(gpuImages, name),
            }, { parent: this });
        }

        this.namespace = namespace;
        this.portForwardCommand = pulumi.interpolate`kubectl -n ${namespace} port-forward svc/proxy-public 8080:80`;
        this.scrapeTargets = [
            // z2jh labels the hub Service `app: jupyterhub, component: hub` (chart name, not release name); port "hub" is 8081.
            { name: "jupyterhub", namespace, selector: { app: "jupyterhub", component: "hub" }, port: "hub", path: "/hub/metrics" },
        ];
        this.registerOutputs({
            namespace: this.namespace,
            portForwardCommand: this.portForwardCommand,
            userPassword: this.userPassword,
            adminPassword: this.adminPassword,
            verifyToken: this.verifyToken,
        });
    }

    /** The Secret the hub's MLflow hook reads (admin password, per-user key), when MLflow has auth. */
    private mlflowProvisionerSecret(name: string, namespace: pulumi.Output<string>, adminPassword?: pulumi.Input<string>): k8s.core.v1.Secret[] {
        if (adminPassword === undefined) {
            return [];
        }
        const key = new random.RandomPassword(`${name}-mlflow-user-key`, { length: 48, special: false }, { parent: this });
        return [new k8s.core.v1.Secret(`${name}-mlflow-provisioner`, {
            metadata: { name: NOTEBOOK_PROVISIONER_SECRET, namespace, labels: standardLabels("jupyterhub", "mlflow-provisioner", name) },
            type: "Opaque",
            stringData: { "admin-password": pulumi.secret(adminPassword), "user-key": key.result },
        }, { parent: this })];
    }
}
