/**
 * Every pinned version in the platform: Kubernetes, EKS add-ons, Helm charts and container images.
 * Nothing else in the program names a version, so an upgrade is a reviewed change to this file.
 * No entry may be `latest` (a test enforces it).
 */

/** EKS managed add-on versions, per Kubernetes minor version. */
export interface AddonVersions {
    readonly vpcCni: string;
    readonly coredns: string;
    readonly kubeProxy: string;
    readonly podIdentityAgent: string;
    readonly ebsCsiDriver: string;
}

/**
 * Kubernetes versions this program supports, each with add-on versions known to work with it
 * (`aws eks describe-addon-versions --kubernetes-version <v>`). A version is supported here only
 * while it is in EKS standard support, so a sandbox never pays extended-support fees.
 */
export const KUBERNETES_VERSIONS: Readonly<Record<string, AddonVersions>> = {
    "1.33": {
        vpcCni: "v1.20.4-eksbuild.1",
        coredns: "v1.12.4-eksbuild.1",
        kubeProxy: "v1.33.5-eksbuild.2",
        podIdentityAgent: "v1.3.9-eksbuild.3",
        ebsCsiDriver: "v1.51.1-eksbuild.1",
    },
    "1.34": {
        vpcCni: "v1.20.4-eksbuild.1",
        coredns: "v1.12.4-eksbuild.1",
        kubeProxy: "v1.34.1-eksbuild.2",
        podIdentityAgent: "v1.3.9-eksbuild.3",
        ebsCsiDriver: "v1.51.1-eksbuild.1",
    },
};

/** The Kubernetes version a stack gets unless it sets `kubernetesVersion`. */
export const DEFAULT_KUBERNETES_VERSION = "1.34";

/** Helm charts: repository URL, chart name and exact version. */
export interface ChartPin {
    readonly repo: string;
    readonly chart: string;
    readonly version: string;
}

export const CHARTS = {
    clusterAutoscaler: { repo: "https://kubernetes.github.io/autoscaler", chart: "cluster-autoscaler", version: "9.52.1" },
    nvidiaDevicePlugin: { repo: "https://nvidia.github.io/k8s-device-plugin", chart: "nvidia-device-plugin", version: "0.18.0" },
} as const satisfies Record<string, ChartPin>;

/** Container images the platform sets explicitly (charts pin their own unless overridden here). */
export const IMAGES = {
    /** Cluster autoscaler: its minor must match the Kubernetes minor, so it is chosen per version. */
    clusterAutoscaler: {
        "1.33": "registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.1",
        "1.34": "registry.k8s.io/autoscaling/cluster-autoscaler:v1.34.1",
    } as Readonly<Record<string, string>>,
} as const;
