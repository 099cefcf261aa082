/**
 * Validates Helm values the way `helm install` does: the chart's default values merged with ours
 * (Helm's coalesce rules), then checked against the chart's `values.schema` with ajv. A wrong key
 * or type fails a test instead of a deploy. Reusable by any layer whose chart ships a schema.
 */
import * as fs from "fs";
import * as path from "path";
import { compiledOnce, perWorker } from "./ajv";
import { parse } from "yaml";
import { HAS_SHARED, SHARED_DIR } from "./k8s-schema";

const isMap = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === "object" && !Array.isArray(x);

/**
 * Helm's merge of user values over chart defaults: maps merge key by key, lists and scalars
 * replace, and a `null` from the user deletes the key (Helm's documented way to drop a default;
 * helm/helm v3.20.2 `pkg/chartutil/coalesce.go`, `coalesceValues` and `coalesceTablesFullKey`.
 * Helm keeps a `null` whose key the chart does not default; this helper drops it, which renders the same).
 */
export function mergeHelmValues(defaults: unknown, overrides: unknown): unknown {
    if (!isMap(defaults) || !isMap(overrides)) {
        return overrides === undefined ? defaults : overrides;
    }
    const out: Record<string, unknown> = { ...defaults };
    for (const [k, v] of Object.entries(overrides)) {
        if (v === null) {
            delete out[k];
        } else if (v !== undefined) {
            out[k] = k in defaults ? mergeHelmValues(defaults[k], v) : v;
        }
    }
    return out;
}

/** Drops `undefined` (JSON would) so values look as Helm receives them. */
function asJson(values: unknown): unknown {
    return JSON.parse(JSON.stringify(values ?? {}));
}

/**
 * Merges `values` over the chart defaults at `defaultsPath` and validates the result against the
 * schema at `schemaPath`. Returns ajv's errors as readable strings (empty when valid).
 */
export function chartValuesErrors(schemaPath: string, defaultsPath: string, values: unknown): string[] {
    // Parsed and compiled once per worker (upstream files; mergeHelmValues does not mutate its inputs).
    const defaults = perWorker(`yaml:${defaultsPath}`, () => parse(fs.readFileSync(defaultsPath, "utf8")) ?? {});
    const merged = mergeHelmValues(defaults, asJson(values));
    const validate = compiledOnce(schemaPath, () => parse(fs.readFileSync(schemaPath, "utf8")));
    if (validate(merged)) {
        return [];
    }
    return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${(e.params as any).additionalProperty})` : ""}`);
}

/** Chart schemas copied from upstream into `../shared/chart-schemas`. */
export const CHART_SCHEMA_DIR = path.join(SHARED_DIR, "chart-schemas");
/** z2jh 4.4.0 `values.schema.yaml` and default `values.yaml`. */
export const JUPYTERHUB_SCHEMA = path.join(CHART_SCHEMA_DIR, "jupyterhub-4.4.0.values.schema.yaml");
export const JUPYTERHUB_DEFAULTS = path.join(CHART_SCHEMA_DIR, "jupyterhub-4.4.0.values.yaml");
/** True when ../shared and both JupyterHub files are present (tests that need them skip otherwise). */
export const HAS_JUPYTERHUB_SCHEMA = HAS_SHARED && fs.existsSync(JUPYTERHUB_SCHEMA) && fs.existsSync(JUPYTERHUB_DEFAULTS);

/** {@link chartValuesErrors} for the pinned JupyterHub chart. */
export function jupyterHubValuesErrors(values: unknown): string[] {
    return chartValuesErrors(JUPYTERHUB_SCHEMA, JUPYTERHUB_DEFAULTS, values);
}

/**
 * Value paths that the chart's default values do not have. For a chart without a values schema
 * Helm renders such keys into nothing, silently; so every path the program sets must exist in the
 * defaults, except below a default that is an empty map (free-form: annotations, nodeSelector).
 * Lists and scalars are leaves (Helm replaces them whole).
 */
export function unknownValuePaths(defaults: unknown, values: unknown, freeForm: readonly string[] = [], at = ""): string[] {
    if (!isMap(values) || freeForm.includes(at)) {
        return [];
    }
    if (!isMap(defaults)) {
        return [at || "/"];
    }
    if (Object.keys(defaults).length === 0) {
        return [];
    }
    return Object.entries(values).flatMap(([k, v]) => {
        const path = `${at}.${k}`;
        if (!(k in defaults)) {
            return [path];
        }
        return isMap(v) ? unknownValuePaths(defaults[k], v, freeForm, path) : [];
    });
}

/** Kueue 0.19.2 default `values.yaml` (the chart ships no values schema). */
export const KUEUE_DEFAULTS = path.join(CHART_SCHEMA_DIR, "kueue-0.19.2.values.yaml");
export const HAS_KUEUE_VALUES = HAS_SHARED && fs.existsSync(KUEUE_DEFAULTS);

/**
 * Kueue values the chart renders whole with `toYaml` (kubernetes-sigs/kueue v0.19.2
 * `charts/kueue/templates/manager/manager.yaml`), so any field of the Kubernetes type is valid below them.
 */
const KUEUE_FREE_FORM = [".controllerManager.manager.podSecurityContext", ".controllerManager.manager.containerSecurityContext", ".controllerManager.manager.resources"];

/** The Kueue chart's defaults merged with `values` the Helm way, and the paths Helm would ignore. */
export function kueueValuesMerge(values: unknown): { merged: any; unknownPaths: string[] } {
    const defaults = parse(fs.readFileSync(KUEUE_DEFAULTS, "utf8")) ?? {};
    const json = asJson(values);
    return { merged: mergeHelmValues(defaults, json), unknownPaths: unknownValuePaths(defaults, json, KUEUE_FREE_FORM) };
}
