/**
 * One ajv factory for every schema the tests read from upstream (CRDs, chart values schemas).
 *
 * Kubernetes OpenAPI schemas use formats JSON Schema does not define (`int32`, `int64`, and
 * `date-time` without ajv-formats): unknown formats make ajv print a warning per use, thousands per
 * run, so they are declared here with the API server's meaning. Kueue's CRDs use Go RE2's inline
 * case-insensitive flag (`(?i)…`, kubernetes-sigs/kueue `apis/kueue/v1beta1`), which JavaScript's
 * RegExp refuses: it is turned into the `i` flag.
 */
import Ajv, { ValidateFunction } from "ajv";
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

/** An ajv instance for Kubernetes-flavoured JSON Schema. */
export function newAjv(): Ajv {
    const regExp = Object.assign((pattern: string, flags: string) => goRegExp(pattern, flags), { code: "new RegExp" });
    const ajv = new Ajv({ strict: false, allErrors: true, code: { regExp } });
    ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32 });
    ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
    // RFC 3339, as the API server checks it.
    ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/);
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

/** The schema at `key` compiled once per worker with {@link newAjv}. */
export function compiledOnce(key: string, schema: () => object): ValidateFunction {
    return perWorker(`ajv:${key}`, () => newAjv().compile(schema()));
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
