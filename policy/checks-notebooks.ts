/**
 * Checklist §10 (JH-*) and the §12 workload items (K8S-*) that apply to the JupyterHub release's
 * values, as predicates over declared resources.
 */
import { Check, perResource, Res } from "./checks";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const isHub = (r: Res) => r.type === RELEASE && r.inputs.chart === "jupyterhub";

function jhCheck(id: string, description: string, fn: (values: any, env: "sandbox" | "production") => string | string[] | undefined): Check {
    return perResource(id, description, [RELEASE], (r, env) => (isHub(r) ? fn(r.inputs.values ?? {}, env) : undefined));
}

const overrides = (v: any): [string, any][] =>
    (v.singleuser?.profileList ?? []).map((p: any) => [p.slug ?? p.display_name, p.kubespawner_override ?? {}]);

const userCsc = (v: any) => v.hub?.config?.KubeSpawner?.container_security_context ?? {};

export const NOTEBOOKS_CHECKS: readonly Check[] = [
    jhCheck("JH-01", "IMDS blocked by NetworkPolicy, not the privileged iptables init container", (v) => {
        const out: string[] = [];
        if (v.singleuser?.cloudMetadata?.blockWithIptables !== false) {
            out.push("singleuser.cloudMetadata.blockWithIptables must be false (the chart default true adds a privileged root init container)");
        }
        const np = v.singleuser?.networkPolicy ?? {};
        if (np.enabled !== true || np.egressAllowRules?.cloudMetadataServer !== false) {
            out.push("singleuser.networkPolicy must be enabled with egressAllowRules.cloudMetadataServer false");
        }
        if (np.egressAllowRules?.privateIPs !== false) {
            out.push("singleuser.networkPolicy.egressAllowRules.privateIPs must be false (user pods reach other namespaces only through explicit rules)");
        }
        return out;
    }),
    jhCheck("JH-02", "user servers non-root without privilege escalation; no profile overrides to root or sudo", (v) => {
        const out: string[] = [];
        if (v.singleuser?.uid === 0) {
            out.push("singleuser.uid must not be 0");
        }
        if (v.singleuser?.allowPrivilegeEscalation !== false) {
            out.push("singleuser.allowPrivilegeEscalation must be false");
        }
        for (const [slug, o] of overrides(v)) {
            if (o.uid === 0 || o.allow_privilege_escalation === true || o.privileged === true || o.environment?.GRANT_SUDO !== undefined) {
                out.push(`profile ${slug} overrides to root, sudo or privilege escalation`);
            }
        }
        return out;
    }),
    jhCheck("JH-03", "CPU/memory guarantees and limits; GPU profiles limit nvidia.com/gpu and tolerate the taint; culling on", (v) => {
        const out: string[] = [];
        const su = v.singleuser ?? {};
        if (su.cpu?.limit == null || su.cpu?.guarantee == null || su.memory?.limit == null || su.memory?.guarantee == null) {
            out.push("singleuser.cpu and singleuser.memory need limit and guarantee");
        }
        for (const [slug, o] of overrides(v)) {
            for (const k of ["cpu_guarantee", "cpu_limit", "mem_guarantee", "mem_limit"]) {
                if (o[k] == null) {
                    out.push(`profile ${slug} lacks ${k}`);
                }
            }
            const gpus = o.extra_resource_limits?.["nvidia.com/gpu"];
            if (gpus !== undefined && !(o.tolerations ?? []).some((t: any) => t.key === "nvidia.com/gpu" && t.effect === "NoSchedule")) {
                out.push(`GPU profile ${slug} does not tolerate the nvidia.com/gpu NoSchedule taint`);
            }
        }
        if (v.cull?.enabled !== true || !(Number(v.cull?.timeout) > 0)) {
            out.push("cull.enabled must be true with a cull.timeout");
        }
        return out;
    }),
    jhCheck("JH-04", "hub state persisted on a PVC (or an external database)", (v) => {
        const type = v.hub?.db?.type ?? "sqlite-pvc";
        if (type === "sqlite-memory") {
            return "hub.db.type sqlite-memory loses users and tokens on every hub restart";
        }
        return type === "sqlite-pvc" && !v.hub?.db?.pvc?.storage ? "hub.db.pvc.storage must be set" : undefined;
    }),
    jhCheck("JH-05", "proxy is ClusterIP; production exposes it through an Ingress with TLS", (v, env) => {
        const out: string[] = [];
        if (v.proxy?.service?.type !== "ClusterIP") {
            out.push(`proxy.service.type (${v.proxy?.service?.type ?? "LoadBalancer (chart default)"}) must be ClusterIP`);
        }
        const ing = v.ingress ?? {};
        if (ing.enabled === true && !(ing.tls ?? []).some((t: any) => t.secretName && (t.hosts ?? []).length > 0)) {
            out.push("ingress is enabled without TLS");
        }
        if (env === "production" && ing.enabled !== true) {
            out.push("production exposes JupyterHub through an Ingress with TLS");
        }
        return out;
    }),
    jhCheck("K8S-04", "JupyterHub user containers drop ALL capabilities with RuntimeDefault seccomp and runAsNonRoot", (v) => {
        const csc = userCsc(v);
        const out: string[] = [];
        if (!(csc.capabilities?.drop ?? []).includes("ALL")) {
            out.push("hub.config.KubeSpawner.container_security_context.capabilities.drop must contain ALL");
        }
        if (csc.seccompProfile?.type !== "RuntimeDefault") {
            out.push("hub.config.KubeSpawner.container_security_context.seccompProfile must be RuntimeDefault");
        }
        if (csc.runAsNonRoot !== true) {
            out.push("hub.config.KubeSpawner.container_security_context.runAsNonRoot must be true");
        }
        return out;
    }),
    jhCheck("K8S-07", "JupyterHub: no privileged or root init containers, no extra init containers on user pods", (v) => {
        const out: string[] = [];
        if ((v.singleuser?.initContainers ?? []).length > 0) {
            out.push("singleuser.initContainers must be empty");
        }
        if (v.singleuser?.cloudMetadata?.blockWithIptables !== false) {
            out.push("singleuser.cloudMetadata.blockWithIptables adds a privileged NET_ADMIN init container");
        }
        return out;
    }),
    jhCheck("K8S-08", "JupyterHub hub and proxy have requests and a memory limit", (v) => {
        const out: string[] = [];
        for (const [path, res] of [["hub.resources", v.hub?.resources], ["proxy.chp.resources", v.proxy?.chp?.resources]] as const) {
            if (!res?.requests?.cpu || !res?.requests?.memory || !res?.limits?.memory) {
                out.push(`${path} needs cpu and memory requests and a memory limit`);
            }
        }
        return out;
    }),
    jhCheck("K8S-10", "JupyterHub user images carry a pinned tag other than latest", (v) => {
        const out: string[] = [];
        const tag = v.singleuser?.image?.tag;
        if (!tag || tag === "latest") {
            out.push(`singleuser.image.tag (${tag}) must be pinned`);
        }
        for (const [slug, o] of overrides(v)) {
            if (o.image !== undefined && (!/:[^/:]+$/.test(o.image) || o.image.endsWith(":latest"))) {
                out.push(`profile ${slug} image (${o.image}) must be pinned`);
            }
        }
        return out;
    }),
];
