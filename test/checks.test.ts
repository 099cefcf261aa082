/**
 * Each checklist predicate is proven to fail on a non-compliant fixture: the real prod stack's
 * recorded resources with one property mutated (Checkov's pass/fail fixture pattern).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { CHECKS, CHECKS_BY_LAYER, runChecks } from "../policy/all-checks";
import { Env, EXCEPTIONS, Res } from "../policy/checks";
import { FOUNDATION_CHECKS } from "../policy/checks-foundation";
import { allRecords } from "./mocks";
import { loadStack, PROD_SECRETS } from "./stack";

let prod: Res[];
beforeAll(async () => {
    await loadStack("prod", PROD_SECRETS, Object.keys(PROD_SECRETS));
    prod = allRecords().map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, urn: r.urn, dependencies: r.dependencies, protect: r.protect, retainOnDelete: r.retainOnDelete, propertyDependencies: r.propertyDependencies } as Res));
});

type Mutation = (rs: Res[]) => void;
const find = (rs: Res[], type: string, name?: string) => {
    const r = rs.find((x) => x.type === type && (name === undefined || x.name === name));
    if (!r) {
        throw new Error(`fixture has no ${type} ${name ?? ""}`);
    }
    return r.inputs;
};
const esPod = (rs: Res[]) => find(rs, "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", "logging-elasticsearch").spec.nodeSets[0].podTemplate.spec;
const jh = (rs: Res[]) => find(rs, "kubernetes:helm.sh/v3:Release", "notebooks-jupyterhub").values;
const kps = (rs: Res[]) => find(rs, "kubernetes:helm.sh/v3:Release", "monitoring-kube-prometheus-stack").values;
const clone = (rs: Res[]): Res[] => rs.map((r) => ({ ...r, inputs: structuredClone(r.inputs), dependencies: [...(r.dependencies ?? [])] }));

const mutations: [string, Env, string, Mutation][] = [
    ["EKS-01", "production", "drops scheduler logs", (rs) => { find(rs, "eks:index:Cluster").enabledClusterLogTypes = ["api", "audit", "authenticator", "controllerManager"]; }],
    ["EKS-01", "sandbox", "drops audit logs", (rs) => { find(rs, "eks:index:Cluster").enabledClusterLogTypes = ["api", "authenticator"]; }],
    ["EKS-02", "production", "removes the declared log group", (rs) => { rs.splice(rs.findIndex((r) => r.inputs.name === "/aws/eks/mlplatform-prod/cluster"), 1); }],
    ["EKS-02", "production", "drops the cluster's dependency on its log group", (rs) => { rs.find((r) => r.type === "eks:index:Cluster")!.dependencies!.length = 0; }],
    ["EKS-02", "production", "unsets retention", (rs) => { delete find(rs, "aws:cloudwatch/logGroup:LogGroup", "cluster-control-plane-logs").retentionInDays; }],
    ["EKS-02", "sandbox", "keeps sandbox logs 90 days", (rs) => { find(rs, "aws:cloudwatch/logGroup:LogGroup", "cluster-control-plane-logs").retentionInDays = 90; }],
    ["EKS-03", "production", "drops the secrets KMS key", (rs) => { delete find(rs, "eks:index:Cluster").encryptionConfigKeyArn; }],
    ["EKS-04", "production", "opens the API to the internet", (rs) => { find(rs, "eks:index:Cluster").publicAccessCidrs = ["0.0.0.0/0"]; }],
    ["EKS-04", "production", "turns the private endpoint off", (rs) => { find(rs, "eks:index:Cluster").endpointPrivateAccess = false; }],
    ["EKS-04", "production", "has a public endpoint without CIDRs", (rs) => { delete find(rs, "eks:index:Cluster").publicAccessCidrs; }],
    ["EKS-05", "production", "uses an unsupported version", (rs) => { find(rs, "eks:index:Cluster").version = "1.27"; }],
    ["EKS-05", "production", "uses extended support", (rs) => { find(rs, "eks:index:Cluster").upgradePolicy = { supportType: "EXTENDED" }; }],
    ["EKS-06", "production", "uses the aws-auth ConfigMap", (rs) => { find(rs, "eks:index:Cluster").authenticationMode = "CONFIG_MAP"; }],
    ["EKS-07", "production", "has no deletion protection", (rs) => { find(rs, "eks:index:Cluster").deletionProtection = false; }],
    ["EKS-07", "production", "does not Pulumi-protect the cluster", (rs) => { (rs.find((r) => r.type === "eks:index:Cluster") as any).protect = false; }],
    ["KMS-02", "production", "does not protect the key of the kept data", (rs) => { (rs.find((r) => r.name === "cluster-key") as any).protect = false; }],
    ["KMS-02", "production", "lets destroy schedule the key's deletion", (rs) => { (rs.find((r) => r.name === "cluster-key") as any).retainOnDelete = false; }],
    ["EKS-07", "sandbox", "protects a sandbox from destroy", (rs) => { find(rs, "eks:index:Cluster").deletionProtection = true; }],
    ["NG-01", "production", "allows SSH", (rs) => { find(rs, "aws:eks/nodeGroup:NodeGroup", "cluster-cpu-1").remoteAccess = { ec2SshKey: "k" }; }],
    ["NG-02", "production", "raises the IMDS hop limit", (rs) => { find(rs, "aws:ec2/launchTemplate:LaunchTemplate", "cluster-gpu-lt").metadataOptions.httpPutResponseHopLimit = 2; }],
    ["NG-02", "production", "allows IMDSv1", (rs) => { find(rs, "aws:ec2/launchTemplate:LaunchTemplate", "cluster-cpu-lt").metadataOptions.httpTokens = "optional"; }],
    ["NG-03", "production", "maps public IPs in a subnet", (rs) => { find(rs, "aws:ec2/subnet:Subnet", "network-private-1").mapPublicIpOnLaunch = true; }],
    ["NG-03", "production", "associates public IPs on nodes", (rs) => { find(rs, "aws:ec2/launchTemplate:LaunchTemplate", "cluster-cpu-lt").networkInterfaces = [{ associatePublicIpAddress: "true" }]; }],
    ["NG-03", "production", "lets the component create a default node group", (rs) => { find(rs, "eks:index:Cluster").skipDefaultNodeGroup = false; }],
    ["NG-04", "production", "leaves one AZ without a CPU group", (rs) => { rs.splice(rs.findIndex((r) => r.name === "cluster-cpu-3"), 1); }],
    // Issue 19: one CPU group per AZ too; a CPU group over two AZs may not scale for a volume in the second.
    ["NG-04", "production", "puts a CPU group in two subnets", (rs) => { const g = find(rs, "aws:eks/nodeGroup:NodeGroup", "cluster-cpu-1"); g.subnetIds = [...g.subnetIds, find(rs, "aws:eks/nodeGroup:NodeGroup", "cluster-cpu-2").subnetIds[0]]; }],
    ["NG-04", "production", "puts all three subnets of a group in one AZ", (rs) => { for (const sn of rs.filter((r) => r.type === "aws:ec2/subnet:Subnet")) sn.inputs.availabilityZone = "us-west-2a"; }],
    // Issue 19: one GPU group per AZ; a GPU group over two AZs cannot scale from zero for the second.
    ["NG-04", "production", "puts a GPU group in two subnets", (rs) => { const g = find(rs, "aws:eks/nodeGroup:NodeGroup", "cluster-gpu-1"); g.subnetIds = [...g.subnetIds, find(rs, "aws:eks/nodeGroup:NodeGroup", "cluster-gpu-2").subnetIds[0]]; }],
    ["NG-04", "production", "leaves one AZ without a GPU group", (rs) => { rs.splice(rs.findIndex((r) => r.name === "cluster-gpu-3"), 1); }],
    ["RDS-02", "production", "puts the database subnets in one AZ", (rs) => { for (const sn of rs.filter((r) => r.type === "aws:ec2/subnet:Subnet")) sn.inputs.availabilityZone = "us-west-2a"; }],
    ["NG-02", "production", "drops a node group's launch template", (rs) => { delete find(rs, "aws:eks/nodeGroup:NodeGroup", "cluster-cpu-2").launchTemplate; }],
    ["NG-05", "production", "drops a node group's launch template", (rs) => { delete find(rs, "aws:eks/nodeGroup:NodeGroup", "cluster-gpu-1").launchTemplate; }],
    ["NG-05", "production", "leaves a root volume unencrypted", (rs) => { find(rs, "aws:ec2/launchTemplate:LaunchTemplate", "cluster-cpu-lt").blockDeviceMappings[0].ebs.encrypted = "false"; }],
    ["NG-06", "production", "drops the GPU taint", (rs) => { find(rs, "aws:eks/nodeGroup:NodeGroup", "cluster-gpu-1").taints = []; }],
    ["NG-06", "sandbox", "keeps a GPU node running in the sandbox", (rs) => { find(rs, "aws:eks/nodeGroup:NodeGroup", "cluster-gpu-1").scalingConfig.minSize = 1; }],
    ["NG-07", "production", "enables anonymous kubelet auth", (rs) => { find(rs, "aws:ec2/launchTemplate:LaunchTemplate", "cluster-cpu-lt").userData = Buffer.from("--anonymous-auth=true").toString("base64"); }],
    ["NG-08", "production", "gives nodes S3 access", (rs) => { rs.push({ type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "x", inputs: { role: "cluster-node-role", policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" } }); }],
    ["NET-01", "production", "opens the default security group", (rs) => { find(rs, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").ingress = [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }]; }],
    ["NET-01", "production", "has no flow logs", (rs) => { rs.splice(rs.findIndex((r) => r.type === "aws:ec2/flowLog:FlowLog"), 1); }],
    ["NET-02", "production", "opens SSH to the internet", (rs) => { find(rs, "aws:ec2/securityGroup:SecurityGroup", "cluster-node-sg").ingress = [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }]; }],
    ["NET-01", "production", "logs only rejected traffic", (rs) => { find(rs, "aws:ec2/flowLog:FlowLog").trafficType = "REJECT"; }],
    ["NET-02", "production", "opens PostgreSQL to the internet", (rs) => { find(rs, "aws:ec2/securityGroup:SecurityGroup", "cluster-node-sg").ingress = [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }]; }],
    ["NET-02", "production", "opens a node port range to the internet", (rs) => { rs.push({ type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name: "x", inputs: { ipProtocol: "tcp", fromPort: 30000, toPort: 32767, cidrIpv4: "0.0.0.0/0" } }); }],
    ["NET-04", "production", "leaves network policy off in the CNI", (rs) => { find(rs, "aws:eks/addon:Addon", "cluster-vpc-cni").configurationValues = "{}"; }],
    ["NET-05", "production", "shares one NAT across 3 AZs", (rs) => { for (let i = 0; i < 2; i++) rs.splice(rs.findIndex((r) => r.type === "aws:ec2/natGateway:NatGateway"), 1); }],
    ["EKS-02", "production", "leaves the flow-log group unencrypted", (rs) => { delete find(rs, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs").kmsKeyId; }],
    ["LOG-01", "production", "leaves the flow-log group unencrypted", (rs) => { delete find(rs, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs").kmsKeyId; }],
    ["LOG-01", "production", "lets RDS create its postgresql log group", (rs) => { rs.splice(rs.findIndex((r) => r.name === "tracking-db-log-postgresql"), 1); }],
    ["LOG-01", "production", "creates the instance before its log groups", (rs) => { rs.find((r) => r.type === "aws:rds/instance:Instance")!.dependencies!.length = 0; }],
    ["LOG-01", "production", "sends flow logs to an undeclared group", (rs) => { const fl = rs.find((r) => r.type === "aws:ec2/flowLog:FlowLog")!; (fl as any).dependencies = []; fl.inputs.logDestination = "arn:aws:logs:us-west-2:123456789012:log-group:elsewhere"; }],
    ["KMS-01", "production", "does not rotate the key", (rs) => { find(rs, "aws:kms/key:Key").enableKeyRotation = false; }],
    ["KMS-01", "production", "lets anyone use the key", (rs) => { const k = find(rs, "aws:kms/key:Key"); k.policy = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" }] }); }],
    ["KMS-01", "production", "lets any AWS principal (a list with *) use the key", (rs) => { const k = find(rs, "aws:kms/key:Key"); k.policy = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: ["*"] }, Action: "kms:Decrypt", Resource: "*" }] }); }],
    ["KMS-01", "production", "uses the sandbox deletion window", (rs) => { find(rs, "aws:kms/key:Key").deletionWindowInDays = 7; }],
    ["IAM-01", "production", "lets a controller open any security group", (rs) => { rs.push({ type: "aws:iam/rolePolicy:RolePolicy", name: "x", inputs: { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["ec2:AuthorizeSecurityGroupIngress"], Resource: "*" }] }) } }); }],
    ["IAM-01", "production", "lets a controller edit any listener", (rs) => { rs.push({ type: "aws:iam/rolePolicy:RolePolicy", name: "x", inputs: { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "elasticloadbalancing:ModifyListener", Resource: "*" }] }) } }); }],
    ["NS-08", "production", "lets the chart create the operator's cluster-wide RBAC ('*' on secrets)", (rs) => { delete kps(rs).global; }],
    ["NS-04", "production", "lets the chart create the operator's cluster-wide RBAC (wildcard verbs)", (rs) => { delete kps(rs).global; }],
    ["NS-08", "production", "gives Grafana a ClusterRole", (rs) => { kps(rs).grafana.rbac.namespaced = false; }],
    ["NS-04", "production", "gives Grafana a ClusterRole (cluster-wide secret read)", (rs) => { delete kps(rs).grafana.rbac; }],
    ["NS-08", "production", "loads dashboards from every namespace", (rs) => { kps(rs).grafana.sidecar.dashboards.searchNamespace = "ALL"; }],
    ["NS-08", "production", "loads dashboards from a team namespace", (rs) => { kps(rs).grafana.sidecar.dashboards.searchNamespace = ["monitoring", "vision"]; }],
    ["NS-08", "production", "keeps kube-state-metrics' secrets collector", (rs) => { delete kps(rs)["kube-state-metrics"].collectorsExclude; }],
    ["NS-08", "production", "lets the operator watch Secrets wherever it watches monitors", (rs) => { delete kps(rs).prometheusOperator.prometheusInstanceNamespaces; }],
    ["NS-08", "production", "binds the ECK operator cluster-wide", (rs) => { find(rs, "kubernetes:helm.sh/v3:Release", "logging-eck-operator").values.createClusterScopedResources = true; }],
    ["NS-08", "production", "lets ECK manage every namespace", (rs) => { find(rs, "kubernetes:helm.sh/v3:Release", "logging-eck-operator").values.managedNamespaces = []; }],
    ["NS-04", "production", "binds a team group to admin", (rs) => { rs.push({ type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", name: "x", inputs: { metadata: { namespace: "mlflow" }, roleRef: { kind: "ClusterRole", name: "admin" }, subjects: [{ kind: "Group", name: "mlplatform:team:vision:members" }] } }); }],
    ["NS-09", "production", "drops the monitoring namespace's default-deny ingress", (rs) => { rs.splice(rs.findIndex((r) => r.name === "monitoring-ns-deny-ingress"), 1); }],
    ["NS-09", "production", "drops the GPU namespace's default-deny ingress", (rs) => { rs.splice(rs.findIndex((r) => r.name === "cluster-services-nvidia-deny-ingress"), 1); }],
    ["NS-09", "production", "drops elastic-system's default-deny ingress", (rs) => { rs.splice(rs.findIndex((r) => r.name === "logging-operator-ns-deny-ingress"), 1); }],
    ["NS-09", "production", "lets every namespace reach Prometheus and Alertmanager", (rs) => { find(rs, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "monitoring-ns-allow-same-namespace").spec.ingress[0].from = [{ namespaceSelector: {} }]; }],
    ["NS-09", "production", "admits any source to the monitoring namespace", (rs) => { find(rs, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "monitoring-ns-allow-same-namespace").spec.ingress[0].from = []; }],
    ["NS-09", "production", "lets MLflow reach Service ClusterIPs (the API server) on 443", (rs) => { const e = find(rs, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "tracking-allow-egress").spec.egress; for (const r of e) for (const t of r.to) if (t.ipBlock?.except) t.ipBlock.except = t.ipBlock.except.filter((x: string) => x !== "172.20.0.0/16"); }],
    // K8S-14: the checks read the pods the operator renders from the chart's values.
    ["K8S-12", "production", "runs 2 Prometheus replicas without a zone spread", (rs) => { kps(rs).prometheus.prometheusSpec.topologySpreadConstraints = []; }],
    ["K8S-12", "production", "runs 2 Alertmanager replicas without a zone spread", (rs) => { delete kps(rs).alertmanager.alertmanagerSpec.topologySpreadConstraints; }],
    ["K8S-11", "production", "mounts an API token into Alertmanager", (rs) => { delete kps(rs).alertmanager.alertmanagerSpec.automountServiceAccountToken; }],
    ["K8S-08", "production", "leaves the config-reloader without requests", (rs) => { delete kps(rs).prometheusOperator.prometheusConfigReloader.resources; }],
    ["K8S-08", "production", "leaves Prometheus without a memory limit", (rs) => { delete kps(rs).prometheus.prometheusSpec.resources.limits; }],
    ["K8S-01", "production", "runs Alertmanager as root", (rs) => { kps(rs).alertmanager.alertmanagerSpec.securityContext = { runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } }; }],
    ["K8S-05", "production", "drops Prometheus' seccomp profile", (rs) => { kps(rs).prometheus.prometheusSpec.securityContext = { runAsNonRoot: true }; }],
    // K8S-14: kube-prometheus-stack's Deployments, from the values merged over the subcharts' defaults.
    ["K8S-06", "production", "gives Grafana a writable root", (rs) => { delete kps(rs).grafana.containerSecurityContext; }],
    ["K8S-06", "production", "gives the Grafana sidecars a writable root", (rs) => { delete kps(rs).grafana.sidecar.securityContext; }],
    ["K8S-08", "production", "leaves the Grafana sidecars without requests", (rs) => { delete kps(rs).grafana.sidecar.resources; }],
    ["K8S-04", "production", "lets the Grafana sidecars keep capabilities", (rs) => { kps(rs).grafana.sidecar.securityContext.capabilities = { drop: null }; }],
    ["K8S-08", "production", "leaves Grafana without a memory limit", (rs) => { delete kps(rs).grafana.resources.limits; }],
    ["K8S-01", "production", "runs Grafana as root", (rs) => { kps(rs).grafana.securityContext = { runAsNonRoot: null, runAsUser: 0 }; }],
    ["K8S-09", "production", "gives the operator identical probes again", (rs) => { delete kps(rs).prometheusOperator.readinessProbe; delete kps(rs).prometheusOperator.livenessProbe; }],
    ["K8S-09", "production", "turns the operator's liveness probe off", (rs) => { kps(rs).prometheusOperator.livenessProbe.enabled = false; }],
    ["K8S-08", "production", "leaves the operator without requests", (rs) => { delete kps(rs).prometheusOperator.resources; }],
    ["K8S-06", "production", "gives the operator a writable root", (rs) => { kps(rs).prometheusOperator.containerSecurityContext = { readOnlyRootFilesystem: false }; }],
    ["K8S-08", "production", "leaves kube-state-metrics without requests", (rs) => { delete kps(rs)["kube-state-metrics"].resources; }],
    ["K8S-05", "production", "turns kube-state-metrics' pod securityContext off", (rs) => { kps(rs)["kube-state-metrics"].securityContext = { enabled: false }; }],
    ["K8S-07", "production", "puts kube-state-metrics on the host network", (rs) => { kps(rs)["kube-state-metrics"].hostNetwork = true; }],
    ["K8S-05", "production", "drops node-exporter's seccomp profile", (rs) => { delete kps(rs)["prometheus-node-exporter"].securityContext; }],
    ["K8S-04", "production", "lets node-exporter keep capabilities", (rs) => { delete kps(rs)["prometheus-node-exporter"].containerSecurityContext.capabilities; }],
    ["K8S-02", "production", "lets node-exporter escalate", (rs) => { delete kps(rs)["prometheus-node-exporter"].containerSecurityContext.allowPrivilegeEscalation; }],
    ["K8S-08", "production", "leaves node-exporter without requests", (rs) => { delete kps(rs)["prometheus-node-exporter"].resources; }],
    ["K8S-09", "production", "gives node-exporter identical probes", (rs) => { delete kps(rs)["prometheus-node-exporter"].readinessProbe; delete kps(rs)["prometheus-node-exporter"].livenessProbe; }],
    ["K8S-01", "production", "runs node-exporter as root", (rs) => { kps(rs)["prometheus-node-exporter"].securityContext = { runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } }; }],
    ["K8S-05", "production", "drops the device plugin's seccomp profile", (rs) => { delete find(rs, "kubernetes:helm.sh/v3:Release", "cluster-services-nvidia-device-plugin").values.podSecurityContext; }],
    ["K8S-06", "production", "gives the device plugin a writable root", (rs) => { delete find(rs, "kubernetes:helm.sh/v3:Release", "cluster-services-nvidia-device-plugin").values.securityContext.readOnlyRootFilesystem; }],
    ["K8S-06", "production", "falls back to the device plugin chart's securityContext", (rs) => { find(rs, "kubernetes:helm.sh/v3:Release", "cluster-services-nvidia-device-plugin").values.securityContext = {}; }],
    ["K8S-03", "production", "runs the device plugin privileged (compatWithCPUManager)", (rs) => { const v = find(rs, "kubernetes:helm.sh/v3:Release", "cluster-services-nvidia-device-plugin").values; v.securityContext = {}; v.compatWithCPUManager = true; }],
    ["K8S-08", "production", "leaves the device plugin without requests", (rs) => { delete find(rs, "kubernetes:helm.sh/v3:Release", "cluster-services-nvidia-device-plugin").values.resources; }],
    ["K8S-05", "production", "drops DCGM's seccomp profile", (rs) => { delete find(rs, "kubernetes:helm.sh/v3:Release", "monitoring-dcgm-exporter").values.securityContext.seccompProfile; }],
    ["K8S-02", "production", "lets DCGM escalate", (rs) => { find(rs, "kubernetes:helm.sh/v3:Release", "monitoring-dcgm-exporter").values.securityContext.allowPrivilegeEscalation = true; }],
    ["K8S-03", "production", "runs DCGM privileged", (rs) => { find(rs, "kubernetes:helm.sh/v3:Release", "monitoring-dcgm-exporter").values.securityContext.privileged = true; }],
    ["K8S-07", "production", "gives DCGM the host PID namespace", (rs) => { find(rs, "kubernetes:helm.sh/v3:Release", "monitoring-dcgm-exporter").values.hostPID = true; }],
    ["K8S-08", "production", "nulls DCGM's memory limit (the chart's other defaults stay)", (rs) => { find(rs, "kubernetes:helm.sh/v3:Release", "monitoring-dcgm-exporter").values.resources = { limits: { memory: null } }; }],
    ["K8S-05", "production", "drops the ECK operator's seccomp profiles (pod and container)", (rs) => { delete find(rs, "kubernetes:helm.sh/v3:Release", "logging-eck-operator").values.podSecurityContext; delete find(rs, "kubernetes:helm.sh/v3:Release", "logging-eck-operator").values.securityContext.seccompProfile; }],
    ["K8S-06", "production", "gives the ECK operator a writable root", (rs) => { find(rs, "kubernetes:helm.sh/v3:Release", "logging-eck-operator").values.securityContext.readOnlyRootFilesystem = false; }],
    ["K8S-08", "production", "nulls the ECK operator's memory limit", (rs) => { find(rs, "kubernetes:helm.sh/v3:Release", "logging-eck-operator").values.resources = { limits: { memory: null } }; }],
    // K8S-14: Elasticsearch and Kibana as ECK 3.5.0 renders them from the pod templates.
    ["K8S-09", "production", "drops Elasticsearch's liveness probe (ECK adds only readiness)", (rs) => { delete esPod(rs).containers[0].livenessProbe; }],
    ["K8S-11", "production", "runs Elasticsearch as the namespace's default ServiceAccount", (rs) => { delete esPod(rs).serviceAccountName; }],
    ["K8S-11", "production", "lets Elasticsearch mount an API token", (rs) => { esPod(rs).automountServiceAccountToken = true; }],
    ["K8S-06", "production", "gives Elasticsearch a writable root", (rs) => { esPod(rs).containers[0].securityContext.readOnlyRootFilesystem = false; }],
    ["K8S-06", "production", "renames the data claim (ECK then leaves its init containers' root writable)", (rs) => { find(rs, "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", "logging-elasticsearch").spec.nodeSets[0].volumeClaimTemplates[0].metadata.name = "data"; }],
    ["K8S-08", "production", "drops Elasticsearch's resources (ECK's suspend init container inherits them)", (rs) => { delete esPod(rs).containers[0].resources; }],
    ["K8S-05", "production", "drops Elasticsearch's pod seccomp profile (ECK's init containers inherit it)", (rs) => { delete esPod(rs).securityContext.seccompProfile; }],
    ["K8S-09", "production", "runs Kibana without a liveness probe (ECK adds only readiness)", (rs) => { rs.push({ type: "kubernetes:kibana.k8s.elastic.co/v1:Kibana", name: "kb", inputs: { metadata: { name: "logs", namespace: "logging" }, spec: { version: "9.4.3", count: 1, podTemplate: { spec: { serviceAccountName: "logs-kibana", securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } }, containers: [{ name: "kibana", resources: { requests: { cpu: "200m", memory: "1Gi" }, limits: { memory: "1Gi" } } }] } } } } }); }],
    // K8S-14: JupyterHub's hub, proxy and continuous image-puller, from the z2jh 4.4.0 values.
    ["K8S-11", "production", "leaves the proxy on the namespace's default ServiceAccount with a token", (rs) => { delete jh(rs).proxy.chp.extraPodSpec; }],
    ["K8S-11", "production", "lets the proxy mount an API token", (rs) => { jh(rs).proxy.chp.extraPodSpec.automountServiceAccountToken = true; }],
    ["K8S-06", "production", "gives the proxy a writable root", (rs) => { delete jh(rs).proxy.chp.containerSecurityContext.readOnlyRootFilesystem; }],
    ["K8S-08", "production", "leaves the image pullers without requests (z2jh default {})", (rs) => { delete jh(rs).prePuller.resources; }],
    ["K8S-06", "production", "gives the image-pull init containers a writable root", (rs) => { delete jh(rs).prePuller.containerSecurityContext.readOnlyRootFilesystem; }],
    ["K8S-06", "production", "gives the puller's pause container a writable root", (rs) => { delete jh(rs).prePuller.pause; }],
    ["K8S-08", "production", "leaves the hub without a memory limit", (rs) => { delete jh(rs).hub.resources.limits; }],
    ["K8S-09", "production", "turns the hub's liveness probe off", (rs) => { jh(rs).hub.livenessProbe = { enabled: false }; }],
    ["K8S-09", "production", "gives the proxy identical probes", (rs) => { jh(rs).proxy.chp.livenessProbe = { initialDelaySeconds: 0, periodSeconds: 2, failureThreshold: 1000, timeoutSeconds: 1 }; }],
    ["K8S-05", "production", "drops the hub's seccomp profiles (pod and container)", (rs) => { jh(rs).hub.podSecurityContext = { fsGroup: 1000, seccompProfile: null }; delete jh(rs).hub.containerSecurityContext.seccompProfile; }],
    ["K8S-11", "production", "puts the ECK operator in the default namespace", (rs) => { const r = rs.find((x) => x.name === "logging-eck-operator")!; r.inputs.namespace = "default"; }],
    ["NS-01", "production", "leaves the monitoring namespace unlabelled", (rs) => { const l = find(rs, "kubernetes:core/v1:Namespace", "monitoring-ns").metadata.labels; for (const k of Object.keys(l)) if (k.startsWith("pod-security")) delete l[k]; }],
    ["NS-01", "production", "drops the reason of a privileged namespace", (rs) => { delete find(rs, "kubernetes:core/v1:Namespace", "cluster-services-nvidia").metadata.annotations; }],
    ["NS-10", "production", "makes monitoring privileged again (Prometheus, Grafana beside node-exporter)", (rs) => { find(rs, "kubernetes:core/v1:Namespace", "monitoring-ns").metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged"; }],
    ["NS-10", "production", "runs a Deployment in the GPU agents' namespace", (rs) => { rs.push({ type: "kubernetes:apps/v1:Deployment", name: "x", inputs: { metadata: { namespace: "nvidia-device-plugin", labels: { "app.kubernetes.io/name": "x" } }, spec: { template: { spec: {} } } } }); }],
    ["NS-10", "production", "installs kube-prometheus-stack into the privileged node-exporter namespace", (rs) => { const r = rs.find((x) => x.name === "monitoring-kube-prometheus-stack")!; r.inputs.namespace = "node-exporter"; }],
    ["NS-10", "production", "runs Fluentd (root, hostPath) beside Elasticsearch again, in the restricted logging namespace", (rs) => { find(rs, "kubernetes:apps/v1:DaemonSet", "logging-fluentd").metadata.namespace = "logging"; }],
    // NG-06 decides GPU-ness from instance types and labels, not from the AMI name.
    ["NG-06", "production", "runs the GPU group on a CPU AMI without the taint", (rs) => { const g = find(rs, "aws:eks/nodeGroup:NodeGroup", "cluster-gpu-1"); g.amiType = "AL2023_x86_64_STANDARD"; g.taints = []; }],
    ["NG-06", "production", "runs GPU instance types on a CPU AMI with no GPU label", (rs) => { const g = find(rs, "aws:eks/nodeGroup:NodeGroup", "cluster-gpu-1"); g.amiType = "AL2023_x86_64_STANDARD"; g.labels = {}; }],
    ["NET-03", "production", "admits the database from another security group", (rs) => { const r = rs.find((x) => x.name === "tracking-db-from-nodes")! as any; r.inputs.referencedSecurityGroupId = "sg-0123456789abcdef0"; r.propertyDependencies = { ...r.propertyDependencies, referencedSecurityGroupId: [] }; }],
    ["ML-03", "production", "exposes MLflow through a LoadBalancer Service", (rs) => { find(rs, "kubernetes:core/v1:Service", "tracking-svc").spec.type = "LoadBalancer"; }],
    ["ML-03", "production", "puts an Ingress without OIDC in front of MLflow", (rs) => { rs.push({ type: "kubernetes:networking.k8s.io/v1:Ingress", name: "x", inputs: { metadata: { name: "x", namespace: "mlflow", annotations: { "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:us-west-2:111122223333:certificate/x", "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]' } }, spec: { rules: [{ http: { paths: [{ backend: { service: { name: "mlflow", port: { name: "http" } } } }] } }] } } }); }],
    ["ML-03", "production", "puts an OIDC Ingress without TLS in front of MLflow", (rs) => { rs.push({ type: "kubernetes:networking.k8s.io/v1:Ingress", name: "x", inputs: { metadata: { name: "x", namespace: "mlflow", annotations: { "alb.ingress.kubernetes.io/auth-type": "oidc" } }, spec: { defaultBackend: { service: { name: "mlflow", port: { name: "http" } } } } } }); }],
    ["FL-01", "production", "runs no Fluentd DaemonSet (and no fluent.conf)", (rs) => { for (const t of ["kubernetes:apps/v1:DaemonSet", "kubernetes:core/v1:ConfigMap"]) for (let i = rs.length - 1; i >= 0; i--) if (rs[i].type === t && (/fluentd/.test(JSON.stringify(rs[i].inputs.spec?.template?.spec?.containers ?? "")) || rs[i].inputs.data?.["fluent.conf"] !== undefined)) rs.splice(i, 1); }],
    ["FL-03", "production", "lets Fluentd buffer 50GB (50 GiB in Fluentd's units) beside a 100 GiB root volume", (rs) => { const cm = rs.find((r) => r.inputs.data?.["fluent.conf"] !== undefined)!; cm.inputs.data["fluent.conf"] = cm.inputs.data["fluent.conf"].replace(/total_limit_size \d+GB/, "total_limit_size 50GB"); }],
    ["FL-03", "production", "shrinks the node root volumes to 16 GiB under an 8 GiB buffer", (rs) => { for (const lt of rs.filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate")) lt.inputs.blockDeviceMappings[0].ebs.volumeSize = 16; }],
    ["ES-01", "production", "declares a managed OpenSearch domain (ES-01..03 have no check for it)", (rs) => { rs.push({ type: "aws:opensearch/domain:Domain", name: "x", inputs: { domainName: "logs" } }); }],
    // S3-07: access logs to a hardened, expiring, protected log bucket; S3-02's SSE-S3 exemption is for log targets only.
    ["S3-07", "production", "drops the artifact bucket's access logging", (rs) => { rs.splice(rs.findIndex((r) => r.type === "aws:s3/bucketLogging:BucketLogging"), 1); }],
    ["S3-07", "production", "keeps access logs forever", (rs) => { delete find(rs, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "tracking-access-logs").rules[0].expiration; }],
    ["S3-07", "production", "does not protect the log bucket", (rs) => { (rs.find((r) => r.name === "tracking-access-logs" && r.type === "aws:s3/bucket:Bucket") as any).protect = false; }],
    ["S3-02", "production", "encrypts the access-log bucket with SSE-KMS (S3 delivers no logs there)", (rs) => { find(rs, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "tracking-access-logs").rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "k" }, bucketKeyEnabled: true }]; }],
    ["S3-02", "production", "encrypts the artifact bucket with SSE-S3 (the exemption is for log targets only)", (rs) => { find(rs, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "tracking-artifacts").rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]; }],
    ["S3-01", "production", "leaves the log bucket's public access open", (rs) => { find(rs, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "tracking-access-logs").blockPublicPolicy = false; }],
    ["S3-05", "production", "drops the log bucket's TLS-only policy", (rs) => { rs.splice(rs.findIndex((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy" && r.name === "tracking-access-logs"), 1); }],
    ["SC-01", "production", "deletes production volumes", (rs) => { find(rs, "kubernetes:storage.k8s.io/v1:StorageClass").reclaimPolicy = "Delete"; }],
    ["SC-01", "production", "stores unencrypted volumes", (rs) => { find(rs, "kubernetes:storage.k8s.io/v1:StorageClass").parameters.encrypted = "false"; }],
    ["SC-01", "production", "binds volumes immediately", (rs) => { find(rs, "kubernetes:storage.k8s.io/v1:StorageClass").volumeBindingMode = "Immediate"; }],
];

describe("checklist predicates", () => {
    it("pass on the unmodified prod stack", () => {
        expect(runChecks(prod, "production")).toEqual([]);
    });

    it.each(mutations)("%s (%s) fails when the stack %s", (id, env, _label, mutate) => {
        const fixture = clone(prod);
        mutate(fixture);
        const ids = runChecks(fixture, env).map((x) => x.id);
        expect(ids).toContain(id);
    });

    it("has a failing fixture for every foundation check", () => {
        const covered = new Set(mutations.map(([id]) => id));
        expect(FOUNDATION_CHECKS.map((c) => c.id).filter((id) => !covered.has(id))).toEqual([]);
    });

    it("uses checklist IDs, each once per layer", () => {
        for (const [layer, checks] of Object.entries(CHECKS_BY_LAYER)) {
            const ids = checks.map((c) => c.id);
            expect(new Set(ids).size, layer).toBe(ids.length);
        }
        for (const c of CHECKS) {
            expect(c.id).toMatch(/^(EKS|NG|NET|KMS|RDS|S3|ES|SC|FL|PM|JH|ML|K8S|NS|IAM|LOG|SEC)-\d{2}$/);
        }
    });

    it("takes exceptions only for known checks and always with a reason", () => {
        const ids = new Set(CHECKS.map((c) => c.id));
        for (const e of EXCEPTIONS) {
            expect(ids.has(e.id), e.id).toBe(true);
            expect(e.reason.length).toBeGreaterThan(10);
        }
    });
});

describe("NG-04 over node pools (issue 19: one GPU group per AZ)", () => {
    const ng04 = CHECKS.find((c) => c.id === "NG-04")!;
    const group = (name: string, pool: string, subnetIds: unknown[]): Res => ({
        type: "aws:eks/nodeGroup:NodeGroup", name, urn: `urn:${name}`,
        inputs: { subnetIds, instanceTypes: [pool === "gpu" ? "g5.xlarge" : "m7i.xlarge"], labels: { "mlplatform.io/node-pool": pool } },
    } as Res);

    it("counts a pool's AZs over its groups, also with subnet IDs still unknown at preview", () => {
        const gpus = [1, 2, 3].map((i) => group(`gpu-${i}`, "gpu", [undefined]));
        const cpus = [1, 2, 3].map((i) => group(`cpu-${i}`, "cpu", [`s-${i}`]));
        expect(ng04.evaluate([...cpus, ...gpus], "production")).toEqual([]);
        expect(ng04.evaluate([...cpus, ...gpus.slice(0, 2)], "production").map((x) => x.message))
            .toEqual(["node pool gpu (gpu-1, gpu-2) covers 2 AZ(s) or subnet(s); needs 3 AZs", "node pool gpu (gpu-1, gpu-2) covers 2 AZ(s) or subnet(s); needs 3 AZs"]);
    });

    it("refuses a GPU group over two subnets, which cannot scale from zero for its second AZ", () => {
        const out = ng04.evaluate([group("gpu", "gpu", ["s-1", "s-2"])], "sandbox").map((x) => x.message);
        expect(out).toEqual(["GPU group has 2 subnet(s); the autoscaler scales a group only in its first or a running node's AZ, so each group must be one AZ (one group per AZ)"]);
    });

    it("refuses a CPU group over three subnets, the shape before issue 19, though its pool covers every AZ", () => {
        const out = ng04.evaluate([group("cpu", "cpu", ["s-1", "s-2", "s-3"])], "production").map((x) => x.message);
        expect(out).toEqual(["CPU group has 3 subnet(s); the autoscaler scales a group only in its first or a running node's AZ, so each group must be one AZ (one group per AZ)"]);
    });
});
