/**
 * The settings framework every layer's `settings.ts` uses. A layer declares its config keys in one
 * table ({@link KeyTable}: type, description, per-preset default) and resolves them with a
 * {@link Settings} reader, whose every error is a {@link ConfigError} naming the key, the bad value
 * and what is valid. `config.ts` merges the tables, reads `pulumi.Config` once and hands each layer
 * its reader; `scripts/gen-config-docs.ts` renders the same tables into Pulumi.yaml and the README,
 * so a default has one owner: the table.
 */
import * as pulumi from "@pulumi/pulumi";
import { Cidr, parseCidr } from "./cidr";

/** The config namespace: the project name in Pulumi.yaml. */
export const NAMESPACE = "mlplatform";

export type Preset = "sandbox" | "production";
export const PRESETS: readonly Preset[] = ["sandbox", "production"];

/** The error every invalid setting raises. */
export class ConfigError extends Error {
    constructor(
        readonly key: string,
        readonly value: unknown,
        readonly valid: string,
    ) {
        super(`Invalid config ${key.includes(":") ? key : `${NAMESPACE}:${key}`} = ${JSON.stringify(value)}: ${valid}`);
        this.name = "ConfigError";
    }
}

export type KeyType = "string" | "integer" | "boolean" | "string[]" | "object[]";

/** One config key: its type, description and defaults (also rendered into Pulumi.yaml and the README). */
export interface KeySpec {
    readonly type: KeyType;
    readonly description: string;
    /** The key holds a secret; read it with getSecret. */
    readonly secret?: boolean;
    /**
     * Every stack must set the key. Only such keys are declared in Pulumi.yaml: the Pulumi CLI
     * refuses a stack that leaves a declared key without `default` unset (scripts/gen-config-docs.ts).
     */
    readonly required?: boolean;
    /** The value a stack gets per preset when it does not set the key. The readers fall back to it. */
    readonly default?: { readonly sandbox: unknown; readonly production: unknown };
    /** README wording of a default that a value alone would not explain (a rule, a derived value). */
    readonly docs?: { readonly sandbox?: string; readonly production?: string };
}

/** A layer's keys. */
export type KeyTable = Readonly<Record<string, KeySpec>>;

/** Raw values as read from the stack: strings, or already-parsed JSON for structured keys. */
export type RawConfig = { [key: string]: unknown };

/** Secret config values, read with getSecret so they stay secret. */
export type SecretConfig = { [key: string]: pulumi.Input<string> | undefined };

/**
 * A layer's typed view of the stack's config. Every reader falls back to the key table's default for
 * the stack's preset (or to an explicit fallback for a derived default) and names its key in the
 * error it throws.
 */
export class Settings<K extends string> {
    constructor(
        private readonly keys: Readonly<Record<K, KeySpec>>,
        readonly raw: RawConfig,
        readonly secrets: SecretConfig,
        readonly preset: Preset,
    ) {}

    /** True when the stack sets the key. */
    has(key: K): boolean {
        return this.key(key) !== undefined && (this.raw[key] !== undefined || this.secrets[key] !== undefined);
    }

    /** The key table's default for this preset. */
    default<T>(key: K): T {
        const d = this.key(key).default;
        if (d === undefined) {
            throw new Error(`${key} has no default in its key table`);
        }
        return d[this.preset] as T;
    }

    /** Throws the ConfigError for `key`. */
    fail(key: K, value: unknown, valid: string): never {
        throw new ConfigError(key, value, valid);
    }

    str(key: K): string | undefined {
        const v = this.raw[key];
        if (v === undefined) {
            return this.fallback<string>(key);
        }
        if (typeof v !== "string") {
            this.fail(key, v, "must be a string");
        }
        return v;
    }

    oneOf<T extends string>(key: K, allowed: readonly T[], fallback?: T): T {
        const v = this.raw[key] === undefined ? fallback ?? this.str(key) : this.str(key);
        if (v === undefined || !(allowed as readonly string[]).includes(v)) {
            this.fail(key, v, `must be one of ${allowed.join(", ")}`);
        }
        return v as T;
    }

    int(key: K, min: number, max: number, fallback?: number): number {
        const v = this.raw[key];
        if (v === undefined) {
            return fallback ?? this.default<number>(key);
        }
        const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
        if (!Number.isInteger(n)) {
            this.fail(key, v, `must be a whole number between ${min} and ${max}`);
        }
        if (n < min || n > max) {
            this.fail(key, n, `must be between ${min} and ${max}`);
        }
        return n;
    }

    bool(key: K, fallback?: boolean): boolean {
        const v = this.raw[key];
        if (v === undefined) {
            return fallback ?? this.default<boolean>(key);
        }
        if (v === true || v === "true") {
            return true;
        }
        if (v === false || v === "false") {
            return false;
        }
        return this.fail(key, v, "must be true or false");
    }

    strList(key: K, fallback?: string[]): string[] {
        let v = this.raw[key];
        if (v === undefined) {
            return fallback ?? [...this.default<string[]>(key)];
        }
        if (typeof v === "string") {
            try {
                v = JSON.parse(v);
            } catch {
                this.fail(key, v, "must be a list of strings (a YAML list in the stack file)");
            }
        }
        if (!Array.isArray(v) || v.some((e) => typeof e !== "string")) {
            this.fail(key, v, "must be a list of strings (a YAML list in the stack file)");
        }
        return v as string[];
    }

    /** A list of objects (a YAML list in the stack file, or its JSON text); undefined when unset. */
    objectList(key: K, what = "objects"): Record<string, unknown>[] | undefined {
        let v = this.raw[key];
        if (v === undefined) {
            return undefined;
        }
        if (typeof v === "string") {
            try {
                v = JSON.parse(v);
            } catch {
                this.fail(key, v, `must be a list of ${what} (a YAML list in the stack file)`);
            }
        }
        if (!Array.isArray(v) || v.some((e) => e === null || typeof e !== "object" || Array.isArray(e))) {
            this.fail(key, v, `must be a list of ${what} (a YAML list in the stack file)`);
        }
        return v as Record<string, unknown>[];
    }

    /** A secret key's value (still a secret Output), or undefined. */
    secret(key: K): pulumi.Input<string> | undefined {
        return this.secrets[key];
    }

    /** An IPv4 CIDR block, or an error naming `key`. */
    cidr(key: K, text: string): Cidr {
        const c = parseCidr(text);
        if (typeof c === "string") {
            this.fail(key, text, `${c}; expected an IPv4 CIDR block such as 10.0.0.0/16`);
        }
        return c;
    }

    private key(key: K): KeySpec {
        const spec = this.keys[key];
        if (spec === undefined) {
            throw new Error(`${key} is not a key of this layer's table`);
        }
        return spec;
    }

    private fallback<T>(key: K): T | undefined {
        return this.key(key).default?.[this.preset] as T | undefined;
    }
}
