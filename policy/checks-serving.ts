/**
 * The serving layer's items: K8S-14 on the metrics-server chart's values (its pod meets the same
 * rules as the program's own) and ML-04's credential rule for model pods.
 * The endpoints' Deployments are typed workloads and go through checks-workloads.ts.
 */
import { GATEWAY_APP, GATEWAY_NAMESPACE } from "../components/serving/gateway";
import { PATH_PREFIX_ENV } from "../components/serving/scoring-app";
import { ingressHasTls } from "../components/shared/ingress";
import { Check, of, perResource, Res, v, Violation } from "./checks";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const isMetricsServer = (r: Res) => r.type === RELEASE && r.inputs.chart === "metrics-server";
const isGateway = (r: Res) => r.inputs.metadata?.namespace === GATEWAY_NAMESPACE && r.inputs.metadata?.labels?.["app.kubernetes.io/name"] === GATEWAY_APP;
/** oauth2-proxy flags that let requests through without a verified identity, or verify less. */
const WEAKENING = /^--(skip-auth-regex|skip-auth-route|skip-auth-preflight|skip-auth-strip-headers=false|insecure-oidc-skip-issuer-verification|insecure-oidc-allow-unverified-email|skip-oidc-discovery|oidc-extra-audience|extra-jwt-issuers|ssl-insecure-skip-verify|email-domain=(?!\*$))/;

/**
 * ML-03 for model endpoints (issue #17): the Ingress that exposes them terminates TLS and reaches
 * only the auth proxy; the proxy verifies bearer JWTs against the platform's issuer and client id
 * and holds its secrets only by secretKeyRef; an exposed endpoint admits, from outside its team and
 * monitoring, only the proxy's pods.
 */
function exposureCheck(): Check {
    return {
        id: "ML-03",
        description: "exposed model endpoints: HTTPS Ingress to the bearer-token auth proxy only; the proxy verifies JWTs (issuer, audience) and gets secrets by secretKeyRef; endpoints admit only the proxy",
        evaluate(rs): Violation[] {
            const out: Violation[] = [];
            const proxies = of(rs, DEPLOYMENT).filter(isGateway);
            const proxyServices = of(rs, "kubernetes:core/v1:Service").filter(isGateway).map((x) => x.inputs.metadata?.name);
            for (const i of of(rs, INGRESS).filter((x) => x.inputs.metadata?.namespace === GATEWAY_NAMESPACE)) {
                if (!ingressHasTls(i.inputs.metadata?.annotations, i.inputs.spec?.tls)) {
                    out.push(v("ML-03", i, "the model endpoints' Ingress does not terminate TLS"));
                }
                const backends = [i.inputs.spec?.defaultBackend, ...(i.inputs.spec?.rules ?? []).flatMap((r: any) => r.http?.paths ?? []).map((p: any) => p.backend)]
                    .filter((b) => b !== undefined).map((b: any) => b.service?.name);
                if (backends.length === 0 || !backends.every((b) => proxyServices.includes(b))) {
                    out.push(v("ML-03", i, `the model endpoints' Ingress routes to ${JSON.stringify(backends)}, not only to the auth proxy's Service`));
                }
            }
            for (const d of proxies) {
                for (const c of d.inputs.spec?.template?.spec?.containers ?? []) {
                    const args: string[] = c.args ?? [];
                    for (const want of ["--provider=oidc", "--skip-jwt-bearer-tokens=true"]) {
                        if (!args.includes(want)) {
                            out.push(v("ML-03", d, `the auth proxy lacks ${want}`));
                        }
                    }
                    if (!args.some((a) => /^--oidc-issuer-url=https:\/\//.test(a)) || !args.some((a) => /^--client-id=./.test(a))) {
                        out.push(v("ML-03", d, "the auth proxy names no https issuer or client id to verify tokens against"));
                    }
                    for (const a of args.filter((x) => WEAKENING.test(x) || /^--(client-secret|cookie-secret)=/.test(x))) {
                        out.push(v("ML-03", d, `the auth proxy's ${a.split("=")[0]} weakens verification or puts a secret in argv`));
                    }
                    for (const e of (c.env ?? []).filter((x: any) => /SECRET/.test(x.name))) {
                        if (e.valueFrom?.secretKeyRef === undefined) {
                            out.push(v("ML-03", d, `the auth proxy gets ${e.name} other than by secretKeyRef`));
                        }
                    }
                }
            }
            const exposed = of(rs, DEPLOYMENT).filter((d) => (d.inputs.spec?.template?.spec?.containers ?? []).some((c: any) => (c.env ?? []).some((e: any) => e.name === PATH_PREFIX_ENV)));
            for (const p of of(rs, NETPOL)) {
                for (const rule of p.inputs.spec?.ingress ?? []) {
                    for (const peer of rule.from ?? []) {
                        const nsName = peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
                        if (nsName === GATEWAY_NAMESPACE && peer.podSelector?.matchLabels?.["app.kubernetes.io/name"] !== GATEWAY_APP) {
                            out.push(v("ML-03", p, `admits every pod of ${GATEWAY_NAMESPACE}, not only the auth proxy`));
                        }
                    }
                }
            }
            if (exposed.length > 0 && proxies.length === 0) {
                for (const d of exposed) {
                    out.push(v("ML-03", d, "an exposed endpoint without the auth proxy in front of it"));
                }
            }
            return out;
        },
    };
}

export const SERVING_CHECKS: readonly Check[] = [
    exposureCheck(),
    perResource("K8S-14", "metrics-server's pod (chart values): pinned, non-root, RuntimeDefault, requests and a memory limit", [RELEASE], (r) => {
        if (!isMetricsServer(r)) {
            return undefined;
        }
        const values = r.inputs.values ?? {};
        const out: string[] = [];
        if (!/^\d+\.\d+\.\d+$/.test(r.inputs.version ?? "")) {
            out.push(`chart version (${r.inputs.version}) is not an exact version`);
        }
        const tag = values.image?.tag;
        if (typeof tag !== "string" || tag === "" || tag === "latest") {
            out.push(`image.tag (${tag}) must be pinned`);
        }
        const res = values.resources ?? {};
        if (!res.requests?.cpu || !res.requests?.memory || !res.limits?.memory) {
            out.push("resources lacks cpu/memory requests or a memory limit");
        }
        const pod = values.podSecurityContext ?? {};
        if (pod.runAsNonRoot !== true || pod.seccompProfile?.type !== "RuntimeDefault") {
            out.push("podSecurityContext must set runAsNonRoot and the RuntimeDefault seccomp profile");
        }
        return out;
    }),
    perResource("ML-04", "model endpoints: MLflow credentials only by secretKeyRef, only in the init container that fetches the model", [DEPLOYMENT], (r) => {
        if (r.inputs.metadata?.labels?.["app.kubernetes.io/name"] !== "model-endpoint") {
            return undefined;
        }
        const spec = r.inputs.spec?.template?.spec ?? {};
        const out: string[] = [];
        for (const c of spec.containers ?? []) {
            if ((c.env ?? []).some((e: any) => /^MLFLOW_TRACKING_(USERNAME|PASSWORD|TOKEN)$/.test(e.name)) || (c.envFrom ?? []).length > 0) {
                out.push(`container ${c.name} (runs the model's code) holds MLflow credentials`);
            }
        }
        for (const c of spec.initContainers ?? []) {
            for (const e of c.env ?? []) {
                if (/^MLFLOW_TRACKING_(USERNAME|PASSWORD|TOKEN)$/.test(e.name) && e.valueFrom?.secretKeyRef === undefined) {
                    out.push(`${c.name} gets ${e.name} other than by secretKeyRef`);
                }
            }
        }
        return out;
    }),
];
