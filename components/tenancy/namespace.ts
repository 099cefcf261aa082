/**
 * A team namespace: Pod Security `restricted`, admitted to MLflow, with the team's quota (GPUs
 * included), default requests for containers that state none, and the team's MLflow credentials.
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GPU_RESOURCE } from "../shared/gpu";
import { podSecurity, standardLabels } from "../shared/labels";
import { MLFLOW_CLIENT_LABEL } from "../shared/platform";
import { MLFLOW_CREDENTIALS_SECRET, MLFLOW_PASSWORD_ENV, MLFLOW_USERNAME_ENV } from "../tracking/auth";
import type { TeamQuota } from "./settings";

/** Label naming the team that owns a namespace. */
export const TEAM_LABEL = "mlplatform.io/team";

/** One team namespace as the parts built in it see it. */
export interface TeamNamespace {
    /** Prefix of the logical names of everything in it: `<component>-<namespace>`. */
    readonly res: string;
    /** The namespace's name, from the Namespace resource, so objects in it are created after it. */
    readonly namespace: pulumi.Output<string>;
    /** Options of everything in it (the namespace's own included). */
    readonly opts: pulumi.CustomResourceOptions;
    /** Metadata of an object in it, with the team labels. */
    meta(objectName: string): { name: string; namespace: pulumi.Output<string>; labels: Record<string, string> };
}

/**
 * The namespace `nsName` of team `team`, with its ResourceQuota and LimitRange. `retain` keeps it
 * (and what the caller builds with its options) in the cluster when it leaves the config.
 */
export function teamNamespace(name: string, parent: pulumi.Resource, team: string, nsName: string, quota: TeamQuota, retain: boolean): TeamNamespace {
    const res = `${name}-${nsName}`;
    const opts = { parent, retainOnDelete: retain };
    const labels = standardLabels("tenancy", "team", name);
    const ps = podSecurity("restricted");
    const ns = new k8s.core.v1.Namespace(`${res}-ns`, {
        metadata: {
            name: nsName,
            labels: { ...ps.labels, ...labels, [TEAM_LABEL]: team, [MLFLOW_CLIENT_LABEL.key]: MLFLOW_CLIENT_LABEL.value },
        },
    }, opts);
    const namespace = ns.metadata.name;
    const meta = (n: string) => ({ name: n, namespace, labels });

    new k8s.core.v1.ResourceQuota(`${res}-quota`, {
        metadata: meta("team-quota"),
        spec: {
            hard: {
                "requests.cpu": quota.cpu,
                "requests.memory": quota.memory,
                // Always set, 0 included: a team without GPU quota cannot hold a GPU.
                [`requests.${GPU_RESOURCE}`]: `${quota.gpu}`,
                "requests.storage": quota.storage,
                pods: `${quota.pods}`,
                // Checklist NS-07: a LoadBalancer or NodePort Service makes EKS build an
                // internet-facing load balancer or open node ports outside the program; a platform
                // admin exposes things through the platform's Ingress instead.
                "services.loadbalancers": "0",
                "services.nodeports": "0",
            },
        },
    }, opts);

    // Defaults for containers that state nothing, so the quota can count them. No CPU limit:
    // throttling hurts more than it protects (BPG dataplane).
    new k8s.core.v1.LimitRange(`${res}-limits`, {
        metadata: meta("team-defaults"),
        spec: {
            limits: [{
                type: "Container",
                defaultRequest: { cpu: "250m", memory: "512Mi" },
                default: { memory: "2Gi" },
            }],
        },
    }, opts);
    return { res, namespace, opts, meta };
}

/**
 * The team's MLflow user, as the Secret `mlflow-credentials` in one of its namespaces, keyed by the
 * MLflow client's env names, so `envFrom: [{secretRef: {name: mlflow-credentials}}]` signs a Job in
 * (checklist ML-04).
 */
export function mlflowCredentialsSecret(name: string, parent: pulumi.Resource, ns: TeamNamespace, creds: { readonly username: string; readonly password: pulumi.Input<string> }): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(`${ns.res}-mlflow-credentials`, {
        metadata: { name: MLFLOW_CREDENTIALS_SECRET, namespace: ns.namespace, labels: standardLabels("tenancy", "mlflow-credentials", name) },
        type: "Opaque",
        stringData: { [MLFLOW_USERNAME_ENV]: creds.username, [MLFLOW_PASSWORD_ENV]: creds.password },
    }, { parent });
}
