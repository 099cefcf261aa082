/** What the tracking checks share: resource types, the dependency join, MLflow pod readers and check builders. */
import { Check, Env, of, parseJson, Res, v } from "./checks";

export const T = {
    db: "aws:rds/instance:Instance",
    subnetGroup: "aws:rds/subnetGroup:SubnetGroup",
    params: "aws:rds/parameterGroup:ParameterGroup",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    sgIngress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    bucket: "aws:s3/bucket:Bucket",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    bucketLogging: "aws:s3/bucketLogging:BucketLogging",
    deployment: "kubernetes:apps/v1:Deployment",
    service: "kubernetes:core/v1:Service",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    configMap: "kubernetes:core/v1:ConfigMap",
    association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
} as const;

export const CA_CERTS = ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"];
export const MONITORING_INTERVALS = [1, 5, 10, 15, 30, 60];
export const MLFLOW_APP = "mlflow";
/** `scheme://user:secret@` with a literal secret (a `$(VAR)` or `$VAR` reference is not one). */
export const CREDENTIAL_URI = /:\/\/[^:/\s@]+:(?!\$)[^@\s]+@/;
export const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|BACKEND_STORE_URI|DATABASE_URL|DB_URI)/i;

/**
 * True when `child` points at `parent` through input `key`: by the property's recorded dependency
 * URNs (or, where those are unknown, any dependency), or by the parent's name appearing in it.
 */
export function linked(child: Res, parent: Res, key: string): boolean {
    const byProperty = (child as any).propertyDependencies?.[key];
    if (parent.urn !== undefined) {
        const deps = Array.isArray(byProperty) ? byProperty : (child.dependencies ?? []);
        if (deps.includes(parent.urn)) {
            return true;
        }
    }
    const names = [parent.inputs.name, parent.inputs.bucket, parent.name].filter((x) => x !== undefined);
    const value = child.inputs[key];
    return (Array.isArray(value) ? value : [value]).some((x) => x !== undefined && names.includes(x));
}
export const paramsOf = (db: Res, rs: readonly Res[]) => of(rs, T.params).filter((p) => linked(db, p, "parameterGroupName"));
export const paramValue = (groups: Res[], name: string) => groups.flatMap((g) => g.inputs.parameters ?? []).find((p: any) => p.name === name)?.value;
export const isMlflow = (r: Res) => (r.inputs.metadata?.labels?.["app.kubernetes.io/name"] ?? r.inputs.spec?.template?.metadata?.labels?.["app.kubernetes.io/name"]) === MLFLOW_APP;

/** A container as ML-01 and ML-04 read it: its argv (command then args, as strings) and env. */
export interface Container {
    readonly name: string;
    readonly init: boolean;
    readonly argv: string[];
    readonly env: any[];
    readonly volumeMounts: any[];
}
/** A workload's pod spec (a CronJob's from its job template) and its containers, init containers first. */
export function podOf(w: Res): { spec: any; containers: Container[] } {
    const spec = w.inputs.spec?.jobTemplate?.spec?.template?.spec ?? w.inputs.spec?.template?.spec ?? {};
    const container = (init: boolean) => (c: any): Container =>
        ({ name: c.name, init, argv: [...(c.command ?? []), ...(c.args ?? [])].map(String), env: c.env ?? [], volumeMounts: c.volumeMounts ?? [] });
    return { spec, containers: [...(spec.initContainers ?? []).map(container(true)), ...(spec.containers ?? []).map(container(false))] };
}
/** The MLflow Deployments with their pods: what ML-01 and ML-04 walk. */
export const mlflowPods = (rs: readonly Res[]) => of(rs, T.deployment).filter(isMlflow).map((d) => ({ d, ...podOf(d) }));

/** One check over every RDS instance. */
export function dbCheck(id: string, description: string, fn: (db: Res, env: Env, rs: readonly Res[]) => string[]): Check {
    return { id, description, evaluate: (rs, env) => of(rs, T.db).flatMap((db) => fn(db, env, rs).map((m) => v(id, db, m))) };
}

/** One check over every bucket, with the side resources that configure it. */
export function bucketCheck(id: string, description: string, fn: (side: (type: string) => Res[], env: Env, b: Res, rs: readonly Res[]) => string[]): Check {
    return {
        id,
        description,
        evaluate: (rs, env) => of(rs, T.bucket).flatMap((b) => fn((type) => of(rs, type).filter((s) => linked(s, b, "bucket")), env, b, rs).map((m) => v(id, b, m))),
    };
}
/** True when some BucketLogging delivers server access logs into `b`. */
export const isLogTarget = (b: Res, rs: readonly Res[]) => of(rs, T.bucketLogging).some((l) => linked(l, b, "targetBucket"));

export const statements = (doc: any): any[] => {
    const s = parseJson(doc).Statement ?? [];
    return Array.isArray(s) ? s : [s];
};
export const list = (x: unknown): string[] => (Array.isArray(x) ? x : x === undefined ? [] : [x as string]);
