import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { standardLabels } from "../shared/labels";
import { NOTEBOOK_PROVISIONER_SECRET } from "../tracking/auth";
import { JupyterHubAuth } from "./args";
import { JUPYTERHUB_AUTH_SECRET } from "./auth";

/** The auth Secret and the generated credentials it holds. */
export interface HubSecrets {
    readonly authSecret: k8s.core.v1.Secret;
    /** API token of the verify service (secret). */
    readonly verifyToken: pulumi.Output<string>;
    /** Generated shared user password (secret), shared-password auth only. */
    readonly userPassword: pulumi.Output<string> | undefined;
    /** Generated admin password (secret), shared-password auth only. */
    readonly adminPassword: pulumi.Output<string> | undefined;
}

/**
 * {@link JUPYTERHUB_AUTH_SECRET}: the generated user and admin passwords (shared-password) or the
 * OAuth client secret, and the verify service's generated token. The hub reads them through env.
 */
export function hubSecrets(name: string, parent: pulumi.Resource, auth: JupyterHubAuth, namespace: pulumi.Input<string>): HubSecrets {
    let secretData: Record<string, pulumi.Input<string>>;
    let userPassword: pulumi.Output<string> | undefined;
    let adminPassword: pulumi.Output<string> | undefined;
    if (auth.type === "shared-password") {
        // JupyterHub refuses an admin password shorter than 32 characters or equal to the user password.
        const user = new random.RandomPassword(`${name}-user-password`, { length: 24, special: false }, { parent });
        const admin = new random.RandomPassword(`${name}-admin-password`, { length: 40, special: false }, { parent });
        secretData = { secret: pulumi.secret(user.result), admin: pulumi.secret(admin.result) };
        userPassword = pulumi.secret(user.result);
        adminPassword = pulumi.secret(admin.result);
    } else {
        secretData = { secret: pulumi.secret(auth.clientSecret) };
    }
    const token = new random.RandomPassword(`${name}-verify-token`, { length: 48, special: false }, { parent });
    const verifyToken = pulumi.secret(token.result);
    const authSecret = new k8s.core.v1.Secret(`${name}-auth`, {
        metadata: { name: JUPYTERHUB_AUTH_SECRET, namespace, labels: standardLabels("jupyterhub", "auth", name) },
        type: "Opaque",
        stringData: { ...secretData, "verify-token": verifyToken },
    }, { parent });
    return { authSecret, verifyToken, userPassword, adminPassword };
}

/** The Secret the hub's MLflow hook reads (admin password, per-user key), when MLflow has auth. */
export function mlflowProvisionerSecret(name: string, parent: pulumi.Resource, namespace: pulumi.Input<string>, adminPassword?: pulumi.Input<string>): k8s.core.v1.Secret[] {
    if (adminPassword === undefined) {
        return [];
    }
    const key = new random.RandomPassword(`${name}-mlflow-user-key`, { length: 48, special: false }, { parent });
    return [new k8s.core.v1.Secret(`${name}-mlflow-provisioner`, {
        metadata: { name: NOTEBOOK_PROVISIONER_SECRET, namespace, labels: standardLabels("jupyterhub", "mlflow-provisioner", name) },
        type: "Opaque",
        stringData: { "admin-password": pulumi.secret(adminPassword), "user-key": key.result },
    }, { parent })];
}
