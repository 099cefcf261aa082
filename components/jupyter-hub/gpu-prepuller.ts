import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GPU_NODE_LABEL, GPU_TOLERATION } from "../shared/gpu";
import { selectorLabels, standardLabels } from "../shared/labels";
import { resources, restrictedContainerSecurityContext } from "../shared/security-context";
import { NOTEBOOK_VERSIONS } from "../shared/versions";
import { ResolvedNotebookProfile } from "./args";

/** Name (and `app.kubernetes.io/name`) of the GPU image pre-puller DaemonSet. */
export const GPU_PREPULLER = "gpu-image-prepuller";

/**
 * The GPU profiles' images pulled on every GPU node as soon as it joins. Why, next to FastImagePull
 * (which makes each pull faster, see components/cluster/index.ts): a notebook pod asking for a GPU cannot
 * even be scheduled until the device plugin has advertised `nvidia.com/gpu` (~60-90 s after the node
 * is Ready), and kubelet pulls its image only after its home volume is attached (kubernetes
 * pkg/kubelet/kubelet.go SyncPod). This pod asks for no GPU, so it is scheduled the moment the node
 * is Ready and the pull overlaps those stages: it helps the very pod that triggered the scale-up,
 * and every later pod on that node finds the image cached. z2jh's own pullers cannot do this: they
 * run on the user-pod nodes and would put the CUDA image on every CPU node (see prePuller below).
 * The init containers only pull (`/bin/sh -c`, as z2jh's image-puller does); `NVIDIA_VISIBLE_DEVICES=void`
 * keeps the NVIDIA runtime from exposing the node's GPUs to a pod that did not ask for any.
 */
export function gpuPrePullerSpec(images: readonly string[], instance: string) {
    const labels = standardLabels(GPU_PREPULLER, "notebooks", instance);
    return {
        selector: { matchLabels: selectorLabels(GPU_PREPULLER, instance) },
        // Every node pulls at once on an image change; nothing is served, so no availability to keep.
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "100%" } },
        template: {
            metadata: { labels },
            spec: {
                serviceAccountName: GPU_PREPULLER,
                automountServiceAccountToken: false,
                nodeSelector: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value },
                tolerations: [{ ...GPU_TOLERATION }],
                securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
                terminationGracePeriodSeconds: 0,
                initContainers: images.map((image, i) => ({
                    name: `pull-${i}`,
                    image,
                    command: ["/bin/sh", "-c", "echo pulled"],
                    env: [{ name: "NVIDIA_VISIBLE_DEVICES", value: "void" }],
                    securityContext: restrictedContainerSecurityContext(),
                    resources: resources("10m", "16Mi"),
                })),
                containers: [{
                    name: "pause",
                    image: NOTEBOOK_VERSIONS.pauseImage,
                    securityContext: restrictedContainerSecurityContext(),
                    resources: resources("1m", "8Mi"),
                }],
            },
        },
    };
}

/** The GPU pre-puller's ServiceAccount and DaemonSet, when some profile asks for a GPU. */
export function gpuPrePuller(name: string, parent: pulumi.Resource, namespace: pulumi.Input<string>, profiles: readonly ResolvedNotebookProfile[]): void {
    const gpuImages = [...new Set(profiles.filter((p) => p.gpus > 0).map((p) => p.image))];
    if (gpuImages.length === 0) {
        return;
    }
    const sa = new k8s.core.v1.ServiceAccount(`${name}-gpu-prepuller`, {
        metadata: { name: GPU_PREPULLER, namespace, labels: standardLabels(GPU_PREPULLER, "notebooks", name) },
        automountServiceAccountToken: false,
    }, { parent });
    new k8s.apps.v1.DaemonSet(`${name}-gpu-prepuller`, {
        metadata: { name: GPU_PREPULLER, namespace: sa.metadata.namespace, labels: standardLabels(GPU_PREPULLER, "notebooks", name) },
        spec: gpuPrePullerSpec(gpuImages, name),
    }, { parent });
}
