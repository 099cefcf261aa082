import * as pulumi from "@pulumi/pulumi";
import { MLFLOW_PORT, NAMESPACE_NAME_LABEL, NAMESPACES } from "../shared/platform";
import { ResolvedJupyterHubArgs } from "./args";
import { profileList, startTimeouts } from "./profiles";

/** Notebook user id and group of the Jupyter docker-stacks images (`jovyan`, uid 1000, gid 100). */
export const NOTEBOOK_UID = 1000;
export const NOTEBOOK_GID = 100;

/** Restricted-profile fields on user pods that z2jh does not set itself (`hub.config.KubeSpawner`). */
export function userPodSecurity() {
    return {
        pod_security_context: { runAsNonRoot: true, fsGroup: NOTEBOOK_GID, seccompProfile: { type: "RuntimeDefault" } },
        container_security_context: { runAsNonRoot: true, runAsUser: NOTEBOOK_UID, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
    };
}

function splitImage(ref: string): { name: string; tag: string } {
    const i = ref.lastIndexOf(":");
    return { name: ref.slice(0, i), tag: ref.slice(i + 1) };
}

/** z2jh `singleuser` values: the user pods' image, identity, network, size, storage and profiles. */
export function singleuserValues(a: ResolvedJupyterHubArgs, mlflowTrackingUri: pulumi.Input<string>) {
    const first = a.profiles.find((p) => p.default) ?? a.profiles[0];
    const cpuImage = splitImage(a.cpuImage);
    return {
        image: { name: cpuImage.name, tag: cpuImage.tag },
        uid: NOTEBOOK_UID,
        fsGid: NOTEBOOK_GID,
        allowPrivilegeEscalation: false,
        // The iptables init container is privileged with NET_ADMIN; the NetworkPolicy below blocks IMDS instead (JH-01).
        cloudMetadata: { blockWithIptables: false },
        networkPolicy: {
            enabled: true,
            egressAllowRules: {
                cloudMetadataServer: false,
                dnsPortsCloudMetadataServer: false,
                dnsPortsKubeSystemNamespace: true,
                dnsPortsPrivateIPs: true,
                nonPrivateIPs: true,
                privateIPs: false,
            },
            // privateIPs is off, so the in-cluster MLflow server needs its own rule.
            egress: [
                {
                    to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: NAMESPACES.mlflow } } }],
                    ports: [{ port: MLFLOW_PORT, protocol: "TCP" }],
                },
            ],
        },
        extraEnv: { MLFLOW_TRACKING_URI: mlflowTrackingUri },
        cpu: { guarantee: first.cpuGuarantee, limit: first.cpuLimit },
        memory: { guarantee: first.memoryGuarantee.replace(/i$/, ""), limit: first.memoryLimit.replace(/i$/, "") },
        storage: {
            type: "dynamic",
            capacity: `${a.notebookStorageGiB}Gi`,
            dynamic: { storageClass: a.storageClassName },
        },
        profileList: profileList(a),
        // The hub's limit for every spawn; see startTimeouts for why it is the GPU profile's.
        startTimeout: startTimeouts(a).hub,
        // KubeSpawner relays the pod's events (FailedScheduling, TriggeredScaleUp from the
        // cluster autoscaler, Pulling, Pulled, Started) to the spawn page's progress bar
        // (kubespawner 7.0.0 `progress()`; z2jh maps `singleuser.events` to `events_enabled`).
        // The chart default is already true; set here so a change to it fails a test.
        events: true,
    };
}
