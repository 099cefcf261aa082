/**
 * Production exposure of model endpoints (`expose: true`): one HTTPS Ingress on the AWS Load
 * Balancer Controller's ALB in front of oauth2-proxy, which authenticates every request and
 * forwards it to the model's in-cluster Service. The sandbox keeps port-forward.
 *
 * Why oauth2-proxy and not the ALB's own OIDC action (the MLflow Ingress's): `authenticate-oidc` on
 * an ALB is a browser redirect flow (302 to the IdP, session cookie); an API client with a bearer
 * token gets the IdP's login page, never the model. oauth2-proxy v7.15.3 with
 * `--skip-jwt-bearer-tokens` verifies a bearer JWT itself and lets browsers sign in as usual; the
 * rule it applies is reproduced in {@link bearerVerdict} and cited there.
 *
 * Typed objects, not the oauth2-proxy chart (oauth2-proxy/manifests chart 10.7.0, appVersion 7.15.3):
 * one Deployment is all it renders here, and as a typed workload it is schema-validated and goes
 * through the K8S-* checks directly. It keeps what the chart sets: the image
 * (`quay.io/oauth2-proxy/oauth2-proxy:v<appVersion>`, `templates/deployment.yaml`), liveness on
 * `/ping` and readiness on `/ready`, the restricted container context (`values.yaml`
 * `securityContext`: uid 2000, read-only root, drop ALL, RuntimeDefault) and the secrets as
 * `OAUTH2_PROXY_CLIENT_SECRET` / `OAUTH2_PROXY_COOKIE_SECRET` by secretKeyRef (`proxyVarsAsSecrets`).
 *
 * Routing: one host (`servingIngressHost`), one path per model, `/<team>/<model>/`. oauth2-proxy
 * routes an upstream by the path of its URL and sends the request path unchanged (v7.15.3
 * `pkg/apis/options/legacy_options.go` `convert`: Path = the upstream URL's path;
 * `pkg/upstream/http.go` `newHTTPUpstreamProxy` clears the upstream's own path), so the scoring
 * wrapper strips the prefix it is given (`PATH_PREFIX_ENV`, scoring-app.ts).
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ALB_INGRESS_CLASS, albAnnotations, IngressSettings } from "../shared/ingress";
import { selectorLabels, standardLabels } from "../shared/labels";
import { defaultDenyIngress, fromNamespace, platformNamespace } from "../shared/namespace";
import { NAMESPACES } from "../shared/platform";
import { resources, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../shared/security-context";
import { SERVING_VERSIONS } from "../shared/versions";
import { SERVING_PORT } from "./scoring-app";

/** `app.kubernetes.io/name` of the proxy pods; the endpoints' NetworkPolicies admit exactly these. */
export const GATEWAY_APP = "model-gateway";

/** Namespace of the proxy, its Service and the Ingress (the Ingress's backend must be in its namespace). */
export const GATEWAY_NAMESPACE = "model-gateway";

/** oauth2-proxy's HTTP port (the chart's `containerPort`, 4180). */
export const GATEWAY_PORT = 4180;

/** oauth2-proxy's Prometheus port (`--metrics-address`; the chart's `metrics.port`, 44180). */
export const GATEWAY_METRICS_PORT = 44180;

export { PATH_PREFIX_ENV } from "./scoring-app";

/** Uid the proxy runs as: the chart's `securityContext.runAsUser` (its image, distroless, needs none). */
const GATEWAY_UID = 2000;

/** The validated exposure settings (serving settings.ts builds them from the stack's keys). */
export interface GatewaySettings extends IngressSettings {
    /** The platform's OIDC issuer (`oidcIssuer`): bearer tokens must carry exactly this `iss`. */
    readonly issuer: string;
    /** `oidcClientId`: the audience bearer tokens must carry, and the browser sign-in's client. */
    readonly clientId: string;
    /** `oidcClientSecret` (secret config); reaches the pod only through a Secret. */
    readonly clientSecret: pulumi.Input<string>;
    /** Proxy replicas: 2 in production (with a PDB), the issue's checklist K8S-13. */
    readonly replicas: number;
}

/** A model as the gateway needs it. */
export interface ExposedModel {
    readonly name: string;
    readonly team: string;
}

/** Public path prefix of one model (`/<team>/<model>/`). */
export const publicPathPrefix = (m: ExposedModel) => `/${m.team}/${m.name}/`;

/** Public scoring URL of one exposed model. */
export const publicUrl = (host: string, m: ExposedModel) => `https://${host}${publicPathPrefix(m)}invocations`;

/**
 * oauth2-proxy's arguments: nothing secret (the two secrets come from the environment, by
 * secretKeyRef). Each flag is read from oauth2-proxy v7.15.3 `pkg/apis/options/*.go`.
 */
export function gatewayArgs(s: GatewaySettings, models: readonly ExposedModel[]): string[] {
    return [
        "--provider=oidc",
        `--oidc-issuer-url=${s.issuer}`,
        `--client-id=${s.clientId}`,
        // Bearer JWTs from the issuer, for the client id, are sessions of their own (bearerVerdict).
        "--skip-jwt-bearer-tokens=true",
        // No session: 401 with a JSON body instead of a sign-in page or a redirect an API client cannot follow.
        "--force-json-errors=true",
        // A token that fails verification: 403 at once (the default, true, treats it as no token: 401).
        "--bearer-token-login-fallback=false",
        // Who may call is decided by the IdP (issuer + audience); no e-mail domain filter on top.
        "--email-domain=*",
        `--redirect-url=https://${s.host}/oauth2/callback`,
        "--cookie-secure=true",
        // Behind the ALB: the client address is in X-Forwarded-For (ALB adds it; X-Real-IP is oauth2-proxy's default).
        "--reverse-proxy=true",
        "--real-client-ip-header=X-Forwarded-For",
        `--http-address=0.0.0.0:${GATEWAY_PORT}`,
        `--metrics-address=0.0.0.0:${GATEWAY_METRICS_PORT}`,
        // The scoring server's own request timeout (MLFLOW_SCORING_SERVER_REQUEST_TIMEOUT, endpoint.ts) and the ALB's idle timeout are 60 s; oauth2-proxy's default is 30 s.
        "--upstream-timeout=60s",
        "--silence-ping-logging=true",
        ...models.map((m) => `--upstream=http://${m.name}.${m.team}.svc.cluster.local:${SERVING_PORT}${publicPathPrefix(m)}`),
    ];
}

/** A bearer token as oauth2-proxy sees it after decoding (signature checked separately). */
export interface BearerClaims {
    readonly iss?: string;
    readonly aud?: string | string[];
    /** Expiry, seconds since the epoch. */
    readonly exp?: number;
    /** Not-before, seconds since the epoch. */
    readonly nbf?: number;
    readonly email?: string;
    readonly email_verified?: boolean;
}

/** The verifiers oauth2-proxy builds: the provider's and one per `--extra-jwt-issuers` entry. */
export interface BearerRule {
    /** `--oidc-issuer-url`. */
    readonly issuer: string;
    /** `--client-id`. */
    readonly clientId: string;
    /** `--oidc-extra-audience`. @default [] */
    readonly extraAudiences?: readonly string[];
    /** `--extra-jwt-issuers` as `issuer=audience`. @default [] */
    readonly extraJwtIssuers?: readonly string[];
}

/** oauth2-proxy v7.15.3 `pkg/middleware/jwt_session.go` jwtRegexFormat: what counts as a JWT in the header. */
const JWT = /^ey[a-zA-Z0-9_-]*\.ey[a-zA-Z0-9_-]*\.[a-zA-Z0-9_-]+$/;

/**
 * What oauth2-proxy v7.15.3 answers a request with, by its `Authorization` header, under
 * `--skip-jwt-bearer-tokens --bearer-token-login-fallback=false --force-json-errors` (the platform's flags):
 *
 * - `pkg/middleware/jwt_session.go` `loadSession`/`getJwtSession`: no header → no session →
 *   `oauthproxy.go` `Proxy` (case ErrNeedsLogin, `forceJSONErrors`) answers 401. A header that is
 *   not `Bearer <jwt>` (jwtRegexFormat), or a JWT no verifier accepts → 403 (`denyInvalidJWTs`, the
 *   negation of `--bearer-token-login-fallback`; with the flag's default, true, it would be 401).
 *   (A JWT carried in Basic credentials is also read, `getBasicToken`; not modelled here.)
 * - Verifiers, in order (`oauthproxy.go` `buildSessionChain`): the provider's
 *   (`providers/oidc.go` `CreateSessionFromToken`), then one per `--extra-jwt-issuers`
 *   `issuer=audience` pair (`pkg/validation/options.go` `parseJwtIssuers`: split at the first `=`;
 *   `newVerifierFromJwtIssuer`: that audience as the client id, the same extra audiences).
 * - Each runs go-oidc `IDTokenVerifier.Verify` (coreos/go-oidc v3 `oidc/verify.go`; oauth2-proxy
 *   pins v3.18.0) with `SkipClientIDCheck: true` (`pkg/providers/oidc/provider_verifier.go`
 *   `toOIDCConfig`): `iss` exactly the verifier's issuer, `exp` not passed, `nbf` at most 5 minutes
 *   ahead, a signature by the issuer's JWKS (RS256 unless discovery says otherwise). Then
 *   oauth2-proxy's audience rule (`pkg/providers/oidc/verifier.go` `verifyAudience`): the first
 *   present claim of `--oidc-audience-claim` (default `aud`) must hold the client id (an extra
 *   issuer's: its audience) or an `--oidc-extra-audience`; no such claim refuses.
 * - The session builders refuse `email_verified: false` (`providers/provider_data.go`
 *   `buildSessionFromClaims`; `pkg/apis/middleware/session.go` `CreateTokenToSessionFunc`).
 * - `--email-domain=*` lets every address through the validator (`getAuthenticatedSession`).
 */
export function bearerVerdict(
    rule: BearerRule,
    authorization: string | undefined,
    token: { claims: BearerClaims; signatureValid: boolean } | undefined,
    nowSeconds: number,
): { status: 200 | 401 | 403; reason: string } {
    if (authorization === undefined || authorization === "") {
        return { status: 401, reason: "no Authorization header: no session" };
    }
    const [type, value] = authorization.split(" ", 2);
    if (type !== "Bearer" || value === undefined || !JWT.test(value) || token === undefined) {
        return { status: 403, reason: "no valid bearer token found in authorization header" };
    }
    const c = token.claims;
    const extra = rule.extraAudiences ?? [];
    const verifiers = [
        { issuer: rule.issuer, audiences: [rule.clientId, ...extra] },
        ...(rule.extraJwtIssuers ?? []).map((pair) => {
            const [issuer, ...rest] = pair.split("=");
            return { issuer, audiences: [rest.join("="), ...extra] };
        }),
    ];
    const reasons: string[] = [];
    for (const v of verifiers) {
        const aud = c.aud === undefined ? undefined : Array.isArray(c.aud) ? c.aud : [c.aud];
        if (c.iss !== v.issuer) {
            reasons.push(`${v.issuer}: id token issued by a different provider (${c.iss})`);
        } else if (c.exp === undefined || c.exp < nowSeconds) {
            reasons.push(`${v.issuer}: token is expired`);
        } else if (c.nbf !== undefined && nowSeconds + 300 < c.nbf) {
            reasons.push(`${v.issuer}: current time before the nbf (not before) time`);
        } else if (!token.signatureValid) {
            reasons.push(`${v.issuer}: failed to verify signature`);
        } else if (aud === undefined) {
            reasons.push(`${v.issuer}: audience claims [aud] do not exist in claims`);
        } else if (!aud.some((x) => v.audiences.includes(x))) {
            reasons.push(`${v.issuer}: audience ${JSON.stringify(aud)} does not match with any of allowed audiences ${v.audiences.join(", ")}`);
        } else if (c.email_verified === false) {
            reasons.push(`${v.issuer}: email in id_token isn't verified`);
        } else {
            return { status: 200, reason: `accepted by ${v.issuer}` };
        }
    }
    return { status: 403, reason: `unable to verify bearer token: ${reasons.join("; ")}` };
}

/** What the gateway builds, for the caller's outputs. */
export interface Gateway {
    readonly ingress: k8s.networking.v1.Ingress;
    readonly deployment: k8s.apps.v1.Deployment;
}

/**
 * The gateway's objects under `parent`, named `${prefix}-<role>`: its namespace (restricted, deny
 * ingress but from the VPC, where the ALB's addresses are, and from monitoring), ServiceAccount,
 * Secret (cookie secret from @pulumi/random, client secret from config), Deployment, Service, PDB
 * (two replicas or more), Ingress (after the load-balancer controller, which also deletes the ALB).
 */
export function modelGateway(
    prefix: string,
    s: GatewaySettings,
    models: readonly ExposedModel[],
    a: { image?: string; vpcCidr: pulumi.Input<string>; loadBalancerController?: pulumi.Resource; monitoring?: pulumi.Input<pulumi.Resource>[] },
    parent: pulumi.Resource,
): Gateway {
    const opts = { parent };
    const labels = standardLabels(GATEWAY_APP, "auth-proxy", prefix);
    const selector = selectorLabels(GATEWAY_APP, prefix);
    const ns = platformNamespace(`${prefix}-ns`, { name: GATEWAY_NAMESPACE, level: "restricted", labels: standardLabels(GATEWAY_APP, "namespace", prefix) }, opts);
    const namespace = ns.metadata.name;
    const meta = (name: string) => ({ name, namespace, labels });
    defaultDenyIngress(`${prefix}-ns`, namespace, [
        // target-type ip: the ALB connects to the pod IPs from its own addresses in the VPC's subnets.
        { role: "alb", podSelector: selector, from: [{ ipBlock: { cidr: a.vpcCidr } }], ports: [{ protocol: "TCP", port: GATEWAY_PORT }] },
        { role: "monitoring", podSelector: selector, from: [fromNamespace(NAMESPACES.monitoring)], ports: [{ protocol: "TCP", port: GATEWAY_METRICS_PORT }] },
    ], opts);

    const sa = new k8s.core.v1.ServiceAccount(`${prefix}-sa`, { metadata: meta(GATEWAY_APP), automountServiceAccountToken: false }, opts);
    // oauth2-proxy wants a 16, 24 or 32 byte cookie secret (`pkg/encryption/utils.go` SecretBytes:
    // base64 of one of those lengths, else the raw bytes); 32 alphanumerics are 32 raw bytes, or 24 decoded.
    const cookieSecret = new random.RandomPassword(`${prefix}-cookie-secret`, { length: 32, special: false }, opts);
    const secret = new k8s.core.v1.Secret(`${prefix}-secret`, {
        metadata: meta(GATEWAY_APP),
        type: "Opaque",
        stringData: { "client-secret": pulumi.secret(s.clientSecret), "cookie-secret": cookieSecret.result },
    }, opts);

    const probe = (path: string) => ({ httpGet: { path, port: "http" }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 });
    const deployment = new k8s.apps.v1.Deployment(`${prefix}-proxy`, {
        metadata: meta(GATEWAY_APP),
        spec: {
            replicas: s.replicas,
            selector: { matchLabels: selector },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            template: {
                metadata: {
                    labels,
                    // Env from a Secret is read at pod start: the Secret's resourceVersion changes exactly
                    // when its data does (a rotated client secret), so the pods roll in the same update.
                    annotations: { "mlplatform.io/secret-version": secret.metadata.resourceVersion },
                },
                spec: {
                    serviceAccountName: sa.metadata.name,
                    automountServiceAccountToken: false,
                    securityContext: restrictedPodSecurityContext(GATEWAY_UID),
                    topologySpreadConstraints: [
                        { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } },
                    ],
                    containers: [{
                        name: "oauth2-proxy",
                        image: a.image ?? SERVING_VERSIONS.oauth2ProxyImage,
                        args: gatewayArgs(s, models),
                        env: [
                            { name: "OAUTH2_PROXY_CLIENT_SECRET", valueFrom: { secretKeyRef: { name: secret.metadata.name, key: "client-secret" } } },
                            { name: "OAUTH2_PROXY_COOKIE_SECRET", valueFrom: { secretKeyRef: { name: secret.metadata.name, key: "cookie-secret" } } },
                        ],
                        ports: [
                            { name: "http", containerPort: GATEWAY_PORT, protocol: "TCP" },
                            { name: "metrics", containerPort: GATEWAY_METRICS_PORT, protocol: "TCP" },
                        ],
                        // `/ping` answers once the server runs; `/ready` also checks the session store
                        // (oauth2-proxy `pkg/middleware/readynesscheck.go`), as the chart's probes do.
                        livenessProbe: probe("/ping"),
                        readinessProbe: probe("/ready"),
                        securityContext: restrictedContainerSecurityContext(),
                        resources: resources("50m", "64Mi", "128Mi"),
                    }],
                },
            },
        },
    }, { parent, dependsOn: [secret] });

    const service = new k8s.core.v1.Service(`${prefix}-svc`, {
        metadata: meta(GATEWAY_APP),
        spec: {
            type: "ClusterIP",
            selector,
            ports: [
                { name: "http", port: GATEWAY_PORT, targetPort: "http", protocol: "TCP" },
                { name: "metrics", port: GATEWAY_METRICS_PORT, targetPort: "metrics", protocol: "TCP" },
            ],
        },
    }, opts);

    // oauth2-proxy v7.15.3 `pkg/middleware/metrics.go`: `oauth2_proxy_requests_total` by status code: a
    // burst of 401/403 shows clients with bad tokens. A CRD of the monitoring layer, hence after it.
    new k8s.apiextensions.CustomResource(`${prefix}-monitor`, {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: meta(GATEWAY_APP),
        spec: {
            selector: { matchLabels: selector },
            namespaceSelector: { matchNames: [GATEWAY_NAMESPACE] },
            endpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }],
        },
    }, { parent, dependsOn: a.monitoring ?? [] });

    if (s.replicas >= 2) {
        new k8s.policy.v1.PodDisruptionBudget(`${prefix}-pdb`, {
            metadata: meta(GATEWAY_APP),
            spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
        }, opts);
    }

    const ingress = new k8s.networking.v1.Ingress(`${prefix}-ingress`, {
        metadata: {
            ...meta(GATEWAY_APP),
            annotations: {
                ...albAnnotations(s),
                // The target group's health check: its default path is "/" (aws-load-balancer-controller
                // annotations `healthcheck-path`), where the proxy answers 401 without a token; every target
                // would be unhealthy. `/ping` is unauthenticated and 200.
                "alb.ingress.kubernetes.io/healthcheck-path": "/ping",
            },
        },
        spec: {
            ingressClassName: s.className ?? ALB_INGRESS_CLASS,
            // The ALB terminates TLS with the ACM certificate; the tls entry names the host it covers.
            tls: [{ hosts: [s.host] }],
            rules: [{
                host: s.host,
                http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: service.metadata.name, port: { name: "http" } } } }] },
            }],
        },
    }, { parent, dependsOn: a.loadBalancerController ? [a.loadBalancerController] : [] });

    return { ingress, deployment };
}
