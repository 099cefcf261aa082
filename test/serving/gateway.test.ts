/**
 * Production exposure of model endpoints (issue #17): the bearer-token rule oauth2-proxy applies,
 * the gateway's objects, the settings that refuse bad input, and the ML-03 check on mutated fixtures.
 */
import * as k8s from "@pulumi/kubernetes";
import { describe, expect, it } from "vitest";
import { Serving, ServingArgs } from "../../components/serving";
import { bearerVerdict, BearerRule, GATEWAY_NAMESPACE, gatewayArgs, GatewaySettings } from "../../components/serving/gateway";
import { PATH_PREFIX_ENV } from "../../components/serving/scoring-app";
import { GatewayKeyError, GatewayKeys, resolveGateway, resolveModels } from "../../components/serving/settings";
import { SERVING_VERSIONS } from "../../components/shared/versions";
import { SERVING_CHECKS } from "../../policy/checks-serving";
import { WORKLOAD_CHECKS } from "../../policy/checks-workloads";
import { TENANCY_CHECKS } from "../../policy/checks-tenancy";
import { invalidObjects } from "../k8s-schema";
import { allRecords, buildComponent, byType, one, resetRecords } from "../mocks";
import { TEAMS } from "./fixtures";

const ISSUER = "https://idp.example.com/realms/platform";
const CLIENT = "mlplatform";
const CERT = "arn:aws:acm:us-west-2:123456789012:certificate/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9";
const KEYS: GatewayKeys = { servingIngressHost: "models.example.com", ingressCertificateArn: CERT, oidcIssuer: ISSUER, oidcClientId: CLIENT, oidcClientSecret: "client-secret-value" };
const NOW = 1_800_000_000;
const JWT = "Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln";

describe("oauth2-proxy v7.15.3 --skip-jwt-bearer-tokens: which bearer tokens reach a model", () => {
    const rule: BearerRule = { issuer: ISSUER, clientId: CLIENT };
    const good = { iss: ISSUER, aud: CLIENT, exp: NOW + 300 };
    const verdict = (claims: object | undefined, header = JWT, signatureValid = true, r = rule) =>
        bearerVerdict(r, header, claims === undefined ? undefined : { claims, signatureValid }, NOW).status;

    it.each([
        ["the platform issuer's token for its client id", good, 200],
        ["an aud list that holds the client id", { ...good, aud: ["account", CLIENT] }, 200],
        ["nbf within go-oidc's 5-minute leeway", { ...good, nbf: NOW + 299 }, 200],
        ["another issuer (exact string match: a trailing slash differs)", { ...good, iss: `${ISSUER}/` }, 403],
        ["another audience", { ...good, aud: "grafana" }, 403],
        ["no aud claim", { iss: ISSUER, exp: NOW + 300 }, 403],
        ["an expired token", { ...good, exp: NOW - 1 }, 403],
        ["nbf beyond the leeway", { ...good, nbf: NOW + 301 }, 403],
        ["email_verified false", { ...good, email: "a@example.com", email_verified: false }, 403],
    ])("%s → %s", (_what, claims, status) => {
        expect(verdict(claims)).toBe(status);
    });

    it("refuses a bad signature, a header that is no bearer JWT (403), and answers 401 without a header", () => {
        expect(verdict(good, JWT, false)).toBe(403);
        expect(verdict(good, "Bearer not-a-jwt")).toBe(403);
        expect(verdict(good, "Token eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln")).toBe(403);
        expect(bearerVerdict(rule, undefined, undefined, NOW).status).toBe(401);
    });

    it("accepts another issuer only as an --extra-jwt-issuers issuer=audience pair, with that audience", () => {
        const other = { iss: "https://sts.example.org", aud: "models-api", exp: NOW + 60 };
        expect(verdict(other)).toBe(403);
        expect(verdict(other, JWT, true, { ...rule, extraJwtIssuers: ["https://sts.example.org=models-api"] })).toBe(200);
        expect(verdict({ ...other, aud: CLIENT }, JWT, true, { ...rule, extraJwtIssuers: ["https://sts.example.org=models-api"] })).toBe(403);
        expect(verdict({ ...good, aud: "extra" }, JWT, true, { ...rule, extraAudiences: ["extra"] })).toBe(200);
    });

    it("is the rule the deployed flags select: bearer tokens verified, invalid ones 403, JSON errors, the issuer and client id, no extra issuers or audiences", () => {
        const args = gatewayArgs(resolveGateway(resolveModels([{ name: "churn", team: "vision", modelUri: "models:/churn/3", expose: true }], TEAMS, "production"), KEYS, "production")!, [{ name: "churn", team: "vision" }]);
        expect(args).toEqual(expect.arrayContaining([
            "--provider=oidc", `--oidc-issuer-url=${ISSUER}`, `--client-id=${CLIENT}`, "--skip-jwt-bearer-tokens=true",
            "--bearer-token-login-fallback=false", "--force-json-errors=true", "--email-domain=*",
            "--upstream=http://churn.vision.svc.cluster.local:8080/vision/churn/",
        ]));
        expect(args.filter((a) => /extra-jwt-issuers|extra-audience|audience-claim|skip-auth|insecure/.test(a))).toEqual([]);
        expect(args.join(" ")).not.toContain("client-secret-value");
    });
});

/** Each flag the gateway passes, and where oauth2-proxy v7.15.3 declares it (pkg/apis/options/...). */
const FLAGS: Record<string, string> = {
    "provider": "legacy_options.go", "oidc-issuer-url": "legacy_options.go", "client-id": "legacy_options.go",
    "skip-jwt-bearer-tokens": "options.go", "force-json-errors": "options.go", "bearer-token-login-fallback": "options.go",
    "email-domain": "options.go", "redirect-url": "options.go", "cookie-secure": "cookie.go", "reverse-proxy": "options.go",
    "real-client-ip-header": "options.go", "http-address": "legacy_options.go", "metrics-address": "legacy_options.go",
    "upstream-timeout": "legacy_options.go", "silence-ping-logging": "logging.go", "upstream": "legacy_options.go",
};

it("passes oauth2-proxy only flags v7.15.3 declares (a misspelt flag stops the proxy at start)", () => {
    const args = gatewayArgs(resolveGateway(resolveModels([{ name: "churn", team: "vision", modelUri: "models:/churn/3", expose: true }], TEAMS, "production"), KEYS, "production")!, [{ name: "churn", team: "vision" }]);
    expect(args.map((a) => /^--([a-z-]+)=/.exec(a)?.[1]).filter((f) => f === undefined || !(f in FLAGS))).toEqual([]);
});

describe("exposure settings: expose, servingIngressHost and the OIDC keys", () => {
    const exposed = (preset: "sandbox" | "production") => resolveModels([{ name: "churn", team: "vision", modelUri: "models:/churn/3", expose: true }], TEAMS, preset);

    it("refuses expose in a sandbox naming models[i].expose", () => {
        expect(() => exposed("sandbox")).toThrow("models[0].expose (true): a sandbox reaches endpoints by port-forward");
        expect(() => resolveModels([{ name: "churn", team: "vision", modelUri: "models:/churn/3", expose: "yes" }], TEAMS, "production")).toThrow('models[0].expose "yes" must be true or false');
    });

    it("resolves production's settings: two proxy replicas, the shared certificate and issuer", () => {
        expect(resolveGateway(exposed("production"), KEYS, "production")).toEqual({
            host: "models.example.com", certificateArn: CERT, scheme: undefined, issuer: ISSUER, clientId: CLIENT, clientSecret: "client-secret-value", replicas: 2,
        });
        expect(resolveGateway(resolveModels([{ name: "churn", team: "vision", modelUri: "models:/churn/3" }], TEAMS, "production"), {}, "production")).toBeUndefined();
    });

    it.each([
        ["no host", { ...KEYS, servingIngressHost: undefined }, "servingIngressHost", "servingIngressHost: models vision/churn have expose: true and need the endpoints' Ingress host"],
        ["a bad host", { ...KEYS, servingIngressHost: "models" }, "servingIngressHost", "servingIngressHost: servingIngress.host (models) must be a fully qualified DNS name"],
        ["no certificate", { ...KEYS, ingressCertificateArn: undefined }, "ingressCertificateArn", "ingressCertificateArn: the endpoints' Ingress (models.example.com) needs TLS"],
        ["an http issuer", { ...KEYS, oidcIssuer: "http://idp.example.com" }, "oidcIssuer", "oidcIssuer: the endpoints' proxy verifies bearer tokens against the platform's OIDC issuer"],
        ["no client id", { ...KEYS, oidcClientId: undefined }, "oidcClientId", "oidcClientId: the endpoints' proxy accepts tokens whose aud claim holds"],
        ["no client secret", { ...KEYS, oidcClientSecret: undefined }, "oidcClientSecret", "oidcClientSecret: the endpoints' proxy signs browsers in"],
    ])("refuses %s naming %s", (_what, keys, key, message) => {
        const run = () => resolveGateway(exposed("production"), keys as GatewayKeys, "production");
        expect(run).toThrow(message);
        try {
            run();
        } catch (e) {
            expect((e as GatewayKeyError).key).toBe(key);
        }
    });

    it("refuses a host without exposed models, a host in a sandbox, and a team whose path is the proxy's own", () => {
        const plain = resolveModels([{ name: "churn", team: "vision", modelUri: "models:/churn/3" }], TEAMS, "production");
        expect(() => resolveGateway(plain, KEYS, "production")).toThrow("servingIngressHost: no model has expose: true");
        expect(() => resolveGateway([], KEYS, "sandbox")).toThrow("servingIngressHost: a sandbox reaches endpoints by port-forward");
        const oauth = [{ ...TEAMS[0], name: "oauth2" }];
        expect(() => resolveModels([{ name: "churn", team: "oauth2", modelUri: "models:/churn/3", expose: true }], oauth, "production")).toThrow('models[0].team "oauth2" cannot expose models');
    });
});

const DEPLOY = "kubernetes:apps/v1:Deployment";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const MODELS = resolveModels([
    { name: "churn", team: "vision", modelUri: "models:/churn/3", expose: true },
    { name: "fraud", team: "vision", modelUri: "models:/fraud/1" },
], TEAMS, "production");
const GATEWAY: GatewaySettings = resolveGateway(MODELS, KEYS, "production")!;

async function build(extra: Partial<ServingArgs> = {}) {
    return buildComponent(() => {
        const lbc = new k8s.core.v1.ConfigMap("lbc", {});
        return new Serving("serving", { models: MODELS, trackingUri: "http://mlflow.mlflow.svc.cluster.local:5000", monitoring: [], gateway: GATEWAY, vpcCidr: "10.0.0.0/16", loadBalancerController: lbc, ...extra });
    });
}

describe("Serving with exposed models (production)", () => {
    it("exports the public URL of exposed models only", async () => {
        const s = await build();
        expect(s.endpoints["vision/churn"].publicUrl).toBe("https://models.example.com/vision/churn/invocations");
        expect(s.endpoints["vision/fraud"]).not.toHaveProperty("publicUrl");
    });

    it("runs oauth2-proxy pinned, restricted, with distinct probes, 2 replicas, a PDB and zone spread", async () => {
        await build();
        const d = one(DEPLOY, "serving-gateway-proxy").inputs;
        expect(d.metadata.namespace).toBe(GATEWAY_NAMESPACE);
        expect(d.spec.replicas).toBe(2);
        const pod = d.spec.template.spec;
        const c = pod.containers[0];
        expect(c.image).toBe(SERVING_VERSIONS.oauth2ProxyImage);
        expect(c.image).toBe("quay.io/oauth2-proxy/oauth2-proxy:v7.15.3");
        expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 2000, runAsGroup: 2000, fsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } });
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(c.livenessProbe.httpGet.path).toBe("/ping");
        expect(c.readinessProbe.httpGet.path).toBe("/ready");
        expect(pod.topologySpreadConstraints[0].topologyKey).toBe("topology.kubernetes.io/zone");
        expect(one("kubernetes:policy/v1:PodDisruptionBudget", "serving-gateway-pdb").inputs.spec.maxUnavailable).toBe(1);
    });

    it("gives the proxy its secrets only by secretKeyRef: a random cookie secret and the config's client secret, kept secret", async () => {
        await build();
        const c = one(DEPLOY, "serving-gateway-proxy").inputs.spec.template.spec.containers[0];
        expect(c.env).toEqual([
            { name: "OAUTH2_PROXY_CLIENT_SECRET", valueFrom: { secretKeyRef: { name: "model-gateway", key: "client-secret" } } },
            { name: "OAUTH2_PROXY_COOKIE_SECRET", valueFrom: { secretKeyRef: { name: "model-gateway", key: "cookie-secret" } } },
        ]);
        const secret = one("kubernetes:core/v1:Secret", "serving-gateway-secret");
        // The whole stringData is secret (the random cookie secret and pulumi.secret(client secret)).
        expect(secret.secretPaths).toEqual(["stringData"]);
        expect(secret.inputs.stringData).toMatchObject({ "client-secret": "client-secret-value" });
        expect(one("random:index/randomPassword:RandomPassword", "serving-gateway-cookie-secret").inputs).toMatchObject({ length: 32, special: false });
        expect(JSON.stringify(c.args)).not.toContain("client-secret-value");
    });

    it("serves the host through the ALB: HTTPS only with the shared certificate, health check on /ping, to the proxy's Service, after the load-balancer controller", async () => {
        await build();
        const i = one(INGRESS, "serving-gateway-ingress");
        expect(i.inputs.metadata.annotations).toMatchObject({
            "alb.ingress.kubernetes.io/scheme": "internal",
            "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]',
            "alb.ingress.kubernetes.io/certificate-arn": CERT,
            "alb.ingress.kubernetes.io/target-type": "ip",
            "alb.ingress.kubernetes.io/healthcheck-path": "/ping",
        });
        expect(i.inputs.spec).toEqual({
            ingressClassName: "alb",
            tls: [{ hosts: ["models.example.com"] }],
            rules: [{ host: "models.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "model-gateway", port: { name: "http" } } } }] } }],
        });
        expect(i.dependencies.some((u) => u.endsWith("::lbc"))).toBe(true);
    });

    it("admits the proxy to exposed endpoints only, the ALB (VPC) and monitoring to the proxy only", async () => {
        await build();
        const proxyPeer = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "model-gateway" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "model-gateway" } } };
        expect(one(NETPOL, "serving-vision-churn-netpol").inputs.spec.ingress).toContainEqual({ from: [proxyPeer], ports: [{ protocol: "TCP", port: 8080 }] });
        expect(JSON.stringify(one(NETPOL, "serving-vision-fraud-netpol").inputs.spec.ingress)).not.toContain("model-gateway");
        const inNs = byType(NETPOL).filter((p) => p.inputs.metadata.namespace === GATEWAY_NAMESPACE).map((p) => [p.inputs.metadata.name, p.inputs.spec.ingress ?? []]);
        expect(inNs).toEqual([
            ["deny-ingress", []],
            ["allow-alb", [{ from: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ protocol: "TCP", port: 4180 }] }]],
            ["allow-monitoring", [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 44180 }] }]],
        ]);
        const env = (n: string) => one(DEPLOY, `serving-vision-${n}-server`).inputs.spec.template.spec.containers[0].env.filter((e: any) => e.name === PATH_PREFIX_ENV);
        expect(env("churn")).toEqual([{ name: PATH_PREFIX_ENV, value: "/vision/churn" }]);
        expect(env("fraud")).toEqual([]);
    });

    it("declares schema-valid objects that pass the workload, namespace and serving checks in production", async () => {
        await build();
        expect(await invalidObjects(allRecords())).toEqual([]);
        const ids = ["NS-01", "NS-09"];
        const checks = [...WORKLOAD_CHECKS, ...SERVING_CHECKS, ...TENANCY_CHECKS.filter((c) => ids.includes(c.id))];
        expect(checks.flatMap((c) => c.evaluate(allRecords(), "production"))).toEqual([]);
    });

    it("is scraped on its metrics port (the port monitoring is admitted to), after the monitoring CRDs", async () => {
        await buildComponent(() => {
            const crds = new k8s.core.v1.ConfigMap("crds", {});
            return new Serving("serving", { models: MODELS, trackingUri: "x", monitoring: [crds], gateway: GATEWAY, vpcCidr: "10.0.0.0/16" });
        });
        const sm = one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "serving-gateway-monitor");
        expect(sm.inputs.spec).toEqual({ selector: { matchLabels: { "app.kubernetes.io/name": "model-gateway", "app.kubernetes.io/instance": "serving-gateway" } }, namespaceSelector: { matchNames: ["model-gateway"] }, endpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }] });
        expect(sm.dependencies.some((u) => u.endsWith("::crds"))).toBe(true);
        expect(one("kubernetes:core/v1:Service", "serving-gateway-svc").inputs.spec.ports).toContainEqual({ name: "metrics", port: 44180, targetPort: "metrics", protocol: "TCP" });
    });

    it("refuses exposed models without gateway settings", () => {
        resetRecords();
        expect(() => new Serving("serving", { models: MODELS, trackingUri: "x", monitoring: [] })).toThrow("models vision/churn have expose: true but no gateway settings were given");
    });
});

describe("ML-03 on the exposure (policy/checks-serving.ts), mutated fixtures", () => {
    const run = () => SERVING_CHECKS.filter((c) => c.id === "ML-03").flatMap((c) => c.evaluate(allRecords(), "production")).map((x) => x.message);

    it.each([
        ["the Ingress without TLS", () => { delete one(INGRESS, "serving-gateway-ingress").inputs.metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]; }, "the model endpoints' Ingress does not terminate TLS"],
        ["the Ingress routing around the proxy", () => { one(INGRESS, "serving-gateway-ingress").inputs.spec.rules[0].http.paths[0].backend.service.name = "churn"; }, "the model endpoints' Ingress routes to [\"churn\"], not only to the auth proxy's Service"],
        ["the proxy without bearer verification", () => { const a = one(DEPLOY, "serving-gateway-proxy").inputs.spec.template.spec.containers[0].args; a.splice(a.indexOf("--skip-jwt-bearer-tokens=true"), 1); }, "the auth proxy lacks --skip-jwt-bearer-tokens=true"],
        ["the proxy skipping auth for a path", () => { one(DEPLOY, "serving-gateway-proxy").inputs.spec.template.spec.containers[0].args.push("--skip-auth-regex=^/vision"); }, "the auth proxy's --skip-auth-regex weakens verification or puts a secret in argv"],
        ["the proxy skipping the issuer check", () => { one(DEPLOY, "serving-gateway-proxy").inputs.spec.template.spec.containers[0].args.push("--insecure-oidc-skip-issuer-verification=true"); }, "the auth proxy's --insecure-oidc-skip-issuer-verification weakens verification or puts a secret in argv"],
        ["the client secret in argv", () => { one(DEPLOY, "serving-gateway-proxy").inputs.spec.template.spec.containers[0].args.push("--client-secret=x"); }, "the auth proxy's --client-secret weakens verification or puts a secret in argv"],
        ["the cookie secret as a literal env value", () => { one(DEPLOY, "serving-gateway-proxy").inputs.spec.template.spec.containers[0].env[1] = { name: "OAUTH2_PROXY_COOKIE_SECRET", value: "x" }; }, "the auth proxy gets OAUTH2_PROXY_COOKIE_SECRET other than by secretKeyRef"],
        ["an endpoint admitting the whole gateway namespace", () => { delete one(NETPOL, "serving-vision-churn-netpol").inputs.spec.ingress[2].from[0].podSelector; }, "admits every pod of model-gateway, not only the auth proxy"],
    ])("fails on %s", async (_what, mutate, message) => {
        await build();
        expect(run()).toEqual([]);
        mutate();
        expect(run()).toEqual([message]);
    });

    it("fails on an exposed endpoint with no proxy at all", async () => {
        await build();
        const records = allRecords().filter((r) => r.name !== "serving-gateway-proxy");
        expect(SERVING_CHECKS.filter((c) => c.id === "ML-03").flatMap((c) => c.evaluate(records, "production")).map((x) => `${x.resource} ${x.message}`))
            .toEqual(["kubernetes:apps/v1:Deployment::serving-vision-churn-server an exposed endpoint without the auth proxy in front of it"]);
    });
});
