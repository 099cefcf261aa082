import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_STORAGE_CLASS } from "../cluster-services";
import { IngressSettings } from "../shared/ingress";
import { NOTEBOOK_VERSIONS } from "../shared/versions";
import { wholeNumber } from "../shared/validate";

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
    /** Sign-in method (config `jupyterAuth`, `oidc*`). */
    readonly auth: JupyterHubAuth;
    /** JupyterHub admin user names, also allowed to sign in (config `jupyterAdminUsers`). */
    readonly adminUsers: readonly string[];
    /** Further user names allowed to sign in with OAuth (admins always are). Ignored by shared-password auth, which allows anyone with the password (config `jupyterAllowedUsers`). */
    readonly allowedUsers: readonly string[];
    /** Per-user home volume size, GiB (config `notebookStorageGiB`). */
    readonly notebookStorageGiB: number;
    /** Hub database volume size, GiB. @default 1 */
    readonly hubStorageGiB?: number;
    /** StorageClass for the hub and user volumes. @default "gp3" */
    readonly storageClassName?: string;
    /** Minutes of inactivity after which the hub's idle culler stops any server (config `cullTimeoutMinutes`). */
    readonly cullTimeoutMinutes: number;
    /**
     * Minutes of inactivity after which a GPU server shuts itself down (jupyter-server's own
     * shutdown_no_activity_timeout, set per GPU profile); at most cullTimeoutMinutes (config `gpuCullTimeoutMinutes`).
     */
    readonly gpuCullTimeoutMinutes: number;
    /** Server sizes offered at spawn time (config `notebookProfiles`, settings.ts DEFAULT_PROFILES when unset). */
    readonly profiles: readonly NotebookProfile[];
    /** Image for CPU profiles, `name:tag`. @default NOTEBOOK_VERSIONS.cpuImage */
    readonly cpuImage?: string;
    /** Image for GPU profiles, `name:tag`. @default NOTEBOOK_VERSIONS.gpuImage */
    readonly gpuImage?: string;
    /** HTTPS Ingress (ALB) in front of the proxy (config `jupyterIngressHost`, `ingress*`). @default - none (ClusterIP + port-forward) */
    readonly ingress?: IngressSettings;
    /**
     * Delete the hub volume with the release and user volumes with the namespace (sandbox). When
     * false the hub volume is kept by Helm and the namespace (with user volumes) is retained on delete.
     */
    readonly deleteVolumesWithWorkload: boolean;
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

/**
 * {@link JupyterHubArgs} with the component's own defaults applied (plain fields only). What the
 * config keys set arrives validated by settings.ts; the component owns only what no key sets.
 */
export interface ResolvedJupyterHubArgs extends Omit<JupyterHubArgs, "mlflowTrackingUri" | "mlflowAdminPassword" | "loadBalancerController" | "profiles"> {
    readonly hubStorageGiB: number;
    readonly storageClassName: string;
    readonly cpuImage: string;
    readonly gpuImage: string;
    readonly profiles: readonly ResolvedNotebookProfile[];
}

/** True for `name:tag` (registry ports allowed) with a tag other than `latest`. */
export function isPinnedImage(value: string): boolean {
    const tag = /^[^\s:]+(:\d+)?\/[^\s:]+:([^\s:@]+)$/.exec(value)?.[2] ?? /^[^\s:/]+:([^\s:@]+)$/.exec(value)?.[1];
    return tag !== undefined && tag !== "latest";
}

function pinned(arg: string, value: string): void {
    if (!isPinnedImage(value)) {
        throw new Error(`${arg} (${value}) must be name:tag with a pinned tag (not latest)`);
    }
}

/** Applies the component's own defaults (hub volume, StorageClass, images) and checks them; fills each profile's image. */
export function resolveJupyterHubArgs(args: Omit<JupyterHubArgs, "mlflowTrackingUri">): ResolvedJupyterHubArgs {
    const hubStorageGiB = args.hubStorageGiB ?? 1;
    wholeNumber("hubStorageGiB", hubStorageGiB, 1, 100);
    const cpuImage = args.cpuImage ?? NOTEBOOK_VERSIONS.cpuImage;
    pinned("cpuImage", cpuImage);
    const gpuImage = args.gpuImage ?? NOTEBOOK_VERSIONS.gpuImage;
    pinned("gpuImage", gpuImage);
    const { mlflowAdminPassword: _password, loadBalancerController: _controller, ...rest } = args;
    return {
        ...rest,
        hubStorageGiB,
        storageClassName: args.storageClassName ?? DEFAULT_STORAGE_CLASS,
        cpuImage,
        gpuImage,
        profiles: args.profiles.map((p) => {
            const gpus = p.gpus ?? 0;
            return { ...p, gpus, image: p.image ?? (gpus > 0 ? gpuImage : cpuImage), default: p.default ?? false };
        }),
    };
}
