/**
 * Offline schema validation of the Kubernetes objects the program declares.
 *
 * Built-in kinds are checked with the `kubernetes-models` validators (the Kubernetes OpenAPI
 * schema); prometheus-operator kinds with `@kubernetes-models/prometheus-operator`; ECK and Kueue
 * kinds with the CRD schemas in `../shared/crd-schemas`, when that folder is present. CRD schemas are made
 * strict (unknown fields refused) the way the API server prunes them: a misspelt field would be
 * dropped silently at apply time, so here it fails.
 */
import * as fs from "fs";
import * as path from "path";
import { compiledOnce, parseYamlOnce, perWorker } from "./ajv";
import { ResourceRecord } from "./mocks";
import { ROOT } from "./stack";

/** `../shared` beside the checkout (CI and developers have it; users do not). */
export const SHARED_DIR = path.resolve(ROOT, "..", "shared");
export const HAS_SHARED = fs.existsSync(path.join(SHARED_DIR, "crd-schemas"));

/** Types that are not Kubernetes objects (providers, Helm releases: their values are checked apart). */
const NOT_OBJECTS = new Set(["pulumi:providers:kubernetes", "kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart", "kubernetes:yaml/v2:ConfigGroup"]);

/** True for a record that is a Kubernetes object the program declares. */
export function isK8sObject(r: ResourceRecord): boolean {
    return r.type.startsWith("kubernetes:") && !NOT_OBJECTS.has(r.type);
}

/** `kubernetes:apps/v1:Deployment` → { group: "apps", version: "v1", kind: "Deployment" }. */
export function parseK8sType(type: string): { group: string; version: string; kind: string } {
    const [, gv, kind] = type.split(":");
    const [group, version] = gv.split("/");
    return { group, version, kind };
}

/** Makes a CRD schema strict: objects with listed properties refuse unlisted ones. */
function strict(schema: any): any {
    if (schema === null || typeof schema !== "object") {
        return schema;
    }
    if (Array.isArray(schema)) {
        return schema.map(strict);
    }
    const out: any = {};
    for (const [k, v] of Object.entries(schema)) {
        // Kubernetes extensions are not JSON Schema keywords.
        if (k.startsWith("x-kubernetes-")) {
            continue;
        }
        out[k] = strict(v);
    }
    if (schema.type === "object" && schema.properties && !schema["x-kubernetes-preserve-unknown-fields"] && schema.additionalProperties === undefined) {
        out.additionalProperties = false;
    }
    return out;
}

/** Every CRD version in `../shared/crd-schemas` by `group/version:Kind`, read once per worker. */
function crdSchemas(): Map<string, () => object> {
    return perWorker("crd-schemas", () => {
        const out = new Map<string, () => object>();
        if (!HAS_SHARED) {
            return out;
        }
        const dir = path.join(SHARED_DIR, "crd-schemas");
        for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
            const crd = parseYamlOnce(path.join(dir, file));
            for (const v of crd.spec.versions) {
                out.set(`${crd.spec.group}/${v.name}:${crd.spec.names.kind}`, () => {
                    const schema = strict(v.schema.openAPIV3Schema);
                    // metadata is validated by the API server, not the CRD.
                    schema.properties.metadata = { type: "object" };
                    return schema;
                });
            }
        }
        return out;
    });
}

/** The validator of one CRD version, compiled the first time a test asks for it (once per worker). */
function crdValidator(crdKey: string): ((data: unknown) => string[]) | undefined {
    const schema = crdSchemas().get(crdKey);
    if (schema === undefined) {
        return undefined;
    }
    const validate = compiledOnce(`crd:${crdKey}`, schema);
    return (data) => validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${(e.params as any).additionalProperty})` : ""}`);
}

/** API groups whose schemas come from the CRDs in `../shared/crd-schemas` (ECK, Kueue). */
export function isSharedCrdGroup(group: string): boolean {
    return group.endsWith(".k8s.elastic.co") || group === "kueue.x-k8s.io";
}

/** Module path of the kubernetes-models class for a type, or undefined if it is not a built-in kind. */
function modelModule(group: string, version: string, kind: string): string {
    if (group === "monitoring.coreos.com") {
        return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
    }
    return group === "core" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

/**
 * Validates one recorded object. Returns the list of problems (empty when valid). Throws when
 * no schema is known for the kind, so a new kind cannot slip through unvalidated.
 */
export async function validateK8sObject(r: ResourceRecord): Promise<string[]> {
    const parsed = parseK8sType(r.type);
    const { group, version } = parsed;
    // A `<Kind>Patch` is validated as a whole `<Kind>`: server-side apply creates the object from it
    // when it does not exist yet, so it must be a valid object on its own.
    const kind = parsed.kind.replace(/Patch$/, "");
    const data = { ...r.inputs, apiVersion: group === "core" ? version : `${group}/${version}`, kind };
    const crdKey = `${group}/${version}:${kind}`;
    if (isSharedCrdGroup(group)) {
        const v = crdValidator(crdKey);
        if (v === undefined) {
            throw new Error(`no CRD schema for ${crdKey} in ${SHARED_DIR}/crd-schemas`);
        }
        return v(data);
    }
    let mod: any;
    try {
        mod = await import(modelModule(group, version, kind));
    } catch (e) {
        throw new Error(`no schema known for ${r.type} (${(e as Error).message})`);
    }
    try {
        new mod[kind](data).validate();
        return [];
    } catch (e) {
        return [(e as Error).message];
    }
}

/** Validates every object and returns `name: problem` lines for the invalid ones. */
export async function invalidObjects(records: ResourceRecord[], opts: { skipEck?: boolean } = {}): Promise<string[]> {
    const problems: string[] = [];
    for (const r of records.filter(isK8sObject)) {
        // skipEck: every kind whose schema lives in ../shared (ECK and Kueue CRDs), for runs without it.
        if (opts.skipEck && isSharedCrdGroup(parseK8sType(r.type).group)) {
            continue;
        }
        for (const p of await validateK8sObject(r)) {
            problems.push(`${r.type} ${r.name}: ${p}`);
        }
    }
    return problems;
}
