/**
 * Checklist §10 (JH-*) and the §12 workload items (K8S-02, K8S-04) that can be read from the
 * JupyterHub release's Helm values, as predicates over declared resources.
 */
import { ingressHasTls } from "../components/shared/ingress";
import { Check, Env, perResource, Res } from "./checks";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const isHub = (r: Res) => r.type === RELEASE && r.inputs.chart === "jupyterhub";
const GPU = "nvidia.com/gpu";

function jhCheck(id: string, description: string, fn: (values: any, env: Env) => string | string[] | undefined): Check {
    return perResource(id, description, [RELEASE], (r, env) => (isHub(r) ? fn(r.inputs.values ?? {}, env) : undefined));
}

/** [slug, kubespawner_override] of every profile. */
const overrides = (v: any): [string, any][] =>
    (v.singleuser?.profileList ?? []).map((p: any) => [p.slug ?? p.display_name, p.kubespawner_override ?? {}]);

/** Container security contexts the values set: [path, context]. */
const contexts = (v: any): [string, any][] => [
    ["hub.containerSecurityContext", v.hub?.containerSecurityContext],
    ["proxy.chp.containerSecurityContext", v.proxy?.chp?.containerSecurityContext],
    ["scheduling.userScheduler.containerSecurityContext", v.scheduling?.userScheduler?.containerSecurityContext],
    ["hub.config.KubeSpawner.container_security_context", v.hub?.config?.KubeSpawner?.container_security_context],
];

const set = (x: unknown) => x !== undefined && x !== null && x !== "";

export const JUPYTERHUB_CHECKS: readonly Check[] = [
    jhCheck("JH-01", "IMDS blocked by the user NetworkPolicy, not by the privileged iptables init container", (v) => {
        const out: string[] = [];
        if (v.singleuser?.cloudMetadata?.blockWithIptables !== false) {
            out.push("singleuser.cloudMetadata.blockWithIptables must be false (the chart default adds a privileged NET_ADMIN init container)");
        }
        const np = v.singleuser?.networkPolicy ?? {};
        if (np.enabled !== true) {
            out.push("singleuser.networkPolicy.enabled must be true");
        }
        if (np.egressAllowRules?.cloudMetadataServer !== false) {
            out.push("singleuser.networkPolicy.egressAllowRules.cloudMetadataServer must be false");
        }
        return out;
    }),
    jhCheck("JH-02", "user servers: uid != 0, no privilege escalation, no profile override to root or sudo", (v) => {
        const out: string[] = [];
        if (v.singleuser?.uid === 0) {
            out.push("singleuser.uid must not be 0");
        }
        if (v.singleuser?.allowPrivilegeEscalation !== false) {
            out.push("singleuser.allowPrivilegeEscalation must be false");
        }
        const env = v.singleuser?.extraEnv ?? {};
        if (Array.isArray(env) ? env.some((e: any) => e?.name === "GRANT_SUDO") : "GRANT_SUDO" in env) {
            out.push("singleuser.extraEnv must not set GRANT_SUDO");
        }
        for (const [slug, o] of overrides(v)) {
            if (o.uid === 0 || o.run_as_uid === 0) {
                out.push(`profile ${slug} overrides the uid to 0`);
            }
            if (o.environment && "GRANT_SUDO" in o.environment) {
                out.push(`profile ${slug} sets GRANT_SUDO`);
            }
            if (o.allow_privilege_escalation === true) {
                out.push(`profile ${slug} allows privilege escalation`);
            }
        }
        return out;
    }),
    jhCheck("JH-03", "user cpu/memory guarantees and limits; GPU profiles limit GPUs and tolerate the GPU taint; culling on", (v) => {
        const out: string[] = [];
        for (const part of ["cpu", "memory"]) {
            if (!set(v.singleuser?.[part]?.guarantee) || !set(v.singleuser?.[part]?.limit)) {
                out.push(`singleuser.${part}.guarantee and .limit must be set`);
            }
        }
        for (const [slug, o] of overrides(v)) {
            for (const key of ["cpu_guarantee", "cpu_limit", "mem_guarantee", "mem_limit"]) {
                if (!set(o[key])) {
                    out.push(`profile ${slug} lacks kubespawner_override.${key}`);
                }
            }
            const gpu = o.extra_resource_limits?.[GPU];
            const wantsGpu = gpu !== undefined || (o.node_selector ?? {})["nvidia.com/gpu.present"] !== undefined;
            if (wantsGpu) {
                if (!(Number(gpu) >= 1)) {
                    out.push(`GPU profile ${slug} must set extra_resource_limits["${GPU}"] >= 1`);
                }
                if (!(o.tolerations ?? []).some((t: any) => t.key === GPU && t.effect === "NoSchedule" && (t.operator === "Exists" || t.value === "true"))) {
                    out.push(`GPU profile ${slug} must tolerate the ${GPU} NoSchedule taint`);
                }
            }
        }
        if (v.cull?.enabled !== true || !(Number(v.cull?.timeout) > 0)) {
            out.push("cull.enabled must be true with a cull.timeout");
        }
        return out;
    }),
    jhCheck("JH-04", "hub state persisted; hub and proxy are singletons without PDBs", (v) => {
        const out: string[] = [];
        const db = v.hub?.db ?? {};
        const persisted = (db.type === "sqlite-pvc" && set(db.pvc?.storage)) || ((db.type === "mysql" || db.type === "postgres") && set(db.url));
        if (!persisted) {
            out.push(`hub.db (${JSON.stringify(db)}) must be sqlite-pvc with pvc.storage, or an external database`);
        }
        if (v.hub?.pdb?.enabled === true || v.proxy?.chp?.pdb?.enabled === true) {
            out.push("hub.pdb and proxy.chp.pdb must not be enabled: a PDB on a singleton blocks node drains (z2jh#1575)");
        }
        return out;
    }),
    jhCheck("JH-05", "proxy is ClusterIP; production exposes it through an Ingress with TLS", (v, env) => {
        const out: string[] = [];
        if (v.proxy?.service?.type !== "ClusterIP") {
            out.push(`proxy.service.type (${v.proxy?.service?.type}) must be ClusterIP (the chart default LoadBalancer is public and plain HTTP)`);
        }
        const ing = v.ingress ?? {};
        if (env === "production" && (ing.enabled !== true || !ingressHasTls(ing.annotations, ing.tls))) {
            out.push("production needs ingress.enabled with TLS (an ALB certificate with an HTTPS-only listener, or tls entries with hosts and secretName)");
        }
        if (env === "sandbox" && ing.enabled === true) {
            out.push("sandbox uses port-forward; an Ingress makes a load balancer that can be orphaned");
        }
        return out;
    }),
    jhCheck("K8S-02", "hub, proxy, user scheduler and user containers: allowPrivilegeEscalation false", (v) =>
        contexts(v).filter(([, c]) => c?.allowPrivilegeEscalation !== false).map(([p]) => `${p}.allowPrivilegeEscalation must be false`)),
    jhCheck("K8S-04", "hub, proxy, user scheduler and user containers drop ALL capabilities and add none", (v) =>
        contexts(v)
            .filter(([, c]) => !(c?.capabilities?.drop ?? []).includes("ALL") || (c?.capabilities?.add ?? []).length > 0)
            .map(([p]) => `${p}.capabilities must drop ALL and add nothing`)),
];
