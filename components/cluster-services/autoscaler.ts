/**
 * The cluster autoscaler: scales the node groups tagged for this cluster, the GPU group from zero
 * when a pod asks for `nvidia.com/gpu`, and removes idle nodes. Its AWS permissions come through
 * EKS Pod Identity.
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NODE_POOL_LABEL } from "../shared/gpu";
import { podIdentity } from "../shared/pod-identity";
import { resources, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../shared/security-context";
import { CHARTS } from "../shared/versions";
import { ClusterServicesArgs, ResolvedClusterServicesArgs } from "./args";

/** ServiceAccount the cluster autoscaler runs as (its Pod Identity association names it). */
export const AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler";

/**
 * Least-privilege IAM for the cluster autoscaler: read-only discovery everywhere, and scaling only
 * on Auto Scaling groups tagged as owned by this cluster.
 *
 * @see https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md
 */
export function autoscalerPolicy(clusterName: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ScaleOwnedGroups",
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
            },
            {
                // Describe calls have no resource-level permissions.
                Sid: "Discover",
                Effect: "Allow",
                Action: [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                    // Lets it read managed node group labels and taints when a group is at zero.
                    "eks:DescribeNodegroup",
                ],
                Resource: "*",
            },
        ],
    });
}

/** The autoscaler's Pod Identity and its release in kube-system, on CPU nodes. */
export function clusterAutoscaler(name: string, args: ClusterServicesArgs, a: ResolvedClusterServicesArgs, parent: pulumi.ComponentResource): k8s.helm.v3.Release {
    const identity = podIdentity(`${name}-autoscaler`, {
        clusterName: args.clusterName,
        namespace: "kube-system",
        serviceAccount: AUTOSCALER_SERVICE_ACCOUNT,
        policy: pulumi.output(args.clusterName).apply(autoscalerPolicy),
        dependsOn: [args.podIdentityAgent],
    }, parent);

    const [repository, tag] = a.autoscalerImage.split(/:(?=[^:]+$)/);
    return new k8s.helm.v3.Release(`${name}-cluster-autoscaler`, {
        name: "cluster-autoscaler",
        chart: CHARTS.clusterAutoscaler.chart,
        version: CHARTS.clusterAutoscaler.version,
        repositoryOpts: { repo: CHARTS.clusterAutoscaler.repo },
        namespace: "kube-system",
        values: {
            cloudProvider: "aws",
            awsRegion: a.region,
            autoDiscovery: { clusterName: args.clusterName },
            fullnameOverride: "cluster-autoscaler",
            image: { repository, tag },
            rbac: { serviceAccount: { create: true, name: AUTOSCALER_SERVICE_ACCOUNT } },
            extraArgs: {
                "balance-similar-node-groups": true,
                expander: "least-waste",
                // System DaemonSets and emptyDir must not pin an idle GPU node forever.
                "skip-nodes-with-system-pods": false,
                "skip-nodes-with-local-storage": false,
                "scale-down-unneeded-time": `${a.scaleDownUnneededMinutes}m`,
                "scale-down-delay-after-add": "5m",
                // One cap over all the per-AZ GPU groups, each of which may grow to gpuMaxSize alone.
                // Works on AWS although flags.go's help text says "CURRENTLY THIS FLAG ONLY WORKS ON GKE"
                // (cluster-autoscaler-1.35.2): the flag becomes a max of the cloud provider's
                // ResourceLimiter (context/autoscaling_context.go NewResourceLimiterFromAutoscalingOptions,
                // handed to BuildAwsCloudProvider), which core/autoscaler.go wraps as a quota
                // (resourcequotas/provider.go CloudQuotasProvider) that the scale-up orchestrator checks
                // for every node group (core/scaleup/orchestrator/orchestrator.go applyLimits,
                // IsNodeGroupResourceExceeded). A node counts its GPUs under the value of the provider's
                // GPU label, k8s.amazonaws.com/accelerator on AWS (processors/customresources/
                // gpu_processor.go GetNodeGpuTarget; aws_cloud_provider.go GPULabel), which every GPU
                // node and the scale-from-zero template carry (cluster/node-group.ts). Min 0: the groups'
                // own minimum keeps any warm GPU nodes.
                "gpu-total": `${a.gpuTotal.accelerator}:0:${a.gpuTotal.maxGpus}`,
                // One cap over all nodes: each per-AZ CPU group may grow to cpuMaxSize and each GPU group
                // to gpuMaxSize alone (cluster/node-group.ts perAzGroupSizes), and the autoscaler has no
                // per-pool node cap. cluster-autoscaler-1.35.2: the scale-up loop stops once the cluster's
                // ready nodes reach it (core/static_autoscaler.go, ScaleUpLimitedByMaxNodesTotal) and
                // caps a scale-up to what is left (core/scaleup/orchestrator/orchestrator.go
                // GetCappedNewNodeCount, counting every node). Set to cpuMaxSize + gpuMaxSize: with
                // --gpu-total holding GPUs to gpuMaxSize nodes' worth, the worst bill is cpuMaxSize CPU
                // plus gpuMaxSize GPU nodes (a CPU node in a GPU node's place costs less); CPU nodes
                // beyond cpuMaxSize take GPU headroom while GPUs idle (README "Operating").
                // A string: the chart (9.59.0 templates/deployment.yaml) prints `--{{ $key }}={{ $value }}`,
                // and a JSON number reaches the template as a float64, which Go prints as 1e+06 from a million.
                "max-nodes-total": `${a.maxNodesTotal}`,
            },
            priorityClassName: "system-cluster-critical",
            nodeSelector: { [NODE_POOL_LABEL]: "cpu" },
            securityContext: restrictedPodSecurityContext(65534),
            containerSecurityContext: restrictedContainerSecurityContext(),
            resources: resources("100m", "300Mi", "600Mi"),
        },
    }, { parent, dependsOn: [identity.association] });
}
