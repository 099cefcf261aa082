/**
 * Clean destroy as code (design.md, "Destroy without leftovers"). Pulumi deletes a resource only
 * after everything that depends on it, and a child before its parent. So an object that makes a
 * cloud resource (a PVC makes an EBS volume; a LoadBalancer Service or an Ingress makes a load
 * balancer) is deleted while its controller still runs exactly when the controller is reachable
 * from it through dependencies, property dependencies, its provider or its parents. These checks
 * walk that graph over whatever the program declares, so new layers are covered without edits.
 *
 * The same functions run in the tests (over recorded registrations), in the offline plan and in
 * the policy pack (over `pulumi preview`'s resources).
 */
import { VOLUME_DRAIN_ROLE } from "../components/cluster/volume-drain";
import { Check, Env, isTrue, Res, Violation } from "./checks";

/** A resource with the graph edges the walk follows (a mock record or a policy-pack resource). */
export interface GraphRes extends Res {
    readonly urn?: string;
    /** Parent URN ("" or absent for the stack). */
    readonly parent?: string;
    /** Per-property dependencies (property name to URNs). */
    readonly propertyDependencies?: Record<string, string[]>;
    /** Provider reference, `urn::id` as the engine writes it (a bare URN is accepted too). */
    readonly provider?: string;
    /** The `retainOnDelete` resource option. */
    readonly retainOnDelete?: boolean;
}

export const D = {
    pvc: "kubernetes:core/v1:PersistentVolumeClaim",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    elasticsearch: "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch",
    service: "kubernetes:core/v1:Service",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    release: "kubernetes:helm.sh/v3:Release",
    addon: "aws:eks/addon:Addon",
    rdsInstance: "aws:rds/instance:Instance",
    rdsCluster: "aws:rds/cluster:Cluster",
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    eksCluster: "eks:index:Cluster",
    awsEksCluster: "aws:eks/cluster:Cluster",
    storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
} as const;

/** Charts that run a load-balancer controller (deletes the AWS load balancers of Services and Ingresses). */
export const LB_CONTROLLER_CHARTS = ["aws-load-balancer-controller"];

/** The URN in a provider reference (`urn::id`): ids never contain `::`, so it is all before the last one. */
export function providerUrn(ref: string): string {
    const at = ref.lastIndexOf("::");
    return at > 0 ? ref.slice(0, at) : ref;
}

/** Every URN reachable from `start` through dependencies, property dependencies, provider and parent edges. */
export function reachableFrom(start: GraphRes, byUrn: ReadonlyMap<string, GraphRes>): Set<string> {
    const seen = new Set<string>();
    const queue: GraphRes[] = [start];
    while (queue.length > 0) {
        const r = queue.pop()!;
        const next = [
            ...(r.dependencies ?? []),
            ...Object.values(r.propertyDependencies ?? {}).flat(),
            ...(r.provider ? [providerUrn(r.provider)] : []),
            ...(r.parent ? [r.parent] : []),
        ];
        for (const urn of next) {
            if (!seen.has(urn)) {
                seen.add(urn);
                const n = byUrn.get(urn);
                if (n !== undefined) {
                    queue.push(n);
                }
            }
        }
    }
    return seen;
}

const json = (x: unknown) => JSON.stringify(x ?? {});

/**
 * Why this object makes EBS volumes, or undefined when it does not. Helm releases are recognised
 * by the storage keys of the charts the platform uses, and by JupyterHub's defaults (a hub
 * `sqlite-pvc` database and dynamic per-user volumes unless turned off).
 */
export function makesVolumes(r: Res): string | undefined {
    switch (r.type) {
        case D.pvc:
            return "PersistentVolumeClaim";
        case D.statefulSet:
            return (r.inputs.spec?.volumeClaimTemplates ?? []).length > 0 ? "StatefulSet with volumeClaimTemplates" : undefined;
        case D.elasticsearch:
            // ECK gives every node set a data volume claim, declared or not.
            return "Elasticsearch (ECK data volumes)";
        case D.release: {
            const values = r.inputs.values ?? {};
            const text = json(values);
            if (/"(volumeClaimTemplate|volumeClaimTemplates|storageSpec)"/.test(text)) {
                return `Helm release ${r.inputs.chart} with volume claim templates`;
            }
            if (/"persistence":\{[^{}]*"enabled":true/.test(text)) {
                return `Helm release ${r.inputs.chart} with persistence enabled`;
            }
            if (String(r.inputs.chart ?? "").endsWith("jupyterhub")) {
                const singleuser = values.singleuser?.storage?.type ?? "dynamic";
                const hubDb = values.hub?.db?.type ?? "sqlite-pvc";
                if (singleuser !== "none" || hubDb === "sqlite-pvc") {
                    return `JupyterHub release (singleuser.storage.type ${singleuser}, hub.db.type ${hubDb})`;
                }
            }
            return undefined;
        }
        default:
            return undefined;
    }
}

/**
 * Why this object makes an AWS load balancer, or undefined. JupyterHub's proxy Service is a
 * LoadBalancer unless the values say otherwise.
 */
/** True when a Helm values tree enables an Ingress anywhere (`…ingress: {enabled: true}`). */
function enabledIngress(node: unknown): boolean {
    if (node === null || typeof node !== "object") {
        return false;
    }
    return Object.entries(node as Record<string, unknown>).some(([k, v]) =>
        (k === "ingress" && v !== null && typeof v === "object" && isTrue((v as Record<string, unknown>).enabled)) || enabledIngress(v));
}

export function makesLoadBalancer(r: Res): string | undefined {
    switch (r.type) {
        case D.service:
            return r.inputs.spec?.type === "LoadBalancer" ? "LoadBalancer Service" : undefined;
        case D.ingress:
            return "Ingress";
        case D.release: {
            const values = r.inputs.values ?? {};
            const text = json(values);
            if (/"type":"LoadBalancer"/.test(text)) {
                return `Helm release ${r.inputs.chart} with a LoadBalancer Service`;
            }
            if (enabledIngress(values)) {
                return `Helm release ${r.inputs.chart} with an Ingress`;
            }
            if (String(r.inputs.chart ?? "").endsWith("jupyterhub") && (values.proxy?.service?.type ?? "LoadBalancer") === "LoadBalancer") {
                return "JupyterHub release (proxy.service.type defaults to LoadBalancer)";
            }
            return undefined;
        }
        default:
            return undefined;
    }
}

const isEbsCsi = (r: Res) => r.type === D.addon && r.inputs.addonName === "aws-ebs-csi-driver";
const isLbController = (r: Res) => r.type === D.release && LB_CONTROLLER_CHARTS.some((c) => String(r.inputs.chart ?? "").endsWith(c));
const PROD_DATA = [D.rdsInstance, D.rdsCluster, D.bucket, D.bucketV2, D.elasticsearch] as string[];

/** One reason a stack would not destroy cleanly, with the rule it breaks. */
export interface DestroyProblem {
    /**
     * DESTROY-01 volumes, DESTROY-02 load balancers, DESTROY-03 sandbox state, DESTROY-04 volumes
     * gone before the driver (checklist §17), DESTROY-05 production data.
     */
    readonly id: "DESTROY-01" | "DESTROY-02" | "DESTROY-03" | "DESTROY-04" | "DESTROY-05";
    readonly resource: GraphRes;
    readonly message: string;
}

/**
 * Every reason the stack could leave cloud resources behind on destroy, or refuse to destroy a
 * sandbox, or lose production data. `protectedUrns` adds URNs known to carry `protect` (for
 * inputs that do not carry the option themselves).
 */
export function destroyFindings(resources: readonly GraphRes[], env: Env, protectedUrns: ReadonlySet<string> = new Set()): DestroyProblem[] {
    const out: DestroyProblem[] = [];
    const add = (id: DestroyProblem["id"], resource: GraphRes, message: string) => out.push({ id, resource, message });
    const byUrn = new Map(resources.filter((r) => r.urn).map((r) => [r.urn!, r]));
    const drivers = resources.filter(isEbsCsi);
    const controllers = resources.filter(isLbController);
    const isProtected = (r: GraphRes) => r.protect === true || (r.urn !== undefined && protectedUrns.has(r.urn));
    const label = (r: GraphRes) => `${r.type} ${r.name}`;
    // DESTROY-04: PV deletion is asynchronous after the claim goes (the external-provisioner deletes
    // a Released PV's volume, then the PV; components/cluster/volume-drain.ts). For each EBS
    // StorageClass whose volumes are deleted, a drain for it must sit between the volume makers
    // (they reach it, so they are deleted first) and the EBS CSI add-on (it reaches the add-on, so
    // the add-on is deleted after its wait).
    const deletingClasses = resources.filter((r) => r.type === D.storageClass && r.inputs.provisioner === "ebs.csi.aws.com" && (r.inputs.reclaimPolicy ?? "Delete") === "Delete");
    const drains = resources.filter((r) => r.inputs.role === VOLUME_DRAIN_ROLE);
    for (const sc of deletingClasses) {
        const name = sc.inputs.metadata?.name;
        const mine = drains.filter((d) => d.inputs.storageClassName === name);
        if (mine.length === 0) {
            add("DESTROY-04", sc, `${label(sc)} deletes volumes (reclaimPolicy Delete) but no volume drain waits for its PVs on destroy: the EBS CSI add-on could go before the driver deletes them`);
        }
        for (const d of mine) {
            const reached = reachableFrom(d, byUrn);
            if (!drivers.some((x) => x.urn !== undefined && reached.has(x.urn))) {
                add("DESTROY-04", d, `${label(d)} does not depend on the EBS CSI add-on, so destroy could remove the driver before the wait`);
            }
        }
    }
    for (const r of resources) {
        if (makesVolumes(r) !== undefined) {
            const reached = reachableFrom(r, byUrn);
            if (!drivers.some((d) => d.urn !== undefined && reached.has(d.urn))) {
                add("DESTROY-01", r, `${label(r)} makes EBS volumes but does not depend on the EBS CSI add-on: destroy could remove the driver first and leak the volumes`);
            }
            const waits = drains.filter((d) => deletingClasses.some((sc) => sc.inputs.metadata?.name === d.inputs.storageClassName));
            if (deletingClasses.length > 0 && waits.length > 0 && !waits.some((d) => d.urn !== undefined && reached.has(d.urn))) {
                add("DESTROY-04", r, `${label(r)} makes EBS volumes but is not deleted before the volume drain: destroy could stop waiting before its volumes are released`);
            }
        }
        const lb = makesLoadBalancer(r);
        if (lb !== undefined) {
            if (env === "sandbox") {
                add("DESTROY-02", r, `${label(r)} makes a load balancer in a sandbox (${lb}); use ClusterIP and port-forward so destroy leaves none behind`);
            } else {
                const reached = reachableFrom(r, byUrn);
                if (!controllers.some((c) => c.urn !== undefined && reached.has(c.urn))) {
                    add("DESTROY-02", r, `${label(r)} makes a load balancer (${lb}) but does not depend on a load-balancer controller (${LB_CONTROLLER_CHARTS.join(", ")}) that deletes it`);
                }
            }
        }
        const isDb = r.type === D.rdsInstance || r.type === D.rdsCluster;
        const isBucket = r.type === D.bucket || r.type === D.bucketV2;
        if (env === "sandbox") {
            if (isProtected(r)) {
                add("DESTROY-03", r, `${label(r)} is protected in a sandbox`);
            }
            // A retained Patch (kubernetes:*Patch) only keeps its field ownership on delete: the object
            // itself belongs to whoever created it, and goes with it (e.g. a PVC with its namespace).
            if (r.retainOnDelete === true && !/^kubernetes:.*Patch$/.test(r.type)) {
                add("DESTROY-03", r, `${label(r)} is retained on delete in a sandbox, so destroy leaves it behind`);
            }
            if (isDb && (!isTrue(r.inputs.skipFinalSnapshot) || isTrue(r.inputs.deletionProtection))) {
                add("DESTROY-03", r, `${r.name}: a sandbox database must skip the final snapshot and have no deletion protection`);
            }
            if (isBucket && !isTrue(r.inputs.forceDestroy)) {
                add("DESTROY-03", r, `${r.name}: a sandbox bucket must be forceDestroy, or destroy fails on its objects`);
            }
            if ((r.type === D.eksCluster || r.type === D.awsEksCluster) && isTrue(r.inputs.deletionProtection)) {
                add("DESTROY-03", r, `${r.name}: deletion protection on a sandbox cluster blocks destroy`);
            }
        } else {
            if (PROD_DATA.includes(r.type) && !isProtected(r)) {
                add("DESTROY-05", r, `${label(r)} holds production data but is not protected`);
            }
            if (isDb && !isTrue(r.inputs.skipFinalSnapshot) && !r.inputs.finalSnapshotIdentifier) {
                add("DESTROY-05", r, `${r.name}: skipFinalSnapshot false without finalSnapshotIdentifier makes delete fail`);
            }
            if (isBucket && isTrue(r.inputs.forceDestroy)) {
                add("DESTROY-05", r, `${r.name}: forceDestroy would delete production data with the bucket`);
            }
        }
    }
    return out;
}

/** The findings as plain messages (what the tests compare). */
export function destroyProblems(resources: readonly GraphRes[], env: Env, protectedUrns: ReadonlySet<string> = new Set()): string[] {
    return destroyFindings(resources, env, protectedUrns).map((p) => p.message);
}

const DESCRIPTIONS: Record<DestroyProblem["id"], string> = {
    "DESTROY-01": "every object that makes EBS volumes (PVC, StatefulSet claim templates, Elasticsearch, storage-using Helm releases) depends on the EBS CSI add-on",
    "DESTROY-02": "no LoadBalancer Service or Ingress in a sandbox; in production each depends on the load-balancer controller that deletes its load balancer",
    "DESTROY-03": "sandbox: nothing protected or retained; RDS skips the final snapshot without deletion protection; buckets force-destroy; EKS deletion protection off",
    "DESTROY-04": "volumes of an EBS StorageClass with reclaimPolicy Delete: a volume drain waits on destroy after every volume-making object and before the EBS CSI add-on, until no such PV remains",
    "DESTROY-05": "production: RDS, S3 and Elasticsearch are protected; RDS keeps a final snapshot; buckets are never force-destroyed",
};

/** The destroy rules as checklist-style checks (the policy pack and the plan run them with the others). */
export const DESTROY_CHECKS: readonly Check[] = (Object.keys(DESCRIPTIONS) as DestroyProblem["id"][]).map((id): Check => ({
    id,
    description: DESCRIPTIONS[id],
    evaluate: (resources, env): Violation[] => destroyFindings(resources as readonly GraphRes[], env)
        .filter((p) => p.id === id)
        .map((p) => ({ id, resource: `${p.resource.type}::${p.resource.name}`, message: p.message })),
}));
