/**
 * The serving layer's config key, `models`: one entry per registered MLflow model that becomes an
 * endpoint in its team's namespace. Parsing fills the defaults and refuses bad input before any
 * resource exists, naming `models[i].<field>`, the bad value and what is valid.
 */
import * as pulumi from "@pulumi/pulumi";
import { validateIngress } from "../shared/ingress";
import { IngressKey } from "../shared/ingress-settings";
import { KeyTable, Settings } from "../shared/settings";
import { TeamSpec } from "../tenancy";
import { GatewaySettings } from "./gateway";

/** oauth2-proxy's `--proxy-prefix` default (v7.15.3 `pkg/apis/options/options.go`): no team's path may start with it. */
const GATEWAY_RESERVED_SEGMENT = "oauth2";

/** One model endpoint, as a stack file declares it (`mlplatform:models`). */
export interface ModelSpec {
    /** DNS label, unique within its team; names the Deployment, Service and in-cluster host. */
    readonly name: string;
    /** An existing team; the endpoint lives in the team's (main) namespace and counts against its quota. */
    readonly team: string;
    /** A registry URI: `models:/<name>/<version>` or `models:/<name>@<alias>`. */
    readonly modelUri: string;
    /** @default 1 in a sandbox, 2 in production (which refuses fewer: checklist K8S-13) */
    readonly minReplicas?: number;
    /** @default 3, or minReplicas when that is higher */
    readonly maxReplicas?: number;
    /** Average CPU utilisation (percent of the request) the HPA keeps. @default 70 */
    readonly targetCpuUtilization?: number;
    /** CPU request per replica, a Kubernetes quantity. @default "1" */
    readonly cpu?: string;
    /** Memory request (= limit) per replica, a Kubernetes quantity. @default "2Gi" */
    readonly memory?: string;
    /** GPUs per replica: 0, or 1 to schedule on the GPU group (which scales from zero). @default 0 */
    readonly gpu?: number;
    /**
     * Production only: serve the model at `https://<servingIngressHost>/<team>/<name>/invocations`
     * through the platform's HTTPS Ingress and its bearer-token proxy (gateway.ts). A sandbox
     * refuses it (port-forward there). @default false
     */
    readonly expose?: boolean;
}

/** A {@link ModelSpec} with every default applied. */
export type ResolvedModel = Required<ModelSpec>;

/** The defaults the issue documents (sandbox); the README table quotes them. */
export const MODEL_DEFAULTS = { minReplicas: 1, maxReplicas: 3, targetCpuUtilization: 70, cpu: "1", memory: "2Gi", gpu: 0, expose: false } as const;

/**
 * Per-preset minimum replicas. Production serves every endpoint from at least two replicas behind
 * a PodDisruptionBudget (checklist K8S-13: a node drain must not take an endpoint down).
 */
export const MIN_REPLICAS = { sandbox: 1, production: 2 } as const;

/** Pods a rolling update may add on top of the replicas (the Deployment's maxSurge). */
export const MAX_SURGE = 1;

const FIELDS = new Set(["name", "team", "modelUri", "minReplicas", "maxReplicas", "targetCpuUtilization", "cpu", "memory", "gpu", "expose"]);
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
// MLflow's registered-model names are free text; the platform accepts the subset that needs no URI
// escaping. Versions are positive integers. Aliases follow mlflow/utils/validation.py
// (`_validate_model_alias_name`, MLflow 3.x): `^[\w\-]*$`, not "latest" (any case) and not
// `^[vV]\d+$`, both reserved by MLflow.
const MODEL_URI = /^models:\/([A-Za-z0-9][A-Za-z0-9._-]{0,255})(?:\/([1-9]\d*)|@([\w-]{1,255}))$/;
const CPU = /^(\d+(\.\d+)?|\d+m)$/;
const MEMORY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/;

/** CPU quantity in millicores ("1.5" → 1500, "500m" → 500). */
export function cpuMillis(q: string): number {
    return q.endsWith("m") ? Number(q.slice(0, -1)) : Math.round(Number(q) * 1000);
}

const MEM_UNITS: Record<string, number> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** Memory quantity in bytes ("2Gi" → 2147483648). Undefined for a form this module does not read. */
export function memoryBytes(q: string): number | undefined {
    const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
    return m === null ? undefined : Number(m[1]) * MEM_UNITS[m[2] ?? ""];
}

/** Millicores of a team quota's cpu (its quantity may use other suffixes; those are refused by tenancy). */
function quotaMillis(q: string): number | undefined {
    if (CPU.test(q)) {
        return cpuMillis(q);
    }
    return undefined;
}

/** The registered model a URI names, and its version or alias. */
export function parseModelUri(uri: string): { name: string; version?: number; alias?: string } | undefined {
    const m = MODEL_URI.exec(uri);
    if (m === null) {
        return undefined;
    }
    if (m[3] !== undefined && (m[3].toLowerCase() === "latest" || /^[vV]\d+$/.test(m[3]))) {
        return undefined;
    }
    return m[2] !== undefined ? { name: m[1], version: Number(m[2]) } : { name: m[1], alias: m[3] };
}

const count = (at: string, field: string, v: unknown, min: number, max: number): number => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
        throw new Error(`${at}.${field} ${JSON.stringify(v)} must be a whole number from ${min} to ${max}`);
    }
    return v;
};

/**
 * Validates and resolves the `models` list against the stack's teams. Pure: tests call it.
 *
 * Quota rule: a team's endpoints must fit its namespace quota at full scale during a rollout, i.e.
 * Σ (maxReplicas + maxSurge) × request ≤ quota for CPU, memory, GPUs and pods. Otherwise the HPA
 * (or a version change at max scale) creates pods the ResourceQuota admission refuses: the
 * Deployment silently stays below its target, which is exactly when the load is highest.
 */
export function resolveModels(models: readonly Record<string, unknown>[], teams: readonly TeamSpec[], preset: keyof typeof MIN_REPLICAS = "sandbox"): ResolvedModel[] {
    const floor = MIN_REPLICAS[preset];
    const byTeam = new Map(teams.map((t) => [t.name, t]));
    const seen = new Set<string>();
    const out: ResolvedModel[] = [];
    models.forEach((raw, i) => {
        const at = `models[${i}]`;
        const unknown = Object.keys(raw).filter((k) => !FIELDS.has(k));
        if (unknown.length > 0) {
            throw new Error(`${at}.${unknown[0]} is not a model field; valid fields are ${[...FIELDS].join(", ")}`);
        }
        const name = raw.name;
        if (typeof name !== "string" || !DNS_LABEL.test(name) || name.length > 40) {
            throw new Error(`${at}.name ${JSON.stringify(name)} must be a DNS label (lowercase letters, digits, '-'; at most 40 characters)`);
        }
        const team = raw.team;
        if (typeof team !== "string" || !byTeam.has(team)) {
            throw new Error(`${at}.team ${JSON.stringify(team)} is not a team of this stack; teams are ${[...byTeam.keys()].join(", ") || "(none: declare them under teams first)"}`);
        }
        if (seen.has(`${team}/${name}`)) {
            throw new Error(`${at}.name "${name}" is declared twice for team ${team}; model names are unique within a team`);
        }
        seen.add(`${team}/${name}`);
        const modelUri = raw.modelUri;
        if (typeof modelUri !== "string" || parseModelUri(modelUri) === undefined) {
            throw new Error(`${at}.modelUri ${JSON.stringify(modelUri)} must be a registry URI models:/<name>/<version> (e.g. models:/churn/3) or models:/<name>@<alias> (e.g. models:/churn@champion)`);
        }
        const minReplicas = count(at, "minReplicas", raw.minReplicas ?? floor, floor, 100);
        const maxReplicas = count(at, "maxReplicas", raw.maxReplicas ?? Math.max(MODEL_DEFAULTS.maxReplicas, minReplicas), 1, 100);
        if (minReplicas > maxReplicas) {
            throw new Error(`${at}.minReplicas (${minReplicas}) must be <= maxReplicas (${maxReplicas})`);
        }
        const targetCpuUtilization = count(at, "targetCpuUtilization", raw.targetCpuUtilization ?? MODEL_DEFAULTS.targetCpuUtilization, 10, 100);
        const cpu = raw.cpu ?? MODEL_DEFAULTS.cpu;
        if (typeof cpu !== "string" || !CPU.test(cpu) || cpuMillis(cpu) < 250) {
            throw new Error(`${at}.cpu ${JSON.stringify(cpu)} must be a CPU quantity of at least 250m (the fetcher's request), such as "500m", "1" or "2"`);
        }
        const memory = raw.memory ?? MODEL_DEFAULTS.memory;
        // At least the fetcher's request: a pod's effective request is the larger of its init containers' and
        // its containers' (Kubernetes "Resource sharing within containers"), and the quota check below counts this value.
        if (typeof memory !== "string" || !MEMORY.test(memory) || memoryBytes(memory)! < 512 * 2 ** 20) {
            throw new Error(`${at}.memory ${JSON.stringify(memory)} must be a memory quantity of at least 512Mi, such as "512Mi" or "2Gi"`);
        }
        const gpu = count(at, "gpu", raw.gpu ?? MODEL_DEFAULTS.gpu, 0, 1);
        const t = byTeam.get(team)!;
        if (gpu > 0 && t.quota.gpu === 0) {
            throw new Error(`${at}.gpu (1) needs GPU quota, but team ${team} has quota.gpu 0; raise the team's quota.gpu or serve on CPU (gpu: 0)`);
        }
        const expose = raw.expose ?? MODEL_DEFAULTS.expose;
        if (typeof expose !== "boolean") {
            throw new Error(`${at}.expose ${JSON.stringify(expose)} must be true or false`);
        }
        if (expose && preset === "sandbox") {
            throw new Error(`${at}.expose (true): a sandbox reaches endpoints by port-forward (the modelEndpoints output prints the command); an Ingress makes a load balancer that a sandbox destroy could leave behind`);
        }
        if (expose && team === GATEWAY_RESERVED_SEGMENT) {
            throw new Error(`${at}.team "${team}" cannot expose models: its public path /${team}/ is where the auth proxy serves its own sign-in routes (oauth2-proxy --proxy-prefix /oauth2)`);
        }
        out.push({ name, team, modelUri, minReplicas, maxReplicas, targetCpuUtilization, cpu, memory, gpu, expose });
    });
    checkQuotas(out, teams);
    return out;
}

/** Every team's endpoints, at max scale plus one surge pod each, fit the team's quota. */
function checkQuotas(models: readonly ResolvedModel[], teams: readonly TeamSpec[]): void {
    for (const t of teams) {
        const mine = models.map((m, i) => ({ m, i })).filter(({ m }) => m.team === t.name);
        if (mine.length === 0) {
            continue;
        }
        const pods = (m: ResolvedModel) => m.maxReplicas + MAX_SURGE;
        const last = `models[${mine[mine.length - 1].i}]`;
        const totals = {
            cpu: mine.reduce((s, { m }) => s + pods(m) * cpuMillis(m.cpu), 0),
            memory: mine.reduce((s, { m }) => s + pods(m) * memoryBytes(m.memory)!, 0),
            gpu: mine.reduce((s, { m }) => s + pods(m) * m.gpu, 0),
            pods: mine.reduce((s, { m }) => s + pods(m), 0),
        };
        const limits = { cpu: quotaMillis(t.quota.cpu), memory: memoryBytes(t.quota.memory), gpu: t.quota.gpu, pods: t.quota.pods };
        const shown = { cpu: `${totals.cpu}m`, memory: `${(totals.memory / 2 ** 30).toFixed(2)}Gi`, gpu: `${totals.gpu}`, pods: `${totals.pods}` };
        const field = { cpu: "cpu", memory: "memory", gpu: "gpu", pods: "maxReplicas" } as const;
        for (const k of ["cpu", "memory", "gpu", "pods"] as const) {
            const limit = limits[k];
            if (limit !== undefined && totals[k] > limit) {
                throw new Error(`${last}.${field[k]}: team ${t.name}'s endpoints need ${shown[k]} ${k} at full scale ((maxReplicas + ${MAX_SURGE} rollout surge) × request, summed over its models), more than its quota.${k} ${JSON.stringify(t.quota[k])}; lower maxReplicas or the request, or raise the team's quota`);
            }
        }
    }
}

type Key = keyof typeof SERVING_KEYS | IngressKey;

export const SERVING_KEYS = {
    servingIngressHost: { type: "string", description: "Host name of the HTTPS Ingress that serves `expose: true` models at https://<host>/<team>/<model>/invocations behind a bearer-token proxy (production only; the certificate must cover it).", docs: { sandbox: "refused (port-forward)", production: "required with an `expose: true` model" } },
    models: { type: "object[]", description: "Model endpoints: list of {name, team, modelUri (models:/<name>/<version> or models:/<name>@<alias>), minReplicas?, maxReplicas?, targetCpuUtilization?, cpu?, memory?, gpu?, expose? (production: through servingIngressHost)}.", default: { sandbox: [], production: [] }, docs: { sandbox: "`[]` (README \"Model serving\")" } },
} as const satisfies KeyTable;

/** Resolves `models` against the stack's teams; errors name `models[i].<field>`. */
export function resolveServingSettings(s: Settings<Key>, teams: readonly TeamSpec[]): ResolvedModel[] {
    const models = s.objectList("models", "model objects") ?? [];
    try {
        return resolveModels(models, teams, s.preset);
    } catch (e) {
        return s.fail("models", models, (e as Error).message);
    }
}

/** The endpoints' Ingress and auth proxy for `expose: true` models; errors name the key (servingIngressHost, ingress*, oidc*). */
export function resolveServingGateway(s: Settings<Key>, models: readonly ResolvedModel[]): GatewaySettings | undefined {
    const keys: GatewayKeys = {
        servingIngressHost: s.str("servingIngressHost"),
        ingressCertificateArn: s.str("ingressCertificateArn"),
        ingressScheme: s.oneOf<"internal" | "internet-facing">("ingressScheme", ["internal", "internet-facing"]),
        oidcIssuer: s.str("oidcIssuer"),
        oidcClientId: s.str("oidcClientId"),
        oidcClientSecret: s.secret("oidcClientSecret"),
    };
    try {
        return resolveGateway(models, keys, s.preset);
    } catch (e) {
        if (e instanceof GatewayKeyError) {
            return s.fail(e.key, e.value, e.detail);
        }
        throw e;
    }
}
/** The stack keys the exposure reads besides `models` (the shared Ingress and OIDC keys, and its own host). */
export interface GatewayKeys {
    /** `servingIngressHost`: host name of the endpoints' HTTPS Ingress. */
    readonly servingIngressHost?: string;
    readonly ingressCertificateArn?: string;
    readonly ingressScheme?: "internal" | "internet-facing";
    readonly oidcIssuer?: string;
    readonly oidcClientId?: string;
    readonly oidcClientSecret?: pulumi.Input<string>;
}

/** An error naming the stack key it is about (config.ts turns it into a ConfigError on that key). */
export class GatewayKeyError extends Error {
    constructor(readonly key: keyof GatewayKeys, readonly value: unknown, readonly detail: string) {
        super(`${key}: ${detail}`);
    }
}

/** Proxy replicas per preset: production runs two behind a PodDisruptionBudget (K8S-13). */
export const GATEWAY_REPLICAS = { sandbox: 1, production: 2 } as const;

/**
 * The exposure of `expose: true` models, or undefined when none is exposed. Pure: tests call it.
 * Its own host rather than a path under JupyterHub's or MLflow's: the platform's Ingresses are one
 * ALB each (no IngressGroup), so a shared host would need a group merging the hub's listener
 * rules with the proxy's, and the proxy's session cookie would share a host with the hub's.
 */
export function resolveGateway(models: readonly ResolvedModel[], k: GatewayKeys, preset: keyof typeof MIN_REPLICAS): GatewaySettings | undefined {
    const exposed = models.filter((m) => m.expose);
    const host = k.servingIngressHost;
    if (host !== undefined && preset === "sandbox") {
        throw new GatewayKeyError("servingIngressHost", host, "a sandbox reaches endpoints by port-forward: an Ingress makes a load balancer that a sandbox destroy could leave behind");
    }
    if (exposed.length === 0) {
        if (host !== undefined) {
            throw new GatewayKeyError("servingIngressHost", host, "no model has expose: true; set it on the models to serve through the Ingress, or remove the host");
        }
        return undefined;
    }
    if (host === undefined) {
        throw new GatewayKeyError("servingIngressHost", undefined, `models ${exposed.map((m) => `${m.team}/${m.name}`).join(", ")} have expose: true and need the endpoints' Ingress host, e.g. models.example.com (its own host; the ACM certificate must cover it)`);
    }
    if (k.ingressCertificateArn === undefined) {
        throw new GatewayKeyError("ingressCertificateArn", undefined, `the endpoints' Ingress (${host}) needs TLS: set the ACM certificate ARN that covers it`);
    }
    try {
        validateIngress("servingIngress", { host, certificateArn: k.ingressCertificateArn, scheme: k.ingressScheme });
    } catch (e) {
        const message = (e as Error).message;
        const key = message.startsWith("servingIngress.host") ? "servingIngressHost" : message.startsWith("servingIngress.scheme") ? "ingressScheme" : "ingressCertificateArn";
        throw new GatewayKeyError(key, k[key], message);
    }
    if (k.oidcIssuer === undefined || !/^https:\/\/[^\s/]+(\/\S*)?$/.test(k.oidcIssuer)) {
        throw new GatewayKeyError("oidcIssuer", k.oidcIssuer, "the endpoints' proxy verifies bearer tokens against the platform's OIDC issuer: set its https URL exactly as the tokens' iss claim has it");
    }
    if (k.oidcClientId === undefined || k.oidcClientId === "") {
        throw new GatewayKeyError("oidcClientId", k.oidcClientId, "the endpoints' proxy accepts tokens whose aud claim holds the platform's OIDC client id: set oidcClientId");
    }
    if (k.oidcClientSecret === undefined) {
        throw new GatewayKeyError("oidcClientSecret", undefined, "the endpoints' proxy signs browsers in with the platform's OIDC client: `pulumi config set --secret oidcClientSecret <secret>`");
    }
    return {
        host,
        certificateArn: k.ingressCertificateArn,
        scheme: k.ingressScheme,
        issuer: k.oidcIssuer,
        clientId: k.oidcClientId,
        clientSecret: k.oidcClientSecret,
        replicas: GATEWAY_REPLICAS[preset],
    };
}
