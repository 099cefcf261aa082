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
    // 1.35 is in EKS standard support until 2027-03-27 (1.34's ends 2026-12-02, 1.33 is already in
    // paid extended support). Add-on builds: AWS "Amazon EKS add-on versions" tables and
    // `aws eks describe-addon-versions --kubernetes-version 1.35`; re-check them when bumping.
    "1.35": {
        vpcCni: "v1.22.4-eksbuild.3",
        coredns: "v1.14.3-eksbuild.3",
        kubeProxy: "v1.35.3-eksbuild.13",
        podIdentityAgent: "v1.3.10-eksbuild.3",
        ebsCsiDriver: "v1.66.0-eksbuild.1",
    },
};

/** The Kubernetes version a stack gets unless it sets `kubernetesVersion`. */
export const DEFAULT_KUBERNETES_VERSION = "1.35";

/** Helm charts: repository URL, chart name and exact version. */
export interface ChartPin {
    readonly repo: string;
    readonly chart: string;
    readonly version: string;
}

export const CHARTS = {
    /** kubernetes/autoscaler charts/cluster-autoscaler/Chart.yaml (9.59.0, appVersion 1.35.0). */
    clusterAutoscaler: { repo: "https://kubernetes.github.io/autoscaler", chart: "cluster-autoscaler", version: "9.59.0" },
    /** NVIDIA/k8s-device-plugin deployments/helm (0.20.0, image nvcr.io/nvidia/k8s-device-plugin:v0.20.0). */
    nvidiaDevicePlugin: { repo: "https://nvidia.github.io/k8s-device-plugin", chart: "nvidia-device-plugin", version: "0.20.0" },
} as const satisfies Record<string, ChartPin>;

/** Container images the platform sets explicitly (charts pin their own unless overridden here). */
export const IMAGES = {
    /** Cluster autoscaler: its minor must match the Kubernetes minor, so it is chosen per version. */
    clusterAutoscaler: {
        // Newest 1.35 patch (cluster-autoscaler-1.35.2 tag); the chart's default is v1.35.0.
        "1.35": "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2",
    } as Readonly<Record<string, string>>,
} as const;

// ---------------------------------------------------------------------------------------------
// Per-layer pins. Each block belongs to one component; keep its entries together.
// ---------------------------------------------------------------------------------------------

/** Experiment tracking (components/tracking/: database.ts, server.ts, credentials.ts). */
export const TRACKING_VERSIONS = {
    /**
     * RDS PostgreSQL engine version: the major only. With `autoMinorVersionUpgrade` RDS moves the
     * minor in the maintenance window; a major.minor pin would then show a downgrade diff on every
     * preview (the provider accepts a prefix for exactly this case). 17.7 is the oldest minor RDS
     * still creates (17.1-17.4 were retired on 2026-05-31 with 17.7 as the upgrade target); check
     * `aws rds describe-db-engine-versions --engine postgres --engine-version 17` when bumping.
     */
    postgresEngineVersion: "17",
    /** Parameter group family matching the engine major version. */
    postgresFamily: "postgres17",
    /**
     * Official MLflow image, `-full` variant (published from v3.9.0 on): `docker/Dockerfile.full`
     * installs `mlflow[extras,azure,db,gateway,genai,auth]`, which brings psycopg2/psycopg (PostgreSQL)
     * and boto3 (S3), plus prometheus-flask-exporter for `--expose-prometheus` (mlflow/mlflow
     * `docker/README.md`). The plain tag has neither driver. Base python:3.11-slim, no USER: it runs
     * as root unless the pod says otherwise, so the Deployment sets uid 10001 and HOME=/tmp.
     */
    mlflowImage: "ghcr.io/mlflow/mlflow:v3.17.0-full",
} as const;

/** Notebooks (components/jupyter-hub/index.ts). */
export const NOTEBOOK_VERSIONS = {
    /**
     * Zero to JupyterHub 4.4.0 (tag 4.4.0, 2026-06-10; current major 4): JupyterHub 5.5.0,
     * KubeSpawner 7.0.0, jupyterhub-idle-culler 1.4.0, oauthenticator 17.4.0 (`images/hub/requirements.txt`).
     */
    chart: { repo: "https://hub.jupyter.org/helm-chart/", chart: "jupyterhub", version: "4.4.0" },
    /**
     * Jupyter docker-stacks date tags (`tagging/taggers/date.py`, weekly Monday build plus builds on
     * main). Runs as jovyan (uid 1000, gid 100). 2025-07-07 is one build date both tags are
     * referenced at in public Dockerfiles (the registry itself is not reachable from this sandbox);
     * `skopeo inspect docker://<image>` confirms them, and a newer dated pair can replace them.
     */
    cpuImage: "quay.io/jupyter/scipy-notebook:2025-07-07",
    /** Same build, `cuda12` variant (tag prefix `cuda12-`): PyTorch wheels for CUDA 12.8 (cu128). */
    gpuImage: "quay.io/jupyter/pytorch-notebook:cuda12-2025-07-07",
    /** Holds the GPU image pre-puller's pod open: the pause image z2jh 4.4.0 uses (`values.yaml` `prePuller.pause.image`). */
    pauseImage: "registry.k8s.io/pause:3.10.1",
} as const;

/** Logging (components/logging/index.ts). */
export const LOGGING_VERSIONS = {
    /**
     * ECK operator chart 3.5.0 (appVersion 3.5.0): elastic/cloud-on-k8s tag v3.5.0 (2026-07-24),
     * `deploy/eck-operator/Chart.yaml`; main is 3.6.0-SNAPSHOT @ 7b93383d (2026-08-21). Values keys
     * used (`managedNamespaces`, `resources`, `podSecurityContext`, `securityContext`) are from its values.yaml.
     */
    eckOperatorChart: { repo: "https://helm.elastic.co", chart: "eck-operator", version: "3.5.0" } as ChartPin,
    /**
     * Elasticsearch and Kibana 9.4.3: ECK 3.5.0's own e2e stack version (`Makefile` E2E_STACK_VERSION)
     * and its recipes; ECK 3.5.0 supports Elasticsearch 7.x-9.x (`pkg/controller/common/version`).
     */
    elasticsearch: "9.4.3",
    /**
     * fluentd-kubernetes-daemonset v1.19.3 Elasticsearch 9 flavour (README: `v1.19.3-debian-elasticsearch9-1.1`,
     * multi-arch): Gemfile.lock pins fluentd 1.19.3, fluent-plugin-elasticsearch 6.0.0 with the elasticsearch
     * 9.5 client, fluent-plugin-parser-cri 0.1.1, fluent-plugin-kubernetes_metadata_filter 3.8.0,
     * fluent-plugin-prometheus 2.2.2, fluent-plugin-concat 2.6 (repo @ 849b9e1e, 2026-08-05).
     */
    fluentdImage: "fluent/fluentd-kubernetes-daemonset:v1.19.3-debian-elasticsearch9-1.1",
    /** elasticsearch_exporter v1.11.0 (tag 2026-07-10, newest in prometheus-community/elasticsearch_exporter). */
    elasticsearchExporterImage: "quay.io/prometheuscommunity/elasticsearch-exporter:v1.11.0",
    /**
     * curl for the job that installs the ILM policy and index template (runs as uid 100, no shell needs).
     * The tag is used in many public manifests (Docker Hub itself is not reachable from this sandbox).
     */
    curlImage: "curlimages/curl:8.15.0",
} as const;

/** Monitoring (components/monitoring/index.ts). */
export const MONITORING_VERSIONS = {
    /**
     * kube-prometheus-stack 88.5.3 (prometheus-operator v0.93.1, Alertmanager v0.34.0): newest in
     * prometheus-community/helm-charts @ cf408a29 (2026-08-22), the commit the checklist's KPS rows cite.
     */
    kubePrometheusStackChart: { repo: "https://prometheus-community.github.io/helm-charts", chart: "kube-prometheus-stack", version: "88.5.3" },
    /** dcgm-exporter chart 4.8.2 (image 4.5.3-4.8.2-distroless): NVIDIA/dcgm-exporter `deployment/Chart.yaml` @ d5e5f510 (2026-05-12). */
    dcgmExporterChart: { repo: "https://nvidia.github.io/dcgm-exporter/helm-charts", chart: "dcgm-exporter", version: "4.8.2" },
    /** DCGM exporter image, pinned explicitly rather than left to the chart's appVersion. */
    dcgmExporterImage: "nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless",
} as const;

/** Ingress: the AWS Load Balancer Controller (components/cluster-services/load-balancer-controller.ts). */
export const INGRESS_VERSIONS = {
    /**
     * aws-load-balancer-controller chart 3.5.0 (appVersion v3.5.0): aws/eks-charts
     * `stable/aws-load-balancer-controller/Chart.yaml` @ 52396092 (2026-08-03), the newest there; the
     * same chart and `values.yaml` as kubernetes-sigs/aws-load-balancer-controller tag v3.5.0
     * (`helm/aws-load-balancer-controller`, 11eb202c). Its IAM policy is in cluster-services/load-balancer-controller.ts; bump both together.
     */
    loadBalancerControllerChart: { repo: "https://aws.github.io/eks-charts", chart: "aws-load-balancer-controller", version: "3.5.0" } as ChartPin,
    /** The chart's own default image (`values.yaml` `image`), set explicitly so an upgrade names it. */
    loadBalancerControllerImage: "public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0",
} as const;

/** Training queues (components/queues). */
export const QUEUE_VERSIONS = {
    /**
     * Kueue 0.19.2 (kubernetes-sigs/kueue tag v0.19.2 @ 8eab6877, 2026-08-20; the newest release tag,
     * main is 0.20.0-devel). Chart `charts/kueue/Chart.yaml` version 0.19.2, appVersion v0.19.2,
     * published as an OCI chart: `helm install kueue oci://registry.k8s.io/kueue/charts/kueue
     * --version="0.19.2"` (`charts/kueue/README.md` at the tag). Helm takes an `oci://` reference as
     * the chart name, with no repository.
     */
    kueueChart: { chart: "oci://registry.k8s.io/kueue/charts/kueue", version: "0.19.2" },
    /**
     * The controller image the released chart points at: `hack/helm-chart-package.sh` rewrites the
     * git values' staging image (`k8s-staging-images/kueue/kueue:release-0.19`) to
     * `registry.k8s.io/kueue/kueue:<tag>` for promoted tags. Set explicitly so the pin is visible.
     */
    kueueImage: "registry.k8s.io/kueue/kueue:v0.19.2",
} as const;

/** Model serving (components/serving/). */
export const SERVING_VERSIONS = {
    /**
     * metrics-server chart 3.13.1 (appVersion 0.8.1): kubernetes-sigs/metrics-server tag
     * metrics-server-helm-chart-3.13.1 (842dcc8c), `charts/metrics-server/Chart.yaml`. The README's
     * compatibility matrix: 0.8.x serves `metrics.k8s.io/v1beta1` on Kubernetes 1.31+ (so 1.35);
     * 0.9.0 (1.34+) is tagged but no chart release ships it yet.
     */
    metricsServerChart: { repo: "https://kubernetes-sigs.github.io/metrics-server/", chart: "metrics-server", version: "3.13.1" } as ChartPin,
    /** The chart's own default image (`values.yaml` image.repository, tag v{{ appVersion }}), named so an upgrade names it. */
    metricsServerImage: "registry.k8s.io/metrics-server/metrics-server:v0.8.1",
    /**
     * The scoring image: the same MLflow build as the tracking server (client and server on one
     * version; `-full` has `mlflow[extras]`: scikit-learn, pandas, numpy, scipy, pyarrow, plus
     * prometheus_client, uvicorn and FastAPI). Models are served with `--env-manager local`
     * semantics: nothing is installed at start.
     */
    scoringImage: TRACKING_VERSIONS.mlflowImage,
    /**
     * oauth2-proxy v7.15.3, the auth proxy of exposed endpoints (gateway.ts): newest tag of
     * oauth2-proxy/oauth2-proxy (2026-07-30); the image the oauth2-proxy/manifests chart 10.7.0
     * (appVersion 7.15.3, its newest) runs: `quay.io/oauth2-proxy/oauth2-proxy:v<appVersion>`.
     */
    oauth2ProxyImage: "quay.io/oauth2-proxy/oauth2-proxy:v7.15.3",
} as const;
