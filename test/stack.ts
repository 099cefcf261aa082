/**
 * Loads the real program with one stack file's config under mocks, as `pulumi up` would, and
 * returns its exports once every registration has been recorded.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { CONFIG_KEYS, ConfigKey } from "../config";
import { installMocks, resolve, settle } from "./mocks";

/** The project root: the nearest folder above this file with a Pulumi.yaml (also when compiled to bin/). */
export const ROOT = (() => {
    let dir = __dirname;
    while (!fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
        const up = path.dirname(dir);
        if (up === dir) {
            throw new Error(`no Pulumi.yaml above ${__dirname}`);
        }
        dir = up;
    }
    return dir;
})();

/** A stack file's `config:` map with every value as the string Pulumi would hand the program. */
export function stackConfig(stack: string): Record<string, string> {
    const doc = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) ?? {};
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries<unknown>(doc.config ?? {})) {
        out[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return out;
}

/**
 * Secrets a production stack must set with `pulumi config set --secret` (test values). Typed by
 * the secret keys of CONFIG_KEYS, so naming a key that does not exist (or is not secret) does not
 * compile (`PROD_SECRETS["mlplatform:jupyterOauthClientSecret"]` is TS7053 under `strict`).
 */
export const PROD_SECRETS = {
    "mlplatform:alertSlackWebhookUrl": "https://hooks.slack.com/services/T000/B000/test-webhook-secret",
    "mlplatform:alertDeadMansSwitchUrl": "https://heartbeat.example.com/ping/test-dms-secret",
    "mlplatform:oidcClientSecret": "test-oauth-client-secret",
} as const satisfies Partial<Record<`mlplatform:${SecretKey}`, string>>;

/** The keys of CONFIG_KEYS declared `secret: true`. */
type SecretKey = { [K in ConfigKey]: (typeof CONFIG_KEYS)[K] extends { secret: true } ? K : never }[ConfigKey];

/**
 * Runs `index.ts` for a stack. `overrides` adds or replaces keys (e.g. secrets a stack file
 * holds only as ciphertext); `secretKeys` marks keys as secret like `pulumi config set --secret`.
 */
export async function loadStack(stack: string, overrides: Record<string, string> = {}, secretKeys: string[] = []): Promise<Record<string, unknown>> {
    await installMocks("mlplatform", stack);
    pulumi.runtime.setAllConfig({ ...stackConfig(stack), ...overrides }, secretKeys);
    const program = await import("../index");
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(program)) {
        outputs[key] = await resolve(value as pulumi.Input<unknown>);
    }
    await settle();
    return outputs;
}
