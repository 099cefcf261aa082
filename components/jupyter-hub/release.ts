import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../shared/labels";
import { NOTEBOOK_VERSIONS } from "../shared/versions";
import { JUPYTERHUB_RELEASE, PROXY_SERVICE_ACCOUNT } from "./chart";

/** The proxy's ServiceAccount, without a token (the proxy never calls the API; K8S-11). */
export function proxyServiceAccount(name: string, parent: pulumi.Resource, namespace: pulumi.Input<string>): k8s.core.v1.ServiceAccount {
    return new k8s.core.v1.ServiceAccount(`${name}-proxy-sa`, {
        metadata: { name: PROXY_SERVICE_ACCOUNT, namespace, labels: standardLabels("proxy", "service-account", name) },
        automountServiceAccountToken: false,
    }, { parent });
}

/** The pinned z2jh release; `dependsOn` lists what its pods mount or run as. */
export function jupyterHubRelease(
    name: string,
    parent: pulumi.Resource,
    namespace: pulumi.Input<string>,
    values: pulumi.Inputs,
    dependsOn: pulumi.Resource[],
): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(`${name}-jupyterhub`, {
        name: JUPYTERHUB_RELEASE,
        chart: NOTEBOOK_VERSIONS.chart.chart,
        version: NOTEBOOK_VERSIONS.chart.version,
        repositoryOpts: { repo: NOTEBOOK_VERSIONS.chart.repo },
        namespace,
        // Pulling notebook images and binding volumes can take a while on a fresh node.
        timeout: 900,
        values,
    }, { parent, dependsOn });
}
