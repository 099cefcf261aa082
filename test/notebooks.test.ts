import * as path from "path";
import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import {
    CLIENT_SECRET_KEY, DEFAULT_PROFILES, gpuCullArgs, Notebooks, NotebooksArgs, PASSWORD_KEY, profileList, resolveNotebooksArgs, splitImage,
} from "../components/notebooks";
import { GPU_NODE_LABEL, GPU_TOLERATION } from "../components/shared/gpu";
import { MLFLOW_CLIENT_LABEL, NAMESPACE_NAME_LABEL } from "../components/shared/platform";
import { NOTEBOOK_VERSIONS } from "../components/shared/versions";
import { Env, Res } from "../policy/checks";
import { NOTEBOOKS_CHECKS } from "../policy/checks-notebooks";
import { chartValuesErrors, mergeHelmValues } from "./helm-values";
import { HAS_SHARED, invalidObjects, SHARED_DIR } from "./k8s-schema";
import { allRecords, one, ResourceRecord, resetRecords, resolve, settle } from "./mocks";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const NS = "kubernetes:core/v1:Namespace";
const SECRET = "kubernetes:core/v1:Secret";
const PASSWORD_TYPE = "random:index/randomPassword:RandomPassword";
const URI = "http://mlflow.mlflow.svc.cluster.local:5000";
const CLIENT_SECRET = "oauth-client-secret-never-in-clear";
const SCHEMA = path.join(SHARED_DIR, "chart-schemas", "jupyterhub-4.4.0.values.schema.yaml");
const DEFAULTS = path.join(SHARED_DIR, "chart-schemas", "jupyterhub-4.4.0.values.yaml");

const SANDBOX: NotebooksArgs = { mlflowTrackingUri: URI, storageClassName: "gp3", adminUsers: ["alice"] };
const PRODUCTION: NotebooksArgs = {
    mlflowTrackingUri: URI,
    storageClassName: "gp3",
    userStorageGiB: 50,
    hubStorageGiB: 5,
    cullTimeoutSeconds: 7200,
    gpuCullTimeoutSeconds: 1200,
    authType: "oauth",
    oauth: {
        clientId: "jupyterhub",
        clientSecret: pulumi.secret(CLIENT_SECRET),
        authorizeUrl: "https://idp.example.com/oauth2/authorize",
        tokenUrl: "https://idp.example.com/oauth2/token",
        userdataUrl: "https://idp.example.com/oauth2/userinfo",
        callbackUrl: "https://jupyter.example.com/hub/oauth_callback",
        allowedGroups: ["data-science"],
    },
    adminUsers: ["alice", "bob"],
    ingress: { host: "jupyter.example.com", tlsSecretName: "jupyter-tls", className: "nginx" },
    retainData: true,
};

async function build(args: NotebooksArgs) {
    resetRecords();
    const nb = new Notebooks("nb", args);
    await resolve(nb.portForwardCommand);
    await settle();
    return { nb, records: allRecords() };
}

const release = () => one(RELEASE, "nb-jupyterhub");
const values = () => release().inputs.values;
const asRes = (rs: ResourceRecord[]): Res[] => rs.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, urn: r.urn }));

describe("resolveNotebooksArgs", () => {
    it("applies every documented default", () => {
        const a = resolveNotebooksArgs({ mlflowTrackingUri: URI });
        expect(a).toEqual({
            mlflowTrackingUri: URI,
            storageClassName: "gp3",
            userStorageGiB: 10,
            hubStorageGiB: 1,
            profiles: DEFAULT_PROFILES,
            cullTimeoutSeconds: 3600,
            gpuCullTimeoutSeconds: 1800,
            authType: "password",
            oauth: undefined,
            adminUsers: [],
            ingress: undefined,
            retainData: false,
            cpuImage: NOTEBOOK_VERSIONS.cpuImage,
            gpuImage: NOTEBOOK_VERSIONS.gpuImage,
        });
    });

    it("default profiles: small and large CPU and one GPU", () => {
        expect(Object.keys(DEFAULT_PROFILES)).toEqual(["cpu-small", "cpu-large", "gpu"]);
        expect(Object.values(DEFAULT_PROFILES).map((p) => p.gpus)).toEqual([0, 0, 1]);
    });

    const base = { mlflowTrackingUri: URI };
    const cpu = DEFAULT_PROFILES["cpu-small"];
    it.each<[string, NotebooksArgs, string]>([
        ["storageClassName", { ...base, storageClassName: "GP3" }, "storageClassName (GP3) must be a lowercase DNS label"],
        ["userStorageGiB", { ...base, userStorageGiB: 0 }, "userStorageGiB (0) must be a whole number from 1 to 1000"],
        ["hubStorageGiB", { ...base, hubStorageGiB: 1.5 }, "hubStorageGiB (1.5) must be a whole number from 1 to 100"],
        ["profile key", { ...base, profiles: { "CPU": cpu } }, "profile key (CPU) must be a lowercase DNS label of at most 40 characters, e.g. \"cpu-small\""],
        ["displayName", { ...base, profiles: { a: { ...cpu, displayName: " " } } }, "profiles.a.displayName ( ) must be a non-empty string"],
        ["cpuGuarantee", { ...base, profiles: { a: { ...cpu, cpuGuarantee: 0 } } }, "profiles.a.cpuGuarantee (0) must be a number above 0 and at most 96"],
        ["cpuLimit", { ...base, profiles: { a: { ...cpu, cpuLimit: 200 } } }, "profiles.a.cpuLimit (200) must be a number above 0 and at most 96"],
        ["memoryGuaranteeGiB", { ...base, profiles: { a: { ...cpu, memoryGuaranteeGiB: -1 } } }, "profiles.a.memoryGuaranteeGiB (-1) must be a number above 0 and at most 768"],
        ["memoryLimitGiB", { ...base, profiles: { a: { ...cpu, memoryLimitGiB: 1000 } } }, "profiles.a.memoryLimitGiB (1000) must be a number above 0 and at most 768"],
        ["cpu order", { ...base, profiles: { a: { ...cpu, cpuGuarantee: 2, cpuLimit: 1 } } }, "profiles.a.cpuGuarantee (2) must be <= cpuLimit (1)"],
        ["memory order", { ...base, profiles: { a: { ...cpu, memoryGuaranteeGiB: 8, memoryLimitGiB: 4 } } }, "profiles.a.memoryGuaranteeGiB (8) must be <= memoryLimitGiB (4)"],
        ["gpus", { ...base, profiles: { a: { ...cpu, gpus: 9 } } }, "profiles.a.gpus (9) must be a whole number from 0 to 8"],
        ["no CPU profile", { ...base, profiles: { g: DEFAULT_PROFILES.gpu } }, "profiles (g) must include at least one CPU profile (gpus: 0)"],
        ["two defaults", { ...base, profiles: { a: cpu, b: cpu } }, "profiles (a, b) mark more than one profile as default; mark at most one"],
        ["cullTimeoutSeconds", { ...base, cullTimeoutSeconds: 60 }, "cullTimeoutSeconds (60) must be a whole number from 600 to 604800"],
        ["gpuCullTimeoutSeconds", { ...base, gpuCullTimeoutSeconds: 100 }, "gpuCullTimeoutSeconds (100) must be a whole number from 300 to 604800"],
        ["gpu cull order", { ...base, cullTimeoutSeconds: 1200, gpuCullTimeoutSeconds: 1800 }, "gpuCullTimeoutSeconds (1800) must be <= cullTimeoutSeconds (1200) so GPUs are released first"],
        ["authType", { ...base, authType: "ldap" as any }, "authType (ldap) must be \"password\" or \"oauth\""],
        ["oauth missing", { ...base, authType: "oauth" }, "oauth (undefined) is required when authType is \"oauth\""],
        ["oauth url", { ...base, authType: "oauth", oauth: { ...PRODUCTION.oauth!, tokenUrl: "http://idp/token" } }, "oauth.tokenUrl (http://idp/token) must be an https:// URL"],
        ["callback", { ...base, authType: "oauth", oauth: { ...PRODUCTION.oauth!, callbackUrl: "https://jupyter.example.com/callback" } }, "oauth.callbackUrl (https://jupyter.example.com/callback) must end with /hub/oauth_callback"],
        ["adminUsers", { ...base, adminUsers: ["bad user"] }, "adminUsers entry (bad user) must be 1-128 characters of letters, digits and . _ @ + -"],
        ["ingress host", { ...base, ingress: { host: "Jupyter", tlsSecretName: "tls" } }, "ingress.host (Jupyter) must be a lowercase DNS name such as jupyter.example.com"],
        ["ingress tls", { ...base, ingress: { host: "jupyter.example.com", tlsSecretName: "" } }, "ingress.tlsSecretName () must name a TLS Secret (lowercase DNS label): the hub is never exposed without TLS"],
        ["cpuImage latest", { ...base, cpuImage: "quay.io/jupyter/scipy-notebook:latest" }, "cpuImage (quay.io/jupyter/scipy-notebook:latest) must be registry/repository:tag with a pinned tag other than latest"],
        ["gpuImage untagged", { ...base, gpuImage: "quay.io/jupyter/pytorch-notebook" }, "gpuImage (quay.io/jupyter/pytorch-notebook) must be registry/repository:tag with a pinned tag other than latest"],
    ])("rejects a bad %s", (_, args, message) => {
        expect(() => resolveNotebooksArgs(args)).toThrow(message);
    });

    it("throws before registering anything", () => {
        resetRecords();
        expect(() => new Notebooks("bad", { mlflowTrackingUri: URI, userStorageGiB: -1 })).toThrow("userStorageGiB (-1)");
        expect(allRecords()).toHaveLength(0);
    });
});

describe("pure helpers", () => {
    it("splitImage keeps registry ports in the name", () => {
        expect(splitImage("quay.io/jupyter/scipy-notebook:2025-10-20")).toEqual({ name: "quay.io/jupyter/scipy-notebook", tag: "2025-10-20" });
        expect(splitImage("reg:5000/a/b:1.0")).toEqual({ name: "reg:5000/a/b", tag: "1.0" });
    });

    it("gpuCullArgs culls idle kernels and terminals, then shuts the server down", () => {
        expect(gpuCullArgs(1800)).toEqual([
            "--MappingKernelManager.cull_idle_timeout=1800",
            "--MappingKernelManager.cull_interval=180",
            "--MappingKernelManager.cull_connected=True",
            "--MappingKernelManager.cull_busy=False",
            "--TerminalManager.cull_inactive_timeout=1800",
            "--TerminalManager.cull_interval=180",
            "--ServerApp.shutdown_no_activity_timeout=1800",
        ]);
        expect(gpuCullArgs(300)[1]).toBe("--MappingKernelManager.cull_interval=60");
    });

    it("profileList maps sizes, GPU limits, taint toleration, node selector and the CUDA image", () => {
        const list = profileList(resolveNotebooksArgs({ mlflowTrackingUri: URI }));
        expect(list).toEqual([
            {
                display_name: "CPU small", slug: "cpu-small", description: DEFAULT_PROFILES["cpu-small"].description, default: true,
                kubespawner_override: { image: NOTEBOOK_VERSIONS.cpuImage, cpu_guarantee: 0.5, cpu_limit: 1, mem_guarantee: "2G", mem_limit: "4G" },
            },
            {
                display_name: "CPU large", slug: "cpu-large", description: DEFAULT_PROFILES["cpu-large"].description,
                kubespawner_override: { image: NOTEBOOK_VERSIONS.cpuImage, cpu_guarantee: 2, cpu_limit: 4, mem_guarantee: "12G", mem_limit: "16G" },
            },
            {
                display_name: "GPU (1x NVIDIA)", slug: "gpu", description: DEFAULT_PROFILES.gpu.description,
                kubespawner_override: {
                    image: NOTEBOOK_VERSIONS.gpuImage, cpu_guarantee: 3, cpu_limit: 4, mem_guarantee: "12G", mem_limit: "16G",
                    extra_resource_limits: { "nvidia.com/gpu": "1" },
                    tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
                    node_selector: { [GPU_NODE_LABEL.key]: GPU_NODE_LABEL.value },
                    start_timeout: 1200,
                    args: gpuCullArgs(1800),
                },
            },
        ]);
        expect(GPU_TOLERATION.key).toBe("nvidia.com/gpu");
    });

    it("mergeHelmValues: maps merge, lists and scalars replace, null deletes", () => {
        expect(mergeHelmValues(
            { a: { b: 1, c: [1, 2], d: "x" }, e: true, f: { g: 1 } },
            { a: { c: [3], d: null }, e: false, h: 2 },
        )).toEqual({ a: { b: 1, c: [3] }, e: false, f: { g: 1 }, h: 2 });
    });
});

describe.each<[Env, NotebooksArgs]>([["sandbox", SANDBOX], ["production", PRODUCTION]])("Notebooks (%s)", (env, args) => {
    const prod = env === "production";

    it("declares exactly the namespace, the credentials Secret, the release (and the password in sandbox)", async () => {
        const { records } = await build(args);
        const counts: Record<string, number> = {};
        for (const r of records) {
            counts[r.type] = (counts[r.type] ?? 0) + 1;
        }
        expect(counts).toEqual({
            "mlplatform:index:Notebooks": 1,
            [NS]: 1,
            [SECRET]: 1,
            [RELEASE]: 1,
            ...(prod ? {} : { [PASSWORD_TYPE]: 1 }),
        });
        for (const r of records.filter((x) => x.type !== "mlplatform:index:Notebooks")) {
            expect(r.parent.endsWith("::mlplatform:index:Notebooks::nb"), r.name).toBe(true);
        }
    });

    it("namespace: jupyterhub, Pod Security restricted, MLflow client label, retained only in production", async () => {
        await build(args);
        const ns = one(NS, "nb-ns");
        expect(ns.inputs.metadata.name).toBe("jupyterhub");
        expect(ns.inputs.metadata.labels).toMatchObject({
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
            [MLFLOW_CLIENT_LABEL.key]: MLFLOW_CLIENT_LABEL.value,
            "app.kubernetes.io/part-of": "mlplatform",
        });
        expect(ns.retainOnDelete).toBe(prod);
    });

    it("release: pinned chart 4.4.0 from the upstream repository in the jupyterhub namespace", async () => {
        await build(args);
        const r = release();
        expect(r.inputs).toMatchObject({
            name: "jupyterhub",
            chart: "jupyterhub",
            version: "4.4.0",
            repositoryOpts: { repo: "https://hub.jupyter.org/helm-chart/" },
            namespace: "jupyterhub",
        });
        expect(r.dependencies.some((u) => u.endsWith("::nb-auth"))).toBe(true);
    });

    it("user servers: MLFLOW_TRACKING_URI, profiles, gp3 storage, non-root, restricted context", async () => {
        await build(args);
        const su = values().singleuser;
        expect(su.extraEnv).toEqual({ MLFLOW_TRACKING_URI: URI });
        expect(su.profileList.map((p: any) => p.slug)).toEqual(["cpu-small", "cpu-large", "gpu"]);
        const gpu = su.profileList.find((p: any) => p.slug === "gpu").kubespawner_override;
        expect(gpu.extra_resource_limits).toEqual({ "nvidia.com/gpu": "1" });
        expect(gpu.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        expect(gpu.node_selector).toEqual({ "nvidia.com/gpu.present": "true" });
        expect(gpu.image).toBe(NOTEBOOK_VERSIONS.gpuImage);
        expect(gpu.args).toEqual(gpuCullArgs(prod ? 1200 : 1800));
        for (const p of su.profileList.filter((x: any) => x.slug !== "gpu")) {
            expect(p.kubespawner_override.extra_resource_limits).toBeUndefined();
            expect(p.kubespawner_override.tolerations).toBeUndefined();
        }
        expect(su.image).toEqual(splitImage(NOTEBOOK_VERSIONS.cpuImage));
        expect(su.cpu).toEqual({ guarantee: 0.5, limit: 1 });
        expect(su.memory).toEqual({ guarantee: "2G", limit: "4G" });
        expect(su.storage).toEqual({ type: "dynamic", capacity: prod ? "50Gi" : "10Gi", dynamic: { storageClass: "gp3" } });
        expect(su.uid).toBe(1000);
        expect(su.fsGid).toBe(100);
        expect(su.allowPrivilegeEscalation).toBe(false);
        expect(values().hub.config.KubeSpawner.container_security_context).toEqual({
            runAsNonRoot: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" },
        });
    });

    it("network: IMDS blocked by policy, no private IPs except MLflow and DNS, monitoring may scrape the hub", async () => {
        await build(args);
        const v = values();
        expect(v.singleuser.cloudMetadata).toEqual({ blockWithIptables: false });
        expect(v.singleuser.networkPolicy).toEqual({
            enabled: true,
            egressAllowRules: {
                cloudMetadataServer: false, dnsPortsCloudMetadataServer: false, dnsPortsKubeSystemNamespace: true,
                dnsPortsPrivateIPs: true, nonPrivateIPs: true, privateIPs: false,
            },
            egress: [{ to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: "mlflow" } } }], ports: [{ port: 5000, protocol: "TCP" }] }],
        });
        expect(v.hub.networkPolicy.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: "monitoring" } } }], ports: [{ port: "http" }] }]);
        expect(v.hub.networkPolicy.egressAllowRules).toEqual({ cloudMetadataServer: false, dnsPortsCloudMetadataServer: false });
        expect(v.proxy.chp.networkPolicy.egressAllowRules).toEqual({ cloudMetadataServer: false, dnsPortsCloudMetadataServer: false });
        expect(v.hub.authenticatePrometheus).toBe(false);
    });

    it("culling: global timeout for all servers, checked often enough for the GPU timeout", async () => {
        await build(args);
        expect(values().cull).toEqual({
            enabled: true, timeout: prod ? 7200 : 3600, every: prod ? 240 : 360, users: false, adminUsers: true, maxAge: 0,
        });
    });

    it("hub database persisted on gp3; kept on uninstall only in production", async () => {
        await build(args);
        expect(values().hub.db).toEqual({
            type: "sqlite-pvc",
            pvc: { storage: prod ? "5Gi" : "1Gi", storageClassName: "gp3", annotations: prod ? { "helm.sh/resource-policy": "keep" } : {} },
        });
    });

    it("exposure: ClusterIP always; Ingress with TLS only in production", async () => {
        const { nb } = await build(args);
        const v = values();
        expect(v.proxy.service).toEqual({ type: "ClusterIP" });
        expect(v.fullnameOverride).toBe("");
        if (prod) {
            expect(v.ingress).toEqual({
                enabled: true, hosts: ["jupyter.example.com"], tls: [{ hosts: ["jupyter.example.com"], secretName: "jupyter-tls" }],
                annotations: {}, ingressClassName: "nginx",
            });
            expect(await resolve(nb.url)).toBe("https://jupyter.example.com/");
        } else {
            expect(v.ingress).toEqual({ enabled: false });
            expect(nb.url).toBeUndefined();
        }
        expect(await resolve(nb.portForwardCommand)).toBe("kubectl -n jupyterhub port-forward svc/proxy-public 8080:80");
        expect(await resolve(nb.hubServiceName)).toBe("proxy-public");
    });

    it("chart defaults that would break the platform are turned off", async () => {
        await build(args);
        const v = values();
        expect(v.scheduling).toEqual({ userScheduler: { enabled: false }, userPlaceholder: { enabled: false } });
        expect(v.prePuller).toEqual({ hook: { enabled: false }, continuous: { enabled: false } });
        expect(v.hub.resources).toEqual({ requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "1Gi" } });
        expect(v.proxy.chp.resources).toEqual({ requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } });
    });

    it("metrics target: hub Service, port hub, /hub/metrics", async () => {
        const { nb } = await build(args);
        expect(nb.metricsTarget).toMatchObject({
            name: "jupyterhub",
            selector: { "app.kubernetes.io/component": "hub", "app.kubernetes.io/instance": "jupyterhub" },
            port: "hub",
            path: "/hub/metrics",
        });
        expect(await resolve(nb.metricsTarget.namespace)).toBe("jupyterhub");
    });

    it("every checklist item passes", async () => {
        const { records } = await build(args);
        expect(NOTEBOOKS_CHECKS.flatMap((c) => c.evaluate(asRes(records), env))).toEqual([]);
    });

    it("every Kubernetes object it declares is schema-valid", async () => {
        const { records } = await build(args);
        expect(await invalidObjects(records)).toEqual([]);
    });

    it.skipIf(!HAS_SHARED)("values merged over chart 4.4.0 defaults pass the chart's values.schema (NOT RUN when ../shared is absent)", async () => {
        await build(args);
        expect(chartValuesErrors(SCHEMA, DEFAULTS, values())).toEqual([]);
    });
});

describe("chart values schema helper", () => {
    it.skipIf(!HAS_SHARED)("rejects a misspelt key and a wrong type (NOT RUN when ../shared is absent)", () => {
        expect(chartValuesErrors(SCHEMA, DEFAULTS, { singleuser: { cloudMetdata: { blockWithIptables: false } } }).join("\n")).toContain("cloudMetdata");
        expect(chartValuesErrors(SCHEMA, DEFAULTS, { proxy: { service: { type: "Public" } } })).not.toEqual([]);
        expect(chartValuesErrors(SCHEMA, DEFAULTS, {})).toEqual([]);
    });
});

describe("authentication and secrets", () => {
    it("sandbox: DummyAuthenticator, password generated, held in a Secret, read through secretKeyRef", async () => {
        const { nb, records } = await build(SANDBOX);
        const pw = one(PASSWORD_TYPE, "nb-password");
        expect(pw.inputs).toMatchObject({ length: 24, special: false });
        const secret = one(SECRET, "nb-auth");
        expect(secret.inputs.metadata).toMatchObject({ name: "jupyterhub-auth", namespace: "jupyterhub" });
        expect(Object.keys(secret.inputs.stringData)).toEqual([PASSWORD_KEY]);
        expect(secret.secretPaths).toContain("stringData");
        const hub = values().hub;
        expect(hub.config.JupyterHub).toEqual({ authenticator_class: "dummy" });
        expect(hub.config.Authenticator).toEqual({ admin_users: ["alice"], allow_all: true });
        expect(hub.extraEnv).toEqual([{ name: "JUPYTERHUB_SHARED_PASSWORD", valueFrom: { secretKeyRef: { name: "jupyterhub-auth", key: PASSWORD_KEY } } }]);
        expect(hub.extraConfig["10-credentials-from-secret"]).toContain("c.DummyAuthenticator.password = os.environ[\"JUPYTERHUB_SHARED_PASSWORD\"]");
        expect(await pulumi.isSecret(nb.adminPassword!)).toBe(true);
        const clear = await resolve(nb.adminPassword!);
        expect(clear).toBe("mock-secret-nb-password");
        for (const r of records.filter((x) => x.type !== SECRET && x.type !== PASSWORD_TYPE)) {
            expect(JSON.stringify(r.inputs), r.name).not.toContain(clear);
        }
    });

    it("production: GenericOAuthenticator, client secret only in a Secret, no password resource", async () => {
        const { nb, records } = await build(PRODUCTION);
        expect(nb.adminPassword).toBeUndefined();
        const secret = one(SECRET, "nb-auth");
        expect(secret.inputs.stringData).toEqual({ [CLIENT_SECRET_KEY]: CLIENT_SECRET });
        expect(secret.secretPaths).toContain("stringData");
        const hub = values().hub;
        expect(hub.config.JupyterHub).toEqual({ authenticator_class: "generic-oauth" });
        expect(hub.config.Authenticator).toEqual({ admin_users: ["alice", "bob"] });
        expect(hub.config.GenericOAuthenticator).toEqual({
            client_id: "jupyterhub",
            oauth_callback_url: "https://jupyter.example.com/hub/oauth_callback",
            authorize_url: "https://idp.example.com/oauth2/authorize",
            token_url: "https://idp.example.com/oauth2/token",
            userdata_url: "https://idp.example.com/oauth2/userinfo",
            username_claim: "preferred_username",
            scope: ["openid", "profile", "email"],
            allowed_groups: ["data-science"],
            auth_state_groups_key: "oauth_user.groups",
        });
        expect(hub.extraEnv).toEqual([{ name: "OAUTH_CLIENT_SECRET", valueFrom: { secretKeyRef: { name: "jupyterhub-auth", key: CLIENT_SECRET_KEY } } }]);
        expect(hub.extraConfig["10-credentials-from-secret"]).toContain("c.GenericOAuthenticator.client_secret = os.environ[\"OAUTH_CLIENT_SECRET\"]");
        for (const r of records.filter((x) => x.type !== SECRET)) {
            expect(JSON.stringify(r.inputs), r.name).not.toContain(CLIENT_SECRET);
        }
    });

    it("OAuth without allowed groups lets every provider user in (allow_all)", async () => {
        await build({ ...PRODUCTION, oauth: { ...PRODUCTION.oauth!, allowedGroups: [] } });
        expect(values().hub.config.Authenticator).toEqual({ admin_users: ["alice", "bob"], allow_all: true });
        expect(values().hub.config.GenericOAuthenticator.allowed_groups).toBeUndefined();
    });
});

describe("NOTEBOOKS_CHECKS fail on non-compliant values", () => {
    const mutate = async (_env: Env, args: NotebooksArgs, fn: (v: any) => void) => {
        const { records } = await build(args);
        const rs = asRes(records).map((r) => (r.type === RELEASE ? { ...r, inputs: { ...r.inputs, values: structuredClone(r.inputs.values) } } : r));
        fn(rs.find((r) => r.type === RELEASE)!.inputs.values);
        return rs;
    };
    it.each<[string, Env, (v: any) => void]>([
        ["JH-01", "sandbox", (v) => { v.singleuser.cloudMetadata.blockWithIptables = true; }],
        ["JH-01", "sandbox", (v) => { v.singleuser.networkPolicy.egressAllowRules.cloudMetadataServer = true; }],
        ["JH-01", "sandbox", (v) => { v.singleuser.networkPolicy.egressAllowRules.privateIPs = true; }],
        ["JH-02", "sandbox", (v) => { v.singleuser.uid = 0; }],
        ["JH-02", "sandbox", (v) => { v.singleuser.allowPrivilegeEscalation = true; }],
        ["JH-02", "sandbox", (v) => { v.singleuser.profileList[0].kubespawner_override.environment = { GRANT_SUDO: "yes" }; }],
        ["JH-03", "sandbox", (v) => { delete v.singleuser.cpu.limit; }],
        ["JH-03", "sandbox", (v) => { v.singleuser.profileList[2].kubespawner_override.tolerations = []; }],
        ["JH-03", "sandbox", (v) => { delete v.singleuser.profileList[1].kubespawner_override.mem_limit; }],
        ["JH-03", "sandbox", (v) => { v.cull.enabled = false; }],
        ["JH-04", "sandbox", (v) => { v.hub.db.type = "sqlite-memory"; }],
        ["JH-05", "sandbox", (v) => { v.proxy.service.type = "LoadBalancer"; }],
        ["JH-05", "production", (v) => { v.ingress = { enabled: false }; }],
        ["JH-05", "production", (v) => { v.ingress.tls = []; }],
        ["K8S-04", "sandbox", (v) => { v.hub.config.KubeSpawner.container_security_context.capabilities = {}; }],
        ["K8S-04", "sandbox", (v) => { delete v.hub.config.KubeSpawner.container_security_context.seccompProfile; }],
        ["K8S-07", "sandbox", (v) => { v.singleuser.initContainers = [{ name: "x", image: "busybox:1" }]; }],
        ["K8S-08", "sandbox", (v) => { delete v.hub.resources.limits; }],
        ["K8S-10", "sandbox", (v) => { v.singleuser.image.tag = "latest"; }],
        ["K8S-10", "sandbox", (v) => { v.singleuser.profileList[2].kubespawner_override.image = "quay.io/jupyter/pytorch-notebook"; }],
    ])("%s fails (%s fixture %#)", async (id, env, fn) => {
        const rs = await mutate(env, env === "production" ? PRODUCTION : SANDBOX, fn);
        const violations = NOTEBOOKS_CHECKS.filter((c) => c.id === id).flatMap((c) => c.evaluate(rs, env));
        expect(violations.length).toBeGreaterThan(0);
        expect(violations.every((x) => x.id === id && x.resource === `${RELEASE}::nb-jupyterhub`)).toBe(true);
    });

    it("JH-05 accepts a ClusterIP-only sandbox", async () => {
        const rs = await mutate("sandbox", SANDBOX, () => undefined);
        expect(NOTEBOOKS_CHECKS.filter((c) => c.id === "JH-05").flatMap((c) => c.evaluate(rs, "sandbox"))).toEqual([]);
    });

    it("ignores other charts", () => {
        const other: Res = { type: RELEASE, name: "x", inputs: { chart: "kube-prometheus-stack", values: {} } };
        expect(NOTEBOOKS_CHECKS.flatMap((c) => c.evaluate([other], "production"))).toEqual([]);
    });
});
