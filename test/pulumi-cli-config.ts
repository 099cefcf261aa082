/**
 * The Pulumi CLI's project-config rule, reproduced so a test can apply it to Pulumi.yaml and every
 * stack file (mocks never run it: `setAllConfig` takes whatever it is given).
 *
 * Source: pulumi/pulumi v3.259.0 (the CLI the README asks for is 3.x; this is its newest tag here).
 * - `pkg/workspace/config.go`, `mergeConfig` (run with validate=true by `pulumi up`/`preview`
 *   through `ValidateStackConfigAndApplyProjectConfig`): a key declared under `config:` in the
 *   project's namespace with neither `default` nor `value` that the stack does not set is collected
 *   and the stack refused: "Stack 'dev' is missing configuration values 'a' and 'b'". Declared
 *   defaults are then copied into the stack's config.
 * - same file, `validateStackConfigValues`/`validateStackConfigValue`: only for keys with an
 *   explicit `type`, a `secret: true` key must be `secure:` in the stack ("must be encrypted as it's
 *   secret"), and the value must pass `ValidateConfigValue` ("must be of type 'integer'"). A scalar
 *   stack value reaches the check as its string; a list or map as parsed JSON.
 * - `sdk/go/common/workspace/project.go`: `ValidateConfigValue` (string: a string; integer: an int,
 *   a whole float or a string `strconv.Atoi` accepts; boolean: a bool or "true"/"false"; object: a
 *   map; array: a list whose items match `items`), `Project.Validate` (no `default` and `value`
 *   together; an `array` needs `items`; a default must match its type; keys outside the project's
 *   namespace carry only a `value`), and `RewriteShorthandConfigValues` (`key: 3` means `default: 3`).
 *
 * (`pulumi config get` uses `ApplyProjectConfig`, the same merge without validation, in v3.259.0.)
 */

interface ItemsType {
    readonly type: string;
    readonly items?: ItemsType;
}

interface ConfigType {
    readonly type?: string;
    readonly items?: ItemsType;
    readonly default?: unknown;
    readonly value?: unknown;
    readonly secret?: boolean;
}

/** A parsed Pulumi.yaml: `name` and `config`. */
export interface ProjectFile {
    readonly name: string;
    readonly config?: Record<string, unknown> | null;
}

/** A parsed Pulumi.<stack>.yaml. */
export interface StackFile {
    readonly config?: Record<string, unknown> | null;
}

function namespacedByProject(project: string, key: string): boolean {
    return !key.includes(":") || key.startsWith(`${project}:`);
}

function fullKey(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/** `RewriteShorthandConfigValues`: a bare scalar or list is a default (or, outside the namespace, a value). */
function declarations(project: ProjectFile): Record<string, ConfigType> {
    const out: Record<string, ConfigType> = {};
    for (const [key, raw] of Object.entries(project.config ?? {})) {
        const isShorthand = raw === null || typeof raw !== "object" || Array.isArray(raw);
        out[key] = isShorthand ? (namespacedByProject(project.name, key) ? { default: raw } : { value: raw }) : (raw as ConfigType);
    }
    return out;
}

/** `ValidateConfigValue` (sdk/go/common/workspace/project.go). */
export function validateConfigValue(type: string, items: ItemsType | undefined, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            // strconv.Atoi: optional sign, decimal digits.
            return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^[+-]?\d+$/.test(value));
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "object":
            return value !== null && typeof value === "object" && !Array.isArray(value);
        default:
            return Array.isArray(value) && items !== undefined && value.every((v) => validateConfigValue(items.type, items.items, v));
    }
}

/** `InferFullTypeName`: `array<string>` for arrays. */
function fullTypeName(type: string, items: ItemsType | undefined): string {
    return items === undefined ? type : `array<${fullTypeName(items.type, items.items)}>`;
}

/** `Project.Validate`: the error `pulumi` prints when it loads this Pulumi.yaml, or undefined. */
export function projectError(project: ProjectFile): string | undefined {
    for (const [key, t] of Object.entries(declarations(project))) {
        if (t.default !== undefined && t.value !== undefined) {
            return `project config '${key}' cannot have both a 'default' and 'value' attribute`;
        }
        if (namespacedByProject(project.name, key)) {
            if (t.type === "array" && t.items === undefined) {
                return `The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`;
            }
            if (t.type !== undefined && t.default !== undefined && !validateConfigValue(t.type, t.items, t.default)) {
                return `The default value specified for configuration key '${key}' is not of the expected type '${fullTypeName(t.type, t.items)}'`;
            }
        } else {
            if (t.type !== undefined) {
                return `Configuration key '${key}' is not namespaced by the project and should not define a type`;
            }
            if (t.default !== undefined) {
                return `Configuration key '${key}' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?`;
            }
            if (t.value === undefined) {
                return `Configuration key '${key}' is namespaced and must provide an attribute 'value'`;
            }
        }
    }
    return undefined;
}

function isSecure(v: unknown): v is { secure: string } {
    return v !== null && typeof v === "object" && !Array.isArray(v) && typeof (v as { secure?: unknown }).secure === "string";
}

/** `formatMissingKeys` + `missingStackConfigurationKeysError`. */
function missingError(stack: string, keys: string[]): string {
    const sorted = [...keys].sort();
    const list = sorted.length === 1 ? `'${sorted[0]}'` : `${sorted.slice(0, -1).map((k) => `'${k}'`).join(", ")} and '${sorted[sorted.length - 1]}'`;
    return `Stack '${stack}' is missing configuration value${sorted.length > 1 ? "s" : ""} ${list}`;
}

/** What `mergeConfig` (validate=true) decides for one stack. */
export interface StackVerdict {
    /** Declared keys without default or value that the stack leaves unset. */
    readonly missing: string[];
    /** Secret and type violations of keys the stack sets (reported once nothing is missing). */
    readonly typeErrors: string[];
    /** The error `pulumi up`/`preview` stops with, or undefined when the stack passes. */
    readonly error: string | undefined;
}

/** `mergeConfig` with validation, as `pulumi up` and `pulumi preview` run it on one stack. */
export function checkStack(project: ProjectFile, stackName: string, stack: StackFile): StackVerdict {
    const decl = declarations(project);
    const cfg = stack.config ?? {};
    const keys = Object.keys(decl).sort();
    const missing = keys.filter((k) => {
        const t = decl[k];
        const namespace = fullKey(project.name, k).split(":")[0];
        return !(fullKey(project.name, k) in cfg) && t.default === undefined && t.value === undefined && namespace === project.name;
    });
    const typeErrors: string[] = [];
    for (const k of keys) {
        const t = decl[k];
        if (t.type === undefined) {
            continue;
        }
        const key = fullKey(project.name, k);
        // A key the stack leaves unset gets the declared default, which Project.Validate has checked.
        if (!(key in cfg)) {
            continue;
        }
        const v = cfg[key];
        if (t.secret === true && !isSecure(v)) {
            typeErrors.push(`Stack '${stackName}' with configuration key '${k}' must be encrypted as it's secret`);
            continue;
        }
        let content: unknown;
        if (isSecure(v)) {
            // The ciphertext cannot be decrypted here; a string secret decrypts to a string.
            content = t.type === "string" ? "<decrypted>" : undefined;
        } else if (v !== null && typeof v === "object") {
            content = JSON.parse(JSON.stringify(v));
        } else {
            content = String(v);
        }
        if (!validateConfigValue(t.type, t.items, content)) {
            typeErrors.push(`Stack '${stackName}' with configuration key '${k}' must be of type '${fullTypeName(t.type, t.items)}'`);
        }
    }
    // The CLI reports the missing keys first and stops; otherwise the first type error (keys sorted).
    return { missing, typeErrors, error: missing.length > 0 ? missingError(stackName, missing) : typeErrors[0] };
}
