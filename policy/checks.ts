/**
 * The security checklist (`security-checklist.md`) as code: pure predicates over declared
 * resources (type, logical name, inputs). The tests run them over the resources each stack file
 * records under mocks; the policy pack (`policy/index.ts`) runs the same functions in
 * `pulumi preview --policy-pack`, where it also sees remote components' children.
 *
 * A check asserts the production value on production stacks and the documented sandbox value on
 * sandbox stacks, so every relaxation is explicit.
 *
 * This module is the vocabulary the checks are written in; the checks live in `checks-*.ts`, one
 * module per layer, and `all-checks.ts` collects them.
 */

/** What a check needs to know about one resource. */
export interface Res {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    /** URN, when known (tests and the policy pack have it). */
    readonly urn?: string;
    /** URNs this resource depends on, when known. */
    readonly dependencies?: string[];
    /** The `protect` resource option, when known. */
    readonly protect?: boolean;
}

export type Env = "sandbox" | "production";

/** One failed expectation. */
export interface Violation {
    readonly id: string;
    readonly resource: string;
    readonly message: string;
}

/** A checklist item. */
export interface Check {
    /** Checklist ID, e.g. `EKS-04`. */
    readonly id: string;
    /** What it requires, in one line. */
    readonly description: string;
    /** Returns the violations among all of a stack's resources. */
    evaluate(resources: readonly Res[], env: Env): Violation[];
}

/** A documented exception: a check that does not apply in an environment, and why. */
export interface Exception {
    readonly id: string;
    readonly env: Env;
    readonly reason: string;
}

/**
 * The only exceptions the platform takes. A test asserts that nothing else is skipped.
 * (Relaxed values that the checklist documents per environment are asserted by the checks
 * themselves, not excepted.)
 */
export const EXCEPTIONS: readonly Exception[] = [];

export const T = {
    eksCluster: "eks:index:Cluster",
    awsEksCluster: "aws:eks/cluster:Cluster",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    subnet: "aws:ec2/subnet:Subnet",
    role: "aws:iam/role:Role",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    flowLog: "aws:ec2/flowLog:FlowLog",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    sgIngress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    addon: "aws:eks/addon:Addon",
    nat: "aws:ec2/natGateway:NatGateway",
    kmsKey: "aws:kms/key:Key",
    storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    iamPolicy: "aws:iam/policy:Policy",
} as const;

/** Resources of the given types. */
export const of = (rs: readonly Res[], ...types: string[]) => rs.filter((r) => types.includes(r.type));
/** Builds a violation. */
export const v = (id: string, r: Res, message: string): Violation => ({ id, resource: `${r.type}::${r.name}`, message });
/** True for `true` or `"true"`. */
export const isTrue = (x: unknown) => x === true || x === "true";
/** Parses a JSON string input (IAM policies, add-on config); objects pass through. */
export const parseJson = (x: unknown): any => {
    if (typeof x !== "string") {
        return x ?? {};
    }
    try {
        return JSON.parse(x);
    } catch {
        return {};
    }
};

/**
 * The availability zones a resource's `key` input (a list of subnet IDs) covers, from the subnets
 * it depends on through that property (tests and the policy pack record property dependencies);
 * undefined when they cannot be told, e.g. subnets made outside the stack.
 */
export function zonesOf(r: Res, key: string, rs: readonly Res[]): Set<string> | undefined {
    const deps = (r as any).propertyDependencies?.[key] as string[] | undefined;
    if (!Array.isArray(deps) || deps.length === 0) {
        return undefined;
    }
    const subnets = rs.filter((x) => x.type === "aws:ec2/subnet:Subnet" && x.urn !== undefined && deps.includes(x.urn));
    const zones = subnets.map((x) => x.inputs.availabilityZone).filter((z) => typeof z === "string");
    return zones.length === 0 ? undefined : new Set(zones);
}

/** Helper to build a check from a per-resource predicate. */
export function perResource(id: string, description: string, types: string[], fn: (r: Res, env: Env, all: readonly Res[]) => string | string[] | undefined): Check {
    return {
        id,
        description,
        evaluate(resources, env) {
            return of(resources, ...types).flatMap((r) => {
                const out = fn(r, env, resources);
                return (out === undefined ? [] : Array.isArray(out) ? out : [out]).map((m) => v(id, r, m));
            });
        },
    };
}

/** Runs checks (minus documented exceptions) over a stack's resources. */
export function runChecksOf(checks: readonly Check[], resources: readonly Res[], env: Env): Violation[] {
    const skipped = new Set(EXCEPTIONS.filter((e) => e.env === env).map((e) => e.id));
    return checks.filter((c) => !skipped.has(c.id)).flatMap((c) => c.evaluate(resources, env));
}
