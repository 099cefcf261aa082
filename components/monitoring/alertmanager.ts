/**
 * Alertmanager: its configuration (alertmanager-config.ts renders it) in a Secret of its own, and
 * the chart's `alertmanager` values that run it from that Secret.
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../shared/labels";
import { resources } from "../shared/security-context";
import { renderAlertmanagerConfig } from "./alertmanager-config";
import { ResolvedMonitoringArgs } from "./args";
import { ON_CPU_NODES, PVC_RETENTION, volumeClaim, zoneSpread } from "./scheduling";

/** Secret holding `alertmanager.yaml`; the Alertmanager object reads its config from it. */
export const ALERTMANAGER_CONFIG_SECRET = "alertmanager-platform";

/** The Secret `${name}-alertmanager-config` holding the rendered `alertmanager.yaml`, receivers' secrets included. */
export function alertmanagerConfigSecret(parent: pulumi.Resource, name: string, namespace: pulumi.Input<string>, a: ResolvedMonitoringArgs): k8s.core.v1.Secret {
    const email = a.email;
    const alertmanagerYaml = pulumi.all([a.slackWebhookUrl, a.deadMansSwitchUrl, email?.password]).apply(([slack, dms, smtpPassword]) =>
        renderAlertmanagerConfig({
            slackWebhookUrl: slack,
            slackChannel: a.slackChannel,
            deadMansSwitchUrl: dms,
            email: email === undefined ? undefined : { to: email.to, from: email.from, smarthost: email.smarthost, username: email.username, password: smtpPassword as string },
        }));
    return new k8s.core.v1.Secret(`${name}-alertmanager-config`, {
        metadata: { name: ALERTMANAGER_CONFIG_SECRET, namespace, labels: standardLabels("alertmanager", "alerting", name) },
        type: "Opaque",
        // Receiver URLs and SMTP passwords live in this file, so it is a Secret and always secret in state.
        stringData: { "alertmanager.yaml": pulumi.secret(alertmanagerYaml) },
    }, { parent });
}

/** kube-prometheus-stack's `alertmanager` values. */
export function alertmanagerValues(a: ResolvedMonitoringArgs) {
    return {
        podDisruptionBudget: { enabled: a.podDisruptionBudgets },
        alertmanagerSpec: {
            replicas: a.alertmanagerReplicas,
            storage: { volumeClaimTemplate: volumeClaim(a.storageClassName, a.alertmanagerStorageGiB) },
            persistentVolumeClaimRetentionPolicy: PVC_RETENTION,
            // The platform renders alertmanager.yaml itself and keeps it in its own Secret.
            useExistingSecret: true,
            configSecret: ALERTMANAGER_CONFIG_SECRET,
            podAntiAffinity: a.podAntiAffinity,
            topologySpreadConstraints: zoneSpread(a.alertmanagerReplicas),
            // K8S-11: Alertmanager never calls the Kubernetes API (its config-reloader watches
            // mounted files), so it gets no token.
            automountServiceAccountToken: false,
            nodeSelector: ON_CPU_NODES,
            resources: resources("50m", "64Mi", "128Mi"),
        },
    };
}
