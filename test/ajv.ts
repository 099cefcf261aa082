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
