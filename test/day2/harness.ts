/**
 * Records the real program twice, with a base config and with one change, and classifies every
 * resource as a live stack would see it: created, updated, replaced or deleted, using the replace
 * triggers in `triggers.ts` and honouring each resource's `ignoreChanges` as the engine does.
 */
import { vi } from "vitest";
import { allRecords, resetRecords, ResourceRecord } from "../mocks";
import { loadStack, PROD_SECRETS } from "../stack";
import { Change, OPERATOR_RULES, Outcome, REPLACE_TRIGGERS } from "./triggers";

/** Runs `index.ts` for a stack with extra config and returns what it registered. */
export async function recordStack(stack: "dev" | "prod", overrides: Record<string, string> = {}): Promise<ResourceRecord[]> {
    vi.resetModules();
    resetRecords();
    const secrets = stack === "prod" ? PROD_SECRETS : {};
    await loadStack(stack, { ...secrets, ...overrides }, Object.keys(secrets));
    return allRecords();
}

/** Dotted paths of leaves that differ between two values (arrays compared by index). */
export function changedPaths(a: unknown, b: unknown, at = ""): string[] {
    if (JSON.stringify(a) === JSON.stringify(b)) {
        return [];
    }
    const isObj = (v: unknown) => v !== null && typeof v === "object";
    if (!isObj(a) || !isObj(b) || Array.isArray(a) !== Array.isArray(b)) {
        return [at];
    }
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])];
    return keys.flatMap((k) => changedPaths(ao[k], bo[k], at ? `${at}.${k}` : k));
}

/** True when `path` is `rule` or lies under it; `*` in the rule matches one segment. */
export function under(path: string, rule: string): boolean {
    const p = path.split(".");
    const r = rule.split(".");
    return r.length <= p.length && r.every((seg, i) => seg === "*" || seg === p[i]);
}

/** Pulumi's ignoreChanges: the old value stays for an ignored path (engine processIgnoreChanges). */
function withoutIgnored(paths: string[], ignore: string[]): string[] {
    return paths.filter((p) => !ignore.some((i) => under(p, i)));
}

const key = (r: ResourceRecord) => `${r.type}::${r.name}`;

/** Classifies every resource of `after` against `before`. Throws on a type missing from the table. */
export function classify(before: ResourceRecord[], after: ResourceRecord[]): Change[] {
    const old = new Map(before.map((r) => [key(r), r]));
    const now = new Map(after.map((r) => [key(r), r]));
    const out: Change[] = [];
    const rule = (r: ResourceRecord) => {
        const t = REPLACE_TRIGGERS[r.type];
        if (t === undefined && (r.custom || r.remote) && !r.type.startsWith("pulumi:providers:")) {
            throw new Error(`${r.type} (${r.name}) has no entry in REPLACE_TRIGGERS: add its replace triggers with their source`);
        }
        return t;
    };
    // A resource renamed with an `aliases` entry is the same resource to Pulumi: it moves in state.
    const aliased = (r: ResourceRecord) => r.aliases.map((a) => old.get(`${r.type}::${a}`)).find((p) => p !== undefined);
    const claimed = new Set(after.flatMap((r) => r.aliases.map((a) => `${r.type}::${a}`)));
    for (const r of after) {
        const t = rule(r);
        const prev = old.get(key(r)) ?? aliased(r);
        const base = { type: r.type, name: r.name, deleteBeforeReplace: r.deleteBeforeReplace, retained: r.retainOnDelete, protect: r.protect };
        if (prev === undefined) {
            out.push({ ...base, outcome: "created", paths: [], replacedBy: [], operatorRecreates: [] });
            continue;
        }
        const paths = withoutIgnored(changedPaths(prev.inputs, r.inputs), r.ignoreChanges);
        const forceNew = [...(t?.forceNew ?? []), ...r.replaceOnChanges];
        const replacedBy = paths.filter((p) => forceNew.some((f) => under(p, f)));
        const operatorRecreates = OPERATOR_RULES.filter((o) => o.type === r.type && paths.some((p) => o.recreates.some((x) => under(p, x)))).map((o) => o.what);
        const outcome: Outcome = paths.length === 0 ? "unchanged" : replacedBy.length > 0 ? "replaced" : "updated";
        out.push({ ...base, outcome, paths, replacedBy, operatorRecreates });
    }
    for (const r of before) {
        if (!now.has(key(r)) && !claimed.has(key(r))) {
            rule(r);
            out.push({ type: r.type, name: r.name, outcome: "deleted", paths: [], replacedBy: [], operatorRecreates: [], deleteBeforeReplace: r.deleteBeforeReplace, retained: r.retainOnDelete, protect: r.protect });
        }
    }
    return out;
}

/** The changes other than "unchanged", as `outcome type name` lines (easy to read in a failed assertion). */
export function summary(changes: Change[]): string[] {
    return changes.filter((c) => c.outcome !== "unchanged").map((c) => `${c.outcome} ${c.type} ${c.name}`);
}

/** Records base and changed program and classifies the difference. */
export async function day2(stack: "dev" | "prod", base: Record<string, string>, change: Record<string, string>): Promise<Change[]> {
    const before = await recordStack(stack, base);
    const after = await recordStack(stack, { ...base, ...change });
    return classify(before, after);
}
