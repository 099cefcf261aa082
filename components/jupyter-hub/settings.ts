/** The notebooks layer's config keys and their validation: sign-in, users, profiles, storage, culling, Ingress. */
import { isIngressHost } from "../shared/ingress";
import { IngressKey, resolveIngress } from "../shared/ingress-settings";
import { KeyTable, Settings } from "../shared/settings";
import { isPinnedImage, JupyterHubArgs, NotebookProfile } from "./args";

/**
 * The default server sizes (images filled in by the component). Both presets run xlarge nodes
 * (m7i.xlarge: 4 vCPU/16 GiB; g5.xlarge: 4 vCPU/16 GiB, 1 GPU), whose allocatable capacity minus
 * the node DaemonSets is about 3.4 CPU and 13.5 GiB: a 4 CPU/16 GiB guarantee would never schedule
 * (and the autoscaler would not add a node for it). So the large and GPU profiles guarantee
 * 3 CPU/12 GiB and may burst to 4 CPU/16 GiB.
 */
export const DEFAULT_PROFILES: readonly NotebookProfile[] = [
    { slug: "small-cpu", displayName: "Small CPU", description: "1 CPU, 4 GiB RAM", cpuGuarantee: 1, cpuLimit: 1, memoryGuarantee: "4Gi", memoryLimit: "4Gi", default: true },
    { slug: "large-cpu", displayName: "Large CPU", description: "3-4 CPU, 12-16 GiB RAM", cpuGuarantee: 3, cpuLimit: 4, memoryGuarantee: "12Gi", memoryLimit: "16Gi" },
    { slug: "gpu", displayName: "GPU", description: "3-4 CPU, 12-16 GiB RAM, 1 NVIDIA GPU (PyTorch, CUDA 12)", cpuGuarantee: 3, cpuLimit: 4, memoryGuarantee: "12Gi", memoryLimit: "16Gi", gpus: 1 },
];

export const JUPYTER_HUB_KEYS = {
    jupyterAuth: { type: "string", description: "JupyterHub sign-in: shared-password (generated user and admin passwords; sandbox only) or oauth (an OAuth2/OIDC provider).", default: { sandbox: "shared-password", production: "oauth" }, docs: { sandbox: "`shared-password` (generated user and admin passwords, exported as secrets)", production: "`oauth` (production refuses `shared-password`)" } },
    // Admins must be named per production stack (no default user exists with OAuth).
    jupyterAdminUsers: { type: "string[]", description: "JupyterHub admin user names (with oauth, as the provider's username claim gives them).", default: { sandbox: ["admin"], production: [] }, docs: { production: "required (at least one)" } },
    jupyterAllowedUsers: { type: "string[]", description: "More user names allowed to sign in with oauth (admins always are).", default: { sandbox: [], production: [] }, docs: { sandbox: "`[]` (shared-password auth lets in anyone with the password)", production: "`[]` (admins are always allowed)" } },
    notebookProfiles: { type: "object[]", description: "Notebook server sizes: list of {slug, displayName, description, cpuGuarantee, cpuLimit, memoryGuarantee, memoryLimit, gpus?, image?, default?}.", default: { sandbox: DEFAULT_PROFILES, production: DEFAULT_PROFILES }, docs: { sandbox: "small CPU (1 CPU, 4 GiB), large CPU (3–4 CPU, 12–16 GiB), GPU (3–4 CPU, 12–16 GiB, 1 GPU)", production: "same" } },
    notebookStorageGiB: { type: "integer", description: "Per-user home volume size, GiB (gp3, encrypted).", default: { sandbox: 10, production: 50 } },
    cullTimeoutMinutes: { type: "integer", description: "Idle notebook servers are stopped after this many minutes.", default: { sandbox: 60, production: 120 } },
    gpuCullTimeoutMinutes: { type: "integer", description: "Idle GPU notebook servers stop themselves after this many minutes (at most cullTimeoutMinutes), releasing the GPU node.", default: { sandbox: 30, production: 60 }, docs: { sandbox: "`30` (at most `cullTimeoutMinutes`)", production: "`60` (at most `cullTimeoutMinutes`)" } },
    jupyterIngressHost: { type: "string", description: "Host name of the JupyterHub Ingress (required in production); the OAuth callback is https://<host>/hub/oauth_callback.", docs: { sandbox: "refused (sandboxes use port-forward, so destroy leaves no load balancer)", production: "required" } },
} as const satisfies KeyTable;

type Key = keyof typeof JUPYTER_HUB_KEYS | IngressKey;

/** JupyterHub settings (everything but what index.ts wires from other layers). */
export type NotebookSettings = Omit<JupyterHubArgs, "mlflowTrackingUri" | "deleteVolumesWithWorkload">;

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;
const SLUG = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const QUANTITY = /^[1-9]\d*(Mi|Gi|Ti)$/;
const HTTPS_URL = /^https:\/\/[^\s/]+[^\s]*$/;

function mebibytes(q: string): number {
    const m = /^(\d+)(Mi|Gi|Ti)$/.exec(q)!;
    return Number(m[1]) * { Mi: 1, Gi: 1024, Ti: 1024 * 1024 }[m[2] as "Mi" | "Gi" | "Ti"];
}

/** The OAuth sign-in from the oidc* keys; the callback URL follows from the Ingress host. */
function oauth(s: Settings<Key>, host: string | undefined): JupyterHubArgs["auth"] {
    const endpoints = ["oidcAuthorizeUrl", "oidcTokenUrl", "oidcUserinfoUrl"] as const;
    const missing = ["oidcClientId" as const, ...endpoints].filter((k) => s.raw[k] === undefined);
    if (missing.length > 0) {
        s.fail(missing[0], undefined, `oauth sign-in needs oidcClientId, ${endpoints.join(", ")}, oidcClientSecret; missing ${missing.join(", ")}`);
    }
    const clientSecret = s.secret("oidcClientSecret");
    if (clientSecret === undefined) {
        s.fail("oidcClientSecret", undefined, "oauth sign-in needs the client secret: `pulumi config set --secret oidcClientSecret <secret>`");
    }
    if (host === undefined) {
        s.fail("jupyterIngressHost", undefined, "oauth sign-in needs a public callback URL: set jupyterIngressHost");
    }
    for (const key of ["oidcClientId", "oidcUsernameClaim"] as const) {
        if ((s.str(key) ?? "").trim() === "") {
            s.fail(key, s.str(key), "must not be empty");
        }
    }
    for (const key of endpoints) {
        if (!HTTPS_URL.test(s.str(key)!)) {
            s.fail(key, s.str(key), "must be an https:// URL");
        }
    }
    return {
        type: "oauth",
        clientId: s.str("oidcClientId")!,
        clientSecret,
        authorizeUrl: s.str("oidcAuthorizeUrl")!,
        tokenUrl: s.str("oidcTokenUrl")!,
        userdataUrl: s.str("oidcUserinfoUrl")!,
        usernameClaim: s.str("oidcUsernameClaim")!,
        callbackUrl: `https://${host}/hub/oauth_callback`,
    };
}

function userList(s: Settings<Key>, key: "jupyterAdminUsers" | "jupyterAllowedUsers"): string[] {
    const list = s.strList(key);
    const bad = list.find((u) => !USERNAME.test(u));
    if (bad !== undefined) {
        s.fail(key, list, `entry (${bad}) must be a user name of letters, digits and ._@+- (at most 128 characters)`);
    }
    return list;
}

/** The server sizes: each profile's fields checked, slugs unique, at most one default. */
function profiles(s: Settings<Key>): NotebookProfile[] {
    const list = (s.objectList("notebookProfiles") ?? [...s.default<NotebookProfile[]>("notebookProfiles")]) as NotebookProfile[];
    if (list.length === 0) {
        s.fail("notebookProfiles", list, "must list at least one profile");
    }
    const slugs = new Set<string>();
    for (const p of list) {
        const bad = (message: string): never => s.fail("notebookProfiles", p, message);
        if (typeof p.slug !== "string" || !SLUG.test(p.slug)) {
            bad(`profiles[].slug (${p.slug}) must be a lowercase DNS label`);
        }
        if (slugs.has(p.slug)) {
            bad(`profiles[].slug (${p.slug}) is used twice; slugs must be unique`);
        }
        slugs.add(p.slug);
        const at = `profiles[${p.slug}]`;
        if (typeof p.displayName !== "string" || p.displayName.trim() === "") {
            bad(`${at}.displayName ("${p.displayName}") must not be empty`);
        }
        if (typeof p.description !== "string") {
            bad(`${at}.description (${p.description}) must be a string (it may be empty)`);
        }
        if (!(p.cpuGuarantee > 0) || !(p.cpuLimit >= p.cpuGuarantee) || p.cpuLimit > 192) {
            bad(`${at}.cpuGuarantee (${p.cpuGuarantee}) and cpuLimit (${p.cpuLimit}) must satisfy 0 < guarantee <= limit <= 192`);
        }
        for (const field of ["memoryGuarantee", "memoryLimit"] as const) {
            if (typeof p[field] !== "string" || !QUANTITY.test(p[field])) {
                bad(`${at}.${field} (${p[field]}) must be a whole quantity in Mi, Gi or Ti, e.g. "4Gi"`);
            }
        }
        if (mebibytes(p.memoryLimit) < mebibytes(p.memoryGuarantee)) {
            bad(`${at}.memoryLimit (${p.memoryLimit}) must be at least memoryGuarantee (${p.memoryGuarantee})`);
        }
        if (p.gpus !== undefined && (!Number.isInteger(p.gpus) || p.gpus < 0 || p.gpus > 8)) {
            bad(`${at}.gpus (${p.gpus}) must be a whole number from 0 to 8`);
        }
        if (p.image !== undefined && (typeof p.image !== "string" || !isPinnedImage(p.image))) {
            bad(`${at}.image (${p.image}) must be name:tag with a pinned tag (not latest)`);
        }
        if (p.default !== undefined && typeof p.default !== "boolean") {
            bad(`${at}.default (${p.default}) must be true or false`);
        }
    }
    const defaults = list.filter((p) => p.default === true).length;
    if (defaults > 1) {
        s.fail("notebookProfiles", list.map((p) => p.slug), `marks ${defaults} profiles as default; at most one may be`);
    }
    return list;
}

/** Resolves and validates the notebooks layer's keys; every error is a ConfigError naming its key. */
export function resolveNotebookSettings(s: Settings<Key>): NotebookSettings {
    const production = s.preset === "production";
    const auth = s.oneOf<"shared-password" | "oauth">("jupyterAuth", ["shared-password", "oauth"]);
    if (auth === "shared-password" && production) {
        s.fail("jupyterAuth", auth, "production needs oauth: shared-password auth gives every user one password");
    }
    const host = s.str("jupyterIngressHost");
    // Production is reachable through an Ingress with TLS (checklist JH-05); a sandbox uses port-forward.
    if (production && host === undefined) {
        s.fail("jupyterIngressHost", undefined, "production serves JupyterHub through an HTTPS Ingress (checklist JH-05): set jupyterIngressHost and ingressCertificateArn");
    }
    if (!production && host !== undefined) {
        s.fail("jupyterIngressHost", host, "a sandbox reaches JupyterHub by port-forward: an Ingress makes a load balancer that a sandbox destroy could leave behind");
    }
    if (host !== undefined && !isIngressHost(host)) {
        s.fail("jupyterIngressHost", host, "must be a fully qualified DNS name such as notebooks.example.com");
    }
    const authArgs: JupyterHubArgs["auth"] = auth === "oauth" ? oauth(s, host) : { type: "shared-password" };
    const adminUsers = userList(s, "jupyterAdminUsers");
    if (auth === "oauth" && adminUsers.length === 0) {
        s.fail("jupyterAdminUsers", adminUsers, "must name at least one admin with oauth sign-in, or nobody can administer the hub");
    }
    const cullTimeoutMinutes = s.int("cullTimeoutMinutes", 5, 10080);
    // Defaults to the preset's value, capped by a shorter configured general timeout.
    const gpuCullTimeoutMinutes = s.int("gpuCullTimeoutMinutes", 5, 10080, Math.min(s.default<number>("gpuCullTimeoutMinutes"), cullTimeoutMinutes));
    if (gpuCullTimeoutMinutes > cullTimeoutMinutes) {
        s.fail("gpuCullTimeoutMinutes", gpuCullTimeoutMinutes, `must be at most cullTimeoutMinutes (${cullTimeoutMinutes}): the hub culler stops GPU servers at cullTimeoutMinutes anyway`);
    }
    const ingress = host !== undefined ? resolveIngress(s, host) : undefined;
    return {
        auth: authArgs,
        adminUsers,
        allowedUsers: userList(s, "jupyterAllowedUsers"),
        profiles: profiles(s),
        notebookStorageGiB: s.int("notebookStorageGiB", 1, 1024),
        cullTimeoutMinutes,
        gpuCullTimeoutMinutes,
        ingress,
    };
}
