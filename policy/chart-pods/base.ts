/** What every chart-pod model shares: the workload record and Helm's value merge. */
import { Res } from "../checks";

export const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
export const DAEMON_SET = "kubernetes:apps/v1:DaemonSet";

/** A synthetic workload record for a rendered pod; its name says which release renders it. */
export function workload(release: Res, app: string, namespace: string, replicas: number, spec: Record<string, unknown>, type = STATEFUL_SET): Res {
    return {
        type,
        name: `${release.name}/${app}`,
        urn: release.urn,
        inputs: {
            metadata: { namespace, labels: { "app.kubernetes.io/name": app } },
            spec: { replicas, template: { metadata: { labels: { "app.kubernetes.io/name": app } }, spec } },
        },
    };
}

/** Helm's map merge (values over chart defaults, key by key; a `null` removes the key). */
export function merge(base: any, over: any): any {
    if (over === undefined) {
        return base;
    }
    if (base === null || typeof base !== "object" || Array.isArray(base) || over === null || typeof over !== "object" || Array.isArray(over)) {
        return over;
    }
    const out: any = { ...base };
    for (const [k, val] of Object.entries(over)) {
        if (val === null) {
            delete out[k];
        } else {
            out[k] = merge(base[k], val);
        }
    }
    return out;
}
