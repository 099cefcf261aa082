import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { defaultDenyIngress } from "../shared/namespace";
import { podSecurity, standardLabels } from "../shared/labels";
import { MLFLOW_CLIENT_LABEL, NAMESPACES } from "../shared/platform";

/** The `jupyterhub` namespace (MLflow client, Pod Security levels) and its default-deny ingress policy. */
export function hubNamespace(name: string, parent: pulumi.Resource, deleteVolumesWithWorkload: boolean): pulumi.Output<string> {
    const labels = standardLabels("jupyterhub", "notebooks", name);
    // Enforce baseline, audit and warn restricted. The chart 4.4.0 pods (hub, proxy, user scheduler,
    // image pullers) ship restricted contexts, and this component sets restricted pod and container
    // contexts on user pods through KubeSpawner's pod_security_context/container_security_context.
    // But KubeSpawner builds user pods at spawn time from those traits merged with profile overrides,
    // which cannot be checked before deploy; under enforce=restricted any gap makes every spawn fail.
    // audit/warn=restricted reports such a gap; switch enforce once a live cluster shows none.
    const pss = podSecurity(
        "baseline",
        "User pods are built by KubeSpawner at spawn time (uid, fsGroup, seccomp and capabilities merged from hub.config " +
            "and profile overrides), which cannot be verified before deploy; enforce=restricted would turn any gap into failed " +
            "spawns. Audit and warn are restricted. Baseline still refuses privileged, hostPath and NET_ADMIN (the iptables init container is off).",
        "restricted",
    );

    const ns = new k8s.core.v1.Namespace(`${name}-namespace`, {
        metadata: {
            name: NAMESPACES.jupyterhub,
            labels: { ...labels, ...pss.labels, [MLFLOW_CLIENT_LABEL.key]: MLFLOW_CLIENT_LABEL.value },
            annotations: pss.annotations,
        },
    // User volumes are made by KubeSpawner, not Helm: they go with the namespace, so production keeps the namespace.
    }, { parent, retainOnDelete: !deleteVolumesWithWorkload });
    const namespace = ns.metadata.name;
    // NS-09: the chart's own policies (hub, proxy, user pods) are the explicit allows; every other
    // pod in the namespace (image pullers, user scheduler) takes no traffic.
    defaultDenyIngress(`${name}-namespace`, namespace, [], { parent });
    return namespace;
}
