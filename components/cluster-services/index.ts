/**
 * The cluster-services layer: the default StorageClass (storage.ts), the NVIDIA device plugin
 * (device-plugin.ts), the cluster autoscaler (autoscaler.ts) and, optionally, the AWS Load
 * Balancer Controller (load-balancer-controller.ts).
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterServicesArgs, resolveClusterServicesArgs } from "./args";
import { clusterAutoscaler } from "./autoscaler";
import { nvidiaDevicePlugin } from "./device-plugin";
import { loadBalancerController } from "./load-balancer-controller";
import { defaultStorageClass } from "./storage";

export { ClusterServicesArgs, ResolvedClusterServicesArgs, resolveClusterServicesArgs } from "./args";
export { AUTOSCALER_SERVICE_ACCOUNT, autoscalerPolicy } from "./autoscaler";
export { LBC_UNCONDITIONED_ACTIONS, LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT, loadBalancerControllerPolicy } from "./load-balancer-controller";
export { DEFAULT_STORAGE_CLASS } from "./storage";

/**
 * Cluster-wide services every layer relies on: the default encrypted gp3 StorageClass, the NVIDIA
 * device plugin on GPU nodes, and the cluster autoscaler that brings GPU nodes up from zero when a
 * pod asks for `nvidia.com/gpu` and removes them when idle; optionally the AWS Load Balancer
 * Controller, which serves Ingresses with ALBs. Needs a Kubernetes provider.
 */
export class ClusterServices extends pulumi.ComponentResource {
    /** Name of the default StorageClass. */
    public readonly storageClassName: pulumi.Output<string>;
    /**
     * The default StorageClass itself: what a layer with volumes needs before it installs. Layers
     * depend on it rather than on this whole component, so they do not wait for the device plugin
     * and autoscaler releases (issue 19: those sat on the fresh-stack critical path).
     */
    public readonly storageClass: k8s.storage.v1.StorageClass;
    /** The device plugin's namespace, where the monitoring layer installs the DCGM exporter. */
    public readonly gpuNamespace: k8s.core.v1.Namespace;
    /**
     * The AWS Load Balancer Controller release, when enabled. An Ingress or LoadBalancer Service
     * must depend on it, so that on destroy it is deleted (and its ALB with it) while the
     * controller still runs (design: "Destroy without leftovers").
     */
    public readonly loadBalancerController?: k8s.helm.v3.Release;

    constructor(name: string, args: ClusterServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mlplatform:index:ClusterServices", name, {}, opts);
        const a = resolveClusterServicesArgs(args);

        const storageClass = defaultStorageClass(name, a.storageReclaimPolicy, a.volumeKmsKeyArn, this);
        const devicePluginNs = nvidiaDevicePlugin(name, this);
        clusterAutoscaler(name, args, a, this);
        if (a.loadBalancerController) {
            this.loadBalancerController = loadBalancerController(name, args, a, this);
        }

        this.storageClass = storageClass;
        this.gpuNamespace = devicePluginNs;
        this.storageClassName = storageClass.metadata.name;
        this.registerOutputs({ storageClassName: this.storageClassName });
    }
}
