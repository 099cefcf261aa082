/**
 * Runs verification checks one after another: each with its own deadline, each cleaning up what it
 * created (even when it fails or times out), with a progress line while it waits. Results become a
 * table and a JSON report; every known secret is masked in both.
 */

/** What a check ended with. `skip`: not applicable to this stack (e.g. no models configured). */
export type Outcome = "pass" | "fail" | "skip";

export interface CheckResult {
    readonly check: string;
    readonly outcome: Outcome;
    /** One line: what was found, or why it failed. */
    readonly detail: string;
    /** Wall time of the check, seconds. */
    readonly seconds: number;
    /** Named timings the check measured (e.g. `spawnSeconds`, `ingestLatencySeconds`). */
    readonly timings?: Record<string, number>;
    /** Cleanup steps that failed (the check's own outcome is kept; these are reported apart). */
    readonly cleanupErrors?: string[];
}

/** Handed to every check: a place to record cleanups, timings and progress, and the deadline. */
export interface CheckScope {
    /** Registers an undo step; steps run last-in first-out when the check ends, whatever its outcome. */
    defer(what: string, undo: () => Promise<unknown>): void;
    /** Records a named timing in seconds. */
    time(name: string, seconds: number): void;
    /** Shows what the check is waiting for. */
    progress(message: string): void;
    /** Aborted when the check's deadline passes. */
    readonly signal: AbortSignal;
}

export interface Check<C> {
    readonly name: string;
    /** Deadline, seconds. */
    readonly timeoutSeconds: number;
    /** Returns a one-line detail on success, `{ skip }` when not applicable; throws on failure. */
    run(ctx: C, scope: CheckScope): Promise<string | { skip: string }>;
}

/** Thrown by a check to fail with a plain message (no stack trace in the report). */
export class CheckFailure extends Error {}

/** Replaces every secret (at least 4 characters long) in `text` with `[secret]`. */
export function mask(text: string, secrets: readonly string[]): string {
    let out = text;
    for (const s of secrets.filter((x) => x.length >= 4).sort((a, b) => b.length - a.length)) {
        out = out.split(s).join("[secret]");
    }
    return out;
}

/** Where progress goes: a TTY gets one rewritten line, anything else a line per message. */
export interface ProgressSink {
    update(line: string): void;
    done(line: string): void;
}

export function consoleProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
    return stream.isTTY
        ? { update: (l) => stream.write(`\r\x1b[K${l}`), done: (l) => stream.write(`\r\x1b[K${l}\n`) }
        : { update: (l) => stream.write(`${l}\n`), done: (l) => stream.write(`${l}\n`) };
}

export const silentProgress: ProgressSink = { update: () => undefined, done: () => undefined };

/** Sleeps, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal?.aborted) {
            reject(signal.reason);
            return;
        }
        const t = setTimeout(() => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
        }, ms);
        const onAbort = () => {
            clearTimeout(t);
            reject(signal?.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
    });
}

/**
 * Polls `probe` every `intervalMs` until it returns a value other than undefined, or the scope's
 * deadline aborts the wait. `what` is shown as progress.
 */
export async function waitFor<T>(scope: CheckScope, what: string, probe: () => Promise<T | undefined>, intervalMs = 2000): Promise<T> {
    const start = Date.now();
    for (;;) {
        const value = await probe();
        if (value !== undefined) {
            return value;
        }
        scope.progress(`${what} (${Math.round((Date.now() - start) / 1000)} s)`);
        await sleep(intervalMs, scope.signal);
    }
}

/** Runs the checks in order and returns their results; never throws. */
export async function runChecks<C>(ctx: C, checks: readonly Check<C>[], opts: { secrets: readonly string[]; progress: ProgressSink }): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    for (const check of checks) {
        results.push(await runOne(ctx, check, opts));
    }
    return results;
}

async function runOne<C>(ctx: C, check: Check<C>, opts: { secrets: readonly string[]; progress: ProgressSink }): Promise<CheckResult> {
    const undo: { what: string; fn: () => Promise<unknown> }[] = [];
    const timings: Record<string, number> = {};
    const controller = new AbortController();
    const started = Date.now();
    const scope: CheckScope = {
        defer: (what, fn) => undo.push({ what, fn }),
        time: (name, seconds) => (timings[name] = Math.round(seconds * 10) / 10),
        progress: (m) => opts.progress.update(mask(`… ${check.name}: ${m}`, opts.secrets)),
        signal: controller.signal,
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
            const err = new CheckFailure(`timed out after ${check.timeoutSeconds} s`);
            controller.abort(err);
            reject(err);
        }, check.timeoutSeconds * 1000);
    });
    let outcome: Outcome;
    let detail: string;
    try {
        const r = await Promise.race([check.run(ctx, scope), deadline]);
        [outcome, detail] = typeof r === "string" ? ["pass", r] : ["skip", r.skip];
    } catch (e) {
        outcome = "fail";
        detail = e instanceof Error ? e.message : String(e);
    } finally {
        clearTimeout(timer);
    }
    const cleanupErrors: string[] = [];
    for (const u of undo.reverse()) {
        try {
            opts.progress.update(`… ${check.name}: cleaning up ${u.what}`);
            await u.fn();
        } catch (e) {
            cleanupErrors.push(mask(`${u.what}: ${e instanceof Error ? e.message : String(e)}`, opts.secrets));
        }
    }
    const result: CheckResult = {
        check: check.name,
        outcome,
        detail: mask(detail.split("\n")[0], opts.secrets),
        seconds: Math.round((Date.now() - started) / 100) / 10,
        ...(Object.keys(timings).length ? { timings } : {}),
        ...(cleanupErrors.length ? { cleanupErrors } : {}),
    };
    opts.progress.done(`${result.outcome.toUpperCase().padEnd(4)} ${check.name} (${result.seconds} s)`);
    return result;
}

/** The results as a plain-text table. */
export function formatTable(results: readonly CheckResult[]): string {
    const rows = results.map((r) => [r.check, r.outcome, `${r.seconds} s`, r.detail + (r.cleanupErrors ? ` [cleanup failed: ${r.cleanupErrors.join("; ")}]` : "")]);
    const head = ["check", "result", "time", "detail"];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i < 3 ? r[i].length : 0))));
    const line = (cols: string[]) => cols.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join("  ");
    return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** True when every check passed or was skipped and no cleanup failed. */
export function succeeded(results: readonly CheckResult[]): boolean {
    return results.every((r) => r.outcome !== "fail" && !r.cleanupErrors);
}
