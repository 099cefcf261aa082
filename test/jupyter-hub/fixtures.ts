import { expect } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { JupyterHub, JupyterHubArgs } from "../../components/jupyter-hub";
import { JUPYTERHUB_AUTH_SECRET, VERIFY_TOKEN_ENV } from "../../components/jupyter-hub/auth";
import { DEFAULT_PROFILES } from "../../components/jupyter-hub/settings";
import { Env, Res } from "../../policy/checks";
import { JUPYTERHUB_CHECKS } from "../../policy/checks-jupyterhub";
import { buildComponentOnce, byType, ResourceRecord } from "../mocks";

export const RELEASE = "kubernetes:helm.sh/v3:Release";
export const SECRET = "kubernetes:core/v1:Secret";
export const NAMESPACE = "kubernetes:core/v1:Namespace";
export const PASSWORD_TYPE = "random:index/randomPassword:RandomPassword";
export const MOCK_PASSWORD = "mock-secret-jh-user-password";
export const MOCK_ADMIN_PASSWORD = "mock-secret-jh-admin-password";
/** The verify service's token reaches the hub from the auth Secret, like the passwords. */
export const VERIFY_ENV = { name: VERIFY_TOKEN_ENV, valueFrom: { secretKeyRef: { name: JUPYTERHUB_AUTH_SECRET, key: "verify-token" } } };
export const CLIENT_SECRET = "oauth-client-secret-never-in-values";
export const URI = "http://mlflow.mlflow.svc.cluster.local:5000";
export const CERT = "arn:aws:acm:us-west-2:123456789012:certificate/0f0e0d0c-0b0a-4909-8807-060504030201";

/** What the sandbox preset's settings hand the component (settings.ts key table defaults). */
export const SANDBOX: JupyterHubArgs = {
    mlflowTrackingUri: URI,
    auth: { type: "shared-password" },
    adminUsers: ["admin"],
    allowedUsers: [],
    profiles: DEFAULT_PROFILES,
    notebookStorageGiB: 10,
    cullTimeoutMinutes: 60,
    gpuCullTimeoutMinutes: 30,
    deleteVolumesWithWorkload: true,
};
export const OAUTH = {
    type: "oauth" as const,
    clientId: "jupyterhub",
    clientSecret: pulumi.secret(CLIENT_SECRET),
    authorizeUrl: "https://idp.example.com/oauth2/authorize",
    tokenUrl: "https://idp.example.com/oauth2/token",
    userdataUrl: "https://idp.example.com/oauth2/userinfo",
    usernameClaim: "email",
    callbackUrl: "https://notebooks.example.com/hub/oauth_callback",
};
export const PRODUCTION: JupyterHubArgs = {
    mlflowTrackingUri: URI,
    auth: OAUTH,
    adminUsers: ["alice@example.com"],
    allowedUsers: ["bob@example.com"],
    profiles: DEFAULT_PROFILES,
    notebookStorageGiB: 50,
    cullTimeoutMinutes: 120,
    gpuCullTimeoutMinutes: 45,
    ingress: { host: "notebooks.example.com", certificateArn: CERT },
    deleteVolumesWithWorkload: false,
};

export async function build(args: JupyterHubArgs = SANDBOX) {
    return buildComponentOnce(["jh", args], () => new JupyterHub("jh", args), (hub) => [hub.portForwardCommand]);
}

export const release = (): ResourceRecord => {
    const rs = byType(RELEASE);
    expect(rs).toHaveLength(1);
    return rs[0];
};
export const values = () => release().inputs.values;
export const asRes = (rs: ResourceRecord[]): Res[] => rs.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
export const ids = (rs: Res[], env: Env) => JUPYTERHUB_CHECKS.flatMap((c) => c.evaluate(rs, env));
