import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GPU_NODE_LABEL, GPU_RESOURCE, GPU_TOLERATION } from "./shared/gpu";
import { podSecurity, standardLabels } from "./shared/labels";
import { MLFLOW_CLIENT_LABEL, MLFLOW_PORT, NAMESPACE_NAME_LABEL, NAMESPACES, ScrapeTarget } from "./shared/platform";
import { NOTEBOOK_VERSIONS } from "./shared/versions";

/**
 * Helm release name. Kept fixed (not auto-named): the chart derives Service names from it
 * (`fullnameOverride: ""` gives `hub` and `proxy-public`), and the port-forward command and the
 * scrape target name them.
 */
export const NOTEBOOKS_RELEASE_NAME = "jupyterhub";
/** Secret holding the hub's login credential (shared password or OAuth client secret). */
export const AUTH_SECRET_NAME = "jupyterhub-auth";
/** Secret key holding the sandbox's shared login password. */
export const PASSWORD_KEY = "password";
/** Secret key holding the OAuth client secret. */
export const CLIENT_SECRET_KEY = "client-secret";
/** Namespace that runs Prometheus; the hub's NetworkPolicy admits it to `/hub/metrics`. */
const MONITORING_NAMESPACE = NAMESPACES.monitoring;
/** UID and GID of `jovyan` in the Jupyter docker-stacks images. */
const NOTEBOOK_UID = 1000;
const NOTEBOOK_GID = 100;
const SLUG = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const USERNAME = /^[A-Za-z0-9._@+-]{1,128}$/;
const IMAGE = /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+:[A-Za-z0-9._-]+$/;
const HOST = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/;

/** One entry of the server-size menu users pick from when they start a notebook. */
export interface NotebookProfile {
    /** Name shown in the spawn form. */
    readonly displayName: string;
    /** One-line description shown under the name. */
    readonly description: string;
    /** CPU cores requested (Kubernetes request). */
    readonly cpuGuarantee: number;
    /** CPU cores the server may burst to (Kubernetes limit). */
    readonly cpuLimit: number;
    /** Memory requested, GiB. */
    readonly memoryGuaranteeGiB: number;
    /** Memory limit, GiB (the pod is OOM-killed above it). */
    readonly memoryLimitGiB: number;
    /** `nvidia.com/gpu` per server; 0 for a CPU server. A GPU server runs the GPU image on GPU nodes. */
    readonly gpus: number;
    /**
     * The profile preselected in the spawn form (exactly one profile may set it).
     * @default false
     */
    readonly default?: boolean;
}

/** The default menu: a small and a large CPU server and a one-GPU server. */
export const DEFAULT_PROFILES: Readonly<Record<string, NotebookProfile>> = {
    "cpu-small": { displayName: "CPU small", description: "1 CPU, 4 GiB: exploration and light pandas work", cpuGuarantee: 0.5, cpuLimit: 1, memoryGuaranteeGiB: 2, memoryLimitGiB: 4, gpus: 0, default: true },
    "cpu-large": { displayName: "CPU large", description: "4 CPUs, 16 GiB: feature engineering and classical ML", cpuGuarantee: 2, cpuLimit: 4, memoryGuaranteeGiB: 12, memoryLimitGiB: 16, gpus: 0 },
    "gpu": { displayName: "GPU (1x NVIDIA)", description: "1 GPU, 4 CPUs, 16 GiB: deep learning. A GPU node starts on demand (several minutes) and is released when the server is culled.", cpuGuarantee: 3, cpuLimit: 4, memoryGuaranteeGiB: 12, memoryLimitGiB: 16, gpus: 1 },
};

/** OAuth2/OIDC provider settings for GenericOAuthenticator (production login). */
export interface NotebooksOAuth {
    /** OAuth client ID registered with the identity provider. */
    readonly clientId: pulumi.Input<string>;
    /** OAuth client secret; pass a Pulumi secret. It reaches the hub only through a Kubernetes Secret. */
    readonly clientSecret: pulumi.Input<string>;
    /** The provider's authorization endpoint (https). */
    readonly authorizeUrl: string;
    /** The provider's token endpoint (https). */
    readonly tokenUrl: string;
    /** The provider's userinfo endpoint (https). */
    readonly userdataUrl: string;
    /** JupyterHub's callback URL registered with the provider, `https://<host>/hub/oauth_callback`. */
    readonly callbackUrl: string;
    /**
     * Userinfo claim used as the JupyterHub username.
     * @default "preferred_username"
     */
    readonly usernameClaim?: string;
    /**
     * Scopes requested.
     * @default ["openid", "profile", "email"]
     */
    readonly scopes?: string[];
    /**
     * Provider groups (the `groups` claim) allowed to log in. Empty lets every user the provider
     * authenticates in, so restrict the client to the right users at the provider.
     * @default []
     */
    readonly allowedGroups?: string[];
}

/** How users reach the hub in production: the chart's Ingress to `proxy-public`, with TLS. */
export interface NotebooksIngress {
    /** Public host name, e.g. `jupyter.example.com`. */
    readonly host: string;
    /** Secret (in the jupyterhub namespace) holding the TLS certificate, e.g. issued by cert-manager. */
    readonly tlsSecretName: string;
    /**
     * IngressClass to use.
     * @default - the cluster's default IngressClass
     */
    readonly className?: string;
    /**
     * Extra Ingress annotations (controller settings, cert-manager issuer).
     * @default {}
     */
    readonly annotations?: Record<string, string>;
}

/** Arguments of {@link Notebooks}. */
export interface NotebooksArgs {
    /** In-cluster MLflow URL, injected into every user server as `MLFLOW_TRACKING_URI`. */
    readonly mlflowTrackingUri: pulumi.Input<string>;
    /**
     * StorageClass for user home volumes and the hub database.
     * @default "gp3"
     */
    readonly storageClassName?: string;
    /**
     * Size of each user's home volume, GiB.
     * @default 10
     */
    readonly userStorageGiB?: number;
    /**
     * Size of the hub's SQLite database volume, GiB.
     * @default 1
     */
    readonly hubStorageGiB?: number;
    /**
     * Server sizes offered, keyed by slug. At least one CPU profile is required.
     * @default {@link DEFAULT_PROFILES}
     */
    readonly profiles?: Record<string, NotebookProfile>;
    /**
     * Seconds of inactivity before the hub's idle culler stops any server.
     * @default 3600
     */
    readonly cullTimeoutSeconds?: number;
    /**
     * Seconds of inactivity before a GPU server stops itself (idle kernels culled, then the server
     * shuts down), so the GPU node can scale in. Must not exceed `cullTimeoutSeconds`.
     * @default 1800
     */
    readonly gpuCullTimeoutSeconds?: number;
    /**
     * Login: `password` is DummyAuthenticator with one generated shared password (sandbox);
     * `oauth` is GenericOAuthenticator against `oauth` (production).
     * @default "password"
     */
    readonly authType?: "password" | "oauth";
    /**
     * Identity provider settings; required when `authType` is `oauth`.
     * @default - none
     */
    readonly oauth?: NotebooksOAuth;
    /**
     * JupyterHub admin user names.
     * @default []
     */
    readonly adminUsers?: string[];
    /**
     * Public exposure through an Ingress with TLS. Without it the hub is ClusterIP only and
     * reached by port-forward.
     * @default - ClusterIP only
     */
    readonly ingress?: NotebooksIngress;
    /**
     * Keep user volumes and the hub database when the stack is destroyed (production). When false
     * they are deleted with the namespace and the release, while the EBS CSI driver still runs.
     * @default false
     */
    readonly retainData?: boolean;
    /**
     * Image for CPU profiles.
     * @default NOTEBOOK_VERSIONS.cpuImage
     */
    readonly cpuImage?: string;
    /**
     * CUDA-capable image for GPU profiles.
     * @default NOTEBOOK_VERSIONS.gpuImage
     */
    readonly gpuImage?: string;
}

/** {@link NotebooksArgs} with defaults applied. */
export interface ResolvedNotebooksArgs {
    readonly mlflowTrackingUri: pulumi.Input<string>;
    readonly storageClassName: string;
    readonly userStorageGiB: number;
    readonly hubStorageGiB: number;
    readonly profiles: Readonly<Record<string, NotebookProfile>>;
    readonly cullTimeoutSeconds: number;
    readonly gpuCullTimeoutSeconds: number;
    readonly authType: "password" | "oauth";
    readonly oauth: NotebooksOAuth | undefined;
    readonly adminUsers: string[];
    readonly ingress: NotebooksIngress | undefined;
    readonly retainData: boolean;
    readonly cpuImage: string;
    readonly gpuImage: string;
}

function wholeInRange(arg: string, value: number, min: number, max: number): void {
    if (!Number.isInteger(value) || value < min || value > max) {
        throw new Error(`${arg} (${value}) must be a whole number from ${min} to ${max}`);
    }
}

function positive(arg: string, value: number, max: number): void {
    if (!Number.isFinite(value) || value <= 0 || value > max) {
        throw new Error(`${arg} (${value}) must be a number above 0 and at most ${max}`);
    }
}

function httpsUrl(arg: string, value: string): void {
    if (!/^https:\/\/[^\s/]+(\/\S*)?$/.test(value)) {
        throw new Error(`${arg} (${value}) must be an https:// URL`);
    }
}

/** Validates one profile; exported for config.ts. */
export function validateProfile(slug: string, p: NotebookProfile): void {
    const at = `profiles.${slug}`;
    if (!SLUG.test(slug) || slug.length > 40) {
        throw new Error(`profile key (${slug}) must be a lowercase DNS label of at most 40 characters, e.g. "cpu-small"`);
    }
    if (typeof p.displayName !== "string" || p.displayName.trim() === "") {
        throw new Error(`${at}.displayName (${p.displayName}) must be a non-empty string`);
    }
    positive(`${at}.cpuGuarantee`, p.cpuGuarantee, 96);
    positive(`${at}.cpuLimit`, p.cpuLimit, 96);
    positive(`${at}.memoryGuaranteeGiB`, p.memoryGuaranteeGiB, 768);
    positive(`${at}.memoryLimitGiB`, p.memoryLimitGiB, 768);
    if (p.cpuGuarantee > p.cpuLimit) {
        throw new Error(`${at}.cpuGuarantee (${p.cpuGuarantee}) must be <= cpuLimit (${p.cpuLimit})`);
    }
    if (p.memoryGuaranteeGiB > p.memoryLimitGiB) {
        throw new Error(`${at}.memoryGuaranteeGiB (${p.memoryGuaranteeGiB}) must be <= memoryLimitGiB (${p.memoryLimitGiB})`);
    }
    wholeInRange(`${at}.gpus`, p.gpus, 0, 8);
}

/** Applies defaults and validates plain fields (config.ts reuses it). */
export function resolveNotebooksArgs(args: NotebooksArgs): ResolvedNotebooksArgs {
    const storageClassName = args.storageClassName ?? "gp3";
    if (!SLUG.test(storageClassName)) {
        throw new Error(`storageClassName (${storageClassName}) must be a lowercase DNS label`);
    }
    const userStorageGiB = args.userStorageGiB ?? 10;
    wholeInRange("userStorageGiB", userStorageGiB, 1, 1000);
    const hubStorageGiB = args.hubStorageGiB ?? 1;
    wholeInRange("hubStorageGiB", hubStorageGiB, 1, 100);

    const profiles = args.profiles ?? DEFAULT_PROFILES;
    for (const [slug, p] of Object.entries(profiles)) {
        validateProfile(slug, p);
    }
    if (!Object.values(profiles).some((p) => p.gpus === 0)) {
        throw new Error(`profiles (${Object.keys(profiles).join(", ") || "none"}) must include at least one CPU profile (gpus: 0)`);
    }
    const defaults = Object.entries(profiles).filter(([, p]) => p.default === true).map(([s]) => s);
    if (defaults.length > 1) {
        throw new Error(`profiles (${defaults.join(", ")}) mark more than one profile as default; mark at most one`);
    }

    const cullTimeoutSeconds = args.cullTimeoutSeconds ?? 3600;
    wholeInRange("cullTimeoutSeconds", cullTimeoutSeconds, 600, 7 * 24 * 3600);
    const gpuCullTimeoutSeconds = args.gpuCullTimeoutSeconds ?? 1800;
    wholeInRange("gpuCullTimeoutSeconds", gpuCullTimeoutSeconds, 300, 7 * 24 * 3600);
    if (gpuCullTimeoutSeconds > cullTimeoutSeconds) {
        throw new Error(`gpuCullTimeoutSeconds (${gpuCullTimeoutSeconds}) must be <= cullTimeoutSeconds (${cullTimeoutSeconds}) so GPUs are released first`);
    }

    const authType = args.authType ?? "password";
    if (authType !== "password" && authType !== "oauth") {
        throw new Error(`authType (${authType}) must be "password" or "oauth"`);
    }
    if (authType === "oauth") {
        if (args.oauth === undefined) {
            throw new Error(`oauth (undefined) is required when authType is "oauth"`);
        }
        httpsUrl("oauth.authorizeUrl", args.oauth.authorizeUrl);
        httpsUrl("oauth.tokenUrl", args.oauth.tokenUrl);
        httpsUrl("oauth.userdataUrl", args.oauth.userdataUrl);
        httpsUrl("oauth.callbackUrl", args.oauth.callbackUrl);
        if (!args.oauth.callbackUrl.endsWith("/hub/oauth_callback")) {
            throw new Error(`oauth.callbackUrl (${args.oauth.callbackUrl}) must end with /hub/oauth_callback`);
        }
    }

    const adminUsers = args.adminUsers ?? [];
    for (const u of adminUsers) {
        if (!USERNAME.test(u)) {
            throw new Error(`adminUsers entry (${u}) must be 1-128 characters of letters, digits and . _ @ + -`);
        }
    }

    if (args.ingress !== undefined) {
        if (!HOST.test(args.ingress.host)) {
            throw new Error(`ingress.host (${args.ingress.host}) must be a lowercase DNS name such as jupyter.example.com`);
        }
        if (!SLUG.test(args.ingress.tlsSecretName ?? "")) {
            throw new Error(`ingress.tlsSecretName (${args.ingress.tlsSecretName}) must name a TLS Secret (lowercase DNS label): the hub is never exposed without TLS`);
        }
    }

    const cpuImage = args.cpuImage ?? NOTEBOOK_VERSIONS.cpuImage;
    const gpuImage = args.gpuImage ?? NOTEBOOK_VERSIONS.gpuImage;
    for (const [arg, image] of [["cpuImage", cpuImage], ["gpuImage", gpuImage]] as const) {
        if (!IMAGE.test(image) || image.endsWith(":latest")) {
            throw new Error(`${arg} (${image}) must be registry/repository:tag with a pinned tag other than latest`);
        }
    }

    return {
        mlflowTrackingUri: args.mlflowTrackingUri,
        storageClassName,
        userStorageGiB,
        hubStorageGiB,
        profiles,
        cullTimeoutSeconds,
        gpuCullTimeoutSeconds,
        authType,
        oauth: args.oauth,
        adminUsers,
        ingress: args.ingress,
        retainData: args.retainData ?? false,
        cpuImage,
        gpuImage,
    };
}

/** Splits `repo:tag` the way the chart's `image.{name,tag}` wants it. */
export function splitImage(image: string): { name: string; tag: string } {
    const at = image.lastIndexOf(":");
    return { name: image.slice(0, at), tag: image.slice(at + 1) };
}

const gib = (n: number) => `${n}G`;

/**
 * Jupyter Server flags that make a GPU server stop itself after `timeout` idle seconds.
 *
 * jupyterhub-idle-culler 1.4.0 (the version in the chart 4.4.0 hub image) has one global timeout;
 * its per-server `cull_arbiter_hook` only arrived in 2.0.0. So the GPU profile's shorter timeout is
 * enforced inside the user server: idle kernels (even with a browser tab connected, but never busy
 * ones) are culled, then the server exits after `timeout` seconds with no kernels, terminals or
 * API activity; the hub sees the pod stop and deletes it, releasing the GPU.
 */
export function gpuCullArgs(timeout: number): string[] {
    const interval = Math.min(300, Math.max(60, Math.floor(timeout / 10)));
    return [
        `--MappingKernelManager.cull_idle_timeout=${timeout}`,
        `--MappingKernelManager.cull_interval=${interval}`,
        "--MappingKernelManager.cull_connected=True",
        "--MappingKernelManager.cull_busy=False",
        `--TerminalManager.cull_inactive_timeout=${timeout}`,
        `--TerminalManager.cull_interval=${interval}`,
        `--ServerApp.shutdown_no_activity_timeout=${timeout}`,
    ];
}

/** KubeSpawner `profile_list` entries for the chart's `singleuser.profileList`. */
export function profileList(a: Pick<ResolvedNotebooksArgs, "profiles" | "cpuImage" | "gpuImage" | "gpuCullTimeoutSeconds">): Record<string, unknown>[] {
    return Object.entries(a.profiles).map(([slug, p]) => {
        const override: Record<string, unknown> = {
            image: p.gpus > 0 ? a.gpuImage : a.cpuImage,
            cpu_guarantee: p.cpuGuarantee,
            cpu_limit: p.cpuLimit,
            mem_guarantee: gib(p.memoryGuaranteeGiB),
            mem_limit: gib(p.memoryLimitGiB),
        };
        if (p.gpus > 0) {
            Object.assign(override, {
                extra_resource_limits: { [GPU_RESOURCE]: `${p.gpus}` },
                tolerations: [{ ...GPU_TOLERATION }],
                node_selector: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value },
                // A GPU node comes up from zero (boot, driver, device plugin) and pulls a multi-GB image.
                start_timeout: 1200,
                args: gpuCullArgs(a.gpuCullTimeoutSeconds),
            });
        }
        return {
            display_name: p.displayName,
            slug,
            description: p.description,
            ...(p.default === true ? { default: true } : {}),
            kubespawner_override: override,
        };
    });
}

/** Python run by the hub: reads credentials from environment variables fed by secretKeyRef. */
const PASSWORD_CONFIG = "import os\nc.DummyAuthenticator.password = os.environ[\"JUPYTERHUB_SHARED_PASSWORD\"]\n";
const OAUTH_CONFIG = "import os\nc.GenericOAuthenticator.client_secret = os.environ[\"OAUTH_CLIENT_SECRET\"]\n";

/**
 * JupyterHub from the Zero to JupyterHub chart: CPU and GPU profiles, per-user gp3 volumes, idle
 * culling (shorter for GPU servers), `MLFLOW_TRACKING_URI` in every server, login per preset, and
 * network policies that keep user pods away from the instance metadata service and from other
 * namespaces except MLflow and DNS. Needs a Kubernetes provider.
 *
 * @see https://z2jh.jupyter.org/en/stable/resources/reference.html
 */
export class Notebooks extends pulumi.ComponentResource {
    /** Namespace the hub and user servers run in. */
    public readonly namespace: pulumi.Output<string>;
    /** Service users reach (through port-forward or the Ingress). */
    public readonly hubServiceName: pulumi.Output<string>;
    /** Command that opens the hub on http://localhost:8080. */
    public readonly portForwardCommand: pulumi.Output<string>;
    /** Public URL when an Ingress is configured. */
    public readonly url: pulumi.Output<string> | undefined;
    /** The sandbox's shared login password (secret); undefined with OAuth. */
    public readonly adminPassword: pulumi.Output<string> | undefined;
    /** How monitoring scrapes the hub's `/hub/metrics`. */
    public readonly metricsTarget: ScrapeTarget;

    constructor(name: string, args: NotebooksArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:Notebooks", name, {}, opts);
        const a = resolveNotebooksArgs(args);
        const labels = standardLabels("jupyterhub", "notebooks", name);

        // Restricted holds: the hub, proxy and user pods are non-root with RuntimeDefault seccomp and
        // no capabilities, and the only root container the chart has (the iptables IMDS blocker) is off.
        const pss = podSecurity("restricted");
        const ns = new k8s.core.v1.Namespace(`${name}-ns`, {
            metadata: {
                name: NAMESPACES.jupyterhub,
                labels: { ...pss.labels, ...labels, [MLFLOW_CLIENT_LABEL.key]: MLFLOW_CLIENT_LABEL.value },
                annotations: pss.annotations,
            },
        }, { parent: this, retainOnDelete: a.retainData });
        this.namespace = ns.metadata.name;

        let password: random.RandomPassword | undefined;
        let secretData: Record<string, pulumi.Input<string>>;
        if (a.authType === "password") {
            password = new random.RandomPassword(`${name}-password`, { length: 24, special: false }, { parent: this });
            // Explicit: the export must stay secret even where the provider schema is not consulted.
            secretData = { [PASSWORD_KEY]: pulumi.secret(password.result) };
        } else {
            secretData = { [CLIENT_SECRET_KEY]: pulumi.secret(a.oauth!.clientSecret) };
        }
        const authSecret = new k8s.core.v1.Secret(`${name}-auth`, {
            // Named: the hub's secretKeyRef names it, and an auto-name is unknown until created.
            metadata: { name: AUTH_SECRET_NAME, namespace: ns.metadata.name, labels },
            type: "Opaque",
            stringData: secretData,
        }, { parent: this });
        this.adminPassword = password === undefined ? undefined : pulumi.secret(password.result);

        const secretEnv = (envName: string, key: string) => ({
            name: envName,
            valueFrom: { secretKeyRef: { name: authSecret.metadata.name, key } },
        });
        const o = a.oauth;
        const authConfig = a.authType === "password"
            ? {
                JupyterHub: { authenticator_class: "dummy" },
                // Anyone holding the shared password may log in under any name: a disposable sandbox only.
                Authenticator: { admin_users: a.adminUsers, allow_all: true },
            }
            : {
                JupyterHub: { authenticator_class: "generic-oauth" },
                Authenticator: {
                    admin_users: a.adminUsers,
                    ...((o!.allowedGroups ?? []).length > 0 ? {} : { allow_all: true }),
                },
                GenericOAuthenticator: {
                    client_id: o!.clientId,
                    oauth_callback_url: o!.callbackUrl,
                    authorize_url: o!.authorizeUrl,
                    token_url: o!.tokenUrl,
                    userdata_url: o!.userdataUrl,
                    username_claim: o!.usernameClaim ?? "preferred_username",
                    scope: o!.scopes ?? ["openid", "profile", "email"],
                    ...((o!.allowedGroups ?? []).length > 0 ? { allowed_groups: o!.allowedGroups, auth_state_groups_key: "oauth_user.groups" } : {}),
                },
            };

        const firstCpu = Object.values(a.profiles).find((p) => p.default === true && p.gpus === 0) ?? Object.values(a.profiles).find((p) => p.gpus === 0)!;
        const cpuImage = splitImage(a.cpuImage);
        const values = {
            // Plain Service names (`hub`, `proxy-public`) whatever the release is called.
            fullnameOverride: "",
            hub: {
                config: {
                    ...authConfig,
                    KubeSpawner: {
                        // Completes the user container's context to Pod Security restricted; KubeSpawner
                        // already sets runAsUser (singleuser.uid) and allowPrivilegeEscalation false.
                        container_security_context: {
                            runAsNonRoot: true,
                            capabilities: { drop: ["ALL"] },
                            seccompProfile: { type: "RuntimeDefault" },
                        },
                    },
                },
                extraEnv: [a.authType === "password" ? secretEnv("JUPYTERHUB_SHARED_PASSWORD", PASSWORD_KEY) : secretEnv("OAUTH_CLIENT_SECRET", CLIENT_SECRET_KEY)],
                extraConfig: { "10-credentials-from-secret": a.authType === "password" ? PASSWORD_CONFIG : OAUTH_CONFIG },
                db: {
                    type: "sqlite-pvc",
                    pvc: {
                        storage: `${a.hubStorageGiB}Gi`,
                        storageClassName: a.storageClassName,
                        // Helm uninstall leaves a PVC with this policy in place (production data).
                        annotations: a.retainData ? { "helm.sh/resource-policy": "keep" } : {},
                    },
                },
                resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "1Gi" } },
                // Prometheus has no JupyterHub token; the hub's NetworkPolicy below limits who reaches
                // port 8081 directly (the proxy still routes /hub/metrics: aggregate counts only).
                authenticatePrometheus: false,
                networkPolicy: {
                    enabled: true,
                    ingress: [{
                        from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: MONITORING_NAMESPACE } } }],
                        ports: [{ port: "http" }],
                    }],
                    egressAllowRules: { cloudMetadataServer: false, dnsPortsCloudMetadataServer: false },
                },
            },
            proxy: {
                service: { type: "ClusterIP" },
                chp: {
                    resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
                    networkPolicy: { egressAllowRules: { cloudMetadataServer: false, dnsPortsCloudMetadataServer: false } },
                },
            },
            singleuser: {
                image: cpuImage,
                uid: NOTEBOOK_UID,
                fsGid: NOTEBOOK_GID,
                allowPrivilegeEscalation: false,
                startTimeout: 600,
                cpu: { guarantee: firstCpu.cpuGuarantee, limit: firstCpu.cpuLimit },
                memory: { guarantee: gib(firstCpu.memoryGuaranteeGiB), limit: gib(firstCpu.memoryLimitGiB) },
                extraEnv: { MLFLOW_TRACKING_URI: a.mlflowTrackingUri },
                storage: {
                    type: "dynamic",
                    capacity: `${a.userStorageGiB}Gi`,
                    dynamic: { storageClass: a.storageClassName },
                },
                // The chart's blocker is a privileged root init container with NET_ADMIN; the
                // NetworkPolicy below blocks 169.254.169.254 instead (checklist JH-01).
                cloudMetadata: { blockWithIptables: false },
                networkPolicy: {
                    enabled: true,
                    egressAllowRules: {
                        cloudMetadataServer: false,
                        dnsPortsCloudMetadataServer: false,
                        dnsPortsKubeSystemNamespace: true,
                        dnsPortsPrivateIPs: true,
                        // pip/conda installs and dataset downloads; the VPC and IMDS stay excluded.
                        nonPrivateIPs: true,
                        privateIPs: false,
                    },
                    egress: [{
                        to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: NAMESPACES.mlflow } } }],
                        ports: [{ port: MLFLOW_PORT, protocol: "TCP" }],
                    }],
                },
                profileList: profileList(a),
            },
            scheduling: {
                // Its kube-scheduler (v1.30) is outside the supported skew of the cluster's
                // Kubernetes; the default scheduler is also what the cluster autoscaler simulates.
                userScheduler: { enabled: false },
                userPlaceholder: { enabled: false },
            },
            prePuller: {
                // Pullers would put the multi-GB CUDA image on every CPU node (and slow every
                // `pulumi up` with the hook Job); nodes pull on first use instead.
                hook: { enabled: false },
                continuous: { enabled: false },
            },
            cull: {
                enabled: true,
                timeout: a.cullTimeoutSeconds,
                every: Math.min(600, Math.max(60, Math.floor(a.gpuCullTimeoutSeconds / 5))),
                users: false,
                adminUsers: true,
                maxAge: 0,
            },
            ingress: a.ingress === undefined
                ? { enabled: false }
                : {
                    enabled: true,
                    hosts: [a.ingress.host],
                    tls: [{ hosts: [a.ingress.host], secretName: a.ingress.tlsSecretName }],
                    annotations: a.ingress.annotations ?? {},
                    ...(a.ingress.className !== undefined ? { ingressClassName: a.ingress.className } : {}),
                },
        };

        new k8s.helm.v3.Release(`${name}-jupyterhub`, {
            name: NOTEBOOKS_RELEASE_NAME,
            chart: NOTEBOOK_VERSIONS.chart.chart,
            version: NOTEBOOK_VERSIONS.chart.version,
            repositoryOpts: { repo: NOTEBOOK_VERSIONS.chart.repo },
            namespace: ns.metadata.name,
            values,
        }, { parent: this, dependsOn: [authSecret] });

        this.hubServiceName = pulumi.output("proxy-public");
        this.portForwardCommand = pulumi.interpolate`kubectl -n ${ns.metadata.name} port-forward svc/proxy-public 8080:80`;
        this.url = a.ingress === undefined ? undefined : pulumi.output(`https://${a.ingress.host}/`);
        this.metricsTarget = {
            name: "jupyterhub",
            namespace: ns.metadata.name,
            selector: { "app.kubernetes.io/component": "hub", "app.kubernetes.io/instance": NOTEBOOKS_RELEASE_NAME },
            port: "hub",
            path: "/hub/metrics",
        };

        this.registerOutputs({
            namespace: this.namespace,
            hubServiceName: this.hubServiceName,
            portForwardCommand: this.portForwardCommand,
            url: this.url,
            adminPassword: this.adminPassword,
        });
    }
}
