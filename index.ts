/**
 * The ML platform, one stack per environment. This file only reads the config, builds the
 * components in dependency order and exports what users need; the components do the work.
 */
import * as aws from "./components/shared/aws";
import * as k8s from "./components/shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { Cluster } from "./components/cluster";
import { ClusterServices, DEFAULT_STORAGE_CLASS } from "./components/cluster-services";
import { JupyterHub } from "./components/jupyter-hub";
import { Logging } from "./components/logging";
import { Monitoring } from "./components/monitoring";
import { Network } from "./components/network";
import { Queues } from "./components/queues";
import { QUEUE_PRESETS } from "./components/queues/settings";
import { Serving, SERVING_MLFLOW_READER } from "./components/serving";
import { NAMESPACES } from "./components/shared/platform";
import { Tenancy } from "./components/tenancy";
import { Tracking } from "./components/tracking";
import { VolumeDrain } from "./components/cluster/volume-drain";

// Validates everything first: a bad value stops here, before any resource is registered.
const cfg = loadConfig();

// Stack-wide tags through the provider (resource transforms do not tag remote components' children).
const awsProvider = new aws.Provider("aws", {
    region: cfg.region as aws.Region,
    defaultTags: {
        tags: {
            "mlplatform:project": cfg.project,
            "mlplatform:stack": cfg.stack,
            "mlplatform:preset": cfg.preset,
            "managed-by": "pulumi",
        },
    },
});
const awsOpts = { providers: { aws: awsProvider } };

const network = new Network("network", {
    vpcCidr: cfg.network.vpcCidr,
    azCount: cfg.network.azCount,
    region: cfg.region,
    natStrategy: cfg.network.natStrategy,
    flowLogs: cfg.network.flowLogs,
    flowLogRetentionDays: cfg.network.flowLogRetentionDays,
    // LOG-01: production's flow-log group is KMS-encrypted.
    flowLogKms: cfg.preset === "production",
    clusterName: cfg.namePrefix,
}, awsOpts);

const cluster = new Cluster("cluster", {
    clusterName: cfg.namePrefix,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    publicSubnetIds: network.publicSubnetIds,
    controlPlaneAzCount: cfg.network.controlPlaneAzCount,
    kubernetesVersion: cfg.cluster.kubernetesVersion,
    serviceCidr: cfg.cluster.serviceCidr,
    publicAccessCidrs: cfg.cluster.publicAccessCidrs,
    adminPrincipalArns: cfg.cluster.adminPrincipalArns,
    controlPlaneLogTypes: cfg.cluster.controlPlaneLogTypes,
    logRetentionDays: cfg.cluster.controlPlaneLogRetentionDays,
    deletionProtection: cfg.cluster.deletionProtection,
    // EKS-07 / KMS-02: production's cluster and the key its kept data is encrypted with.
    protect: cfg.preset === "production",
    kmsDeletionWindowDays: cfg.cluster.kmsDeletionWindowDays,
    cpuNodeGroup: cfg.cluster.cpu,
    gpuNodeGroup: cfg.cluster.gpu,
}, awsOpts);

// Every Kubernetes object goes through this provider. It waits for nodes, DNS and the EBS CSI
// driver, so objects are created after them and deleted before them: a PVC's volume is released
// while the driver still runs. With a brand-new stack the kubeconfig is unknown during preview,
// and the provider previews its objects without contacting a cluster.
// DESTROY-04: with reclaimPolicy Delete, destroy waits here (after every Kubernetes object, before
// the EBS CSI add-on and nodes) until the driver has deleted each released volume and its PV.
const volumeDrain = cfg.cluster.storageReclaimPolicy === "Delete"
    ? new VolumeDrain("cluster-volume-drain", { kubeconfig: cluster.kubeconfigJson, storageClassName: DEFAULT_STORAGE_CLASS }, { parent: cluster, dependsOn: cluster.workloadPrerequisites })
    : undefined;
const k8sProvider = new k8s.Provider("k8s", {
    kubeconfig: cluster.kubeconfigJson,
    enableServerSideApply: true,
}, { dependsOn: [...cluster.workloadPrerequisites, ...(volumeDrain ? [volumeDrain] : [])] });
const k8sOpts = { providers: { aws: awsProvider, kubernetes: k8sProvider } };

const clusterServices = new ClusterServices("cluster-services", {
    clusterName: cluster.clusterName,
    region: cfg.region,
    kubernetesVersion: cfg.cluster.kubernetesVersion,
    podIdentityAgent: cluster.podIdentityAgent,
    storageReclaimPolicy: cfg.cluster.storageReclaimPolicy,
    volumeKmsKeyArn: cfg.preset === "production" ? cluster.kmsKeyArn : undefined,
    // Installed only when something is served through an Ingress; it also deletes the ALBs on destroy.
    loadBalancerController: cfg.notebooks.ingress !== undefined || cfg.tracking.ingress !== undefined || cfg.servingGateway !== undefined,
    vpcId: network.vpcId,
    gpuTotal: cluster.gpuTotal,
    maxNodesTotal: cluster.maxNodesTotal,
}, k8sOpts);

// MLflow: RDS and S3 need only the network and the node security group, so they are created while
// the cluster is still building; the server waits for the Kubernetes provider.
const tracking = new Tracking("tracking", {
    ...cfg.tracking,
    clusterName: cluster.clusterName,
    vpcId: network.vpcId,
    vpcCidr: network.vpcCidr,
    serviceCidr: cfg.cluster.serviceCidr,
    region: cfg.region,
    databaseSubnetIds: network.databaseSubnetIds,
    nodeSecurityGroupId: cluster.nodeSecurityGroupId,
    podIdentityAgent: cluster.podIdentityAgent,
    kmsKeyArn: cfg.preset === "production" ? cluster.kmsKeyArn : undefined,
    loadBalancerController: clusterServices.loadBalancerController,
    teams: cfg.teams.map((t) => t.name),
    // Model endpoints fetch models as a read-only MLflow user (checklist ML-04).
    mlflowReaders: cfg.models.length > 0 ? [SERVING_MLFLOW_READER] : [],
}, k8sOpts);

// Layers with volumes need the gp3 StorageClass before they install; nothing else of
// ClusterServices (the device plugin and autoscaler releases install in parallel with them: a GPU
// pod is only spawned later, and the autoscaler acts on pods whenever it starts). The EBS CSI
// driver they must not outlive on destroy is reached through the Kubernetes provider.
const needsVolumes = [clusterServices.storageClass];

// Notebooks need the StorageClass (user and hub volumes). With an Ingress, only the release that
// carries it waits for the load-balancer controller (which must outlive it on destroy), so the
// namespace, and the Roles other layers put in it, do not wait for the controller.
const notebooks = new JupyterHub("notebooks", {
    ...cfg.notebooks,
    mlflowTrackingUri: tracking.trackingUri,
    mlflowAdminPassword: tracking.adminPassword,
    deleteVolumesWithWorkload: cfg.preset === "sandbox",
    loadBalancerController: clusterServices.loadBalancerController,
}, { ...k8sOpts, dependsOn: needsVolumes });

// Logging needs the StorageClass and the EBS CSI driver (Elasticsearch volumes).
const logging = new Logging("logging", cfg.logging, { ...k8sOpts, dependsOn: needsVolumes });

const tenancy = new Tenancy("teams", {
    clusterName: cluster.clusterName,
    teams: cfg.teams,
    mlflowCredentials: tracking.teamCredentials,
    vpcCidr: network.vpcCidr,
    serviceCidr: cfg.cluster.serviceCidr,
    auditorPrincipalArns: cfg.auditorPrincipalArns,
    // Platform namespaces teams may look into; each appears here once its layer is deployed.
    platformReadNamespaces: [NAMESPACES.mlflow, NAMESPACES.jupyterhub],
    // Production keeps a removed team's namespace and data until an admin deletes it (README "Operating").
    retainNamespacesOnRemoval: cfg.preset === "production",
// Its viewer Roles live in the platform namespaces, so those must exist first.
}, { ...k8sOpts, dependsOn: [tracking, notebooks] });

// Training queues: the LocalQueues and environment ConfigMaps live in the team namespaces.
const queues = new Queues("queues", {
    teams: cfg.teams,
    gpuMaxSize: cfg.cluster.gpu.maxSize,
    gpuInstanceTypes: cfg.cluster.gpu.instanceTypes,
    vpcCidr: network.vpcCidr,
    mlflowTrackingUri: tracking.trackingUri,
    replicas: QUEUE_PRESETS[cfg.preset].replicas,
}, { ...k8sOpts, dependsOn: [tenancy] });

// Built last: it scrapes what the layers above expose, and its CRDs' objects need its release.
const monitoring = new Monitoring("monitoring", {
    ...cfg.monitoring,
    targets: [...tracking.scrapeTargets, ...notebooks.scrapeTargets, ...logging.scrapeTargets, ...queues.scrapeTargets],
    certificates: logging.certificates,
    gpuNamespace: NAMESPACES.gpu,
// The DCGM exporter goes into the device plugin's namespace.
}, { ...k8sOpts, dependsOn: [...needsVolumes, clusterServices.gpuNamespace] });

// Endpoints live in team namespaces (Tenancy) and their ServiceMonitors and rules need the
// monitoring CRDs; built only when a model is configured.
const serving = cfg.models.length > 0
    ? new Serving("serving", {
        models: cfg.models,
        trackingUri: tracking.trackingUri,
        mlflowReader: tracking.readerCredentials[SERVING_MLFLOW_READER],
        monitoring: [monitoring],
        // `expose: true` models (production): their Ingress is created after the load-balancer controller and deleted before it.
        gateway: cfg.servingGateway,
        vpcCidr: network.vpcCidr,
        loadBalancerController: clusterServices.loadBalancerController,
    }, { ...k8sOpts, dependsOn: [tenancy, tracking, monitoring] })
    : undefined;

export const preset = cfg.preset;
export const region = cfg.region;
export const vpcId = network.vpcId;
export const clusterName = cluster.clusterName;
/** Secret: read it with `pulumi stack output kubeconfig --show-secrets`. */
export const kubeconfig = cluster.kubeconfigJson;
export const updateKubeconfigCommand = pulumi.interpolate`aws eks update-kubeconfig --region ${cfg.region} --name ${cluster.clusterName}`;
/** One GPU node group per AZ (issue #19), so one Auto Scaling group name per AZ, in AZ order. */
export const gpuAutoScalingGroupNames = cluster.gpuAutoScalingGroupNames;
/** One CPU node group per AZ (issue #19), so one Auto Scaling group name per AZ, in AZ order. */
export const cpuAutoScalingGroupNames = cluster.cpuAutoScalingGroupNames;
export const grafanaPortForward = monitoring.grafanaPortForward;
/** Secret: `pulumi stack output grafanaAdminPassword --show-secrets` (user `admin`). */
export const grafanaAdminPassword = monitoring.grafanaAdminPassword;
export const prometheusPortForward = monitoring.prometheusPortForward;
export const alertmanagerPortForward = monitoring.alertmanagerPortForward;
/** In-cluster MLflow URI (notebooks get it as MLFLOW_TRACKING_URI). */
export const mlflowTrackingUri = tracking.trackingUri;
export const mlflowPortForward = tracking.portForwardCommand;
export const mlflowUrl = tracking.url ?? "http://localhost:5000 (after mlflowPortForward)";
export const mlflowBucket = tracking.bucketName;
export const mlflowDatabaseEndpoint = tracking.databaseEndpoint;
export const jupyterhubPortForward = notebooks.portForwardCommand;
/** Secret, sandbox only: `pulumi stack output jupyterhubPassword --show-secrets` (any non-admin user name). */
export const jupyterhubPassword = notebooks.userPassword;
/** Secret, sandbox only: the password the `jupyterAdminUsers` names sign in with. */
export const jupyterhubAdminPassword = notebooks.adminPassword;
/** Secret: the JupyterHub API token `npm run verify` starts a throwaway server with. */
export const jupyterhubVerifyToken = notebooks.verifyToken;
export const jupyterhubUrl = cfg.notebooks.ingress ? `https://${cfg.notebooks.ingress.host}` : "http://localhost:8080 (after jupyterhubPortForward)";
/** Kibana (sandbox preset), then https://localhost:5601 as `elastic` (see elasticUserCommand). */
export const kibanaPortForward = logging.kibanaPortForward;
/** Prints the `elastic` user's password from the Secret ECK keeps it in (the password is not a stack output). */
export const elasticUserCommand = logging.elasticUserCommand;
/** Team name → its namespaces. */
export const teamNamespaces = tenancy.namespaces;
/** Team name → the LocalQueue in each of its namespaces: Jobs carry `kueue.x-k8s.io/queue-name: <it>` (npm run verify reads it). */
export const trainingQueues = queues.localQueues;
/** `<team>/<model>` → in-cluster URL of its scoring endpoint and the port-forward command to reach it from a laptop. */
export const modelEndpoints = serving?.endpoints ?? {};
