/**
 * The idle monthly cost of what a stack declares, for `npm run bench`: the price table (with its
 * public sources) and the bill of a stack no one is using.
 */

import type { GraphNode } from "./bench-critical-path";
import { NODE_POOL_LABEL } from "../components/shared/gpu";

export const HOURS_PER_MONTH = 730;

/**
 * us-west-2 list prices (USD). Sources: aws.amazon.com/eks/pricing, /vpc/pricing (NAT, public
 * IPv4), /ec2/pricing/on-demand, /rds/postgresql/pricing, /ebs/pricing, /kms/pricing,
 * /elasticloadbalancing/pricing; read 2025. Spot is modelled as a fixed fraction of on-demand
 * (the EC2 Spot Instance Advisor shows 60-70% savings for these families).
 */
export const PRICES = {
    eksControlPlanePerHour: 0.10,
    natGatewayPerHour: 0.045,
    publicIpv4PerHour: 0.005,
    loadBalancerPerHour: 0.0225,
    ebsGp3PerGiBMonth: 0.08,
    rdsGp3PerGiBMonth: 0.115,
    kmsKeyPerMonth: 1.0,
    spotFraction: 0.35,
    ec2PerHour: {
        "m5.large": 0.096, "m5.xlarge": 0.192, "m6i.large": 0.096, "m6i.xlarge": 0.192, "m7i.large": 0.1008, "m7i.xlarge": 0.2016,
        // AMD EPYC (x86_64) 4 vCPU / 16 GiB, same on-demand page (us-west-2, Linux).
        "m5a.xlarge": 0.172, "m6a.xlarge": 0.1728,
        "m7i.2xlarge": 0.4032, "g4dn.xlarge": 0.526, "g5.xlarge": 1.006, "g5.2xlarge": 1.212, "g5.12xlarge": 5.672, "g6.xlarge": 0.8048,
    } as Record<string, number>,
    rdsPerHour: {
        "db.t4g.micro": 0.016, "db.t4g.small": 0.032, "db.t4g.medium": 0.065, "db.t4g.large": 0.129,
        "db.m7g.large": 0.168, "db.m7g.xlarge": 0.336, "db.r7g.large": 0.239,
    } as Record<string, number>,
};

/** One line of the idle bill. */
export interface CostLine {
    readonly item: string;
    readonly monthlyUsd: number;
}

function price(table: Record<string, number>, key: string, what: string): number {
    const p = table[key];
    if (p === undefined) {
        throw new Error(`no ${what} price for ${key}; add it to PRICES in scripts/bench-cost.ts`);
    }
    return p;
}

const gib = (q: unknown): number => {
    const m = /^(\d+(?:\.\d+)?)(Gi|G|Ti|Mi)?$/.exec(String(q ?? ""));
    if (!m) {
        return 0;
    }
    const n = Number(m[1]);
    return m[2] === "Ti" ? n * 1024 : m[2] === "Mi" ? n / 1024 : n;
};

/**
 * Persistent volumes a resource asks for at idle (GiB), by kind: plain PVCs, StatefulSet claim
 * templates, ECK node sets, and the volumes charts create from their values.
 */
export function requestedVolumesGiB(n: GraphNode): number {
    const i = n.inputs;
    switch (n.type) {
        case "kubernetes:core/v1:PersistentVolumeClaim":
            return gib(i.spec?.resources?.requests?.storage);
        case "kubernetes:apps/v1:StatefulSet":
            return (i.spec?.replicas ?? 1) * (i.spec?.volumeClaimTemplates ?? []).reduce((s: number, t: any) => s + gib(t.spec?.resources?.requests?.storage), 0);
        case "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch":
            return (i.spec?.nodeSets ?? []).reduce((s: number, ns: any) =>
                s + (ns.count ?? 1) * (ns.volumeClaimTemplates ?? []).reduce((t: number, c: any) => t + gib(c.spec?.resources?.requests?.storage), 0), 0);
        case "kubernetes:helm.sh/v3:Release": {
            const v = i.values ?? {};
            if (i.chart === "kube-prometheus-stack") {
                const p = v.prometheus?.prometheusSpec;
                const a = v.alertmanager?.alertmanagerSpec;
                const g = v.grafana?.persistence;
                return (p?.replicas ?? 1) * gib(p?.storageSpec?.volumeClaimTemplate?.spec?.resources?.requests?.storage)
                    + (a?.replicas ?? 1) * gib(a?.storage?.volumeClaimTemplate?.spec?.resources?.requests?.storage)
                    + (g?.enabled ? gib(g.size) : 0);
            }
            if (i.chart === "jupyterhub") {
                // User volumes exist only while users have servers; the hub database is always there.
                return v.hub?.db?.type === "sqlite-pvc" ? gib(v.hub?.db?.pvc?.storage ?? "1Gi") : 0;
            }
            return 0;
        }
        default:
            return 0;
    }
}

/**
 * The instance type a node group is billed at. On-demand groups launch the first listed type (EKS
 * managed node groups use the `prioritized` On-Demand allocation strategy: the list order); Spot
 * groups launch from whichever listed pool the Auto Scaling group's Spot allocation strategy picks
 * (capacity-optimized / price-capacity-optimized, not the list order), so a Spot group is billed
 * at its most expensive listed type: the bill holds whichever pool it gets (Amazon EKS User Guide,
 * "Managed node group capacity types").
 */
export function billedInstanceType(instanceTypes: readonly string[], capacityType: string | undefined): string {
    if (capacityType !== "SPOT" || instanceTypes.length <= 1) {
        return instanceTypes[0];
    }
    return [...instanceTypes].sort((a, b) => price(PRICES.ec2PerHour, b, "EC2") - price(PRICES.ec2PerHour, a, "EC2"))[0];
}

/** The monthly bill of a stack with no one using it: no notebooks, no GPU jobs. */
export function idleMonthlyCost(nodes: readonly GraphNode[]): { totalUsd: number; gpuUsd: number; lines: CostLine[] } {
    const lines: CostLine[] = [];
    const add = (item: string, usd: number) => {
        if (usd > 0) {
            lines.push({ item, monthlyUsd: Math.round(usd * 100) / 100 });
        }
    };
    const launchTemplates = new Map(nodes.filter((n) => n.type === "aws:ec2/launchTemplate:LaunchTemplate").map((n) => [`${n.name}-id`, n]));
    // A node pool is one group per AZ (issue 19): its groups' nodes are billed as one line, rounded
    // once, so splitting a pool over AZs changes neither the lines' number nor the total.
    const pools = new Map<string, { index: number; count: number; usd: number; names: string[] }>();
    let gpuUsd = 0;
    for (const n of nodes) {
        const i = n.inputs;
        switch (n.type) {
            case "eks:index:Cluster":
            case "aws:eks/cluster:Cluster":
                add(`EKS control plane ${n.name}`, PRICES.eksControlPlanePerHour * HOURS_PER_MONTH);
                break;
            case "aws:ec2/natGateway:NatGateway":
                add(`NAT gateway ${n.name} (+ its public IPv4)`, (PRICES.natGatewayPerHour + PRICES.publicIpv4PerHour) * HOURS_PER_MONTH);
                break;
            case "aws:eks/nodeGroup:NodeGroup": {
                const count = i.scalingConfig?.desiredSize ?? 0;
                const type = billedInstanceType(i.instanceTypes ?? [], i.capacityType);
                const hourly = price(PRICES.ec2PerHour, type, "EC2") * (i.capacityType === "SPOT" ? PRICES.spotFraction : 1);
                const lt = launchTemplates.get(i.launchTemplate?.id);
                const disk = lt ? gib(lt.inputs.blockDeviceMappings?.[0]?.ebs?.volumeSize) : 20;
                const usd = count * (hourly * HOURS_PER_MONTH + disk * PRICES.ebsGp3PerGiBMonth);
                const key = JSON.stringify([i.labels?.[NODE_POOL_LABEL] ?? n.name, type, i.capacityType, disk]);
                const pool = pools.get(key) ?? { index: lines.length, count: 0, usd: 0, names: [] };
                if (usd > 0) {
                    pools.set(key, { ...pool, count: pool.count + count, usd: pool.usd + usd, names: [...pool.names, n.name] });
                    const p = pools.get(key)!;
                    lines[p.index] = { item: `${p.count} × ${type} ${i.capacityType ?? "ON_DEMAND"} (${p.names.join(", ")}) + root volumes`, monthlyUsd: Math.round(p.usd * 100) / 100 };
                }
                if (String(i.amiType ?? "").includes("NVIDIA")) {
                    gpuUsd += usd;
                }
                break;
            }
            case "aws:rds/instance:Instance": {
                const copies = i.multiAz === true ? 2 : 1;
                add(`RDS ${i.instanceClass}${copies === 2 ? " Multi-AZ" : ""} (${n.name})`,
                    copies * (price(PRICES.rdsPerHour, i.instanceClass, "RDS") * HOURS_PER_MONTH + (i.allocatedStorage ?? 20) * PRICES.rdsGp3PerGiBMonth));
                break;
            }
            case "aws:kms/key:Key":
                add(`KMS key ${n.name}`, PRICES.kmsKeyPerMonth);
                break;
            case "kubernetes:core/v1:Service":
                if (i.spec?.type === "LoadBalancer") {
                    add(`load balancer ${n.name}`, PRICES.loadBalancerPerHour * HOURS_PER_MONTH);
                }
                break;
            case "kubernetes:networking.k8s.io/v1:Ingress":
                add(`load balancer for ingress ${n.name}`, PRICES.loadBalancerPerHour * HOURS_PER_MONTH);
                break;
            default:
                break;
        }
        const volume = requestedVolumesGiB(n);
        if (volume > 0) {
            add(`EBS gp3 ${volume} GiB (${n.name})`, volume * PRICES.ebsGp3PerGiBMonth);
        }
    }
    const totalUsd = Math.round(lines.reduce((s, l) => s + l.monthlyUsd, 0) * 100) / 100;
    return { totalUsd, gpuUsd: Math.round(gpuUsd * 100) / 100, lines };
}
