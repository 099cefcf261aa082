/**
 * What a live stack does with a changed input: the replace triggers of every resource type the
 * program registers, and what the operators behind its Helm releases and custom resources do with
 * a changed spec. The mocks accept any change; this table is the real tools' rules, each cited.
 *
 * Paths are Pulumi input paths (camelCase, dotted; `*` matches one array index). A changed input
 * matches a trigger when its path equals the trigger or lies under it.
 */

/** Where a rule comes from. */
const TF = "hashicorp/terraform-provider-aws internal/service";
const TLS = "hashicorp/terraform-provider-tls internal/provider (vendored in pulumi/pulumi-terraform-bridge pkg/pf/tests/internal/tlsshim)";
const K8S = "pulumi/pulumi-kubernetes provider/pkg/provider/diff.go (forceNew table @ 94977969, 2026-07-01; v4.34 unchanged)";

export interface ReplaceRule {
    /** Inputs whose change replaces the resource (Terraform ForceNew, Kubernetes immutable fields). */
    readonly forceNew: readonly string[];
    readonly source: string;
}

/**
 * Replace triggers per resource type the program uses. A type missing here fails the harness, so
 * a new resource type cannot slip in unclassified.
 */
export const REPLACE_TRIGGERS: Readonly<Record<string, ReplaceRule>> = {
    "aws:ec2/vpc:Vpc": { forceNew: ["cidrBlock", "instanceTenancy"], source: `${TF}/ec2/vpc_.go: cidr_block, instance_tenancy ForceNew` },
    "aws:ec2/subnet:Subnet": { forceNew: ["vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId"], source: `${TF}/ec2/vpc_subnet.go: vpc_id, cidr_block, availability_zone(_id) ForceNew` },
    "aws:ec2/routeTable:RouteTable": { forceNew: ["vpcId"], source: `${TF}/ec2/vpc_route_table.go: vpc_id ForceNew` },
    "aws:ec2/route:Route": { forceNew: ["routeTableId", "destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId"], source: `${TF}/ec2/vpc_route.go` },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": { forceNew: ["subnetId", "gatewayId"], source: `${TF}/ec2/vpc_route_table_association.go` },
    "aws:ec2/internetGateway:InternetGateway": { forceNew: [], source: `${TF}/ec2/vpc_internet_gateway.go (vpc_id updatable)` },
    "aws:ec2/eip:Eip": { forceNew: ["domain", "networkBorderGroup", "publicIpv4Pool", "address"], source: `${TF}/ec2/ec2_eip.go` },
    "aws:ec2/natGateway:NatGateway": { forceNew: ["subnetId", "allocationId", "connectivityType", "privateIp"], source: `${TF}/ec2/vpc_nat_gateway.go` },
    "aws:ec2/vpcEndpoint:VpcEndpoint": { forceNew: ["vpcId", "serviceName", "vpcEndpointType"], source: `${TF}/ec2/vpc_endpoint.go` },
    "aws:ec2/flowLog:FlowLog": { forceNew: ["vpcId", "subnetId", "logDestination", "logDestinationType", "trafficType", "iamRoleArn", "logFormat", "maxAggregationInterval", "destinationOptions"], source: `${TF}/ec2/vpc_flow_log.go` },
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": { forceNew: ["vpcId"], source: `${TF}/ec2/vpc_default_security_group.go: vpc_id ForceNew` },
    "aws:ec2/securityGroup:SecurityGroup": { forceNew: ["name", "namePrefix", "vpcId", "description"], source: `${TF}/ec2/vpc_security_group.go: name, vpc_id, description ForceNew` },
    "aws:ec2/securityGroupRule:SecurityGroupRule": { forceNew: ["type", "securityGroupId", "protocol", "fromPort", "toPort", "cidrBlocks", "sourceSecurityGroupId", "self", "prefixListIds", "ipv6CidrBlocks"], source: `${TF}/ec2/vpc_security_group_rule.go: every argument but description ForceNew` },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": { forceNew: ["securityGroupId"], source: `${TF}/vpc/security_group_ingress_rule.go (other arguments update in place)` },
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": { forceNew: ["securityGroupId"], source: `${TF}/vpc/security_group_egress_rule.go` },
    "aws:ec2/launchTemplate:LaunchTemplate": { forceNew: ["name", "namePrefix"], source: `${TF}/ec2/ec2_launch_template.go: content changes make a new version` },
    "aws:kms/key:Key": { forceNew: ["customerMasterKeySpec", "keySpec", "multiRegion", "xksKeyId", "customKeyStoreId"], source: `${TF}/kms/key.go` },
    "aws:kms/alias:Alias": { forceNew: ["name", "namePrefix"], source: `${TF}/kms/alias.go` },
    "aws:cloudwatch/logGroup:LogGroup": { forceNew: ["name", "namePrefix", "logGroupClass"], source: `${TF}/logs/group.go` },
    "aws:iam/role:Role": { forceNew: ["name", "namePrefix", "path"], source: `${TF}/iam/role.go` },
    "aws:iam/rolePolicy:RolePolicy": { forceNew: ["role", "name", "namePrefix"], source: `${TF}/iam/role_policy.go` },
    "aws:iam/policy:Policy": { forceNew: ["name", "namePrefix", "path", "description"], source: `${TF}/iam/policy.go` },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { forceNew: ["role", "policyArn"], source: `${TF}/iam/role_policy_attachment.go` },
    "aws:eks/cluster:Cluster": { forceNew: ["name", "roleArn", "encryptionConfig", "kubernetesNetworkConfig.serviceIpv4Cidr", "accessConfig.bootstrapClusterCreatorAdminPermissions"], source: `${TF}/eks/cluster.go: vpc_config.subnet_ids updates in place (UpdateClusterConfig), but EKS refuses subnets outside the creation AZs (aws/containers-roadmap#170)` },
    "eks:index:Cluster": { forceNew: ["name", "kubernetesServiceIpAddressRange", "encryptionConfigKeyArn", "serviceRole", "instanceRole"], source: "pulumi/pulumi-eks nodejs/eks/cluster.ts passes these to aws.eks.Cluster ForceNew arguments" },
    "aws:eks/nodeGroup:NodeGroup": { forceNew: ["clusterName", "nodeRoleArn", "subnetIds", "amiType", "capacityType", "diskSize", "instanceTypes", "launchTemplate.id", "launchTemplate.name", "nodeGroupName", "nodeGroupNamePrefix", "remoteAccess"], source: `${TF}/eks/node_group.go: ami_type, capacity_type, disk_size, instance_types, subnet_ids, node_role_arn, launch_template.id ForceNew; version, launch_template.version, scaling_config, labels, taints, update_config update in place (UpdateNodegroupVersion/Config)` },
    "aws:eks/addon:Addon": { forceNew: ["clusterName", "addonName"], source: `${TF}/eks/addon.go: addon_version, configuration_values update in place` },
    "aws:eks/accessEntry:AccessEntry": { forceNew: ["clusterName", "principalArn", "type"], source: `${TF}/eks/access_entry.go: cluster_name, principal_arn, type ForceNew; kubernetes_groups updates` },
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": { forceNew: ["clusterName", "principalArn", "policyArn", "accessScope"], source: `${TF}/eks/access_policy_association.go: every argument ForceNew, no Update; id is cluster#principal#policy` },
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": { forceNew: ["clusterName", "namespace", "serviceAccount"], source: `${TF}/eks/pod_identity_association.go: role_arn updates in place` },
    "aws:autoscaling/tag:Tag": { forceNew: ["autoscalingGroupName", "tag.key"], source: `${TF}/autoscaling/group_tag.go` },
    "aws:rds/instance:Instance": { forceNew: ["identifier", "identifierPrefix", "engine", "username", "dbName", "storageEncrypted", "kmsKeyId", "availabilityZone", "characterSetName", "timezone", "replicateSourceDb"], source: `${TF}/rds/instance.go: instance_class, allocated_storage, engine_version, multi_az, parameter_group_name, password update in place (applied now only with apply_immediately)` },
    "aws:rds/subnetGroup:SubnetGroup": { forceNew: ["name", "namePrefix"], source: `${TF}/rds/subnet_group.go: subnet_ids update in place` },
    "aws:rds/parameterGroup:ParameterGroup": { forceNew: ["name", "namePrefix", "family", "description"], source: `${TF}/rds/parameter_group.go` },
    "aws:s3/bucket:Bucket": { forceNew: ["bucket", "bucketPrefix", "objectLockEnabled"], source: `${TF}/s3/bucket.go` },
    "aws:s3/bucketVersioning:BucketVersioning": { forceNew: ["bucket"], source: `${TF}/s3/bucket_versioning.go` },
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": { forceNew: ["bucket"], source: `${TF}/s3/bucket_server_side_encryption_configuration.go` },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": { forceNew: ["bucket"], source: `${TF}/s3/bucket_public_access_block.go` },
    "aws:s3/bucketPolicy:BucketPolicy": { forceNew: ["bucket"], source: `${TF}/s3/bucket_policy.go` },
    "aws:s3/bucketLogging:BucketLogging": { forceNew: ["bucket", "expectedBucketOwner"], source: `${TF}/s3/bucket_logging.go: bucket, expected_bucket_owner ForceNew (target_bucket/prefix update in place)` },
    // components/cluster/volume-drain.ts: its dynamic provider's diff never asks for a replace.
    "pulumi-nodejs:dynamic:Resource": { forceNew: [], source: "components/cluster/volume-drain.ts provider.diff returns { changes: false }; @pulumi/pulumi dynamic providers replace only on diff.replaces" },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": { forceNew: ["bucket"], source: `${TF}/s3/bucket_ownership_controls.go` },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": { forceNew: ["bucket"], source: `${TF}/s3/bucket_lifecycle_configuration.go` },
    "random:index/randomPassword:RandomPassword": { forceNew: ["length", "special", "upper", "lower", "numeric", "minLower", "minUpper", "minNumeric", "minSpecial", "overrideSpecial", "keepers"], source: "pulumi/pulumi-random (terraform-provider-random): every argument RequiresReplace" },
    "random:index/randomId:RandomId": { forceNew: ["byteLength", "prefix", "keepers"], source: "terraform-provider-random resource_id.go: every argument RequiresReplace" },
    // @pulumi/tls 5.6.1 = terraform-provider-tls (framework); every user-set argument is RequiresReplace, nothing updates in place.
    "tls:index/privateKey:PrivateKey": { forceNew: ["algorithm", "rsaBits", "ecdsaCurve"], source: `${TLS}/resource_private_key.go: algorithm, rsa_bits, ecdsa_curve RequiresReplace; Update is a no-op` },
    "tls:index/locallySignedCert:LocallySignedCert": { forceNew: ["certRequestPem", "caPrivateKeyPem", "caCertPem", "validityPeriodHours", "allowedUses", "isCaCertificate", "setSubjectKeyId"], source: `${TLS}/resource_locally_signed_cert.go: RequiresReplace on these (PEMs when they change content); early_renewal_hours updates; ModifyPlan replaces it once ready_for_renewal` },
    "tls:index/selfSignedCert:SelfSignedCert": { forceNew: ["privateKeyPem", "subject", "dnsNames", "ipAddresses", "uris", "validityPeriodHours", "allowedUses", "isCaCertificate", "setSubjectKeyId", "setAuthorityKeyId", "maxPathLength"], source: `${TLS}/resource_self_signed_cert.go: the certificate's content arguments RequiresReplace, as in resource_locally_signed_cert.go (read there)` },
    "tls:index/certRequest:CertRequest": { forceNew: ["privateKeyPem", "subject", "dnsNames", "ipAddresses", "uris"], source: `${TLS}/resource_cert_request.go: the request's content arguments RequiresReplace, as in resource_locally_signed_cert.go (read there)` },
    "kubernetes:core/v1:Namespace": { forceNew: ["metadata.name"], source: K8S },
    "kubernetes:core/v1:Secret": { forceNew: ["metadata.name", "metadata.namespace", "type"], source: K8S },
    "kubernetes:core/v1:ConfigMap": { forceNew: ["metadata.name", "metadata.namespace"], source: `${K8S}; ConfigMaps update in place since v4 (enableConfigMapMutable)` },
    "kubernetes:core/v1:ServiceAccount": { forceNew: ["metadata.name", "metadata.namespace"], source: K8S },
    "kubernetes:core/v1:Service": { forceNew: ["metadata.name", "metadata.namespace", "spec.clusterIP"], source: K8S },
    "kubernetes:core/v1:ResourceQuota": { forceNew: ["metadata.name", "metadata.namespace", "spec.scopes"], source: K8S },
    "kubernetes:core/v1:LimitRange": { forceNew: ["metadata.name", "metadata.namespace"], source: K8S },
    "kubernetes:core/v1:PersistentVolumeClaim": { forceNew: ["metadata.name", "metadata.namespace", "spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"], source: `${K8S}: spec.resources is not force-new (PVC expansion)` },
    "kubernetes:core/v1:PersistentVolumeClaimPatch": { forceNew: ["metadata.name", "metadata.namespace", "spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"], source: `${K8S} (Patch kinds share their kind's table)` },
    "kubernetes:apps/v1:Deployment": { forceNew: ["metadata.name", "metadata.namespace", "spec.selector"], source: K8S },
    "kubernetes:apps/v1:DaemonSet": { forceNew: ["metadata.name", "metadata.namespace", "spec.selector"], source: K8S },
    "kubernetes:apps/v1:StatefulSet": { forceNew: ["metadata.name", "metadata.namespace", "spec.podManagementPolicy", "spec.revisionHistoryLimit", "spec.selector", "spec.serviceName", "spec.volumeClaimTemplates"], source: K8S },
    "kubernetes:batch/v1:Job": { forceNew: ["metadata.name", "metadata.namespace", "spec.completions", "spec.parallelism", "spec.selector", "spec.template"], source: K8S },
    "kubernetes:batch/v1:CronJob": { forceNew: ["metadata.name", "metadata.namespace"], source: K8S },
    "kubernetes:policy/v1:PodDisruptionBudget": { forceNew: ["metadata.name", "metadata.namespace"], source: `${K8S} (only policy/v1beta1 PDBs are force-new on .spec)` },
    "kubernetes:rbac.authorization.k8s.io/v1:Role": { forceNew: ["metadata.name", "metadata.namespace"], source: K8S },
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": { forceNew: ["metadata.name"], source: K8S },
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": { forceNew: ["metadata.name", "metadata.namespace", "roleRef"], source: K8S },
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": { forceNew: ["metadata.name", "roleRef"], source: K8S },
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": { forceNew: ["metadata.name", "metadata.namespace"], source: K8S },
    "kubernetes:networking.k8s.io/v1:Ingress": { forceNew: ["metadata.name", "metadata.namespace"], source: K8S },
    "kubernetes:storage.k8s.io/v1:StorageClass": { forceNew: ["metadata.name", "parameters", "provisioner"], source: K8S },
    "kubernetes:helm.sh/v3:Release": { forceNew: ["name", "namespace"], source: "pulumi/pulumi-kubernetes provider/pkg/provider/helm_release.go: a release is upgraded in place unless its name or namespace changes" },
    "kubernetes:monitoring.coreos.com/v1:PrometheusRule": { forceNew: ["metadata.name", "metadata.namespace"], source: K8S },
    "kubernetes:monitoring.coreos.com/v1:ServiceMonitor": { forceNew: ["metadata.name", "metadata.namespace"], source: K8S },
    "kubernetes:monitoring.coreos.com/v1:PodMonitor": { forceNew: ["metadata.name", "metadata.namespace"], source: K8S },
    "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch": { forceNew: ["metadata.name", "metadata.namespace"], source: K8S },
    "kubernetes:kibana.k8s.elastic.co/v1:Kibana": { forceNew: ["metadata.name", "metadata.namespace"], source: K8S },
    "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor": { forceNew: ["metadata.name"], source: `${K8S}; Kueue CEL rules refuse (not replace) an update of an immutable field` },
    "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue": { forceNew: ["metadata.name"], source: `${K8S}; Kueue CEL rules refuse (not replace) an update of an immutable field` },
    "kubernetes:kueue.x-k8s.io/v1beta2:LocalQueue": { forceNew: ["metadata.name", "metadata.namespace"], source: `${K8S}; Kueue CEL rules refuse (not replace) an update of an immutable field (spec.clusterQueue)` },
    "kubernetes:kueue.x-k8s.io/v1beta2:Cohort": { forceNew: ["metadata.name"], source: K8S },
};

/** What an operator does to what it runs when a changed input reaches it. */
export interface OperatorRule {
    readonly type: string;
    /** Inputs that make the operator delete and recreate what it manages (and its volumes' fate). */
    readonly recreates: readonly string[];
    readonly what: string;
    readonly source: string;
}

export const OPERATOR_RULES: readonly OperatorRule[] = [
    {
        type: "kubernetes:helm.sh/v3:Release",
        recreates: [
            "values.prometheus.prometheusSpec.storageSpec",
            "values.alertmanager.alertmanagerSpec.storage",
        ],
        what: "prometheus-operator StatefulSet (volume template is immutable: the operator deletes the StatefulSet with foreground propagation; whenDeleted: Delete deletes the volumes)",
        source: "prometheus-operator/prometheus-operator v0.93.0 pkg/k8s/statefulset.go ForceUpdateStatefulSet (422 Invalid → Delete), "
            + "pkg/prometheus/server/operator.go and pkg/alertmanager/operator.go call it; Documentation/platform/storage.md \"Resizing volumes\" "
            + "(kube-prometheus-stack 88.5.3 ships v0.93.1, a patch release of the same code)",
    },
    {
        type: "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch",
        recreates: ["spec.nodeSets.*.volumeClaimTemplates.*.metadata", "spec.nodeSets.*.volumeClaimTemplates.*.spec.storageClassName", "spec.nodeSets.*.name"],
        what: "ECK StatefulSet (ECK expands volume requests in place when the StorageClass allows expansion; other claim changes or a renamed nodeSet make new volumes)",
        source: "elastic/cloud-on-k8s pkg/controller/elasticsearch/driver/pvc_expansion.go handleVolumeExpansion: resizes the PVCs when the StorageClass allows expansion, then recreates the StatefulSet with orphan propagation (pods keep running); a decrease is refused",
    },
];

export type Outcome = "created" | "updated" | "replaced" | "deleted" | "unchanged";

export interface Change {
    readonly type: string;
    readonly name: string;
    readonly outcome: Outcome;
    /** Changed input paths (after ignoreChanges). */
    readonly paths: string[];
    /** Paths that forced the replacement. */
    readonly replacedBy: string[];
    /** Operator rules a changed path triggers: the workload behind the resource is recreated. */
    readonly operatorRecreates: string[];
    /** For replacements: true when Pulumi deletes the old resource first. */
    readonly deleteBeforeReplace: boolean;
    /** For deletions: the resource is left in the cloud (`retainOnDelete`). */
    readonly retained: boolean;
    readonly protect: boolean;
}
