/**
 * GPU facts shared by config validation, the cluster and the notebooks: the node label, the taint
 * and how many GPUs an instance type carries.
 */

/** Extended resource name the NVIDIA device plugin advertises. */
export const GPU_RESOURCE = "nvidia.com/gpu";

/** Taint on every GPU node, so only pods that ask for a GPU land there (checklist NG-06). */
export const GPU_TAINT = { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" } as const;

/** Toleration a GPU workload needs to schedule on GPU nodes. */
export const GPU_TOLERATION = { key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect } as const;

/** Label on GPU nodes; the device plugin and GPU workloads select it. */
export const GPU_NODE_LABEL = { key: "nvidia.com/gpu.present", value: "true" } as const;

/** Label naming the node pool of every node the platform launches. */
export const NODE_POOL_LABEL = "mlplatform.io/node-pool";

/**
 * Label the cluster autoscaler's AWS provider treats as "this node has GPUs": a node that carries
 * it but has no `nvidia.com/gpu` allocatable yet counts as not ready (still starting), so the
 * autoscaler waits for the device plugin instead of adding another node for the same pod.
 * kubernetes/autoscaler cluster-autoscaler-1.35.2: `cloudprovider/aws/aws_cloud_provider.go`
 * (`GPULabel = "k8s.amazonaws.com/accelerator"`), read by
 * `processors/customresources/gpu_processor.go` `FilterOutNodesWithUnreadyResources`;
 * `cloudprovider/aws/README.md` "Special note on GPU instances" asks for it on the node before it
 * joins (a kubelet `--node-labels` label, which is what managed node group labels are).
 */
export const ACCELERATOR_LABEL = "k8s.amazonaws.com/accelerator";

/**
 * A cluster-wide GPU cap for the cluster autoscaler's `--gpu-total <accelerator>:<min>:<max>`: the
 * accelerator label value (the GPU type the autoscaler counts) and the most GPUs of it.
 */
export interface GpuTotal {
    readonly accelerator: string;
    readonly maxGpus: number;
}

/** NVIDIA instance families the EKS AL2023 NVIDIA AMI supports. */
export const GPU_FAMILIES = ["g4dn", "g5", "g6", "g6e", "gr6", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en"] as const;

/**
 * The `k8s.amazonaws.com/accelerator` value per family: the GPU model in the naming the autoscaler
 * README uses ("On P2 instances ... `nvidia-tesla-k80`"), from the EC2 accelerated-computing table.
 */
const ACCELERATOR_BY_FAMILY: Readonly<Record<(typeof GPU_FAMILIES)[number], string>> = {
    g4dn: "nvidia-tesla-t4",
    g5: "nvidia-a10g",
    g6: "nvidia-l4",
    gr6: "nvidia-l4",
    g6e: "nvidia-l40s",
    p3: "nvidia-tesla-v100",
    p3dn: "nvidia-tesla-v100",
    p4d: "nvidia-a100",
    p4de: "nvidia-a100",
    p5: "nvidia-h100",
    p5e: "nvidia-h200",
    p5en: "nvidia-h200",
};

/** The accelerator label value for an instance type, or undefined for a type that is not a known NVIDIA instance. */
export function acceleratorType(instanceType: string): string | undefined {
    const family = instanceType.split(".")[0] as (typeof GPU_FAMILIES)[number];
    return gpusPerInstance(instanceType) === undefined ? undefined : ACCELERATOR_BY_FAMILY[family];
}

/**
 * GPUs per instance, from the EC2 accelerated-computing instance table. Returns undefined for a
 * type that is not a known NVIDIA instance.
 *
 * @see https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html
 */
export function gpusPerInstance(instanceType: string): number | undefined {
    const [family, size] = instanceType.split(".");
    if (!(GPU_FAMILIES as readonly string[]).includes(family) || size === undefined) {
        return undefined;
    }
    if (family.startsWith("p4") || family.startsWith("p5") || family === "p3dn") {
        return size === "48xlarge" || size === "24xlarge" ? 8 : undefined;
    }
    if (family === "p3") {
        return ({ "2xlarge": 1, "8xlarge": 4, "16xlarge": 8 } as Record<string, number>)[size];
    }
    if (size === "metal" || size === "48xlarge") {
        return 8;
    }
    if (size === "12xlarge" || size === "24xlarge") {
        return 4;
    }
    return /^(x|2x|4x|8x|16x)large$/.test(size) ? 1 : undefined;
}
