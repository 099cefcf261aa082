/**
 * The checklist's EKS-* and NG-* items: the control plane (logs, encryption, endpoint, version,
 * authentication, deletion protection) and the node groups (access, IMDS, subnets, volumes, GPUs,
 * kubelet flags, IAM).
 */
import { ACCELERATOR_LABEL, GPU_FAMILIES, GPU_NODE_LABEL, NODE_POOL_LABEL } from "../components/shared/gpu";
import { Check, isTrue, of, parseJson, perResource, Res, T, v, Violation, zonesOf } from "./checks";

const ALL_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
/** Versions Checkov accepts (CKV_AWS_339 at the pinned commit). */
export const SUPPORTED_EKS_VERSIONS = ["1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35"];
const ALLOWED_NODE_POLICIES = new Set([
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
]);
const BAD_KUBELET_FLAGS = [
    /--anonymous-auth=true/, /--authorization-mode=AlwaysAllow/, /--read-only-port=[1-9]/,
    /--make-iptables-util-chains=false/, /--rotate-certificates=false/, /--streaming-connection-idle-timeout=0\b/,
];

const decode = (x: unknown): string => (typeof x === "string" ? Buffer.from(x, "base64").toString("utf8") + x : "");

/**
 * A GPU node group, decided from what it runs rather than its AMI name: an accelerated EC2 family
 * (g*, gr*, p*: the EC2 accelerated-computing table, GPU_FAMILIES in components/shared/gpu.ts),
 * a GPU node label, or an NVIDIA AMI. A GPU group on a CPU AMI must still be caught.
 */
export function isGpuNodeGroup(r: Res): boolean {
    const families = (r.inputs.instanceTypes ?? []).map((t: unknown) => String(t).split(".")[0]);
    const labels: Record<string, unknown> = r.inputs.labels ?? {};
    return families.some((f: string) => (GPU_FAMILIES as readonly string[]).includes(f) || /^(g|gr|p)\d/.test(f))
        || labels[GPU_NODE_LABEL.key] === GPU_NODE_LABEL.value || labels[ACCELERATOR_LABEL] !== undefined
        || String(r.inputs.amiType ?? "").includes("NVIDIA");
}

/** The node pool a group belongs to: its `mlplatform.io/node-pool` label, or the group alone. */
const nodePoolOf = (r: Res): string => String(r.inputs.labels?.[NODE_POOL_LABEL] ?? r.name);

/**
 * The AZs a group's subnets are in; where they are unknown, or fewer subnets are listed than the
 * recorded dependencies name, the subnets themselves (each at best one AZ).
 */
function placesOf(r: Res, all: readonly Res[]): Set<string> {
    const subnets: unknown[] = r.inputs.subnetIds ?? [];
    const zones = zonesOf(r, "subnetIds", all);
    // An ID unknown at preview stands for a subnet of its own, not one shared "undefined".
    return zones !== undefined && zones.size <= subnets.length ? zones : new Set(subnets.map((x, i) => (typeof x === "string" && x !== "" ? `subnet ${x}` : `${r.name} subnet ${i}`)));
}

/** A node group names a launch template (by id or name). */
const hasLaunchTemplate = (r: Res) => Boolean(r.inputs.launchTemplate?.id || r.inputs.launchTemplate?.name);

// The cluster as the program declares it: the eks component's args, or a raw aws.eks.Cluster
// (the policy pack sees both; under mocks only the component exists).
const clusterView = (r: Res) => r.type === T.eksCluster
    ? {
        logTypes: r.inputs.enabledClusterLogTypes as string[] | undefined,
        keyArn: r.inputs.encryptionConfigKeyArn,
        privateAccess: r.inputs.endpointPrivateAccess,
        publicAccess: r.inputs.endpointPublicAccess,
        cidrs: r.inputs.publicAccessCidrs as string[] | undefined,
        version: r.inputs.version,
        supportType: r.inputs.upgradePolicy?.supportType,
        authMode: r.inputs.authenticationMode,
        deletionProtection: r.inputs.deletionProtection,
        name: r.inputs.name,
    }
    : {
        logTypes: r.inputs.enabledClusterLogTypes as string[] | undefined,
        keyArn: r.inputs.encryptionConfig?.provider?.keyArn,
        privateAccess: r.inputs.vpcConfig?.endpointPrivateAccess,
        publicAccess: r.inputs.vpcConfig?.endpointPublicAccess,
        cidrs: r.inputs.vpcConfig?.publicAccessCidrs as string[] | undefined,
        version: r.inputs.version,
        supportType: r.inputs.upgradePolicy?.supportType,
        authMode: r.inputs.accessConfig?.authenticationMode,
        deletionProtection: r.inputs.deletionProtection,
        name: r.inputs.name,
    };

/** The cluster types a check looks at (the policy pack sees both). */
export const CLUSTERS = [T.eksCluster, T.awsEksCluster];

export const CLUSTER_CHECKS: readonly Check[] = [
    perResource("EKS-01", "control-plane logs: all five in production; audit and authenticator at least in sandbox", CLUSTERS, (r, env) => {
        const types = clusterView(r).logTypes ?? [];
        const need = env === "production" ? ALL_LOG_TYPES : ["audit", "authenticator"];
        const missing = need.filter((t) => !types.includes(t));
        return missing.length ? `enabledClusterLogTypes lacks ${missing.join(", ")}` : undefined;
    }),
    {
        id: "EKS-02",
        description: "the control-plane log group is declared (the cluster depends on it); every log group has retention (sandbox <= 14 d), KMS in production",
        evaluate(rs, env) {
            const out: Violation[] = [];
            for (const c of of(rs, ...CLUSTERS)) {
                const name = clusterView(c).name;
                const lg = of(rs, T.logGroup).find((l) => l.inputs.name === `/aws/eks/${name}/cluster`);
                if (!lg) {
                    out.push(v("EKS-02", c, `no log group /aws/eks/${name}/cluster is declared; EKS would create one that outlives the stack`));
                } else if (c.dependencies && lg.urn && !c.dependencies.includes(lg.urn)) {
                    out.push(v("EKS-02", c, "the cluster does not depend on its log group, so EKS may create it first"));
                }
            }
            for (const l of of(rs, T.logGroup)) {
                const days = l.inputs.retentionInDays;
                if (typeof days !== "number" || days <= 0) {
                    out.push(v("EKS-02", l, "retentionInDays is not set"));
                } else if (env === "sandbox" && days > 14) {
                    out.push(v("EKS-02", l, `sandbox retention ${days} d exceeds 14 d`));
                }
                // Every group, not only the control plane's (flow logs, RDS exports): LOG-01.
                if (env === "production" && !l.inputs.kmsKeyId) {
                    out.push(v("EKS-02", l, "production log groups need kmsKeyId"));
                }
            }
            return out;
        },
    },
    perResource("EKS-03", "secrets envelope-encrypted with a KMS key", CLUSTERS, (r) =>
        clusterView(r).keyArn ? undefined : "no KMS key for secrets encryption"),
    perResource("EKS-04", "private endpoint on; public endpoint off or restricted to listed CIDRs (never 0.0.0.0/0)", CLUSTERS, (r) => {
        const c = clusterView(r);
        if (!isTrue(c.privateAccess)) {
            return "endpointPrivateAccess is not true";
        }
        if (c.publicAccess === false) {
            return undefined;
        }
        if (!c.cidrs || c.cidrs.length === 0) {
            return "public endpoint with no publicAccessCidrs means 0.0.0.0/0";
        }
        return c.cidrs.some((x) => x.endsWith("/0")) ? `publicAccessCidrs ${c.cidrs.join(",")} includes /0` : undefined;
    }),
    perResource("EKS-05", "a supported Kubernetes version on standard support", CLUSTERS, (r) => {
        const c = clusterView(r);
        const out: string[] = [];
        if (!SUPPORTED_EKS_VERSIONS.includes(String(c.version))) {
            out.push(`version ${c.version} is not in ${SUPPORTED_EKS_VERSIONS.join(", ")}`);
        }
        if (c.supportType !== "STANDARD") {
            out.push(`upgradePolicy.supportType is ${c.supportType ?? "unset (EXTENDED)"}; extended support costs extra`);
        }
        return out;
    }),
    perResource("EKS-06", "authentication mode API (access entries, no aws-auth)", CLUSTERS, (r) =>
        clusterView(r).authMode === "API" ? undefined : `authenticationMode is ${clusterView(r).authMode}`),
    perResource("EKS-07", "deletion protection and Pulumi protect in production; neither in sandbox so destroy works", CLUSTERS, (r, env) => {
        const on = isTrue(clusterView(r).deletionProtection);
        const out: string[] = [];
        if (env === "production" && !on) {
            out.push("deletionProtection is off");
        }
        // The policy pack sees the resource option as `args.opts.protect` (policies.ts toRes).
        if (env === "production" && r.protect !== true) {
            out.push("the cluster is not Pulumi-protected: `pulumi destroy` or a replace would delete it");
        }
        if (env === "sandbox" && on) {
            out.push("deletionProtection blocks sandbox destroy");
        }
        return out;
    }),
    perResource("NG-01", "no SSH remote access on node groups", [T.nodeGroup], (r) =>
        r.inputs.remoteAccess ? "remoteAccess is set; use SSM" : undefined),
    perResource("NG-02", "IMDSv2 required with hop limit 1 on every launch template; every node group has one (EKS's defaults allow IMDSv1, hop limit 2)", [T.launchTemplate, T.nodeGroup], (r) => {
        if (r.type === T.nodeGroup) {
            return hasLaunchTemplate(r) ? undefined : "no launch template: IMDS settings are EKS's defaults";
        }
        const m = r.inputs.metadataOptions ?? {};
        return m.httpEndpoint === "enabled" && m.httpTokens === "required" && m.httpPutResponseHopLimit === 1
            ? undefined
            : `metadataOptions ${JSON.stringify(m)} must be enabled/required/hop 1`;
    }),
    {
        id: "NG-03",
        description: "no public IPs on nodes or subnets; the eks component makes no default node group",
        evaluate(rs) {
            const out: Violation[] = [];
            for (const s of of(rs, T.subnet)) {
                if (isTrue(s.inputs.mapPublicIpOnLaunch)) {
                    out.push(v("NG-03", s, "mapPublicIpOnLaunch is true"));
                }
            }
            for (const lt of of(rs, T.launchTemplate)) {
                if ((lt.inputs.networkInterfaces ?? []).some((n: any) => isTrue(n.associatePublicIpAddress))) {
                    out.push(v("NG-03", lt, "a network interface associates a public IP"));
                }
            }
            for (const c of of(rs, T.eksCluster)) {
                if (c.inputs.skipDefaultNodeGroup !== true || c.inputs.nodeAssociatePublicIpAddress !== false) {
                    out.push(v("NG-03", c, "skipDefaultNodeGroup must be true and nodeAssociatePublicIpAddress false"));
                }
            }
            return out;
        },
    },
    perResource("NG-04", "node pools (groups sharing a node-pool label) span at least 2 AZs (3 in production); every node group is one AZ", [T.nodeGroup], (r, env, all) => {
        const out: string[] = [];
        // Zones, not subnets: three subnets in one AZ survive no AZ outage. A pool is one group per
        // AZ (CPU and GPU, issue 19), so the pool's AZs count.
        const pool = nodePoolOf(r);
        const members = of(all, T.nodeGroup).filter((g) => nodePoolOf(g) === pool);
        const covered = new Set(members.flatMap((g) => [...placesOf(g, all)]));
        const need = env === "production" ? 3 : 2;
        if (covered.size < need) {
            out.push(`node pool ${pool} (${members.map((g) => g.name).join(", ")}) covers ${covered.size} AZ(s) or subnet(s); needs ${need} AZs`);
        }
        // cluster-autoscaler 1.35.2 builds the template node of a group at zero in its first AZ only
        // (cloudprovider/aws/aws_manager.go getAsgTemplate, AvailabilityZones[0]) and models a group
        // with nodes on one of its running nodes (processors/nodeinfosprovider/mixed_nodeinfos_processor.go),
        // so a multi-AZ group may not scale up for a pod whose EBS volume is in another AZ
        // (cloudprovider/aws/README.md: "use a single AZ ASG ... or an ASG-per-AZ"). GPU and CPU
        // pools both hold pods with AZ-bound volumes (notebook homes, Elasticsearch, Prometheus).
        const subnets = (r.inputs.subnetIds ?? []).length;
        const zones = zonesOf(r, "subnetIds", all);
        if (subnets !== 1 || (zones?.size ?? 1) > 1) {
            out.push(`${isGpuNodeGroup(r) ? "GPU" : "CPU"} group has ${subnets} subnet(s)${zones ? ` in ${zones.size} AZ(s)` : ""}; the autoscaler scales a group only in its first or a running node's AZ, so each group must be one AZ (one group per AZ)`);
        }
        return out.length === 0 ? undefined : out;
    }),
    perResource("NG-05", "encrypted root volumes; every node group has a launch template that declares them", [T.launchTemplate, T.nodeGroup], (r) => {
        if (r.type === T.nodeGroup) {
            return hasLaunchTemplate(r) ? undefined : "no launch template, so no encrypted root volume is declared";
        }
        const bdm = r.inputs.blockDeviceMappings ?? [];
        return bdm.length > 0 && bdm.every((b: any) => isTrue(b.ebs?.encrypted)) ? undefined : "blockDeviceMappings must all set ebs.encrypted";
    }),
    perResource("NG-06", "GPU groups (NVIDIA instance types, a GPU label or an NVIDIA AMI): NVIDIA AMI, nvidia.com/gpu NoSchedule taint; min 0 in sandbox", [T.nodeGroup], (r, env) => {
        if (!isGpuNodeGroup(r)) {
            return undefined;
        }
        const out: string[] = [];
        if (!["AL2023_x86_64_NVIDIA", "BOTTLEROCKET_x86_64_NVIDIA"].includes(r.inputs.amiType)) {
            out.push(`amiType ${r.inputs.amiType} is not a supported NVIDIA AMI`);
        }
        if (!(r.inputs.taints ?? []).some((t: any) => t.key === "nvidia.com/gpu" && t.effect === "NO_SCHEDULE")) {
            out.push("no nvidia.com/gpu NO_SCHEDULE taint");
        }
        if (env === "sandbox" && r.inputs.scalingConfig?.minSize !== 0) {
            out.push(`sandbox GPU minSize is ${r.inputs.scalingConfig?.minSize}; idle GPUs must cost nothing`);
        }
        return out;
    }),
    perResource("NG-07", "no insecure kubelet flags in node user data", [T.launchTemplate, T.nodeGroup], (r) => {
        const text = decode(r.inputs.userData) + JSON.stringify(r.inputs.kubeletExtraArgs ?? "") + JSON.stringify(r.inputs.bootstrapExtraArgs ?? "");
        const bad = BAD_KUBELET_FLAGS.find((re) => re.test(text));
        return bad ? `insecure kubelet flag ${bad.source}` : undefined;
    }),
    {
        id: "NG-08",
        description: "node roles carry only the worker, CNI, ECR read-only and SSM policies",
        evaluate(rs) {
            const nodeRoles = of(rs, T.role).filter((r) => JSON.stringify(parseJson(r.inputs.assumeRolePolicy)).includes("ec2.amazonaws.com"));
            const names = new Set(nodeRoles.flatMap((r) => [r.inputs.name, r.name, `${r.name}-id`].filter(Boolean)));
            return of(rs, T.rolePolicyAttachment)
                .filter((a) => names.has(a.inputs.role))
                .filter((a) => !ALLOWED_NODE_POLICIES.has(a.inputs.policyArn))
                .map((a) => v("NG-08", a, `node role gets ${a.inputs.policyArn}; workloads use Pod Identity`));
        },
    },
];
