import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { loadBalancerControllerPolicy } from "../../components/cluster-services/load-balancer-controller";
import { INGRESS_VERSIONS } from "../../components/shared/versions";
import { FOUNDATION_CHECKS } from "../../policy/checks-foundation";
import { allRecords, byType, one, resolve } from "../mocks";
import { build, LBC, VPC } from "./fixture";

/** Top-level keys of aws-load-balancer-controller 3.5.0 `values.yaml` (the chart ships no values schema). */
const LBC_CHART_KEYS = new Set((
    "replicaCount revisionHistoryLimit image runtimeClassName imagePullSecrets nameOverride fullnameOverride autoscaling serviceAccount "
    + "rbac podSecurityContext securityContext terminationGracePeriodSeconds resources priorityClassName nodeSelector tolerations affinity "
    + "configureDefaultAffinity topologySpreadConstraints updateStrategy serviceAnnotations deploymentAnnotations podAnnotations podLabels "
    + "additionalLabels enableCertManager certManager clusterName cluster ingressClass ingressClassParams createIngressClassResource region "
    + "vpcId vpcTags awsApiEndpoints awsApiThrottle awsMaxRetries defaultTargetType defaultLoadBalancerScheme enablePodReadinessGateInject "
    + "enableShield enableWaf enableWafv2 ingressMaxConcurrentReconciles logLevel metricsBindAddr webhookConfig webhookBindPort webhookTLS "
    + "keepTLSSecret webhookNamespaceSelectors serviceMaxConcurrentReconciles targetgroupbindingMaxConcurrentReconciles "
    + "targetgroupbindingMaxExponentialBackoffDelay targetgroupbindingRequeueDuration albGatewayMaxConcurrentReconciles "
    + "nlbGatewayMaxConcurrentReconciles globalAcceleratorMaxConcurrentReconciles globalAcceleratorMaxExponentialBackoffDelay "
    + "lbStabilizationMonitorInterval syncPeriod watchNamespace disableIngressClassAnnotation disableIngressGroupNameAnnotation "
    + "tolerateNonExistentBackendService tolerateNonExistentBackendAction defaultSSLPolicy livenessProbe readinessProbe env hostNetwork "
    + "dnsPolicy extraVolumeMounts extraVolumes defaultTags podDisruptionBudget externalManagedTags enableEndpointSlices "
    + "enableBackendSecurityGroup enableManageBackendSecurityGroupRules backendSecurityGroup disableRestrictedSecurityGroupRules "
    + "maxTargetsPerTargetGroup controllerConfig certManagement certDiscovery objectSelector serviceMonitor clusterSecretsPermissions "
    + "ingressClassConfig enableServiceMutatorWebhook serviceMutatorWebhookConfig podMutatorWebhookConfig serviceTargetENISGTags loadBalancerClass"
).split(" "));

interface Statement { Sid?: string; Effect: string; Action: string[]; Resource: string | string[]; Condition?: Record<string, Record<string, unknown>> }
const lbcStatements = (): Statement[] => JSON.parse(loadBalancerControllerPolicy("mlp-test", VPC)).Statement;
const granting = (action: string) => lbcStatements().filter((s) => s.Action.includes(action));
const isRead = (action: string) => /:(Describe|Get|List)/.test(action);

describe("ClusterServices: AWS Load Balancer Controller", () => {
    it("installs no load balancer controller unless asked", async () => {
        const s = await build();
        expect(s.loadBalancerController).toBeUndefined();
        expect(byType("kubernetes:helm.sh/v3:Release", "svc-lb-controller")).toEqual([]);
        expect(byType("aws:eks/podIdentityAssociation:PodIdentityAssociation", "svc-lb-controller")).toEqual([]);
        expect(byType("aws:iam/role:Role", "svc-lb-controller")).toEqual([]);
    });

    it("installs the AWS Load Balancer Controller pinned, told its cluster, region and VPC, after its Pod Identity", async () => {
        const s = await build(LBC);
        const rel = one("kubernetes:helm.sh/v3:Release", "svc-lb-controller");
        expect(s.loadBalancerController).toBeDefined();
        expect(await resolve(s.loadBalancerController!.urn)).toBe(rel.urn);
        expect(rel.inputs).toMatchObject({
            name: "aws-load-balancer-controller",
            chart: INGRESS_VERSIONS.loadBalancerControllerChart.chart,
            version: INGRESS_VERSIONS.loadBalancerControllerChart.version,
            repositoryOpts: { repo: INGRESS_VERSIONS.loadBalancerControllerChart.repo },
            namespace: "kube-system",
        });
        expect(INGRESS_VERSIONS.loadBalancerControllerChart).toMatchObject({ repo: "https://aws.github.io/eks-charts", chart: "aws-load-balancer-controller" });
        const v = rel.inputs.values;
        // IMDS hop limit 1 (NG-02): without these the controller cannot start.
        expect(v).toMatchObject({ clusterName: "mlp-test", region: "us-west-2", vpcId: VPC });
        expect(v.serviceAccount).toEqual({ create: true, name: "aws-load-balancer-controller" });
        expect(`${v.image.repository}:${v.image.tag}`).toBe(INGRESS_VERSIONS.loadBalancerControllerImage);
        expect(v.ingressClass).toBe("alb");
        expect(v.enableServiceMutatorWebhook).toBe(false);
        expect(v.replicaCount).toBe(2);
        expect(v.podDisruptionBudget).toEqual({ maxUnavailable: 1 });
        expect(v.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
        expect(v.resources.limits.memory).toEqual(expect.any(String));
        expect(v.resources.limits.cpu).toBeUndefined();
        expect(v.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
        expect(v.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        for (const key of Object.keys(v)) {
            expect(LBC_CHART_KEYS.has(key), `values.${key} is not a key of the pinned chart`).toBe(true);
        }
        // Credentials exist before the pods start, and outlive them on destroy.
        expect(rel.dependencies).toContain(one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "svc-lb-controller-association").urn);
    });

    it("accepts a VPC ID that is an output", async () => {
        await build({ loadBalancerController: true, vpcId: pulumi.output(VPC) });
        expect(one("kubernetes:helm.sh/v3:Release", "svc-lb-controller").inputs.values.vpcId).toBe(VPC);
    });

    it("binds the controller's role to kube-system/aws-load-balancer-controller after the Pod Identity agent", async () => {
        await build(LBC);
        const assoc = one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "svc-lb-controller-association");
        expect(assoc.inputs).toMatchObject({ namespace: "kube-system", serviceAccount: "aws-load-balancer-controller", clusterName: "mlp-test" });
        expect(assoc.dependencies).toContain(byType("aws:eks/addon:Addon", "agent")[0].urn);
        const policy = JSON.parse(one("aws:iam/rolePolicy:RolePolicy", "svc-lb-controller-policy").inputs.policy);
        expect(policy).toEqual(JSON.parse(loadBalancerControllerPolicy("mlp-test", VPC)));
    });

    it("grants the controller no wildcard actions and only Allow statements", () => {
        for (const s of lbcStatements()) {
            expect(s.Effect).toBe("Allow");
            for (const a of s.Action) {
                expect(a, s.Sid).not.toBe("*");
                expect(a, s.Sid).not.toMatch(/\*/);
            }
        }
        expect(loadBalancerControllerPolicy("mlp-test", VPC)).not.toMatch(/"Action":\s*"\*"/);
    });

    it("lets the controller change or delete only load balancers, target groups and security groups it tagged", () => {
        const guarded = [
            "ec2:DeleteSecurityGroup", "ec2:DeleteTags",
            "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup",
            "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DeleteTargetGroup",
            "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:ModifyTargetGroup",
            "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:SetSecurityGroups",
            "elasticloadbalancing:SetSubnets", "elasticloadbalancing:SetIpAddressType",
        ];
        for (const action of guarded) {
            expect(granting(action).length, action).toBeGreaterThan(0);
            for (const s of granting(action)) {
                expect(JSON.stringify(s.Condition ?? {}), `${action} in ${s.Sid}`).toMatch(/aws:(Request|Resource)Tag\/elbv2\.k8s\.aws\/cluster/);
            }
        }
        // Deleting and modifying need the tag on the resource; creating needs it on the request.
        for (const s of granting("elasticloadbalancing:DeleteLoadBalancer").concat(granting("ec2:DeleteSecurityGroup"))) {
            expect(s.Condition).toEqual({ Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } });
        }
        for (const s of granting("elasticloadbalancing:CreateLoadBalancer")) {
            expect(s.Condition).toEqual({ Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" } });
        }
        // Tags on EC2 only on security groups: set at creation with the cluster tag, or changed on
        // owned groups without touching the cluster tag (so it cannot adopt someone else's group).
        for (const s of granting("ec2:CreateTags").concat(granting("ec2:DeleteTags"))) {
            expect(s.Resource, s.Sid).toBe("arn:aws:ec2:*:*:security-group/*");
            expect([
                { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" }, Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" } },
                { Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "true", "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } },
            ]).toContainEqual(s.Condition);
        }
        // Load balancer, target group, listener and rule tags likewise (IAM-01: listeners and rules too).
        for (const s of granting("elasticloadbalancing:RemoveTags").concat(granting("elasticloadbalancing:AddTags"))) {
            expect(JSON.stringify(s.Condition ?? {}), s.Sid).toMatch(/elbv2\.k8s\.aws\/cluster/);
        }
    });

    it("leaves unconditioned only the listed look-ups and WAF/Shield attachments (IAM-01)", () => {
        const unconditioned = lbcStatements()
            .filter((s) => s.Condition === undefined && ([] as string[]).concat(s.Resource).includes("*"))
            .flatMap((s) => s.Action)
            .filter((a) => !isRead(a));
        expect(new Set(unconditioned)).toEqual(new Set([
            "waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL",
            "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL",
            "shield:CreateProtection", "shield:DeleteProtection",
        ]));
        // Every write that upstream leaves on * is conditioned on this cluster's tags here.
        for (const action of [
            "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener", "elasticloadbalancing:CreateRule",
            "elasticloadbalancing:DeleteRule", "elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyRule",
            "elasticloadbalancing:SetRulePriorities", "elasticloadbalancing:SetWebAcl", "elasticloadbalancing:AddListenerCertificates",
            "elasticloadbalancing:RemoveListenerCertificates", "elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets",
        ]) {
            expect(granting(action).length, action).toBeGreaterThan(0);
            for (const s of granting(action)) {
                expect(JSON.stringify(s.Condition ?? {}), `${action} in ${s.Sid}`).toMatch(/elbv2\.k8s\.aws\/cluster/);
            }
        }
        // Security-group ingress only on groups this controller owns or the cluster's own group, never
        // on any group (the database's has neither tag).
        for (const s of granting("ec2:AuthorizeSecurityGroupIngress")) {
            expect([
                { Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } },
                { StringEquals: { "aws:ResourceTag/kubernetes.io/cluster/mlp-test": "owned" } },
            ], s.Sid).toContainEqual(s.Condition);
        }
        // New security groups only in the cluster's VPC and tagged on create.
        expect(granting("ec2:CreateSecurityGroup").map((s) => [s.Resource, s.Condition])).toEqual([
            [`arn:aws:ec2:*:*:vpc/${VPC}`, undefined],
            ["arn:aws:ec2:*:*:security-group/*", { Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" } }],
        ]);
    });

    it("lets the controller create only the ELB service-linked role and no other IAM write", () => {
        const [slr, ...rest] = granting("iam:CreateServiceLinkedRole");
        expect(rest).toEqual([]);
        expect(slr.Action).toEqual(["iam:CreateServiceLinkedRole"]);
        expect(slr.Condition).toEqual({ StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } });
        const iamActions = lbcStatements().flatMap((s) => s.Action).filter((a) => a.startsWith("iam:"));
        expect(iamActions.filter((a) => !isRead(a))).toEqual(["iam:CreateServiceLinkedRole"]);
    });
});

describe("IAM-01 check", () => {
    const check = FOUNDATION_CHECKS.find((c) => c.id === "IAM-01")!;
    const policyRecord = () => allRecords().map((r) => ({ ...r, inputs: structuredClone(r.inputs) }));
    const mutate = (fn: (doc: any) => void) => {
        const rs = policyRecord();
        const p = rs.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === "svc-lb-controller-policy")!;
        const doc = JSON.parse(p.inputs.policy);
        fn(doc);
        p.inputs.policy = JSON.stringify(doc);
        return check.evaluate(rs, "production");
    };
    const bySid = (doc: any, sid: string) => doc.Statement.find((s: any) => s.Sid === sid);

    it("passes the controllers' policies and fails on each write left on * without its condition", async () => {
        await build(LBC);
        expect(check.evaluate(allRecords(), "production")).toEqual([]);
        // Upstream's unconditioned security-group ingress: could open the database's security group.
        expect(mutate((d) => { const s = bySid(d, "OpenClusterSecurityGroup"); s.Resource = "*"; delete s.Condition; })).toHaveLength(1);
        expect(mutate((d) => { delete bySid(d, "CreateTaggedListenersAndRules").Condition; })).toHaveLength(1);
        expect(mutate((d) => { const s = bySid(d, "DeleteOwnedListenersAndRules"); delete s.Condition; })).toHaveLength(1);
        expect(mutate((d) => { delete bySid(d, "ConfigureOwnedListeners").Condition; })[0].message).toMatch(/ModifyListener/);
        // The autoscaler too: scaling any Auto Scaling group.
        const rs = policyRecord();
        const p = rs.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === "svc-autoscaler-policy")!;
        const doc = JSON.parse(p.inputs.policy);
        delete doc.Statement[0].Condition;
        p.inputs.policy = JSON.stringify(doc);
        expect(check.evaluate(rs, "sandbox").map((x) => x.message)).toEqual([expect.stringMatching(/SetDesiredCapacity/)]);
    });
});
