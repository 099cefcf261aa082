/** The notebooks layer's config keys and their validation: sign-in, users, profiles, storage, culling, Ingress. */
import { IngressKey, resolveIngress } from "../shared/ingress-settings";
import { KeyTable, Settings, viaComponent } from "../shared/settings";
import { JupyterHubArgs, NotebookProfile, resolveJupyterHubArgs } from ".";

export const JUPYTER_HUB_KEYS = {
    jupyterAuth: { type: "string", description: "JupyterHub sign-in: shared-password (generated user and admin passwords; sandbox only) or oauth (an OAuth2/OIDC provider).", default: { sandbox: "shared-password", production: "oauth" }, docs: { sandbox: "`shared-password` (generated user and admin passwords, exported as secrets)", production: "`oauth` (production refuses `shared-password`)" } },
    // Admins must be named per production stack (no default user exists with OAuth).
    jupyterAdminUsers: { type: "string[]", description: "JupyterHub admin user names (with oauth, as the provider's username claim gives them).", default: { sandbox: ["admin"], production: [] }, docs: { production: "required (at least one)" } },
    jupyterAllowedUsers: { type: "string[]", description: "More user names allowed to sign in with oauth (admins always are).", default: { sandbox: [], production: [] }, docs: { sandbox: "`[]` (shared-password auth lets in anyone with the password)", production: "`[]` (admins are always allowed)" } },
    notebookProfiles: { type: "object[]", description: "Notebook server sizes: list of {slug, displayName, description, cpuGuarantee, cpuLimit, memoryGuarantee, memoryLimit, gpus?, image?, default?}.", docs: { sandbox: "small CPU (1 CPU, 4 GiB), large CPU (3–4 CPU, 12–16 GiB), GPU (3–4 CPU, 12–16 GiB, 1 GPU)", production: "same" } },
    notebookStorageGiB: { type: "integer", description: "Per-user home volume size, GiB (gp3, encrypted).", default: { sandbox: 10, production: 50 } },
    cullTimeoutMinutes: { type: "integer", description: "Idle notebook servers are stopped after this many minutes.", default: { sandbox: 60, production: 120 } },
    gpuCullTimeoutMinutes: { type: "integer", description: "Idle GPU notebook servers stop themselves after this many minutes (at most cullTimeoutMinutes), releasing the GPU node.", default: { sandbox: 30, production: 60 }, docs: { sandbox: "`30` (at most `cullTimeoutMinutes`)", production: "`60` (at most `cullTimeoutMinutes`)" } },
    jupyterIngressHost: { type: "string", description: "Host name of the JupyterHub Ingress (required in production); the OAuth callback is https://<host>/hub/oauth_callback.", docs: { sandbox: "refused (sandboxes use port-forward, so destroy leaves no load balancer)", production: "required" } },
} as const satisfies KeyTable;

type Key = keyof typeof JUPYTER_HUB_KEYS | IngressKey;

/** JupyterHub settings (everything but what index.ts wires from other layers). */
export type NotebookSettings = Omit<JupyterHubArgs, "mlflowTrackingUri" | "deleteVolumesWithWorkload">;

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
    const oauthKeys = ["oidcClientId", "oidcAuthorizeUrl", "oidcTokenUrl", "oidcUserinfoUrl"] as const;
    let authArgs: JupyterHubArgs["auth"];
    if (auth === "oauth") {
        const missing = oauthKeys.filter((k) => s.raw[k] === undefined);
        if (missing.length > 0) {
            s.fail(missing[0], undefined, `oauth sign-in needs ${[...oauthKeys, "oidcClientSecret"].join(", ")}; missing ${missing.join(", ")}`);
        }
        const clientSecret = s.secret("oidcClientSecret");
        if (clientSecret === undefined) {
            s.fail("oidcClientSecret", undefined, "oauth sign-in needs the client secret: `pulumi config set --secret oidcClientSecret <secret>`");
        }
        if (host === undefined) {
            s.fail("jupyterIngressHost", undefined, "oauth sign-in needs a public callback URL: set jupyterIngressHost");
        }
        authArgs = {
            type: "oauth",
            clientId: s.str("oidcClientId")!,
            clientSecret,
            authorizeUrl: s.str("oidcAuthorizeUrl")!,
            tokenUrl: s.str("oidcTokenUrl")!,
            userdataUrl: s.str("oidcUserinfoUrl")!,
            usernameClaim: s.str("oidcUsernameClaim")!,
            callbackUrl: `https://${host}/hub/oauth_callback`,
        };
    } else {
        authArgs = { type: "shared-password" };
    }
    const cullTimeoutMinutes = s.int("cullTimeoutMinutes", 5, 10080);
    const n: NotebookSettings = {
        auth: authArgs,
        adminUsers: s.strList("jupyterAdminUsers"),
        allowedUsers: s.strList("jupyterAllowedUsers"),
        profiles: s.objectList("notebookProfiles") as NotebookProfile[] | undefined,
        notebookStorageGiB: s.int("notebookStorageGiB", 1, 1024),
        cullTimeoutMinutes,
        // Defaults to the preset's value, capped by a shorter configured general timeout.
        gpuCullTimeoutMinutes: s.int("gpuCullTimeoutMinutes", 5, 10080, Math.min(s.default<number>("gpuCullTimeoutMinutes"), cullTimeoutMinutes)),
        ingress: host !== undefined ? resolveIngress(s, host) : undefined,
    };
    viaComponent(s, {
        adminUsers: "jupyterAdminUsers", allowedUsers: "jupyterAllowedUsers", profiles: "notebookProfiles", notebookStorageGiB: "notebookStorageGiB",
        cullTimeoutMinutes: "cullTimeoutMinutes", gpuCullTimeoutMinutes: "gpuCullTimeoutMinutes", "auth.clientId": "oidcClientId",
        "auth.authorizeUrl": "oidcAuthorizeUrl", "auth.tokenUrl": "oidcTokenUrl", "auth.userdataUrl": "oidcUserinfoUrl",
        "auth.usernameClaim": "oidcUsernameClaim", "auth.callbackUrl": "jupyterIngressHost", "ingress.host": "jupyterIngressHost",
        "ingress.certificateArn": "ingressCertificateArn", "ingress.scheme": "ingressScheme", cpuImage: "notebookProfiles", gpuImage: "notebookProfiles",
    }, "notebookProfiles", () => resolveJupyterHubArgs(n));
    return n;
}

