import { JupyterHubAuth, ResolvedJupyterHubArgs } from "./args";

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

/** `hub.config` for the sign-in method: the authenticator class, admins and who may sign in. */
export function authConfig(a: ResolvedJupyterHubArgs) {
    return a.auth.type === "shared-password"
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
}

/** The hub's env from {@link JUPYTERHUB_AUTH_SECRET}: the sign-in secrets and the verify token. */
export function authSecretEnv(auth: JupyterHubAuth) {
    const fromSecret = (env: string, key: string) => ({ name: env, valueFrom: { secretKeyRef: { name: JUPYTERHUB_AUTH_SECRET, key } } });
    return [
        ...(auth.type === "shared-password"
            ? [fromSecret(USER_PASSWORD_ENV, "secret"), fromSecret(ADMIN_PASSWORD_ENV, "admin")]
            : [fromSecret(OAUTH_CLIENT_SECRET_ENV, "secret")]),
        fromSecret(VERIFY_TOKEN_ENV, "verify-token"),
    ];
}
