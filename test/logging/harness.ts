/** What the logging tests share: resource types, building the component alone, and fixture mutation. */
import { Check, Env, Res } from "../../policy/checks";
import { Logging, LoggingArgs } from "../../components/logging";
import { LOGGING_KEYS, resolveLoggingSettings } from "../../components/logging/settings";
import { Preset, Settings } from "../../components/shared/settings";
import { buildComponentOnce, byType, one, ResourceRecord } from "../mocks";

export const T = {
    ns: "kubernetes:core/v1:Namespace",
    cm: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    sa: "kubernetes:core/v1:ServiceAccount",
    ds: "kubernetes:apps/v1:DaemonSet",
    deploy: "kubernetes:apps/v1:Deployment",
    job: "kubernetes:batch/v1:Job",
    cr: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    crb: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    np: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    release: "kubernetes:helm.sh/v3:Release",
    es: "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch",
    kb: "kubernetes:kibana.k8s.elastic.co/v1:Kibana",
    password: "random:index/randomPassword:RandomPassword",
} as const;

/** The component's arguments for a stack that sets no logging key: the key table's defaults per preset. */
export const presetArgs = (preset: Preset): LoggingArgs => resolveLoggingSettings(new Settings(LOGGING_KEYS, {}, {}, preset));
export const PRESET_ARGS = { sandbox: presetArgs("sandbox"), production: presetArgs("production") } as const;

export const PRESETS: [Env, LoggingArgs][] = [["sandbox", PRESET_ARGS.sandbox], ["production", PRESET_ARGS.production]];

export async function build(args: LoggingArgs = PRESET_ARGS.sandbox) {
    return buildComponentOnce(["logging", args], () => new Logging("logging", args), (l) => [l.elasticUserCommand]);
}

export const fluentConf = () => byType(T.cm).map((c) => c.inputs.data?.["fluent.conf"]).find((x) => typeof x === "string") as string;
export const fluentd = () => one(T.ds, "logging-fluentd");
export const ilmCm = () => byType(T.cm).find((c) => c.inputs.data?.["ilm-policy.json"] !== undefined)!;
/** True when the input at a dotted path was a Pulumi secret (or inside one). */
export const secretAt = (r: ResourceRecord, path: string) => r.secretPaths.some((p) => path === p || path.startsWith(`${p}.`));
export const run = (checks: readonly Check[], rs: readonly Res[], env: Env) => checks.flatMap((c) => c.evaluate(rs, env));
export const clone = <X>(x: X): X => JSON.parse(JSON.stringify(x));
/** Records with one record's inputs changed. */
export function mutate(records: ResourceRecord[], type: string, pick: (r: ResourceRecord) => boolean, fn: (inputs: any) => void): ResourceRecord[] {
    return records.map((r) => {
        if (r.type !== type || !pick(r)) {
            return r;
        }
        const inputs = clone(r.inputs);
        fn(inputs);
        return { ...r, inputs };
    });
}
export const isFluentdCm = (r: ResourceRecord) => r.inputs.data?.["fluent.conf"] !== undefined;
export const editConf = (records: ResourceRecord[], fn: (text: string) => string) => mutate(records, T.cm, isFluentdCm, (i) => {
    i.data["fluent.conf"] = fn(i.data["fluent.conf"]);
});

