import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_STORAGE_CLASS } from "../cluster-services";
import { IngressSettings, validateIngress } from "../shared/ingress";
import { NOTEBOOK_VERSIONS } from "../shared/versions";
import { httpsUrl, wholeNumber } from "../shared/validate";

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
    /**
     * The AWS Load Balancer Controller. Only the Helm release waits for it (the release carries the
     * Ingress, whose ALB the controller must delete on destroy); the namespace and everything
     * else install while the controller is still coming up. @default - none
     */
    readonly loadBalancerController?: pulumi.Resource;
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
