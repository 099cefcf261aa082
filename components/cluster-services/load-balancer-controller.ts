/**
 * The AWS Load Balancer Controller: turns Ingresses of class `alb` into ALBs and deletes them
 * again when the Ingress goes. Its IAM policy is upstream's, tightened (checklist IAM-01).
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NODE_POOL_LABEL } from "../shared/gpu";
import { ALB_INGRESS_CLASS } from "../shared/ingress";
import { podIdentity } from "../shared/pod-identity";
import { resources, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../shared/security-context";
import { INGRESS_VERSIONS } from "../shared/versions";
import { ClusterServicesArgs, ResolvedClusterServicesArgs } from "./args";

/** ServiceAccount the AWS Load Balancer Controller runs as (its Pod Identity association names it). */
export const LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT = "aws-load-balancer-controller";
/** Helm release name (part of the chart's pod selector labels). */
const LBC_RELEASE = "aws-load-balancer-controller";

/** Tag the controller puts on every security group, load balancer and target group it creates. */
const LBC_CLUSTER_TAG = "elbv2.k8s.aws/cluster";
/** The request creates the resource with the controller's tag. */
const LBC_TAGGED_REQUEST = { Null: { [`aws:RequestTag/${LBC_CLUSTER_TAG}`]: "false" } };
/** The resource carries the controller's tag, i.e. the controller created it. */
const LBC_OWNED = { Null: { [`aws:ResourceTag/${LBC_CLUSTER_TAG}`]: "false" } };
/** Owned by the controller, and the request does not touch the ownership tag itself. */
const LBC_OWNED_TAG_UNCHANGED = { Null: { [`aws:RequestTag/${LBC_CLUSTER_TAG}`]: "true", [`aws:ResourceTag/${LBC_CLUSTER_TAG}`]: "false" } };
const ELB_ARNS = {
    targetGroups: "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
    loadBalancers: ["arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*", "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*"],
    listenersAndRules: [
        "arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*",
        "arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*",
        "arn:aws:elasticloadbalancing:*:*:listener-rule/net/*/*/*",
        "arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*",
    ],
};
const SECURITY_GROUP_ARN = "arn:aws:ec2:*:*:security-group/*";

/**
 * Actions the load-balancer controller's policy leaves on `Resource: "*"` without a condition, and
 * why (checklist IAM-01). The IAM-01 check refuses any other unconditioned action on `*` in a
 * controller policy; the README shows this table.
 */
export const LBC_UNCONDITIONED_ACTIONS: Readonly<Record<string, string>> = {
    "ec2:Describe*, ec2:Get*, elasticloadbalancing:Describe*": "discovery; these calls have no resource-level permissions",
    "acm:ListCertificates, acm:DescribeCertificate, iam:ListServerCertificates, iam:GetServerCertificate, cognito-idp:DescribeUserPoolClient": "read-only look-ups of what an Ingress annotation names",
    "waf-regional:*WebACL*, wafv2:*WebACL*, shield:*Protection, shield:GetSubscriptionState": "attach the WAF ACL / Shield protection an Ingress names to its ALB; these services' actions take the ACL or protection ARN, not the load balancer's tags",
};

/**
 * Least-privilege IAM for the AWS Load Balancer Controller: the controller's published policy for
 * the pinned version, tightened where upstream leaves writes on `*` (checklist IAM-01):
 * - creating, changing and deleting load balancers, target groups, listeners, rules and security
 *   groups is limited to resources carrying the controller's `elbv2.k8s.aws/cluster` tag (or a
 *   create request that sets it). The controller tags listeners and rules on create too: feature
 *   gate `ListenerRulesTagging` is on by default (`pkg/config/feature_gates.go`) and
 *   `pkg/deploy/elbv2/listener_manager.go` / `listener_rule_manager.go` send `Tags` with
 *   CreateListener / CreateRule (`pkg/deploy/tracking/provider.go`: `elbv2.k8s.aws/cluster` on all);
 * - upstream's unconditioned `ec2:AuthorizeSecurityGroupIngress` (opening node security groups to
 *   the ALB) is limited to security groups tagged `kubernetes.io/cluster/<cluster>: owned`: the
 *   controller only edits the one security group of a target ENI that carries the cluster tag
 *   (`pkg/networking/networking_manager.go` `resolveEndpointSGForENI`), which on this platform is
 *   the EKS cluster security group (EKS tags it `kubernetes.io/cluster/<name>: owned`); the node
 *   security group and the database's have no such tag, so it cannot open the database;
 * - new security groups only in the cluster's VPC, tagged on create.
 * What stays on `*` unconditioned is {@link LBC_UNCONDITIONED_ACTIONS}. Standard `aws` partition
 * only (upstream ships separate China and GovCloud files).
 *
 * @see https://github.com/kubernetes-sigs/aws-load-balancer-controller/blob/v3.5.0/docs/install/iam_policy.json
 */
export function loadBalancerControllerPolicy(clusterName: string, vpcId: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                // First ALB in an account needs the ELB service-linked role; nothing else may be created.
                Sid: "ElbServiceLinkedRole",
                Effect: "Allow",
                Action: ["iam:CreateServiceLinkedRole"],
                Resource: "*",
                Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
            },
            {
                // Discovery of subnets, security groups, targets and existing load balancers; Describe
                // calls have no resource-level permissions.
                Sid: "Discover",
                Effect: "Allow",
                Action: [
                    "ec2:DescribeAccountAttributes",
                    "ec2:DescribeAddresses",
                    "ec2:DescribeAvailabilityZones",
                    "ec2:DescribeInternetGateways",
                    "ec2:DescribeVpcs",
                    "ec2:DescribeVpcPeeringConnections",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeInstances",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeTags",
                    "ec2:GetCoipPoolUsage",
                    "ec2:DescribeCoipPools",
                    "ec2:GetSecurityGroupsForVpc",
                    "ec2:DescribeIpamPools",
                    "ec2:DescribeRouteTables",
                    "elasticloadbalancing:DescribeLoadBalancers",
                    "elasticloadbalancing:DescribeLoadBalancerAttributes",
                    "elasticloadbalancing:DescribeListeners",
                    "elasticloadbalancing:DescribeListenerCertificates",
                    "elasticloadbalancing:DescribeSSLPolicies",
                    "elasticloadbalancing:DescribeRules",
                    "elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTargetGroupAttributes",
                    "elasticloadbalancing:DescribeTargetHealth",
                    "elasticloadbalancing:DescribeTags",
                    "elasticloadbalancing:DescribeTrustStores",
                    "elasticloadbalancing:DescribeListenerAttributes",
                    "elasticloadbalancing:DescribeCapacityReservation",
                ],
                Resource: "*",
            },
            {
                // Certificates (ACM, IAM), Cognito auth, WAF and Shield named by Ingress annotations.
                Sid: "IngressAddons",
                Effect: "Allow",
                Action: [
                    "cognito-idp:DescribeUserPoolClient",
                    "acm:ListCertificates",
                    "acm:DescribeCertificate",
                    "iam:ListServerCertificates",
                    "iam:GetServerCertificate",
                    "waf-regional:GetWebACL",
                    "waf-regional:GetWebACLForResource",
                    "waf-regional:AssociateWebACL",
                    "waf-regional:DisassociateWebACL",
                    "wafv2:GetWebACL",
                    "wafv2:GetWebACLForResource",
                    "wafv2:AssociateWebACL",
                    "wafv2:DisassociateWebACL",
                    "shield:GetSubscriptionState",
                    "shield:DescribeProtection",
                    "shield:CreateProtection",
                    "shield:DeleteProtection",
                ],
                Resource: "*",
            },
            // --- Security groups ---
            {
                // Opens the cluster's own security group (not ones it owns) to the ALB's security group.
                Sid: "OpenClusterSecurityGroup",
                Effect: "Allow",
                Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
                Resource: SECURITY_GROUP_ARN,
                Condition: { StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${clusterName}`]: "owned" } },
            },
            {
                // CreateSecurityGroup is authorized on the VPC and on the new group: this VPC only,
                // and the group must carry the controller's tag from the start.
                Sid: "CreateSecurityGroupInClusterVpc",
                Effect: "Allow",
                Action: ["ec2:CreateSecurityGroup"],
                Resource: `arn:aws:ec2:*:*:vpc/${vpcId}`,
            },
            {
                Sid: "CreateTaggedSecurityGroup",
                Effect: "Allow",
                Action: ["ec2:CreateSecurityGroup"],
                Resource: SECURITY_GROUP_ARN,
                Condition: LBC_TAGGED_REQUEST,
            },
            {
                Sid: "TagSecurityGroupOnCreate",
                Effect: "Allow",
                Action: ["ec2:CreateTags"],
                Resource: SECURITY_GROUP_ARN,
                Condition: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" }, ...LBC_TAGGED_REQUEST },
            },
            {
                Sid: "RetagOwnedSecurityGroups",
                Effect: "Allow",
                Action: ["ec2:CreateTags", "ec2:DeleteTags"],
                Resource: SECURITY_GROUP_ARN,
                Condition: LBC_OWNED_TAG_UNCHANGED,
            },
            {
                Sid: "ManageOwnedSecurityGroups",
                Effect: "Allow",
                Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
                Resource: "*",
                Condition: LBC_OWNED,
            },
            // --- Load balancers and target groups ---
            {
                Sid: "CreateTaggedLoadBalancers",
                Effect: "Allow",
                Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
                Resource: "*",
                Condition: LBC_TAGGED_REQUEST,
            },
            {
                // Upstream leaves listener and rule writes on *; the controller tags both on create.
                Sid: "CreateTaggedListenersAndRules",
                Effect: "Allow",
                Action: ["elasticloadbalancing:CreateListener", "elasticloadbalancing:CreateRule"],
                Resource: "*",
                Condition: LBC_TAGGED_REQUEST,
            },
            {
                Sid: "DeleteOwnedListenersAndRules",
                Effect: "Allow",
                Action: ["elasticloadbalancing:DeleteListener", "elasticloadbalancing:DeleteRule"],
                Resource: ELB_ARNS.listenersAndRules,
                Condition: LBC_OWNED,
            },
            {
                Sid: "RetagOwnedLoadBalancers",
                Effect: "Allow",
                Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
                Resource: [ELB_ARNS.targetGroups, ...ELB_ARNS.loadBalancers],
                Condition: LBC_OWNED_TAG_UNCHANGED,
            },
            {
                Sid: "TagListenersAndRulesOnCreate",
                Effect: "Allow",
                Action: ["elasticloadbalancing:AddTags"],
                Resource: ELB_ARNS.listenersAndRules,
                Condition: {
                    StringEquals: { "elasticloadbalancing:CreateAction": ["CreateListener", "CreateRule"] },
                    ...LBC_TAGGED_REQUEST,
                },
            },
            {
                Sid: "RetagOwnedListenersAndRules",
                Effect: "Allow",
                Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
                Resource: ELB_ARNS.listenersAndRules,
                Condition: LBC_OWNED_TAG_UNCHANGED,
            },
            {
                Sid: "ManageOwnedLoadBalancers",
                Effect: "Allow",
                Action: [
                    "elasticloadbalancing:ModifyLoadBalancerAttributes",
                    "elasticloadbalancing:SetIpAddressType",
                    "elasticloadbalancing:SetSecurityGroups",
                    "elasticloadbalancing:SetSubnets",
                    "elasticloadbalancing:DeleteLoadBalancer",
                    "elasticloadbalancing:ModifyTargetGroup",
                    "elasticloadbalancing:ModifyTargetGroupAttributes",
                    "elasticloadbalancing:DeleteTargetGroup",
                    "elasticloadbalancing:ModifyListenerAttributes",
                    "elasticloadbalancing:ModifyCapacityReservation",
                    "elasticloadbalancing:ModifyIpPools",
                ],
                Resource: "*",
                Condition: LBC_OWNED,
            },
            {
                Sid: "TagLoadBalancersOnCreate",
                Effect: "Allow",
                Action: ["elasticloadbalancing:AddTags"],
                Resource: [ELB_ARNS.targetGroups, ...ELB_ARNS.loadBalancers],
                Condition: {
                    StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"] },
                    ...LBC_TAGGED_REQUEST,
                },
            },
            {
                // Only its own target groups (the platform uses no TargetGroupBinding to foreign ones).
                Sid: "RegisterTargets",
                Effect: "Allow",
                Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
                Resource: ELB_ARNS.targetGroups,
                Condition: LBC_OWNED,
            },
            {
                // Listener certificates, WAF on the ALB and rule edits; upstream leaves them on *.
                Sid: "ConfigureOwnedListeners",
                Effect: "Allow",
                Action: [
                    "elasticloadbalancing:SetWebAcl",
                    "elasticloadbalancing:ModifyListener",
                    "elasticloadbalancing:AddListenerCertificates",
                    "elasticloadbalancing:RemoveListenerCertificates",
                    "elasticloadbalancing:ModifyRule",
                    "elasticloadbalancing:SetRulePriorities",
                ],
                Resource: "*",
                Condition: LBC_OWNED,
            },
        ],
    });
}

/** The AWS Load Balancer Controller and its Pod Identity (only when `loadBalancerController`). */
export function loadBalancerController(name: string, args: ClusterServicesArgs, a: ResolvedClusterServicesArgs, parent: pulumi.ComponentResource): k8s.helm.v3.Release {
    const identity = podIdentity(`${name}-lb-controller`, {
        clusterName: args.clusterName,
        namespace: "kube-system",
        serviceAccount: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
        policy: pulumi.all([args.clusterName, a.vpcId]).apply(([c, vpc]) => loadBalancerControllerPolicy(c, vpc)),
        dependsOn: [args.podIdentityAgent],
    }, parent);

    const pin = INGRESS_VERSIONS.loadBalancerControllerChart;
    const [repository, tag] = INGRESS_VERSIONS.loadBalancerControllerImage.split(/:(?=[^:]+$)/);
    // Every key below is in the pinned chart's values.yaml (no values.schema there to check against).
    return new k8s.helm.v3.Release(`${name}-lb-controller`, {
        name: LBC_RELEASE,
        chart: pin.chart,
        version: pin.version,
        repositoryOpts: { repo: pin.repo },
        namespace: "kube-system",
        values: {
            clusterName: args.clusterName,
            // IMDS is one hop away from pods (NG-02), so the controller cannot discover these itself.
            region: a.region,
            vpcId: a.vpcId,
            image: { repository, tag },
            serviceAccount: { create: true, name: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT },
            ingressClass: ALB_INGRESS_CLASS,
            // Only Ingresses get ALBs. With the mutator on, every new `type: LoadBalancer` Service
            // would silently become an NLB owned by this controller.
            enableServiceMutatorWebhook: false,
            // Its webhooks (Ingress validation: failurePolicy Fail) need a replica up during node
            // drains; the chart renders the PDB only when replicaCount > 1.
            replicaCount: 2,
            podDisruptionBudget: { maxUnavailable: 1 },
            // K8S-12: the two replicas in different zones, so one zone's loss leaves the webhook up.
            // ScheduleAnyway: a single-zone sandbox still runs both. The selector is the chart's pod
            // selector (aws-load-balancer-controller 3.5.0 _helpers.tpl `selectorLabels`: chart name
            // and release name); the template copies this list as given.
            topologySpreadConstraints: [{
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: { "app.kubernetes.io/name": "aws-load-balancer-controller", "app.kubernetes.io/instance": LBC_RELEASE } },
            }],
            nodeSelector: { [NODE_POOL_LABEL]: "cpu" },
            // The chart's defaults miss seccomp and the capability drop; 65534 matches its fsGroup.
            podSecurityContext: restrictedPodSecurityContext(65534),
            securityContext: restrictedContainerSecurityContext(),
            // Upstream's example request; the limit leaves room for its informer caches (every Pod, Service, Node).
            resources: resources("100m", "128Mi", "512Mi"),
        },
    }, { parent, dependsOn: [identity.association] });
}
