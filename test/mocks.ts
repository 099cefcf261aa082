/**
 * Pulumi mocks harness shared by every test file.
 *
 * It runs the real program under `pulumi.runtime.setMocks` and records every registration with
 * what a reviewer needs to assert on: type, logical name, inputs, parent, dependencies, provider
 * and resource options (protect, retainOnDelete, deletedWith). `call` throws on tokens it does not
 * know, so an unexpected provider function fails loudly instead of returning nothing.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

export const MOCK_ACCOUNT_ID = "123456789012";
export const MOCK_REGION = "us-west-2";

/** One registered resource, as the engine would see it. */
/** The time mocked certificates are signed at (their `validityStartTime`). */
export const MOCK_SIGNING_TIME = "2026-01-01T00:00:00Z";

export interface ResourceRecord {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    readonly custom: boolean;
    /** URN of the parent resource ("" for the stack itself). */
    readonly parent: string;
    /** URNs named by `dependsOn` or carried by input outputs. */
    readonly dependencies: string[];
    /** Per-property dependencies (property name to URNs). */
    readonly propertyDependencies: Record<string, string[]>;
    /** Provider reference (`urn::id`), or "" for the default provider. */
    readonly provider: string;
    /** Provider references given through the `providers` map (components). */
    readonly providers: Record<string, string>;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly deletedWith: string;
    readonly ignoreChanges: string[];
    /** `deleteBeforeReplace` (otherwise Pulumi creates the replacement before deleting the old resource). */
    readonly deleteBeforeReplace: boolean;
    /** `replaceOnChanges` paths (the engine replaces instead of updating when one of them changes). */
    readonly replaceOnChanges: string[];
    /** True when the resource is a remote component (e.g. `eks:index:Cluster`). */
    readonly remote: boolean;
    /** Dotted paths of inputs that were Pulumi secrets (their values are unwrapped in `inputs`). */
    readonly secretPaths: string[];
    /** `customTimeouts` resource option ("" where unset). */
    readonly customTimeouts: { create: string; update: string; delete: string };
    /** `aliases` that rename: the old logical name of each spec alias, or the old URN of a URN alias. */
    readonly aliases: string[];
}

/**
 * Replaces Pulumi's wire form of a secret (`{<sig>: <secret sig>, value}`) with its value and
 * collects the dotted paths where secrets were, so tests can both read values and check secrecy.
 */
export function unwrapSecrets(value: unknown, at = "", paths: string[] = []): unknown {
    if (Array.isArray(value)) {
        return value.map((v, i) => unwrapSecrets(v, at ? `${at}.${i}` : `${i}`, paths));
    }
    if (value !== null && typeof value === "object") {
        const o = value as Record<string, unknown>;
        if (o[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) {
            paths.push(at);
            return unwrapSecrets(o.value, at, paths);
        }
        return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, unwrapSecrets(v, at ? `${at}.${k}` : k, paths)]));
    }
    return value;
}

type StateFn = (name: string, inputs: Record<string, any>) => Record<string, any>;

/**
 * The recorder's state lives on `globalThis`, not in this module: a vitest worker runs many test
 * files (`isolate: false`) and `test/setup.ts` gives each file a fresh module graph, so this module
 * is evaluated once per file, while the SDK (`@pulumi/pulumi`, loaded once per worker) keeps the one
 * patched MockMonitor. Every instance of this module must read and reset the same records.
 */
interface HarnessState {
    readonly records: ResourceRecord[];
    readonly extraStates: Map<string, StateFn>;
    installed: boolean;
}
const harness: HarnessState = ((globalThis as any).__mlplatformMockHarness ??= { records: [], extraStates: new Map(), installed: false });
const records = harness.records;

/** Every resource registered since the last {@link resetRecords}, in registration order. */
export function allRecords(): ResourceRecord[] {
    return [...records];
}

/** Forget what was recorded (use between independent component builds in one file). */
export function resetRecords(): void {
    records.length = 0;
}

/**
 * What a new test file starts from (test/setup.ts), as a fresh process would give it: nothing
 * recorded, no canned states, no stack config.
 */
export function resetHarness(): void {
    records.length = 0;
    harness.extraStates.clear();
    pulumi.runtime.setAllConfig({}, []);
}

/** Whether a canned state is registered for a type (see {@link registerMockState}). */
export function hasMockState(type: string): boolean {
    return harness.extraStates.has(type);
}

/** Records of one type token, optionally limited to names that start with a prefix. */
export function byType(type: string, namePrefix = ""): ResourceRecord[] {
    return records.filter((r) => r.type === type && r.name.startsWith(namePrefix));
}

/** The single record with this type and logical name; throws when absent or ambiguous. */
export function one(type: string, name: string): ResourceRecord {
    const found = records.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        const names = byType(type).map((r) => r.name);
        throw new Error(`expected exactly one ${type} named ${name}, found ${found.length} (have: ${names.join(", ")})`);
    }
    return found[0];
}

/** Records whose URN shows `parentType` as immediate parent type. */
export function childrenOf(parentType: string): ResourceRecord[] {
    return records.filter((r) => r.urn.split("::")[2].split("$").slice(-2, -1)[0] === parentType);
}

/** Resolves an Output (or plain value) to its value. Unknowns resolve to undefined. */
export function resolve<T>(value: pulumi.Input<T> | undefined): Promise<T> {
    return new Promise((res) => pulumi.output(value as any).apply((v: any) => {
        res(v);
        return v;
    }));
}

/** Waits until all registrations queued so far have been recorded. */
export async function settle(): Promise<void> {
    // Registrations are asynchronous RPCs; outputs of later resources depend on earlier ones.
    for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 0));
    }
    // waitForRPCs is internal to the SDK but is what `disconnect` uses to drain registrations.
    await (pulumi.runtime as any).waitForRPCs();
}

/**
 * Builds one component alone, as every component test does: forgets earlier records, constructs
 * it, waits for its URN and for each of `outputs` (e.g. one derived from a child's output), then
 * for every registration queued.
 */
export async function buildComponent<T extends pulumi.Resource>(create: () => T, outputs: (c: T) => pulumi.Input<unknown>[] = () => []): Promise<T> {
    resetRecords();
    const c = create();
    await resolve(c.urn);
    for (const o of outputs(c)) {
        await resolve(o);
    }
    await settle();
    return c;
}

/**
 * {@link buildComponent} once per test file for each `key`; a later call with an equal key gives the
 * same component and puts the same records back, instead of registering everything again (a
 * checks file builds the same component for each of its 20-50 fixtures).
 *
 * Why this is safe:
 * - The program under mocks is deterministic: the same arguments register the same resources with
 *   the same inputs (the day-2 tests rely on it too). `key` must name everything `create` depends
 *   on (typically the component's name and its args); it is compared by value (JSON), with each
 *   Output or Resource in it compared by identity, so an args object changed in place, or a fresh
 *   secret, is a different key and builds again.
 * - The records are frozen, inputs included: a test that changes a record in place throws instead
 *   of changing what the next test reads. Tests that mutate fixtures copy the records first.
 * - The cache is module state of this file, which test/setup.ts re-evaluates for every test file
 *   (vi.resetModules): nothing is shared between files (test/harness-isolation.test.ts checks both).
 * - A build that throws is not cached.
 */
export async function buildComponentOnce<T extends pulumi.Resource>(key: unknown, create: () => T, outputs: (c: T) => pulumi.Input<unknown>[] = () => []): Promise<T> {
    const id = cacheKey(key);
    const hit = builds.get(id) as { component: T; records: ResourceRecord[] } | undefined;
    if (hit !== undefined) {
        records.length = 0;
        records.push(...hit.records);
        return hit.component;
    }
    const component = await buildComponent(create, outputs);
    builds.set(id, { component, records: records.map(deepFreeze) });
    return component;
}

const builds = new Map<string, { component: unknown; records: ResourceRecord[] }>();
const identities = new WeakMap<object, number>();
let nextIdentity = 0;

/** `key` as JSON, with Outputs and Resources by identity (their toJSON would hide them). */
function cacheKey(key: unknown): string {
    return JSON.stringify(key, function (this: any, k: string, v: unknown) {
        const raw = k === "" ? key : this[k];
        if (pulumi.Output.isInstance(raw) || pulumi.Resource.isInstance(raw)) {
            if (!identities.has(raw)) {
                identities.set(raw, nextIdentity++);
            }
            return `<${pulumi.Output.isInstance(raw) ? "output" : "resource"} #${identities.get(raw)}>`;
        }
        return v;
    });
}

function deepFreeze<X>(value: X): X {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const v of Object.values(value)) {
            deepFreeze(v);
        }
    }
    return value;
}

const extraStates = harness.extraStates;

/**
 * Adds canned outputs for a resource type (merged over the inputs), for a test file whose
 * component reads an output the default mock does not produce.
 */
export function registerMockState(type: string, fn: StateFn): void {
    extraStates.set(type, fn);
}

function mockState(type: string, name: string, inputs: Record<string, any>): { id: string; state: Record<string, any> } {
    const extra = extraStates.get(type);
    if (extra !== undefined) {
        return { id: `${name}-id`, state: { ...inputs, ...extra(name, inputs) } };
    }
    const id = `${name}-id`;
    const arnFor = (service: string, kind: string) => `arn:aws:${service}:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:${kind}/${name}`;
    switch (type) {
        case "eks:index:Cluster": {
            const clusterName = inputs.name ?? name;
            const kubeconfig = {
                apiVersion: "v1",
                kind: "Config",
                clusters: [{ name: clusterName, cluster: { server: "https://mock.eks.amazonaws.com", "certificate-authority-data": "bW9jaw==" } }],
                contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
                "current-context": clusterName,
                users: [{ name: clusterName, user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", clusterName] } } }],
            };
            return {
                id,
                state: {
                    kubeconfig,
                    kubeconfigJson: JSON.stringify(kubeconfig),
                    clusterSecurityGroupId: "sg-0cluster0000000001",
                    nodeSecurityGroupId: "",
                    oidcProviderArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/oidc.eks.${MOCK_REGION}.amazonaws.com/id/MOCK`,
                    oidcIssuer: `oidc.eks.${MOCK_REGION}.amazonaws.com/id/MOCK`,
                    oidcProviderUrl: `https://oidc.eks.${MOCK_REGION}.amazonaws.com/id/MOCK`,
                    eksCluster: {
                        name: clusterName,
                        arn: `arn:aws:eks:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:cluster/${clusterName}`,
                        endpoint: "https://mock.eks.amazonaws.com",
                        version: inputs.version,
                    },
                },
            };
        }
        case "aws:kms/key:Key":
            return { id, state: { ...inputs, arn: arnFor("kms", "key"), keyId: id } };
        case "aws:rds/instance:Instance":
            return {
                id,
                state: {
                    ...inputs,
                    arn: arnFor("rds", "db"),
                    address: `${name}.mock.${MOCK_REGION}.rds.amazonaws.com`,
                    endpoint: `${name}.mock.${MOCK_REGION}.rds.amazonaws.com:5432`,
                    port: 5432,
                },
            };
        case "aws:s3/bucket:Bucket": {
            const bucket = inputs.bucket ?? `${name}-mock`;
            return { id: bucket, state: { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}` } };
        }
        case "random:index/randomId:RandomId":
            return { id, state: { ...inputs, hex: "0a1b2c3d", b64Url: "ChssPQ" } };
        case "random:index/randomPassword:RandomPassword":
        case "random:index/randomString:RandomString":
            return { id, state: { ...inputs, result: `mock-secret-${name}` } };
        // @pulumi/tls: PEM stand-ins that name the resource, so a test can tell a key from a certificate.
        case "tls:index/privateKey:PrivateKey":
            return { id, state: { ...inputs, privateKeyPem: `-----BEGIN PRIVATE KEY-----mock-${name}`, publicKeyPem: `-----BEGIN PUBLIC KEY-----mock-${name}` } };
        case "tls:index/selfSignedCert:SelfSignedCert":
        case "tls:index/locallySignedCert:LocallySignedCert": {
            // validity_start_time is the signing time and validity_end_time that plus
            // validity_period_hours (RFC 3339), from a fixed clock so records stay deterministic.
            const start = Date.parse(MOCK_SIGNING_TIME);
            const end = new Date(start + Number(inputs.validityPeriodHours ?? 0) * 3_600_000).toISOString().replace(/\.000Z$/, "Z");
            return { id, state: { ...inputs, certPem: `-----BEGIN CERTIFICATE-----mock-${name}`, validityStartTime: MOCK_SIGNING_TIME, validityEndTime: end } };
        }
        case "tls:index/certRequest:CertRequest":
            return { id, state: { ...inputs, certRequestPem: `-----BEGIN CERTIFICATE REQUEST-----mock-${name}` } };
        case "aws:eks/nodeGroup:NodeGroup":
            return { id, state: { ...inputs, arn: arnFor("eks", "nodegroup"), resources: [{ autoscalingGroups: [{ name: `eks-${name}-asg` }] }] } };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { id, state: { ...inputs, arn: arnFor("ec2", "launch-template"), latestVersion: 1 } };
        case "kubernetes:core/v1:Secret": {
            // The API server bumps resourceVersion whenever the object changes, and only then.
            const resourceVersion = `${createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 12)}`;
            return { id, state: { ...inputs, metadata: { ...(inputs.metadata ?? {}), resourceVersion } } };
        }
        case "kubernetes:core/v1:Namespace":
            return { id, state: { ...inputs, metadata: { ...(inputs.metadata ?? {}), name: inputs.metadata?.name ?? name } } };
        default:
            return {
                id,
                state: {
                    ...inputs,
                    name: inputs.name ?? name,
                    arn: inputs.arn ?? arnFor(type.split(":")[1]?.split("/")[0] ?? "mock", type.split(":")[2] ?? "resource"),
                },
            };
    }
}

const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
        return mockState(args.type, args.name, args.inputs);
    },
    call(args) {
        switch (args.token) {
            case "aws:index/getAvailabilityZones:getAvailabilityZones":
                return {
                    names: ["a", "b", "c", "d"].map((s) => `${MOCK_REGION}${s}`),
                    zoneIds: ["usw2-az1", "usw2-az2", "usw2-az3", "usw2-az4"],
                    id: MOCK_REGION,
                };
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/ci`, userId: "AIDAMOCK", id: MOCK_ACCOUNT_ID };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
            case "aws:index/getRegion:getRegion":
                return { name: MOCK_REGION, region: MOCK_REGION, id: MOCK_REGION };
            default:
                throw new Error(`unexpected provider function call in tests: ${args.token}`);
        }
    },
};

/**
 * Installs the mocks and the recorder. `test/setup.ts` calls it before each file's tests; a
 * whole-stack test calls it again with the stack's name (the recorder is installed only once).
 */
export async function installMocks(project = "mlplatform", stack = "test", preview = false): Promise<void> {
    if (harness.installed) {
        await pulumi.runtime.setMocks(mocks, project, stack, preview);
        return;
    }
    harness.installed = true;
    const proto = MockMonitor.prototype as any;
    const original = proto.registerResource;
    proto.registerResource = function (this: any, req: any, callback: any) {
        const urn = this.newUrn(req.getParent(), req.getType(), req.getName());
        const propDeps: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((v: any, k: string) => {
            propDeps[k] = v.getUrnsList();
        });
        const providers: Record<string, string> = {};
        req.getProvidersMap().forEach((v: string, k: string) => {
            providers[k] = v;
        });
        const secretPaths: string[] = [];
        const inputs = unwrapSecrets(pulumi.runtime.deserializeProperties(req.getObject()), "", secretPaths) as Record<string, any>;
        records.push({
            urn,
            type: req.getType(),
            name: req.getName(),
            inputs,
            custom: req.getCustom(),
            parent: req.getParent(),
            dependencies: req.getDependenciesList(),
            propertyDependencies: propDeps,
            provider: req.getProvider(),
            providers,
            protect: req.getProtect() === true,
            retainOnDelete: req.getRetainondelete() === true,
            deletedWith: req.getDeletedwith(),
            ignoreChanges: req.getIgnorechangesList(),
            deleteBeforeReplace: req.getDeletebeforereplace() === true,
            replaceOnChanges: req.getReplaceonchangesList(),
            remote: req.getRemote(),
            secretPaths,
            customTimeouts: req.getCustomtimeouts()?.toObject() ?? { create: "", update: "", delete: "" },
            // A spec alias without a name keeps the resource's name (the SDK adds those for a parent's
            // own aliases); only renames are recorded.
            aliases: req.getAliasesList().map((a: any) => a.hasSpec() ? a.getSpec().getName() : a.getUrn()).filter((a: string) => a !== ""),
        });
        return original.call(this, req, callback);
    };
    await pulumi.runtime.setMocks(mocks, project, stack, preview);
}
