import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { ADMIN_PASSWORD_ENV, JUPYTERHUB_AUTH_SECRET, OAUTH_CLIENT_SECRET_ENV, USER_PASSWORD_ENV, verifyServiceExtraConfig } from "../../components/jupyter-hub/auth";
import { invalidObjects } from "../k8s-schema";
import { allRecords, byType, resolve } from "../mocks";
import { build, CLIENT_SECRET, MOCK_ADMIN_PASSWORD, MOCK_PASSWORD, OAUTH, PASSWORD_TYPE, PRODUCTION, SECRET, values, VERIFY_ENV } from "./fixtures";

describe("shared-password auth", () => {
    it("configures shared-password auth from generated user and admin passwords kept out of the values", async () => {
        const hub = await build();
        const v = values();
        expect(v.hub.config.JupyterHub).toEqual({ authenticator_class: "shared-password" });
        expect(v.hub.config.Authenticator).toEqual({ admin_users: ["admin"], allow_all: true });
        expect(v.hub.extraEnv).toEqual([
            { name: USER_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: JUPYTERHUB_AUTH_SECRET, key: "secret" } } },
            { name: ADMIN_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: JUPYTERHUB_AUTH_SECRET, key: "admin" } } },
            VERIFY_ENV,
        ]);
        expect(v.hub.extraConfig).toEqual({
            "10-shared-password": 'import os\nc.SharedPasswordAuthenticator.user_password = os.environ["USER_PASSWORD"]\nc.SharedPasswordAuthenticator.admin_password = os.environ["ADMIN_PASSWORD"]\n',
            ...verifyServiceExtraConfig(),
        });
        // JupyterHub refuses an admin password under 32 characters.
        const passwords = byType(PASSWORD_TYPE);
        expect(passwords.find((p) => p.name === "jh-admin-password")!.inputs.length).toBeGreaterThanOrEqual(32);
        expect(passwords.find((p) => p.name === "jh-user-password")!.inputs.length).toBeGreaterThanOrEqual(8);
        const secret = byType(SECRET)[0];
        expect(secret.inputs.metadata).toMatchObject({ name: JUPYTERHUB_AUTH_SECRET, namespace: "jupyterhub" });
        expect(secret.inputs.stringData).toEqual({ secret: MOCK_PASSWORD, admin: MOCK_ADMIN_PASSWORD, "verify-token": "mock-secret-jh-verify-token" });
        expect(secret.secretPaths.some((p) => "stringData.secret".startsWith(p))).toBe(true);
        expect(secret.secretPaths.some((p) => "stringData.admin".startsWith(p))).toBe(true);
        expect(await resolve(hub.userPassword!)).toBe(MOCK_PASSWORD);
        expect(await resolve(hub.adminPassword!)).toBe(MOCK_ADMIN_PASSWORD);
        expect(await pulumi.isSecret(hub.userPassword!)).toBe(true);
        expect(await pulumi.isSecret(hub.adminPassword!)).toBe(true);
        for (const r of allRecords().filter((x) => x.type !== SECRET && x.type !== PASSWORD_TYPE)) {
            expect(JSON.stringify(r.inputs), r.name).not.toContain(MOCK_PASSWORD);
            expect(JSON.stringify(r.inputs), r.name).not.toContain(MOCK_ADMIN_PASSWORD);
        }
    });
});

describe("OAuth auth", () => {
    it("configures GenericOAuthenticator with the client secret only in a Secret", async () => {
        const hub = await build(PRODUCTION);
        expect(hub.adminPassword).toBeUndefined();
        // No sign-in password is generated with OAuth; only the verify service's token.
        expect(byType(PASSWORD_TYPE).map((p) => p.name)).toEqual(["jh-verify-token"]);
        const v = values();
        expect(v.hub.config.JupyterHub).toEqual({ authenticator_class: "generic-oauth" });
        expect(v.hub.config.Authenticator).toEqual({ admin_users: ["alice@example.com"], allowed_users: ["alice@example.com", "bob@example.com"] });
        expect(v.hub.config.GenericOAuthenticator).toEqual({
            client_id: "jupyterhub",
            oauth_callback_url: OAUTH.callbackUrl,
            authorize_url: OAUTH.authorizeUrl,
            token_url: OAUTH.tokenUrl,
            userdata_url: OAUTH.userdataUrl,
            username_claim: "email",
            scope: ["openid", "email", "profile"],
        });
        expect(v.hub.extraEnv).toEqual([{ name: OAUTH_CLIENT_SECRET_ENV, valueFrom: { secretKeyRef: { name: JUPYTERHUB_AUTH_SECRET, key: "secret" } } }, VERIFY_ENV]);
        expect(v.hub.extraConfig).toEqual({ "10-oauth-client-secret": 'import os\nc.GenericOAuthenticator.client_secret = os.environ["OAUTH_CLIENT_SECRET"]\n', ...verifyServiceExtraConfig() });
        const secret = byType(SECRET)[0];
        expect(secret.inputs.stringData).toEqual({ secret: CLIENT_SECRET, "verify-token": "mock-secret-jh-verify-token" });
        expect(secret.secretPaths.some((p) => "stringData.secret".startsWith(p))).toBe(true);
        for (const r of allRecords().filter((x) => x.type !== SECRET)) {
            expect(JSON.stringify(r.inputs), r.name).not.toContain(CLIENT_SECRET);
        }
        expect(await invalidObjects(allRecords())).toEqual([]);
    });
});
