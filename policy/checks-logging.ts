/**
 * Checklist §7b (ES-04, ES-05), §8 (FL-01 … FL-06), the logging part of NS-04 and the Fluentd
 * K8S-01 exception, as predicates over declared resources. The Fluentd configuration is read from
 * the ConfigMap's `fluent.conf` text, so a hand edit of the generated text is checked too.
 * The generic K8S-* items for the logging layer's DaemonSet, Job and Deployment are in
 * checks-workloads.ts (WORKLOAD_CHECKS), which lists the Fluentd exemptions.
 */
import { FluentdSection, parseFluentdConfig } from "../components/shared/fluentd-config";
import { NAMESPACES } from "../components/shared/platform";
import { Check, Env, of, perResource, Res, v, Violation } from "./checks";
import { esOutputs, itemOutcome, ItemOutcome, startProblems } from "./fluentd-es-plugin";

const T = {
    configMap: "kubernetes:core/v1:ConfigMap",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    namespace: "kubernetes:core/v1:Namespace",
    clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    elasticsearch: "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch",
} as const;
const ZONE = "topology.kubernetes.io/zone";
const GPU_TAINT_KEY = "nvidia.com/gpu";

/** The Fluentd configuration text of a ConfigMap, if it carries one. */
const fluentConf = (r: Res): string | undefined => {
    const text = r.inputs.data?.["fluent.conf"];
    return typeof text === "string" ? text : undefined;
};

const walk = (ss: FluentdSection[]): FluentdSection[] => ss.flatMap((s) => [s, ...walk(s.children)]);
/** `<match>` sections whose output is Elasticsearch. */
const esMatches = (text: string) => walk(parseFluentdConfig(text)).filter((s) => s.name === "match" && /^elasticsearch/.test(s.params["@type"] ?? ""));
const tails = (text: string) => walk(parseFluentdConfig(text)).filter((s) => s.name === "source" && s.params["@type"] === "tail");
const bufferOf = (m: FluentdSection) => m.children.find((c) => c.name === "buffer");

/** Fluentd DaemonSets (any container image named fluentd). */
const fluentdDaemonSets = (rs: readonly Res[]) =>
    of(rs, T.daemonSet).filter((d) => (d.inputs.spec?.template?.spec?.containers ?? []).some((c: any) => /fluentd/.test(String(c.image ?? ""))));
const podSpec = (d: Res) => d.inputs.spec?.template?.spec ?? {};
const fluentdContainers = (d: Res): any[] => (podSpec(d).containers ?? []).filter((c: any) => /fluentd/.test(String(c.image ?? "")));

/**
 * Bytes in a Fluentd size (`8MB`, `4GB`, `512m`); undefined when unreadable. Fluentd's units are
 * binary whatever the suffix says: fluent/fluentd lib/fluent/config/types.rb `size_value`
 * multiplies `g` by 1024**3, so `50GB` is 50 GiB, a whole 50 GiB root volume.
 */
export function fluentdBytes(size: string | undefined): number | undefined {
    const m = /^(\d+)\s*([kmgt])?b?$/i.exec(size ?? "");
    if (m === null) {
        return undefined;
    }
    const pow = { k: 1, m: 2, g: 3, t: 4 }[(m[2] ?? "").toLowerCase() as "k"] ?? 0;
    return Number(m[1]) * 1024 ** pow;
}

/** Bulk item answers FL-02 requires the output to handle so: retry back-pressure and server errors, keep malformed. */
const ITEM_EXPECTATIONS: readonly [number, string | undefined, ItemOutcome][] = [
    [429, "es_rejected_execution_exception", "retried"],
    [503, "unavailable_shards_exception", "retried"],
    [500, "out_of_memory_error", "retried"],
    [400, "document_parsing_exception", "dead-letter"],
];

/** Largest total_limit_size the checks accept: well below a node's root volume. */
export const MAX_BUFFER_BYTES = 50 * 1024 ** 3;
/** Share of the smallest node root volume Fluentd's file buffers may fill; the rest holds images and container logs. */
export const BUFFER_DISK_SHARE = 0.5;
/** Smallest root volume config.ts accepts (GiB): the bound when no launch template is in view (a component on its own). */
const MIN_NODE_DISK_GIB = 20;
/** GiB of the smallest root volume among the node launch templates (Fluentd runs on every node). */
function smallestNodeDiskGiB(rs: readonly Res[]): number {
    const sizes = of(rs, "aws:ec2/launchTemplate:LaunchTemplate").flatMap((lt) => (lt.inputs.blockDeviceMappings ?? []).map((b: any) => Number(b.ebs?.volumeSize)))
        .filter((n: number) => Number.isFinite(n) && n > 0);
    return sizes.length === 0 ? MIN_NODE_DISK_GIB : Math.min(...sizes);
}

function confCheck(id: string, description: string, fn: (text: string, r: Res, env: Env, all: readonly Res[]) => string[]): Check {
    return perResource(id, description, [T.configMap], (r, env, all) => {
        const text = fluentConf(r);
        return text === undefined ? undefined : fn(text, r, env, all);
    });
}

function dsCheck(id: string, description: string, fn: (d: Res, env: Env, all: readonly Res[]) => string[]): Check {
    return {
        id,
        description,
        evaluate: (rs, env) => fluentdDaemonSets(rs).flatMap((d) => fn(d, env, rs).map((m) => v(id, d, m))),
    };
}

/** A Fluentd DaemonSet's hostPath mounts: host path, path in the container, read-only or not. */
function hostMounts(d: Res): { hostPath: string; mountPath: string; readOnly: boolean }[] {
    const vols = new Map<string, string>((podSpec(d).volumes ?? []).filter((x: any) => x.hostPath).map((x: any) => [x.name, x.hostPath.path]));
    return fluentdContainers(d).flatMap((c) => (c.volumeMounts ?? [])
        .filter((m: any) => vols.has(m.name))
        .map((m: any) => ({ hostPath: vols.get(m.name)!, mountPath: String(m.mountPath), readOnly: m.readOnly === true })));
}
const under = (p: string | undefined, dir: string) => p !== undefined && (p === dir || p.startsWith(dir.endsWith("/") ? dir : `${dir}/`));

/** The ILM policy and index template the platform installs (ConfigMap keys), if declared. */
function ilmDocs(rs: readonly Res[], ns: unknown): { policy?: any; template?: any } {
    const cm = of(rs, T.configMap).find((c) => c.inputs.metadata?.namespace === ns && typeof c.inputs.data?.["ilm-policy.json"] === "string");
    const parse = (s: unknown) => {
        try {
            return typeof s === "string" ? JSON.parse(s) : undefined;
        } catch {
            return undefined;
        }
    };
    return { policy: parse(cm?.inputs.data?.["ilm-policy.json"]), template: parse(cm?.inputs.data?.["index-template.json"]) };
}

/** One checklist item read from two places (the generated fluent.conf and the DaemonSet). */
function both(a: Check, b: Check): Check {
    return { id: a.id, description: `${a.description}; ${b.description}`, evaluate: (rs, env) => [...a.evaluate(rs, env), ...b.evaluate(rs, env)] };
}

export const LOGGING_CHECKS: readonly Check[] = [
    both(confCheck("FL-01", "Elasticsearch output buffers to a file under a writable hostPath; in_tail pos_file on a hostPath; log mounts read-only", (text, r, _env, all) => {
        const out: string[] = [];
        const dss = fluentdDaemonSets(all).filter((d) => d.inputs.metadata?.namespace === r.inputs.metadata?.namespace);
        const writable = dss.flatMap(hostMounts).filter((m) => !m.readOnly).map((m) => m.mountPath);
        const onHost = (p: string | undefined) => writable.some((w) => under(p, w));
        if (dss.length === 0) {
            out.push(`no Fluentd DaemonSet in ${r.inputs.metadata?.namespace} runs this configuration: no node ships logs`);
        }
        for (const m of esMatches(text)) {
            const b = bufferOf(m);
            if (b?.params["@type"] !== "file") {
                out.push(`<match ${m.arg}> buffer is not @type file (the default is memory, lost on restart)`);
            } else if (!onHost(b.params.path)) {
                out.push(`<match ${m.arg}> buffer path ${b.params.path} is not under a writable hostPath`);
            }
        }
        if (esMatches(text).length === 0) {
            out.push("no Elasticsearch <match> in fluent.conf");
        }
        // The dead letter is kept only if it is on the node: the @ERROR label's file output and buffer,
        // and the Elasticsearch output's <secondary> directory.
        const sections = parseFluentdConfig(text);
        const errorLabel = sections.find((s) => s.name === "label" && s.arg === "@ERROR");
        for (const m of (errorLabel?.children ?? []).filter((c) => c.name === "match" && c.params["@type"] === "file")) {
            for (const p of [m.params.path, bufferOf(m)?.params.path]) {
                if (!onHost(p)) {
                    out.push(`dead-letter path ${p} in <label @ERROR> is not under a writable hostPath`);
                }
            }
        }
        for (const sec of esMatches(text).flatMap((m) => m.children.filter((c) => c.name === "secondary"))) {
            if (!onHost(sec.params.directory ?? sec.params.path)) {
                out.push(`<secondary> ${sec.params.directory ?? sec.params.path} is not under a writable hostPath`);
            }
        }
        for (const t of tails(text)) {
            if (!t.params.pos_file) {
                out.push(`<source @type tail> for ${t.params.path} has no pos_file`);
            } else if (!onHost(t.params.pos_file)) {
                out.push(`pos_file ${t.params.pos_file} is not under a writable hostPath`);
            }
        }
        return out;
    }),
    both(dsCheck("FL-01", "Fluentd mounts node log directories read-only; only its state directory is writable", (d) =>
        hostMounts(d).filter((m) => !m.readOnly && /^\/var\/log(\/|$)|^\/var\/lib\/docker/.test(m.hostPath)).map((m) => `log directory ${m.hostPath} is mounted writable`)),
    {
        id: "FL-01",
        description: "a stack with Elasticsearch runs a Fluentd DaemonSet",
        evaluate: (rs) => fluentdDaemonSets(rs).length > 0 ? [] : of(rs, T.elasticsearch).map((es) => v("FL-01", es, "no Fluentd DaemonSet: no node ships logs to this Elasticsearch")),
    })),
    both(confCheck("FL-02", "Elasticsearch output retries forever (or has retry_timeout plus a <secondary>)", (text) =>
        esMatches(text).flatMap((m) => {
            const b = bufferOf(m);
            if (b?.params.retry_forever === "true") {
                return [];
            }
            const secondary = m.children.some((c) => c.name === "secondary");
            return b?.params.retry_timeout !== undefined && secondary ? [] : [`<match ${m.arg}> discards chunks after retry_timeout (no retry_forever true, no <secondary>)`];
        })),
    confCheck("FL-02", "Elasticsearch output starts without Elasticsearch, retries items refused for back-pressure or server errors, dead-letters only malformed ones (fluent-plugin-elasticsearch 6.0.0 rules)", (text) => {
        const sections = parseFluentdConfig(text);
        return [
            ...startProblems(text).map((p) => `${p}: Fluentd cannot start while Elasticsearch is down`),
            ...esOutputs(sections).flatMap((m) => ITEM_EXPECTATIONS.flatMap(([status, type, want]) => {
                const got = itemOutcome(sections, m, status, type);
                return got === want ? [] : [`<match ${m.arg}>: a bulk item answered ${status}${type ? ` ${type}` : ""} is ${got}, not ${want}`];
            })),
        ];
    })),
    confCheck("FL-03", "buffer: overflow_action block and an explicit total_limit_size; all file buffers together fit in half the smallest node root volume", (text, _r, _env, all) => {
        const out = esMatches(text).flatMap((m) => {
            const b = bufferOf(m);
            const problems: string[] = [];
            if (b?.params.overflow_action !== "block") {
                problems.push(`<match ${m.arg}> overflow_action is ${b?.params.overflow_action ?? "throw_exception (default)"}, which drops new events when full`);
            }
            const bytes = fluentdBytes(b?.params.total_limit_size);
            if (bytes === undefined || bytes > MAX_BUFFER_BYTES) {
                problems.push(`<match ${m.arg}> total_limit_size (${b?.params.total_limit_size}) must be set and at most 50GB (Fluentd: 50 GiB)`);
            }
            return problems;
        });
        // Every file buffer (the Elasticsearch output's, the dead letter's) shares the node's root
        // volume with images and container logs; an unset one defaults to 64GB (Fluentd: 64 GiB).
        const buffers = walk(parseFluentdConfig(text)).filter((s) => s.name === "buffer" && s.params["@type"] === "file");
        const total = buffers.reduce((n, b) => n + (fluentdBytes(b.params.total_limit_size) ?? 64 * 1024 ** 3), 0);
        const disk = smallestNodeDiskGiB(all);
        if (total > BUFFER_DISK_SHARE * disk * 1024 ** 3) {
            out.push(`file buffers may hold ${(total / 1024 ** 3).toFixed(1)} GiB, more than ${BUFFER_DISK_SHARE * 100}% of the smallest node root volume (${disk} GiB)`);
        }
        return out;
    }),
    both(confCheck("FL-04", "Elasticsearch output uses https with ssl_verify true, a CA file, and a password from the environment", (text) =>
        esMatches(text).flatMap((m) => {
            const out: string[] = [];
            if (m.params.scheme !== "https") {
                out.push(`<match ${m.arg}> scheme is ${m.params.scheme ?? "http (default)"}`);
            }
            if (m.params.ssl_verify !== "true") {
                out.push(`<match ${m.arg}> ssl_verify is not explicitly true`);
            }
            if (!m.params.ca_file) {
                out.push(`<match ${m.arg}> has no ca_file to verify the cluster's certificate`);
            }
            if (m.params.password !== undefined && !/^"#\{ENV\['[A-Z_]+'\]\}"$/.test(m.params.password)) {
                out.push(`<match ${m.arg}> password is a literal, not an environment reference`);
            }
            return out;
        })),
    dsCheck("FL-04", "FLUENT_ELASTICSEARCH_PASSWORD comes from valueFrom.secretKeyRef, never a literal value", (d) =>
        fluentdContainers(d).flatMap((c) => {
            const env: any[] = c.env ?? [];
            const pw = env.find((e) => e.name === "FLUENT_ELASTICSEARCH_PASSWORD");
            if (pw === undefined) {
                return [`${c.name} has no FLUENT_ELASTICSEARCH_PASSWORD`];
            }
            const literals = env.filter((e) => /PASSWORD|SECRET|TOKEN/i.test(e.name) && e.value !== undefined).map((e) => e.name);
            return pw.valueFrom?.secretKeyRef?.name && pw.valueFrom?.secretKeyRef?.key && literals.length === 0 ? [] : [`${c.name} sets ${[...new Set(["FLUENT_ELASTICSEARCH_PASSWORD", ...literals])].join(", ")} without secretKeyRef`];
        }))),
    dsCheck("FL-05", "tolerates every taint (or the GPU taint), priorityClassName system-node-critical, cpu/memory requests and a memory limit", (d) => {
        const spec = podSpec(d);
        const out: string[] = [];
        const tol: any[] = spec.tolerations ?? [];
        if (!tol.some((t) => (t.operator === "Exists" && t.key === undefined) || t.key === GPU_TAINT_KEY)) {
            out.push("no toleration for all taints or the GPU taint: GPU nodes would ship no logs");
        }
        if (spec.priorityClassName !== "system-node-critical") {
            out.push(`priorityClassName is ${spec.priorityClassName}, not system-node-critical`);
        }
        for (const c of fluentdContainers(d)) {
            if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory) {
                out.push(`${c.name} lacks cpu/memory requests or a memory limit`);
            }
        }
        return out;
    }),
    dsCheck("FL-06", "Fluentd runs in a privileged-labelled namespace of its own, unprivileged, no escalation, read-only root", (d, _env, all) => {
        const out: string[] = [];
        const nsName = d.inputs.metadata?.namespace;
        const ns = of(all, T.namespace).find((n) => n.inputs.metadata?.name === nsName);
        if (nsName !== NAMESPACES.fluentd || ns?.inputs.metadata?.labels?.["pod-security.kubernetes.io/enforce"] !== "privileged") {
            out.push(`namespace ${nsName} must be Fluentd's own "${NAMESPACES.fluentd}" namespace labelled pod-security.kubernetes.io/enforce=privileged`);
        }
        for (const c of fluentdContainers(d)) {
            const sc = c.securityContext ?? {};
            if (sc.privileged !== false || sc.allowPrivilegeEscalation !== false || sc.readOnlyRootFilesystem !== true) {
                out.push(`${c.name} must set privileged false, allowPrivilegeEscalation false, readOnlyRootFilesystem true`);
            }
        }
        return out;
    }),
    dsCheck("K8S-01", "Fluentd exception: it may run as uid 0 (node log files are root-owned 0640) only with no capabilities, no escalation, not privileged and a read-only root", (d) =>
        fluentdContainers(d).flatMap((c) => {
            const sc = c.securityContext ?? {};
            const root = (sc.runAsUser ?? podSpec(d).securityContext?.runAsUser) === 0 || (sc.runAsNonRoot ?? podSpec(d).securityContext?.runAsNonRoot) !== true;
            const compensated = sc.privileged === false && sc.allowPrivilegeEscalation === false && sc.readOnlyRootFilesystem === true
                && (sc.capabilities?.drop ?? []).includes("ALL") && (sc.capabilities?.add ?? []).length === 0;
            return root && !compensated ? [`${c.name} runs as root without the compensating controls (drop ALL, no add, no escalation, unprivileged, read-only root)`] : [];
        })),
    perResource("NS-04", "the Fluentd ClusterRole is only get/list/watch on pods and namespaces", [T.clusterRole], (r) => {
        if (r.inputs.metadata?.labels?.["app.kubernetes.io/name"] !== "fluentd") {
            return undefined;
        }
        const out: string[] = [];
        for (const rule of r.inputs.rules ?? []) {
            const groups: string[] = rule.apiGroups ?? [];
            const res: string[] = rule.resources ?? [];
            const verbs: string[] = rule.verbs ?? [];
            if (groups.some((g) => g !== "") || res.some((x) => !["pods", "namespaces"].includes(x)) || verbs.some((x) => !["get", "list", "watch"].includes(x)) || (rule.nonResourceURLs ?? []).length > 0) {
                out.push(`rule ${JSON.stringify(rule)} grants more than get/list/watch on pods and namespaces`);
            }
        }
        return out;
    }),
    {
        // ES-01 … ES-03 are written for a managed (AWS) OpenSearch domain. The platform runs
        // Elasticsearch with ECK on EKS (ES-04/ES-05 above), so they are not applicable; this check
        // keeps them so: a managed domain fails until those items are implemented for it.
        id: "ES-01",
        description: "ES-01..ES-03 (managed OpenSearch) are not applicable: no aws:opensearch/aws:elasticsearch domain is declared (logs go to ECK)",
        evaluate: (rs) => rs.filter((r) => /^aws:(opensearch|elasticsearch)\/domain:Domain$/.test(r.type))
            .map((r) => v("ES-01", r, "a managed OpenSearch/Elasticsearch domain is declared; ES-01..ES-03 have no check for it (encryption, VPC-only access, HTTPS, audit logs)")),
    },
    perResource("ES-04", "every nodeSet claims `elasticsearch-data` with a storageClassName and an explicit size (ECK's default is 1Gi); no emptyDir data volume", [T.elasticsearch], (r) =>
        (r.inputs.spec?.nodeSets ?? []).flatMap((ns: any) => {
            const out: string[] = [];
            const vct = (ns.volumeClaimTemplates ?? []).find((t: any) => t.metadata?.name === "elasticsearch-data");
            if (vct === undefined) {
                out.push(`nodeSet ${ns.name} has no elasticsearch-data volumeClaimTemplate (ECK would claim 1Gi)`);
            } else {
                if (!vct.spec?.storageClassName) {
                    out.push(`nodeSet ${ns.name}: elasticsearch-data has no storageClassName`);
                }
                if (!/^\d+(Gi|Ti)$/.test(vct.spec?.resources?.requests?.storage ?? "")) {
                    out.push(`nodeSet ${ns.name}: elasticsearch-data has no explicit storage size`);
                }
            }
            if ((ns.podTemplate?.spec?.volumes ?? []).some((x: any) => x.name === "elasticsearch-data" && x.emptyDir !== undefined)) {
                out.push(`nodeSet ${ns.name} keeps data on an emptyDir`);
            }
            return out;
        })),
    {
        id: "ES-05",
        description: "production: >= 3 nodes spread across zones, replicas >= 1, DeleteOnScaledownOnly; sandbox: 1 node, DeleteOnScaledownAndClusterDeletion; an ILM retention policy is declared",
        evaluate(rs, env) {
            const out: Violation[] = [];
            for (const r of of(rs, T.elasticsearch)) {
                const sets: any[] = r.inputs.spec?.nodeSets ?? [];
                const count = sets.reduce((n, s) => n + (s.count ?? 1), 0);
                const policy = r.inputs.spec?.volumeClaimDeletePolicy ?? "DeleteOnScaledownAndClusterDeletion";
                const { policy: ilm, template } = ilmDocs(rs, r.inputs.metadata?.namespace);
                const fail = (m: string) => out.push(v("ES-05", r, m));
                if (env === "production") {
                    if (count < 3) {
                        fail(`${count} master-eligible nodes; production needs >= 3`);
                    }
                    for (const s of sets) {
                        if (!(s.podTemplate?.spec?.topologySpreadConstraints ?? []).some((t: any) => t.topologyKey === ZONE && t.maxSkew === 1)) {
                            fail(`nodeSet ${s.name} has no zone topologySpreadConstraint with maxSkew 1`);
                        }
                    }
                    if (policy !== "DeleteOnScaledownOnly") {
                        fail(`volumeClaimDeletePolicy is ${policy}; production keeps volumes (DeleteOnScaledownOnly)`);
                    }
                    if (!((template?.template?.settings?.["index.number_of_replicas"] ?? 0) >= 1)) {
                        fail("the index template does not set index.number_of_replicas >= 1");
                    }
                } else {
                    if (count !== 1) {
                        fail(`sandbox runs ${count} nodes; expected 1`);
                    }
                    if (policy !== "DeleteOnScaledownAndClusterDeletion") {
                        fail(`volumeClaimDeletePolicy is ${policy}; sandbox volumes go with the cluster (DeleteOnScaledownAndClusterDeletion)`);
                    }
                }
                const del = ilm?.policy?.phases?.delete;
                if (del?.actions?.delete === undefined || !/^\d+d$/.test(del?.min_age ?? "")) {
                    fail("no ILM policy with a delete phase is declared (a full disk turns indices read-only and Fluentd backs up)");
                } else if (template?.template?.settings?.["index.lifecycle.name"] === undefined) {
                    fail("the index template does not attach the ILM policy (index.lifecycle.name)");
                }
            }
            return out;
        },
    },
];
