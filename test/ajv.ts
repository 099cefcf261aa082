/**
 * One ajv factory for every schema the tests read from upstream (CRDs, chart values schemas).
 *
 * Kubernetes OpenAPI schemas use formats JSON Schema does not define (`int32`, `int64`, and
 * `date-time` without ajv-formats): unknown formats make ajv print a warning per use, thousands per
 * run, so they are declared here with the API server's meaning. Kueue's CRDs use Go RE2's inline
 * case-insensitive flag (`(?i)…`, kubernetes-sigs/kueue `apis/kueue/v1beta1`), which JavaScript's
 * RegExp refuses: it is turned into the `i` flag.
 */
import Ajv, { _, ValidateFunction } from "ajv";
import standaloneCode from "ajv/dist/standalone";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { parse } from "yaml";

const INT32 = 2 ** 31;

/** Go RE2 inline flags at the start of a pattern → a JavaScript RegExp with the same meaning. */
export function goRegExp(pattern: string, flags: string): RegExp {
    // The flag group may follow the anchor: Kueue writes `^(?i)[a-z]…`.
    const m = /^(\^?)\(\?([ims]+)\)/.exec(pattern);
    if (m === null) {
        return new RegExp(pattern, flags);
    }
    const extra = [...new Set(m[2])].filter((f) => !flags.includes(f)).join("");
    return new RegExp(m[1] + pattern.slice(m[0].length), flags + extra);
}

/** The Kubernetes formats, with the API server's meaning. */
const FORMATS = {
    int32: { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32 },
    int64: { type: "number", validate: (n: number) => Number.isInteger(n) },
    // RFC 3339, as the API server checks it.
    "date-time": /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
} as const;

// What the validators compiled to code by compileCached (a module of ajv's "standalone" code) call
// for formats and patterns; the code names them, since it runs outside this module.
const g = globalThis as { __mlplatformAjvFormats?: typeof FORMATS; __mlplatformGoRegExp?: typeof goRegExp };
g.__mlplatformAjvFormats ??= FORMATS;
g.__mlplatformGoRegExp ??= goRegExp;

/** An ajv instance for Kubernetes-flavoured JSON Schema (`source`: also keeps each validator's code). */
export function newAjv(source = false): Ajv {
    const regExp = Object.assign((pattern: string, flags: string) => goRegExp(pattern, flags), { code: "globalThis.__mlplatformGoRegExp" });
    const ajv = new Ajv({ strict: false, allErrors: true, code: { regExp, source, formats: _`globalThis.__mlplatformAjvFormats` } });
    for (const [name, format] of Object.entries(FORMATS)) {
        ajv.addFormat(name, format);
    }
    return ajv;
}

/**
 * Memoises `make()` under `key` for the whole worker, across test files: a vitest worker runs many
 * files and gives each a fresh module graph (test/setup.ts), so a module-level cache would compile
 * the same 1.5 MB ECK CRD schema again in every file that validates a stack. Kept on `globalThis`.
 * Only for values derived from files that do not change during a run (upstream schemas).
 */
export function perWorker<T>(key: string, make: () => T): T {
    const cache: Map<string, unknown> = ((globalThis as any).__mlplatformSchemaCache ??= new Map());
    if (!cache.has(key)) {
        cache.set(key, make());
    }
    return cache.get(key) as T;
}

/** The schema at `key` compiled once per worker with {@link newAjv}, and once per content across runs ({@link compileCached}). */
export function compiledOnce(key: string, schema: () => object): ValidateFunction {
    return perWorker(`ajv:${key}`, () => compileCached(schema()));
}

/** Where {@link compileCached} keeps compiled validators between runs. */
export const AJV_CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "mlplatform-tests", "ajv");

/**
 * A validator for `schema`, compiled once per content across runs: compiling the ECK Elasticsearch
 * and Kibana schemas takes ~2.5 s in every worker, loading ajv's own generated code for them (its
 * "standalone" module, ajv/dist/standalone) ~0.1 s. The code is the very function ajv compiles
 * in-process, so it accepts and reports exactly the same. Safe because the module is keyed by the
 * SHA-256 of the schema, ajv's version, this file (options, formats, pattern rule) and the
 * standalone code is written to a temporary file and renamed (workers may race; a module that
 * fails to load is compiled again). test/ajv.test.ts checks hit, same errors, and a changed schema.
 */
export function compileCached(schema: object, cacheDir = AJV_CACHE_DIR): ValidateFunction {
    const ajvVersion = JSON.parse(fs.readFileSync(require.resolve("ajv/package.json"), "utf8")).version;
    const key = createHash("sha256").update(`ajv@${ajvVersion}\n${fs.readFileSync(__filename, "utf8")}\n${JSON.stringify(schema)}`).digest("hex");
    const file = path.join(cacheDir, `${key}.cjs`);
    if (fs.existsSync(file)) {
        try {
            return require(file) as ValidateFunction;
        } catch {
            // A torn write: compile again.
        }
    }
    const ajv = newAjv(true);
    const validate = ajv.compile(schema);
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, standaloneCode(ajv, validate));
    fs.renameSync(tmp, file);
    return validate;
}

/** Where {@link parseYamlOnce} keeps documents between runs (node_modules is never committed). */
export const YAML_CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "mlplatform-tests", "yaml");

/**
 * A YAML file's document, parsed once per content across runs: the two ECK CRDs (2.8 MB) take
 * ~1.4 s to parse in every worker, their JSON ~10 ms to read. Safe because the JSON is keyed by the
 * SHA-256 of the YAML text and the yaml library's version (an edited or upgraded input is parsed
 * again), is written only when the document survives the JSON round trip unchanged (plain data),
 * and is written to a temporary file and renamed (workers may race; a torn or removed cache file
 * is parsed again). test/ajv.test.ts checks the three.
 */
export function parseYamlOnce(file: string, cacheDir = YAML_CACHE_DIR): any {
    const text = fs.readFileSync(file, "utf8");
    const yamlVersion = JSON.parse(fs.readFileSync(require.resolve("yaml/package.json"), "utf8")).version;
    const cached = path.join(cacheDir, `${createHash("sha256").update(`yaml@${yamlVersion}\n${text}`).digest("hex")}.json`);
    try {
        return JSON.parse(fs.readFileSync(cached, "utf8"));
    } catch {
        // Not cached yet (or a torn write): parse it.
    }
    const doc = parse(text);
    const json = JSON.stringify(doc);
    if (isDeepStrictEqual(JSON.parse(json), doc)) {
        fs.mkdirSync(cacheDir, { recursive: true });
        const tmp = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, json);
        fs.renameSync(tmp, cached);
    }
    return doc;
}
