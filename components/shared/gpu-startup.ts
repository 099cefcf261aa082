/**
 * How long a GPU pod waits from "Pending" to "running server" when the GPU node group is at zero
 * (cold) or a GPU node with the image is already there (warm). One model, shared by the notebooks
 * layer (KubeSpawner `start_timeout`), the benchmark (`scripts/bench-gpu.ts`) and the queueing
 * layer (Kueue `waitForPodsReady`), so a timeout and the documented wait times cannot drift apart.
 *
 * Every figure names where it comes from and what kind of source it is: `upstream-code` (a constant
 * in a pinned upstream release), `upstream-doc` (a vendor document), `field-report` (a measured
 * figure reported for this platform, issue 13) or `derived` (computed here from the others, the
 * arithmetic shown). Stages run one after the other on the cold path (each waits for the one
 * before), except the image pull when it is pre-pulled (see {@link coldStartSeconds}).
 */

/** How a figure was obtained. */
export type SourceKind = "upstream-code" | "upstream-doc" | "field-report" | "derived";

/** One stage between a pending GPU pod and a running notebook server. */
export interface StartupStage {
    /** Stable key. */
    readonly key: StageKey;
    /** What happens in this stage. */
    readonly description: string;
    /** Median duration, seconds. */
    readonly p50Seconds: number;
    /** 95th percentile duration, seconds. */
    readonly p95Seconds: number;
    /** Where the figures come from (repository, file and tag, or document). */
    readonly source: string;
    readonly sourceKind: SourceKind;
    /** Part of the warm path too (a GPU node with a free GPU and the image cached). */
    readonly warm: boolean;
}

export type StageKey = "autoscaler" | "instance" | "devicePlugin" | "scheduleVolume" | "imagePull" | "serverStart";

// ---------------------------------------------------------------------------------------------
// Cluster autoscaler (kubernetes/autoscaler, tag cluster-autoscaler-1.35.2, the pinned image)
// ---------------------------------------------------------------------------------------------

/** `--scan-interval` default: `config/const.go` `DefaultScanInterval = 10 * time.Second`. */
export const AUTOSCALER_SCAN_INTERVAL_SECONDS = 10;
/**
 * Extra age a pending pod asking for a GPU must reach before the autoscaler scales up for it:
 * `core/static_autoscaler.go` `unschedulablePodWithGpuTimeBuffer = 30 * time.Second`, applied by
 * `allPodsAreNew` ("nodes with GPU are very expensive and we're ready to sacrifice a bit more latency").
 */
export const AUTOSCALER_GPU_POD_BUFFER_SECONDS = 30;
/** `--new-pod-scale-up-delay` default: `config/flags/flags.go` (0s); the platform does not set it. */
export const AUTOSCALER_NEW_POD_SCALE_UP_DELAY_SECONDS = 0;

// ---------------------------------------------------------------------------------------------
// The GPU notebook image (NOTEBOOK_VERSIONS.gpuImage, quay.io/jupyter/pytorch-notebook:cuda12-*)
// ---------------------------------------------------------------------------------------------

/**
 * Unpacked size of the GPU notebook image, GiB. Derived from its upstream Dockerfile
 * (jupyter/docker-stacks `images/pytorch-notebook/cuda12/Dockerfile`: scipy-notebook plus
 * torch/torchaudio/torchvision from the cu128 index, which pull the nvidia-* CUDA 12.8 wheels:
 * cuBLAS, cuDNN, cuFFT, cuSPARSE(Lt), cuSOLVER, NCCL, ...). Compressed it is about 5 GiB. The
 * registry is not reachable from where this model is built: confirm with
 * `skopeo inspect --raw docker://<image>` (sum of `layers[].size`, compressed) and
 * `docker image inspect -f '{{.Size}}'` (unpacked), and update this figure.
 */
export const GPU_IMAGE_UNPACKED_GIB = 12;
export const GPU_IMAGE_COMPRESSED_GIB = 5;

/**
 * Standard containerd pull (overlayfs, layers fetched a few at a time, each gunzipped and
 * unpacked by one thread), MiB of unpacked image per second. From the AWS Machine Learning blog
 * "Reducing container cold start times using SOCI index on DLAMI and DLC" (2026): "Standard Docker
 * image pulls of 15–20 GB can take 4–6 minutes per instance": 17.5 GB in 5 min ≈ 55 MiB/s (p50),
 * 15 GB in 6 min ≈ 40 MiB/s (p95, the slow end).
 */
export const STANDARD_PULL_MIB_PER_SECOND = { p50: 55, p95: 40 } as const;

/**
 * Share of the standard pull time left with nodeadm `FastImagePull` (SOCI snapshotter
 * `parallel_pull_unpack`: concurrent chunked downloads and parallel unpacking). The
 * commit message of awslabs/soci-snapshotter f1fcd05f (2026-04-14, "add parallel_pull_as_fallback")
 * reports images without a SOCI index pull "14-50% faster than Docker", tested on AL2023 with
 * 20GB+ images: the midpoint
 * (32 % faster) for p50, the low end (14 %) for p95. Needs the root volume throughput nodeadm
 * recommends (awslabs/amazon-eks-ami `nodeadm/doc/examples.md`: at least 600 MiB/s), which the
 * GPU launch template sets.
 */
export const FAST_PULL_TIME_FACTOR = { p50: 0.68, p95: 0.86 } as const;

/** Seconds to pull the GPU image on a fresh node, with or without FastImagePull. */
export function imagePullSeconds(fastImagePull: boolean, unpackedGiB = GPU_IMAGE_UNPACKED_GIB): { p50: number; p95: number } {
    const mib = unpackedGiB * 1024;
    const p50 = mib / STANDARD_PULL_MIB_PER_SECOND.p50 * (fastImagePull ? FAST_PULL_TIME_FACTOR.p50 : 1);
    const p95 = mib / STANDARD_PULL_MIB_PER_SECOND.p95 * (fastImagePull ? FAST_PULL_TIME_FACTOR.p95 : 1);
    return { p50: Math.round(p50), p95: Math.round(p95) };
}

/** Options of the model: what the platform deploys unless a caller asks about another setup. */
export interface GpuStartupOptions {
    /** nodeadm `FastImagePull` is on for GPU nodes. @default true (what the cluster layer deploys) */
    readonly fastImagePull?: boolean;
    /** A DaemonSet pulls the GPU image as soon as a GPU node joins. @default true (what the notebooks layer deploys) */
    readonly prePull?: boolean;
    /** Unpacked size of the GPU image, GiB. @default GPU_IMAGE_UNPACKED_GIB */
    readonly imageUnpackedGiB?: number;
}

/** The stage table for one setup (the image pull depends on it). */
export function gpuStartupStages(options: GpuStartupOptions = {}): readonly StartupStage[] {
    const fast = options.fastImagePull ?? true;
    const pull = imagePullSeconds(fast, options.imageUnpackedGiB ?? GPU_IMAGE_UNPACKED_GIB);
    return [
        {
            key: "autoscaler",
            description: "cluster-autoscaler sees the unschedulable GPU pod and raises the GPU group's desired size",
            // Pod must be 30 s old, then the next loop (every 10 s) scales up: 30 + half a scan, 30 + a whole scan.
            p50Seconds: AUTOSCALER_GPU_POD_BUFFER_SECONDS + AUTOSCALER_NEW_POD_SCALE_UP_DELAY_SECONDS + AUTOSCALER_SCAN_INTERVAL_SECONDS / 2,
            p95Seconds: AUTOSCALER_GPU_POD_BUFFER_SECONDS + AUTOSCALER_NEW_POD_SCALE_UP_DELAY_SECONDS + AUTOSCALER_SCAN_INTERVAL_SECONDS,
            source: "kubernetes/autoscaler cluster-autoscaler-1.35.2: core/static_autoscaler.go unschedulablePodWithGpuTimeBuffer (30 s), config/const.go DefaultScanInterval (10 s), FAQ.md new-pod-scale-up-delay (0s)",
            sourceKind: "upstream-code",
            warm: false,
        },
        {
            key: "instance",
            description: "the Auto Scaling group launches the instance; AL2023 NVIDIA AMI boots, nodeadm configures kubelet, the node registers and turns Ready",
            p50Seconds: 75,
            // The field report's range is 70-80 s; p95 adds 40 s for a slow launch in a busy AZ (allowance, not a measurement).
            p95Seconds: 120,
            source: "issue 13 field report: EC2 boot and node join ~70-80 s; p95 = 80 s + 40 s allowance",
            sourceKind: "field-report",
            warm: false,
        },
        {
            key: "devicePlugin",
            description: "the NVIDIA device plugin pod starts on the node and registers; kubelet reports nvidia.com/gpu allocatable",
            p50Seconds: 60,
            p95Seconds: 90,
            source: "issue 13 field report: device plugin advertising nvidia.com/gpu ~60-90 s (NVIDIA/k8s-device-plugin 0.20.0 DaemonSet; kubelet posts node status every 10 s)",
            sourceKind: "field-report",
            warm: false,
        },
        {
            key: "scheduleVolume",
            description: "the pod is bound to the node; its home volume (gp3, WaitForFirstConsumer) is created and attached; kubelet waits for it before pulling images",
            p50Seconds: 15,
            p95Seconds: 40,
            source: "kubernetes pkg/kubelet/kubelet.go SyncPod: volumeManager.WaitForAttachAndMount precedes the runtime's SyncPod (image pull); EBS CreateVolume + AttachVolume ~10-30 s (Amazon EBS User Guide, volume states) + 10 s allowance",
            sourceKind: "derived",
            warm: true,
        },
        {
            key: "imagePull",
            description: `the GPU notebook image (~${GPU_IMAGE_COMPRESSED_GIB} GiB compressed, ~${options.imageUnpackedGiB ?? GPU_IMAGE_UNPACKED_GIB} GiB unpacked) is pulled and unpacked${fast ? " with FastImagePull" : ""}`,
            p50Seconds: pull.p50,
            p95Seconds: pull.p95,
            source: `derived: GPU_IMAGE_UNPACKED_GIB / STANDARD_PULL_MIB_PER_SECOND${fast ? " × FAST_PULL_TIME_FACTOR" : ""} (sources at those constants)`,
            sourceKind: "derived",
            warm: false,
        },
        {
            key: "serverStart",
            description: "the container starts and jupyter-server answers the hub (JupyterHub Spawner.http_timeout window)",
            p50Seconds: 10,
            p95Seconds: 25,
            source: "allowance inside JupyterHub 5.5.0 Spawner.http_timeout (default 30 s, jupyterhub/spawner.py), which fails a server slower than that",
            sourceKind: "derived",
            warm: true,
        },
    ];
}

/**
 * How long after the node turns Ready the pre-pull DaemonSet's pod starts pulling (scheduling a
 * pod that needs no GPU: it does not wait for the device plugin). Allowance, not a measurement.
 */
export const PRE_PULL_START_AFTER_READY_SECONDS = 5;

/** Cold and warm durations, seconds. */
export interface GpuStartupFigures {
    readonly coldP50Seconds: number;
    readonly coldP95Seconds: number;
    readonly warmP50Seconds: number;
    readonly warmP95Seconds: number;
}

/**
 * Cold start (GPU group at zero): the stages in sequence. The p95 is the sum of the stages' p95s,
 * which is at least the p95 of the sum (conservative). With pre-pull the image pull starts when the
 * node is Ready and runs while the device plugin registers and the pod is scheduled: only what is
 * left of it after those (at their p50, the shorter overlap) adds to the wait.
 */
export function coldStartSeconds(options: GpuStartupOptions = {}): { p50: number; p95: number } {
    const stages = gpuStartupStages(options);
    const by = (k: StageKey) => stages.find((s) => s.key === k)!;
    const overlap = (options.prePull ?? true)
        ? by("devicePlugin").p50Seconds + by("scheduleVolume").p50Seconds - PRE_PULL_START_AFTER_READY_SECONDS
        : 0;
    const total = (p: "p50Seconds" | "p95Seconds") =>
        stages.reduce((sum, s) => sum + (s.key === "imagePull" ? Math.max(0, s[p] - overlap) : s[p]), 0);
    return { p50: total("p50Seconds"), p95: total("p95Seconds") };
}

/** Warm start: a GPU node with a free GPU and the image cached; only the warm stages remain. */
export function warmStartSeconds(options: GpuStartupOptions = {}): { p50: number; p95: number } {
    const warm = gpuStartupStages(options).filter((s) => s.warm);
    return { p50: warm.reduce((s, x) => s + x.p50Seconds, 0), p95: warm.reduce((s, x) => s + x.p95Seconds, 0) };
}

/** All four figures at once. */
export function gpuStartupFigures(options: GpuStartupOptions = {}): GpuStartupFigures {
    const cold = coldStartSeconds(options);
    const warm = warmStartSeconds(options);
    return { coldP50Seconds: cold.p50, coldP95Seconds: cold.p95, warmP50Seconds: warm.p50, warmP95Seconds: warm.p95 };
}

/**
 * Margin on top of the cold p95: 20 % of it, at least 60 s, for what the model leaves out (a
 * second scale-up attempt in another AZ, a slow registry). Stated, so a reader can argue with it.
 */
export const START_TIMEOUT_MARGIN = { fraction: 0.2, minSeconds: 60 } as const;

/**
 * How long anything that waits for a GPU pod on a cold node (KubeSpawner `start_timeout`, Kueue
 * `waitForPodsReady.timeout`) should wait: cold p95 plus {@link START_TIMEOUT_MARGIN}, rounded up
 * to a whole minute. No required arguments: the defaults describe what the platform deploys.
 */
export function gpuStartTimeoutSeconds(options: GpuStartupOptions = {}): number {
    const p95 = coldStartSeconds(options).p95;
    const withMargin = p95 + Math.max(START_TIMEOUT_MARGIN.minSeconds, p95 * START_TIMEOUT_MARGIN.fraction);
    return Math.ceil(withMargin / 60) * 60;
}
