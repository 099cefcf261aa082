/**
 * A small HTTP client for the platform's REST APIs (JupyterHub, MLflow, Elasticsearch, Prometheus,
 * Alertmanager, Grafana), reached through port-forwards on loopback. Node's http/https directly,
 * because Elasticsearch's certificate is signed by ECK's own CA and names the in-cluster Service,
 * not localhost: the request verifies it against that CA under the Service's DNS name.
 */
import * as http from "http";
import * as https from "https";

export interface RequestOptions {
    readonly method?: string;
    readonly headers?: Record<string, string>;
    /** JSON-encoded unless it is a string or Buffer. */
    readonly body?: unknown;
    /** PEM CA bundle for https. */
    readonly ca?: string;
    /** TLS server name to verify (the in-cluster Service name behind a port-forward). */
    readonly servername?: string;
    readonly signal?: AbortSignal;
    /** Per-request timeout. @default 30 s */
    readonly timeoutMs?: number;
    /** Basic auth. */
    readonly basic?: { username: string; password: string };
}

export interface Response {
    readonly status: number;
    readonly text: string;
    json<T = any>(): T;
}

/** Sends one request; rejects on network errors and timeouts, never on HTTP status. */
export function request(url: string, opts: RequestOptions = {}): Promise<Response> {
    const u = new URL(url);
    const body = opts.body === undefined ? undefined : typeof opts.body === "string" || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
    const headers: Record<string, string> = { accept: "application/json", ...(opts.headers ?? {}) };
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
        headers["content-type"] = "application/json";
    }
    if (opts.basic) {
        headers.authorization = `Basic ${Buffer.from(`${opts.basic.username}:${opts.basic.password}`).toString("base64")}`;
    }
    const lib = u.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
        const req = lib.request(u, {
            method: opts.method ?? (body === undefined ? "GET" : "POST"),
            headers,
            signal: opts.signal,
            timeout: opts.timeoutMs ?? 30_000,
            ...(u.protocol === "https:" ? { ca: opts.ca, servername: opts.servername } : {}),
        }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
                const text = Buffer.concat(chunks).toString("utf8");
                resolve({
                    status: res.statusCode ?? 0,
                    text,
                    json: () => {
                        try {
                            return JSON.parse(text);
                        } catch {
                            throw new Error(`${opts.method ?? "GET"} ${u.pathname}: expected JSON, got ${JSON.stringify(text.slice(0, 80))}`);
                        }
                    },
                });
            });
            res.on("error", reject);
        });
        req.on("timeout", () => req.destroy(new Error(`${opts.method ?? "GET"} ${u.pathname}: no answer within ${(opts.timeoutMs ?? 30_000) / 1000} s`)));
        req.on("error", reject);
        req.end(body);
    });
}

/** {@link request}, then fails unless the status is one of `ok` (default 2xx); returns the parsed JSON. */
export async function requestJson<T = any>(url: string, opts: RequestOptions & { ok?: number[] } = {}): Promise<T> {
    const res = await request(url, opts);
    const good = opts.ok ? opts.ok.includes(res.status) : res.status >= 200 && res.status < 300;
    if (!good) {
        throw new Error(`${opts.method ?? (opts.body === undefined ? "GET" : "POST")} ${new URL(url).pathname} answered ${res.status}: ${res.text.slice(0, 160).replace(/\s+/g, " ")}`);
    }
    return res.text === "" ? (undefined as T) : res.json<T>();
}
