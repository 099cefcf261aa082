/**
 * The basic-auth app's credentials (checklist ML-04; the rules are in auth.ts): the generated
 * admin password, CSRF key and per-identity passwords, the Secrets holding them, and the Job that
 * registers the identities with the running server.
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { standardLabels } from "../shared/labels";
import { MLFLOW_PORT } from "../shared/platform";
import { DEFAULT_UID, resources, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../shared/security-context";
import { TRACKING_VERSIONS } from "../shared/versions";
import {
    AUTH_BOOTSTRAP_APP, AUTH_DB_NAME, authIni, BOOTSTRAP_ADMIN_DIR, BOOTSTRAP_SCRIPT, BOOTSTRAP_USERS_DIR, METRICS_READER, MLFLOW_AUTH_SECRET,
    MLFLOW_PASSWORD_ENV, MLFLOW_USERNAME_ENV, MLFLOW_USERS_SECRET, MlflowIdentity, readerUser,
} from "./auth";
import type { TrackingDatabase } from "./database";
import { DNS_EGRESS } from "./network-policies";
import { MLFLOW_NAME, ObjectMeta, TrackingNamespace, TrackingServer } from "./server";

/** Secret (mlflow namespace) with the credentials Prometheus scrapes `/metrics` with. */
export const MLFLOW_METRICS_SECRET = "mlflow-metrics-credentials";

/** The generated credentials and the Secrets that hold them. */
export interface MlflowSecrets {
    /** Auth INI, admin password and CSRF key (server and bootstrap Job mount parts of it). */
    readonly authSecret: k8s.core.v1.Secret;
    /** One key per generated identity: its password (the bootstrap Job mounts it). */
    readonly usersSecret: k8s.core.v1.Secret;
    /** The metrics reader's username and password (Prometheus's basic auth). */
    readonly metricsSecret: k8s.core.v1.Secret;
    readonly adminPassword: pulumi.Output<string>;
    /** Username → generated password (secret). */
    readonly passwords: Record<string, pulumi.Output<string>>;
}

/**
 * Generates the passwords and declares the auth, users and metrics Secrets; children
 * `${name}-admin-password`, `-flask-secret-key`, `-user-<username>`, `-auth-secret`, `-users-secret`,
 * `-metrics-secret`.
 */
export function mlflowSecrets(name: string, parent: pulumi.Resource, identities: MlflowIdentity[], meta: ObjectMeta, database: TrackingDatabase): MlflowSecrets {
    const secretValue = (role: string, length: number) =>
        pulumi.secret(new random.RandomPassword(`${name}-${role}`, { length, special: false }, { parent }).result);
    const adminPassword = secretValue("admin-password", 32);
    const passwords = Object.fromEntries(identities.map((i) => [i.username, secretValue(`user-${i.username}`, 32)]));
    const authDbUri = database.uri(AUTH_DB_NAME);
    const authSecret = new k8s.core.v1.Secret(`${name}-auth-secret`, {
        metadata: meta(MLFLOW_AUTH_SECRET),
        type: "Opaque",
        stringData: {
            "basic_auth.ini": pulumi.all([adminPassword, authDbUri]).apply(([p, u]) => authIni(p, u)),
            "admin-password": adminPassword,
            "flask-secret-key": secretValue("flask-secret-key", 48),
        },
    }, { parent });
    const usersSecret = new k8s.core.v1.Secret(`${name}-users-secret`, {
        metadata: meta(MLFLOW_USERS_SECRET),
        type: "Opaque",
        stringData: passwords,
    }, { parent });
    const metricsUser = readerUser(METRICS_READER);
    const metricsSecret = new k8s.core.v1.Secret(`${name}-metrics-secret`, {
        metadata: meta(MLFLOW_METRICS_SECRET),
        type: "Opaque",
        stringData: { [MLFLOW_USERNAME_ENV]: metricsUser, [MLFLOW_PASSWORD_ENV]: passwords[metricsUser] },
    }, { parent });
    return { authSecret, usersSecret, metricsSecret, adminPassword, passwords };
}

/**
 * The Job that creates the generated MLflow users (or resets their passwords) through the auth
 * REST API once the server runs. Admin and user passwords are mounted files; the pod spec holds
 * only user names, so a new team or reader changes the template and the provider replaces the Job.
 * Children `${name}-auth-bootstrap` (ServiceAccount, Job, NetworkPolicy).
 */
export function authBootstrapJob(name: string, parent: pulumi.Resource, { namespace, selector }: TrackingNamespace, usernames: string[], secrets: MlflowSecrets, server: TrackingServer): void {
    const labels = standardLabels(AUTH_BOOTSTRAP_APP, "tracking-auth", name);
    const sa = new k8s.core.v1.ServiceAccount(`${name}-auth-bootstrap`, {
        metadata: { name: AUTH_BOOTSTRAP_APP, namespace, labels },
        automountServiceAccountToken: false,
    }, { parent });
    new k8s.batch.v1.Job(`${name}-auth-bootstrap`, {
        metadata: { namespace, labels },
        spec: {
            backoffLimit: 4,
            template: {
                metadata: { labels },
                spec: {
                    restartPolicy: "OnFailure",
                    serviceAccountName: sa.metadata.name,
                    automountServiceAccountToken: false,
                    securityContext: restrictedPodSecurityContext(DEFAULT_UID),
                    containers: [{
                        name: "bootstrap",
                        image: TRACKING_VERSIONS.mlflowImage,
                        command: ["python", "-c", BOOTSTRAP_SCRIPT],
                        env: [
                            { name: "MLFLOW_TRACKING_URI", value: `http://${MLFLOW_NAME}:${MLFLOW_PORT}` },
                            { name: "MLFLOW_IDENTITIES", value: JSON.stringify(usernames.map((username) => ({ username }))) },
                            { name: "HOME", value: "/tmp" },
                        ],
                        securityContext: restrictedContainerSecurityContext(),
                        resources: resources("50m", "128Mi", "256Mi"),
                        volumeMounts: [
                            { name: "tmp", mountPath: "/tmp" },
                            { name: "admin", mountPath: BOOTSTRAP_ADMIN_DIR, readOnly: true },
                            { name: "users", mountPath: BOOTSTRAP_USERS_DIR, readOnly: true },
                        ],
                    }],
                    volumes: [
                        { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                        { name: "admin", secret: { secretName: secrets.authSecret.metadata.name, items: [{ key: "admin-password", path: "admin-password" }], defaultMode: 0o440 } },
                        { name: "users", secret: { secretName: secrets.usersSecret.metadata.name, defaultMode: 0o440 } },
                    ],
                },
            },
        },
    }, { parent, dependsOn: [server.deployment, server.service] });
    // Its only traffic: DNS and the server's port in this namespace.
    new k8s.networking.v1.NetworkPolicy(`${name}-auth-bootstrap`, {
        metadata: { name: "auth-bootstrap", namespace, labels },
        spec: {
            podSelector: { matchLabels: { "app.kubernetes.io/name": AUTH_BOOTSTRAP_APP } },
            policyTypes: ["Egress"],
            egress: [DNS_EGRESS, { to: [{ podSelector: { matchLabels: selector } }], ports: [{ protocol: "TCP", port: MLFLOW_PORT }] }],
        },
    }, { parent });
}
