/**
 * The checklist's foundation beyond the cluster: the network (default security group, flow logs,
 * internet ingress, network policy enforcement, NAT), KMS keys, controller IAM policies, log
 * groups and StorageClasses. FOUNDATION_CHECKS runs them after the cluster's (checks-cluster.ts).
 */
import { CLUSTER_CHECKS, CLUSTERS } from "./checks-cluster";
import { Check, isTrue, of, parseJson, perResource, T, v, Violation } from "./checks";

/**
 * Writes a controller policy may leave on `*` unconditioned (IAM-01), each with its reason in
 * components/cluster-services/load-balancer-controller.ts `LBC_UNCONDITIONED_ACTIONS`: attaching the WAF ACL or Shield
 * protection an Ingress names (those services authorize on the ACL or protection, not the ALB's tags).
 */
export const IAM_UNCONDITIONED_WRITES: ReadonlySet<string> = new Set([
    "waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL", "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL",
    "shield:CreateProtection", "shield:DeleteProtection",
]);

export const FOUNDATION_CHECKS: readonly Check[] = [
    ...CLUSTER_CHECKS,
    {
        id: "NET-01",
        description: "default security group closed; VPC flow logs in production",
        evaluate(rs, env) {
            const out: Violation[] = [];
            const vpcs = of(rs, "aws:ec2/vpc:Vpc");
            const dsgs = of(rs, T.defaultSg);
            for (const d of dsgs) {
                if ((d.inputs.ingress ?? []).length || (d.inputs.egress ?? []).length) {
                    out.push(v("NET-01", d, "default security group has rules"));
                }
            }
            for (const vpc of vpcs) {
                if (dsgs.length < vpcs.length) {
                    out.push(v("NET-01", vpc, "the VPC's default security group is not declared and closed"));
                }
                // This VPC's flow log, of all traffic (a REJECT-only log misses exfiltration).
                const own = of(rs, T.flowLog).filter((f) => vpc.urn !== undefined && (f.dependencies ?? []).includes(vpc.urn) || (vpc.inputs.id !== undefined && f.inputs.vpcId === vpc.inputs.id));
                if (env === "production" && !own.some((f) => f.inputs.trafficType === "ALL")) {
                    out.push(v("NET-01", vpc, "no flow log of ALL traffic on this VPC in production"));
                }
            }
            return out;
        },
    },
    {
        id: "NET-02",
        description: "no ingress from the internet except HTTPS/HTTP to a load balancer (never SSH, RDP, databases or all ports)",
        evaluate(rs) {
            const open = (cidrs: unknown) => Array.isArray(cidrs) && cidrs.some((c) => c === "0.0.0.0/0" || c === "::/0");
            // Anything but exactly 443 or 80 over TCP: databases, dashboards and node ports are as bad as SSH.
            const risky = (from: number, to: number, proto: string) => !(["tcp", "6"].includes(proto) && from === to && (from === 443 || from === 80));
            const out: Violation[] = [];
            for (const sg of of(rs, T.sg)) {
                for (const i of sg.inputs.ingress ?? []) {
                    if ((open(i.cidrBlocks) || open(i.ipv6CidrBlocks)) && risky(i.fromPort, i.toPort, String(i.protocol))) {
                        out.push(v("NET-02", sg, `ingress ${i.protocol} ${i.fromPort}-${i.toPort} from the internet`));
                    }
                }
            }
            for (const rule of of(rs, T.sgRule).filter((r) => r.inputs.type === "ingress")) {
                if (open(rule.inputs.cidrBlocks) && risky(rule.inputs.fromPort, rule.inputs.toPort, String(rule.inputs.protocol))) {
                    out.push(v("NET-02", rule, "ingress from the internet to a risky port"));
                }
            }
            for (const rule of of(rs, T.sgIngress)) {
                if (open([rule.inputs.cidrIpv4, rule.inputs.cidrIpv6]) && risky(rule.inputs.fromPort ?? 0, rule.inputs.toPort ?? 65535, String(rule.inputs.ipProtocol))) {
                    out.push(v("NET-02", rule, "ingress from the internet to a risky port"));
                }
            }
            return out;
        },
    },
    {
        id: "NET-04",
        description: "vpc-cni add-on enforces NetworkPolicy",
        evaluate(rs) {
            const cnis = of(rs, T.addon).filter((a) => a.inputs.addonName === "vpc-cni");
            if (of(rs, ...CLUSTERS).length > 0 && cnis.length === 0) {
                return of(rs, ...CLUSTERS).map((c) => v("NET-04", c, "no vpc-cni add-on declared with network policy on"));
            }
            return cnis.filter((a) => parseJson(a.inputs.configurationValues).enableNetworkPolicy !== "true")
                .map((a) => v("NET-04", a, "configurationValues lacks enableNetworkPolicy: \"true\"; every NetworkPolicy would be inert"));
        },
    },
    {
        id: "NET-05",
        description: "one NAT gateway per AZ in production; a single one in sandbox",
        evaluate(rs, env) {
            const nats = of(rs, T.nat);
            const azs = new Set(of(rs, T.subnet).map((s) => s.inputs.availabilityZone)).size;
            if (nats.length === 0) {
                return [];
            }
            if (env === "production" && nats.length < azs) {
                return [v("NET-05", nats[0], `${nats.length} NAT gateway(s) for ${azs} AZs`)];
            }
            if (env === "sandbox" && nats.length !== 1) {
                return [v("NET-05", nats[0], `sandbox has ${nats.length} NAT gateways; one is enough`)];
            }
            return [];
        },
    },
    perResource("KMS-01", "KMS keys rotate, carry an explicit policy without open principals, and wait 30 d (prod) / 7 d (sandbox) before deletion", [T.kmsKey], (r, env) => {
        const out: string[] = [];
        if (r.inputs.enableKeyRotation !== true) {
            out.push("enableKeyRotation is not true");
        }
        const policy = parseJson(r.inputs.policy);
        if (!r.inputs.policy) {
            out.push("no explicit key policy");
        }
        for (const s of policy.Statement ?? []) {
            const p = s.Principal;
            // IAM accepts "*", {AWS: "*"} and {AWS: ["*"]} (or ["*", ...]) alike.
            const open = [p, p?.AWS].flatMap((x) => (Array.isArray(x) ? x : [x])).includes("*");
            if (open && !s.Condition) {
                out.push(`statement ${s.Sid ?? ""} allows Principal * without conditions`);
            }
        }
        const want = env === "production" ? 30 : 7;
        if (r.inputs.deletionWindowInDays !== want) {
            out.push(`deletionWindowInDays is ${r.inputs.deletionWindowInDays}; ${env} uses ${want}`);
        }
        return out;
    }),
    perResource("IAM-01", "controller IAM policies leave on Resource * without a condition only read-only calls and the listed WAF/Shield attachments", [T.rolePolicy, T.iamPolicy], (r) => {
        const out: string[] = [];
        for (const s of parseJson(r.inputs.policy).Statement ?? []) {
            const resources = ([] as string[]).concat(s.Resource ?? []);
            if (s.Effect !== "Allow" || s.Condition !== undefined || !resources.some((x) => x === "*" || /:security-group\/\*$/.test(x) || x.startsWith("arn:aws:elasticloadbalancing:*:*:"))) {
                continue;
            }
            const writes = ([] as string[]).concat(s.Action ?? []).filter((a) => !/^[a-z0-9-]+:(Describe|Get|List)/.test(a) && !IAM_UNCONDITIONED_WRITES.has(a));
            if (writes.length > 0) {
                out.push(`statement ${s.Sid ?? ""} allows ${writes.join(", ")} on ${resources.join(", ")} without a condition`);
            }
        }
        return out;
    }),
    {
        id: "LOG-01",
        description: "every log group the platform causes is declared: flow logs go to a declared group; each RDS log export's group is declared (with retention) and the instance depends on it; KMS in production",
        evaluate(rs, env) {
            const out: Violation[] = [];
            const groups = of(rs, T.logGroup);
            for (const fl of of(rs, T.flowLog)) {
                const dest = fl.inputs.logDestination;
                const declared = groups.some((g) => (fl.dependencies ?? []).includes(g.urn ?? "") || (typeof dest === "string" && [g.inputs.name, g.inputs.arn].includes(dest)));
                if (fl.inputs.logDestinationType !== "s3" && !declared) {
                    out.push(v("LOG-01", fl, "the flow log's destination is not a declared log group"));
                }
                const group = groups.find((g) => (fl.dependencies ?? []).includes(g.urn ?? ""));
                if (env === "production" && group !== undefined && !group.inputs.kmsKeyId) {
                    out.push(v("LOG-01", group, "the production flow-log group is not KMS-encrypted"));
                }
            }
            for (const db of of(rs, "aws:rds/instance:Instance")) {
                for (const type of db.inputs.enabledCloudwatchLogsExports ?? []) {
                    const name = `/aws/rds/instance/${db.inputs.identifier}/${type}`;
                    const g = groups.find((x) => x.inputs.name === name);
                    if (g === undefined) {
                        out.push(v("LOG-01", db, `exports ${type} logs but ${name} is not declared: RDS would create it without retention, outliving the stack`));
                    } else if (db.dependencies !== undefined && g.urn !== undefined && !db.dependencies.includes(g.urn)) {
                        out.push(v("LOG-01", db, `does not depend on ${name}, so RDS may create it first`));
                    } else if (env === "production" && !g.inputs.kmsKeyId) {
                        out.push(v("LOG-01", g, "production RDS log group without kmsKeyId"));
                    }
                }
            }
            return out;
        },
    },
    {
        id: "KMS-02",
        description: "production: the KMS key encrypting data kept after destroy (RDS with a final snapshot, Retain StorageClasses, buckets) is protect and retainOnDelete",
        evaluate(rs, env) {
            if (env !== "production") {
                return [];
            }
            // Keys named by kept data: ARNs or IDs as the inputs carry them.
            const used = new Set<string>();
            for (const db of of(rs, "aws:rds/instance:Instance").filter((d) => !isTrue(d.inputs.skipFinalSnapshot))) {
                used.add(String(db.inputs.kmsKeyId ?? ""));
            }
            for (const sc of of(rs, T.storageClass).filter((x) => x.inputs.reclaimPolicy === "Retain")) {
                used.add(String(sc.inputs.parameters?.kmsKeyId ?? ""));
            }
            for (const sse of of(rs, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")) {
                for (const rule of sse.inputs.rules ?? []) {
                    used.add(String(rule.applyServerSideEncryptionByDefault?.kmsMasterKeyId ?? ""));
                }
            }
            used.delete("");
            const out: Violation[] = [];
            for (const key of of(rs, T.kmsKey)) {
                // Matched by ARN where known (tests); in a preview the ARNs are unknown, so every key counts.
                const known = [...used].filter((u) => u.startsWith("arn:"));
                const encryptsKept = used.size > 0 && (known.length < used.size || known.some((u) => u.endsWith(`:key/${key.name}`) || u === key.inputs.arn));
                if (!encryptsKept) {
                    continue;
                }
                if (key.protect !== true) {
                    out.push(v("KMS-02", key, "encrypts data kept after destroy but is not Pulumi-protected"));
                }
                // retainOnDelete is known in tests (recorded) but not to the policy pack: the analyzer
                // protocol carries no such option (pulumi/pulumi proto/pulumi/analyzer.proto AnalyzerResourceOptions).
                if ((key as any).retainOnDelete === false) {
                    out.push(v("KMS-02", key, "encrypts data kept after destroy but is not retainOnDelete: a destroy schedules its deletion"));
                }
            }
            return out;
        },
    },
    perResource("SC-01", "StorageClasses: EBS CSI, encrypted (KMS in prod), WaitForFirstConsumer, expandable; Retain in prod, Delete in sandbox", [T.storageClass], (r, env) => {
        const out: string[] = [];
        const p = r.inputs.parameters ?? {};
        if (r.inputs.provisioner !== "ebs.csi.aws.com") {
            out.push(`provisioner is ${r.inputs.provisioner}`);
        }
        if (p.encrypted !== "true") {
            out.push("parameters.encrypted is not \"true\"");
        }
        if (env === "production" && !p.kmsKeyId) {
            out.push("production volumes need parameters.kmsKeyId");
        }
        if (r.inputs.volumeBindingMode !== "WaitForFirstConsumer") {
            out.push("volumeBindingMode is not WaitForFirstConsumer");
        }
        if (r.inputs.allowVolumeExpansion !== true) {
            out.push("allowVolumeExpansion is not true");
        }
        const want = env === "production" ? "Retain" : "Delete";
        if (r.inputs.reclaimPolicy !== want) {
            out.push(`reclaimPolicy is ${r.inputs.reclaimPolicy}; ${env} uses ${want}`);
        }
        return out;
    }),
];
