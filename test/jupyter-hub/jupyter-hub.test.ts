import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import {
    DEFAULT_PROFILES,
    ADMIN_PASSWORD_ENV,
    USER_PASSWORD_ENV,
    JUPYTERHUB_AUTH_SECRET,
    JupyterHub,
    JupyterHubArgs,
    OAUTH_CLIENT_SECRET_ENV,
    VERIFY_TOKEN_ENV,
    verifyServiceExtraConfig,
    resolveJupyterHubArgs,
} from "../../components/jupyter-hub";
import { GPU_TOLERATION } from "../../components/shared/gpu";
import { coldStartSeconds, gpuStartTimeoutSeconds, gpuStartupStages } from "../../components/shared/gpu-startup";
import { HUB_MLFLOW_HOOK, HUB_PROVISIONER_DIR, NOTEBOOK_PROVISIONER_SECRET } from "../../components/tracking/auth";
import { NOTEBOOK_VERSIONS } from "../../components/shared/versions";
import { Env, Res } from "../../policy/checks";
import { JUPYTERHUB_CHECKS } from "../../policy/checks-jupyterhub";
import { WORKLOAD_CHECKS } from "../../policy/checks-workloads";
import { HAS_JUPYTERHUB_SCHEMA, jupyterHubValuesErrors, mergeHelmValues } from "../helm-values";
import { invalidObjects } from "../k8s-schema";
import { allRecords, byType, one, ResourceRecord, resetRecords, resolve, settle } from "../mocks";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const PASSWORD_TYPE = "random:index/randomPassword:RandomPassword";
const MOCK_PASSWORD = "mock-secret-jh-user-password";
const MOCK_ADMIN_PASSWORD = "mock-secret-jh-admin-password";
/** The verify service's token reaches the hub from the auth Secret, like the passwords. */
const VERIFY_ENV = { name: VERIFY_TOKEN_ENV, valueFrom: { secretKeyRef: { name: JUPYTERHUB_AUTH_SECRET, key: "verify-token" } } };
const CLIENT_SECRET = "oauth-client-secret-never-in-values";
const URI = "http://mlflow.mlflow.svc.cluster.local:5000";
const CERT = "arn:aws:acm:us-west-2:123456789012:certificate/0f0e0d0c-0b0a-4909-8807-060504030201";

const SANDBOX: JupyterHubArgs = { mlflowTrackingUri: URI, adminUsers: ["admin"], deleteVolumesWithWorkload: true, notebookStorageGiB: 10 };
const OAUTH = {
    type: "oauth" as const,
    clientId: "jupyterhub",
    clientSecret: pulumi.secret(CLIENT_SECRET),
    authorizeUrl: "https://idp.example.com/oauth2/authorize",
    tokenUrl: "https://idp.example.com/oauth2/token",
    userdataUrl: "https://idp.example.com/oauth2/userinfo",
    usernameClaim: "email",
    callbackUrl: "https://notebooks.example.com/hub/oauth_callback",
};
const PRODUCTION: JupyterHubArgs = {
    mlflowTrackingUri: URI,
    auth: OAUTH,
    adminUsers: ["alice@example.com"],
    allowedUsers: ["bob@example.com"],
    notebookStorageGiB: 50,
    cullTimeoutMinutes: 120,
    gpuCullTimeoutMinutes: 45,
    ingress: { host: "notebooks.example.com", certificateArn: CERT },
};

async function build(args: JupyterHubArgs = SANDBOX) {
    resetRecords();
    const hub = new JupyterHub("jh", args);
    await resolve(hub.portForwardCommand);
    await settle();
    return hub;
}

const release = (): ResourceRecord => {
    const rs = byType(RELEASE);
    expect(rs).toHaveLength(1);
    return rs[0];
};
const values = () => release().inputs.values;
const asRes = (rs: ResourceRecord[]): Res[] => rs.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
const ids = (rs: Res[], env: Env) => JUPYTERHUB_CHECKS.flatMap((c) => c.evaluate(rs, env));

describe("resolveJupyterHubArgs", () => {
    it("applies the documented defaults", () => {
        const a = resolveJupyterHubArgs({});
        expect(a.auth).toEqual({ type: "shared-password" });
        expect(a.adminUsers).toEqual([]);
        expect(a.allowedUsers).toEqual([]);
        expect(a.notebookStorageGiB).toBe(10);
        expect(a.hubStorageGiB).toBe(1);
        expect(a.storageClassName).toBe("gp3");
        expect(a.cullTimeoutMinutes).toBe(60);
        expect(a.gpuCullTimeoutMinutes).toBe(30);
        expect(a.cpuImage).toBe(NOTEBOOK_VERSIONS.cpuImage);
        expect(a.gpuImage).toBe(NOTEBOOK_VERSIONS.gpuImage);
        expect(a.ingress).toBeUndefined();
        expect(a.deleteVolumesWithWorkload).toBe(false);
        expect(a.profiles.map((p) => [p.slug, p.cpuGuarantee, p.cpuLimit, p.memoryGuarantee, p.memoryLimit, p.gpus, p.image, p.default])).toEqual([
            ["small-cpu", 1, 1, "4Gi", "4Gi", 0, NOTEBOOK_VERSIONS.cpuImage, true],
            ["large-cpu", 3, 4, "12Gi", "16Gi", 0, NOTEBOOK_VERSIONS.cpuImage, false],
            ["gpu", 3, 4, "12Gi", "16Gi", 1, NOTEBOOK_VERSIONS.gpuImage, false],
        ]);
        expect(resolveJupyterHubArgs({ cullTimeoutMinutes: 10 }).gpuCullTimeoutMinutes).toBe(10);
    });

    const p0 = DEFAULT_PROFILES[0];
    it.each<[string, Omit<JupyterHubArgs, "mlflowTrackingUri">, string]>([
        ["auth type", { auth: { type: "ldap" } as any }, 'auth.type (ldap) must be "shared-password" or "oauth"'],
        ["empty client id", { auth: { ...OAUTH, clientId: " " }, adminUsers: ["a"] }, 'auth.clientId (" ") must not be empty'],
        ["empty claim", { auth: { ...OAUTH, usernameClaim: "" }, adminUsers: ["a"] }, 'auth.usernameClaim ("") must not be empty'],
        ["http token url", { auth: { ...OAUTH, tokenUrl: "http://idp/token" }, adminUsers: ["a"] }, "auth.tokenUrl (http://idp/token) must be an https:// URL"],
        ["callback path", { auth: { ...OAUTH, callbackUrl: "https://x.example.com/cb" }, adminUsers: ["a"] }, "auth.callbackUrl (https://x.example.com/cb) must end with /hub/oauth_callback"],
        ["oauth without admins", { auth: OAUTH }, "adminUsers ([]) must name at least one admin with oauth auth, or nobody can administer the hub"],
        ["bad admin", { adminUsers: ["a b"] }, "adminUsers entry (a b) must be a user name of letters, digits and ._@+- (at most 128 characters)"],
        ["bad allowed", { allowedUsers: ["-x"] }, "allowedUsers entry (-x) must be a user name of letters, digits and ._@+- (at most 128 characters)"],
        ["storage", { notebookStorageGiB: 0 }, "notebookStorageGiB (0) must be a whole number from 1 to 1024"],
        ["hub storage", { hubStorageGiB: 1.5 }, "hubStorageGiB (1.5) must be a whole number from 1 to 100"],
        ["cull", { cullTimeoutMinutes: 1 }, "cullTimeoutMinutes (1) must be a whole number from 5 to 10080"],
        ["gpu cull", { gpuCullTimeoutMinutes: 4 }, "gpuCullTimeoutMinutes (4) must be a whole number from 5 to 10080"],
        ["gpu cull > cull", { cullTimeoutMinutes: 30, gpuCullTimeoutMinutes: 60 }, "gpuCullTimeoutMinutes (60) must be at most cullTimeoutMinutes (30): the hub culler stops GPU servers at cullTimeoutMinutes anyway"],
        ["latest image", { cpuImage: "quay.io/jupyter/scipy-notebook:latest" }, "cpuImage (quay.io/jupyter/scipy-notebook:latest) must be name:tag with a pinned tag (not latest)"],
        ["untagged image", { gpuImage: "quay.io/jupyter/pytorch-notebook" }, "gpuImage (quay.io/jupyter/pytorch-notebook) must be name:tag with a pinned tag (not latest)"],
        ["no profiles", { profiles: [] }, "profiles ([]) must list at least one profile"],
        ["slug", { profiles: [{ ...p0, slug: "Big" }] }, "profiles[].slug (Big) must be a lowercase DNS label"],
        ["duplicate slug", { profiles: [p0, p0] }, "profiles[].slug (small-cpu) is used twice; slugs must be unique"],
        ["display name", { profiles: [{ ...p0, displayName: "" }] }, 'profiles[small-cpu].displayName ("") must not be empty'],
        ["cpu", { profiles: [{ ...p0, cpuGuarantee: 2, cpuLimit: 1 }] }, "profiles[small-cpu].cpuGuarantee (2) and cpuLimit (1) must satisfy 0 < guarantee <= limit <= 192"],
        ["memory unit", { profiles: [{ ...p0, memoryLimit: "4G" }] }, 'profiles[small-cpu].memoryLimit (4G) must be a whole quantity in Mi, Gi or Ti, e.g. "4Gi"'],
        ["memory order", { profiles: [{ ...p0, memoryGuarantee: "8Gi" }] }, "profiles[small-cpu].memoryLimit (4Gi) must be at least memoryGuarantee (8Gi)"],
        ["gpus", { profiles: [{ ...p0, gpus: 9 }] }, "profiles[small-cpu].gpus (9) must be a whole number from 0 to 8"],
        ["profile image", { profiles: [{ ...p0, image: "x:latest" }] }, "profiles[small-cpu].image (x:latest) must be name:tag with a pinned tag (not latest)"],
        ["two defaults", { profiles: [p0, { ...p0, slug: "b" }] }, "profiles mark 2 profiles as default; at most one may be"],
        ["ingress host", { ingress: { host: "Bad Host", certificateArn: CERT } }, "ingress.host (Bad Host) must be a fully qualified DNS name"],
        ["ingress certificate", { ingress: { host: "a.example.com", certificateArn: "arn:aws:iam::123456789012:server-certificate/x" } }, "ingress.certificateArn (arn:aws:iam::123456789012:server-certificate/x) must be an ACM certificate ARN"],
    ])("rejects %s", (_, args, message) => {
        expect(() => resolveJupyterHubArgs(args)).toThrow(message);
    });

    it("throws before registering any resource", () => {
        resetRecords();
        expect(() => new JupyterHub("bad", { mlflowTrackingUri: URI, notebookStorageGiB: 0 })).toThrow("notebookStorageGiB");
        expect(allRecords().filter((r) => r.type !== "mlplatform:index:JupyterHub")).toHaveLength(0);
    });
});

describe("JupyterHub (sandbox, shared-password auth)", () => {
    it("creates the namespace, password, Secret and release, parented to the component", async () => {
        await build();
        const others = allRecords().filter((r) => r.type !== "mlplatform:index:JupyterHub");
        expect(others.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
            `${RELEASE} jh-jupyterhub`,
            `${NAMESPACE} jh-namespace`,
            "kubernetes:networking.k8s.io/v1:NetworkPolicy jh-namespace-deny-ingress",
            `${SECRET} jh-auth`,
            `${PASSWORD_TYPE} jh-user-password`,
            `${PASSWORD_TYPE} jh-admin-password`,
            "kubernetes:core/v1:ServiceAccount jh-gpu-prepuller",
            "kubernetes:core/v1:ServiceAccount jh-proxy-sa",
            "kubernetes:apps/v1:DaemonSet jh-gpu-prepuller",
            `${PASSWORD_TYPE} jh-verify-token`,
        ].sort());
        for (const r of others) {
            expect(r.parent, r.name).toMatch(/::mlplatform:index:JupyterHub::jh$/);
        }
        expect(await invalidObjects(allRecords())).toEqual([]);
    });

    it("labels the namespace for MLflow access, enforcing baseline with a reason and auditing restricted", async () => {
        await build();
        const ns = byType(NAMESPACE)[0];
        expect(ns.inputs.metadata.name).toBe("jupyterhub");
        expect(ns.inputs.metadata.labels).toMatchObject({
            "mlplatform.io/mlflow-client": "true",
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
            "app.kubernetes.io/name": "jupyterhub",
            "app.kubernetes.io/part-of": "mlplatform",
            "app.kubernetes.io/managed-by": "pulumi",
        });
        expect(ns.inputs.metadata.annotations["mlplatform.io/pod-security-reason"]).toMatch(/NET_ADMIN/);
        expect(ns.retainOnDelete).toBe(false);
    });

    it("pins the chart and passes the storage, user and network values", async () => {
        await build();
        const r = release();
        expect(r.inputs).toMatchObject({ name: "jupyterhub", chart: "jupyterhub", version: "4.4.0", namespace: "jupyterhub", repositoryOpts: { repo: "https://hub.jupyter.org/helm-chart/" } });
        expect(r.dependencies.some((d) => d.endsWith("::jh-auth"))).toBe(true);
        const v = values();
        expect(v.hub.db).toEqual({ type: "sqlite-pvc", pvc: { storage: "1Gi", storageClassName: "gp3", annotations: {} } });
        expect(v.singleuser.storage).toEqual({ type: "dynamic", capacity: "10Gi", dynamic: { storageClass: "gp3" } });
        expect(v.singleuser.uid).toBe(1000);
        expect(v.singleuser.fsGid).toBe(100);
        expect(v.singleuser.allowPrivilegeEscalation).toBe(false);
        expect(v.singleuser.cloudMetadata).toEqual({ blockWithIptables: false });
        expect(v.singleuser.networkPolicy).toEqual({
            enabled: true,
            egressAllowRules: { cloudMetadataServer: false, dnsPortsCloudMetadataServer: false, dnsPortsKubeSystemNamespace: true, dnsPortsPrivateIPs: true, nonPrivateIPs: true, privateIPs: false },
            egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "mlflow" } } }], ports: [{ port: 5000, protocol: "TCP" }] }],
        });
        expect(v.singleuser.extraEnv).toEqual({ MLFLOW_TRACKING_URI: URI });
        expect(v.singleuser.cpu).toEqual({ guarantee: 1, limit: 1 });
        expect(v.singleuser.memory).toEqual({ guarantee: "4G", limit: "4G" });
        expect(v.singleuser.image).toEqual({ name: "quay.io/jupyter/scipy-notebook", tag: NOTEBOOK_VERSIONS.cpuImage.split(":")[1] });
        expect(v.proxy.service).toEqual({ type: "ClusterIP" });
        expect(v.ingress).toEqual({ enabled: false });
        expect(v.hub.authenticatePrometheus).toBe(false);
        expect(v.hub.networkPolicy.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ port: 8081, protocol: "TCP" }] }]);
        expect(v.hub.resources).toEqual({ requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "1Gi" } });
        expect(v.proxy.chp.resources).toEqual({ requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } });
        expect(v.hub.pdb).toEqual({ enabled: false });
    });

    it("offers the default profiles with limits, GPU toleration and shorter GPU idle shutdown", async () => {
        await build();
        const list = values().singleuser.profileList;
        expect(list.map((p: any) => p.slug)).toEqual(["small-cpu", "large-cpu", "gpu"]);
        expect(list[0]).toEqual({
            display_name: "Small CPU",
            slug: "small-cpu",
            description: "1 CPU, 4 GiB RAM",
            default: true,
            kubespawner_override: { image: NOTEBOOK_VERSIONS.cpuImage, start_timeout: 300, cpu_guarantee: 1, cpu_limit: 1, mem_guarantee: "4G", mem_limit: "4G" },
        });
        expect(list[1].kubespawner_override).toEqual({ image: NOTEBOOK_VERSIONS.cpuImage, start_timeout: 300, cpu_guarantee: 3, cpu_limit: 4, mem_guarantee: "12G", mem_limit: "16G" });
        expect(list[1].default).toBeUndefined();
        expect(list[2].kubespawner_override).toEqual({
            image: NOTEBOOK_VERSIONS.gpuImage,
            start_timeout: gpuStartTimeoutSeconds(),
            cpu_guarantee: 3,
            cpu_limit: 4,
            mem_guarantee: "12G",
            mem_limit: "16G",
            extra_resource_limits: { "nvidia.com/gpu": "1" },
            tolerations: [{ ...GPU_TOLERATION }],
            node_selector: { "nvidia.com/gpu.present": "true" },
            args: ["--ServerApp.shutdown_no_activity_timeout=1800", "--MappingKernelManager.cull_idle_timeout=1800", "--MappingKernelManager.cull_interval=300", "--MappingKernelManager.cull_connected=True"],
        });
        expect(list[2].kubespawner_override.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        expect(values().cull).toEqual({ enabled: true, timeout: 3600, every: 300 });
        // Only the default image is pre-pulled: the pullers never run on the tainted GPU nodes.
        // No install-time hook (it held helm install until every node pulled); the continuous puller stays.
        expect(values().prePuller).toMatchObject({ pullProfileListImages: false, hook: { enabled: false }, continuous: { enabled: true } });
        expect(Object.keys(values().prePuller).sort()).toEqual(["containerSecurityContext", "continuous", "hook", "pause", "pullProfileListImages", "resources"]);
    });

    it("gives GPU spawns the model's timeout at the hub and the GPU profile, CPU profiles the chart's 300 s", async () => {
        await build();
        const v = values();
        const [small, large, gpu] = v.singleuser.profileList.map((p: any) => p.kubespawner_override.start_timeout);
        // jupyterhub 5.5.0 user.py reads spawner.start_timeout before kubespawner 7.0.0 applies the
        // profile (in _start -> load_user_options), so the class-wide value is the hub's limit.
        expect(v.singleuser.startTimeout).toBeGreaterThanOrEqual(coldStartSeconds().p95);
        expect(v.singleuser.startTimeout).toBeGreaterThan(300);
        expect(gpu).toBe(v.singleuser.startTimeout);
        expect(gpu).toBeGreaterThanOrEqual(coldStartSeconds().p95);
        expect([small, large]).toEqual([300, 300]);
        // Users see the pod's events (scale-up, pulling, started) on the spawn page.
        expect(v.singleuser.events).toBe(true);
        // The hub waits long enough for a server starting on a cold page cache.
        const serverStart = gpuStartupStages().find((s) => s.key === "serverStart")!;
        expect(v.hub.config.KubeSpawner.http_timeout).toBeGreaterThan(serverStart.p95Seconds * 2);
    });

    it("keeps the chart's 300 s at the hub when no profile asks for a GPU", async () => {
        await build({ ...SANDBOX, profiles: [DEFAULT_PROFILES[0]] });
        expect(values().singleuser.startTimeout).toBe(300);
    });

    it("lets nothing in front of the hub cut a long spawn: no proxy timeout flag, no short ALB idle timeout", async () => {
        await build(PRODUCTION);
        const v = values();
        expect(JSON.stringify(v.proxy.chp.extraCommandLineFlags ?? [])).not.toMatch(/timeout/);
        const attrs = v.ingress.annotations["alb.ingress.kubernetes.io/load-balancer-attributes"] ?? "";
        const idle = /idle_timeout\.timeout_seconds=(\d+)/.exec(attrs);
        // The progress stream writes every 8 s (jupyterhub 5.5.0 SpawnProgressAPIHandler.keepalive_interval); ALB default idle is 60 s.
        expect(idle === null || Number(idle[1]) > 8).toBe(true);
    });

    it("pre-pulls the GPU profiles' images on GPU nodes only, from the moment a node joins, without a GPU", async () => {
        await build({ ...SANDBOX, profiles: [...DEFAULT_PROFILES, { ...DEFAULT_PROFILES[2], slug: "gpu-custom", image: "example.com/gpu:1.0" }] });
        const ds = one("kubernetes:apps/v1:DaemonSet", "jh-gpu-prepuller");
        const spec = ds.inputs.spec.template.spec;
        expect(ds.inputs.metadata).toMatchObject({ name: "gpu-image-prepuller", namespace: "jupyterhub" });
        expect(spec.nodeSelector).toEqual({ "nvidia.com/gpu.present": "true" });
        expect(spec.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        expect(spec.initContainers.map((c: any) => c.image)).toEqual([NOTEBOOK_VERSIONS.gpuImage, "example.com/gpu:1.0"]);
        // Scheduled before the device plugin advertises GPUs: it asks for none, and sees none.
        for (const c of [...spec.initContainers, ...spec.containers]) {
            expect(JSON.stringify(c.resources)).not.toContain("nvidia.com/gpu");
        }
        expect(spec.initContainers.every((c: any) => c.env.some((e: any) => e.name === "NVIDIA_VISIBLE_DEVICES" && e.value === "void"))).toBe(true);
        expect(spec.containers.map((c: any) => c.image)).toEqual([NOTEBOOK_VERSIONS.pauseImage]);
        expect(spec.automountServiceAccountToken).toBe(false);
        expect(await invalidObjects(allRecords())).toEqual([]);
        const violations = WORKLOAD_CHECKS.flatMap((c) => c.evaluate(asRes(allRecords()), "sandbox"));
        expect(violations).toEqual([]);
    });

    it("creates no pre-puller when no profile asks for a GPU", async () => {
        await build({ ...SANDBOX, profiles: [DEFAULT_PROFILES[0]] });
        expect(byType("kubernetes:apps/v1:DaemonSet")).toEqual([]);
    });

    it("takes custom profiles and timeouts", async () => {
        await build({
            ...SANDBOX,
            cullTimeoutMinutes: 90,
            gpuCullTimeoutMinutes: 20,
            profiles: [
                { slug: "tiny", displayName: "Tiny", description: "0.5 CPU", cpuGuarantee: 0.5, cpuLimit: 1, memoryGuarantee: "512Mi", memoryLimit: "1Gi" },
                { slug: "multi-gpu", displayName: "4 GPUs", description: "", cpuGuarantee: 16, cpuLimit: 16, memoryGuarantee: "64Gi", memoryLimit: "64Gi", gpus: 4, image: "example.com/gpu:1.0", default: true },
            ],
        });
        const v = values();
        expect(v.cull.timeout).toBe(5400);
        expect(v.singleuser.cpu).toEqual({ guarantee: 16, limit: 16 });
        expect(v.singleuser.memory).toEqual({ guarantee: "64G", limit: "64G" });
        expect(v.singleuser.profileList[0].kubespawner_override).toEqual({ image: NOTEBOOK_VERSIONS.cpuImage, start_timeout: 300, cpu_guarantee: 0.5, cpu_limit: 1, mem_guarantee: "512M", mem_limit: "1G" });
        const gpu = v.singleuser.profileList[1].kubespawner_override;
        expect(gpu.image).toBe("example.com/gpu:1.0");
        expect(gpu.extra_resource_limits).toEqual({ "nvidia.com/gpu": "4" });
        expect(gpu.args[0]).toBe("--ServerApp.shutdown_no_activity_timeout=1200");
    });

    it("configures shared-password auth from generated user and admin passwords kept out of the values", async () => {
        const hub = await build();
        const v = values();
        expect(v.hub.config.JupyterHub).toEqual({ authenticator_class: "shared-password" });
        expect(v.hub.config.Authenticator).toEqual({ admin_users: ["admin"], allow_all: true });
        expect(v.hub.extraEnv).toEqual([
            { name: USER_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: JUPYTERHUB_AUTH_SECRET, key: "secret" } } },
            { name: ADMIN_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: JUPYTERHUB_AUTH_SECRET, key: "admin" } } },
            VERIFY_ENV,
        ]);
        expect(v.hub.extraConfig).toEqual({
            "10-shared-password": 'import os\nc.SharedPasswordAuthenticator.user_password = os.environ["USER_PASSWORD"]\nc.SharedPasswordAuthenticator.admin_password = os.environ["ADMIN_PASSWORD"]\n',
            ...verifyServiceExtraConfig(),
        });
        // JupyterHub refuses an admin password under 32 characters.
        const passwords = byType(PASSWORD_TYPE);
        expect(passwords.find((p) => p.name === "jh-admin-password")!.inputs.length).toBeGreaterThanOrEqual(32);
        expect(passwords.find((p) => p.name === "jh-user-password")!.inputs.length).toBeGreaterThanOrEqual(8);
        const secret = byType(SECRET)[0];
        expect(secret.inputs.metadata).toMatchObject({ name: JUPYTERHUB_AUTH_SECRET, namespace: "jupyterhub" });
        expect(secret.inputs.stringData).toEqual({ secret: MOCK_PASSWORD, admin: MOCK_ADMIN_PASSWORD, "verify-token": "mock-secret-jh-verify-token" });
        expect(secret.secretPaths.some((p) => "stringData.secret".startsWith(p))).toBe(true);
        expect(secret.secretPaths.some((p) => "stringData.admin".startsWith(p))).toBe(true);
        expect(await resolve(hub.userPassword!)).toBe(MOCK_PASSWORD);
        expect(await resolve(hub.adminPassword!)).toBe(MOCK_ADMIN_PASSWORD);
        expect(await pulumi.isSecret(hub.userPassword!)).toBe(true);
        expect(await pulumi.isSecret(hub.adminPassword!)).toBe(true);
        for (const r of allRecords().filter((x) => x.type !== SECRET && x.type !== PASSWORD_TYPE)) {
            expect(JSON.stringify(r.inputs), r.name).not.toContain(MOCK_PASSWORD);
            expect(JSON.stringify(r.inputs), r.name).not.toContain(MOCK_ADMIN_PASSWORD);
        }
    });

    it("exposes the port-forward command and the hub scrape target", async () => {
        const hub = await build();
        expect(await resolve(hub.portForwardCommand)).toBe("kubectl -n jupyterhub port-forward svc/proxy-public 8080:80");
        expect(await pulumi.isSecret(hub.portForwardCommand)).toBe(false);
        expect(hub.scrapeTargets).toHaveLength(1);
        const t = hub.scrapeTargets[0];
        expect({ ...t, namespace: await resolve(t.namespace) }).toEqual({ name: "jupyterhub", namespace: "jupyterhub", selector: { app: "jupyterhub", component: "hub" }, port: "hub", path: "/hub/metrics" });
    });

    it("passes every JupyterHub check for sandbox", async () => {
        await build();
        expect(ids(asRes(allRecords()), "sandbox")).toEqual([]);
    });
});

describe("JupyterHub (production, OAuth)", () => {
    it("configures GenericOAuthenticator with the client secret only in a Secret", async () => {
        const hub = await build(PRODUCTION);
        expect(hub.adminPassword).toBeUndefined();
        // No sign-in password is generated with OAuth; only the verify service's token.
        expect(byType(PASSWORD_TYPE).map((p) => p.name)).toEqual(["jh-verify-token"]);
        const v = values();
        expect(v.hub.config.JupyterHub).toEqual({ authenticator_class: "generic-oauth" });
        expect(v.hub.config.Authenticator).toEqual({ admin_users: ["alice@example.com"], allowed_users: ["alice@example.com", "bob@example.com"] });
        expect(v.hub.config.GenericOAuthenticator).toEqual({
            client_id: "jupyterhub",
            oauth_callback_url: OAUTH.callbackUrl,
            authorize_url: OAUTH.authorizeUrl,
            token_url: OAUTH.tokenUrl,
            userdata_url: OAUTH.userdataUrl,
            username_claim: "email",
            scope: ["openid", "email", "profile"],
        });
        expect(v.hub.extraEnv).toEqual([{ name: OAUTH_CLIENT_SECRET_ENV, valueFrom: { secretKeyRef: { name: JUPYTERHUB_AUTH_SECRET, key: "secret" } } }, VERIFY_ENV]);
        expect(v.hub.extraConfig).toEqual({ "10-oauth-client-secret": 'import os\nc.GenericOAuthenticator.client_secret = os.environ["OAUTH_CLIENT_SECRET"]\n', ...verifyServiceExtraConfig() });
        const secret = byType(SECRET)[0];
        expect(secret.inputs.stringData).toEqual({ secret: CLIENT_SECRET, "verify-token": "mock-secret-jh-verify-token" });
        expect(secret.secretPaths.some((p) => "stringData.secret".startsWith(p))).toBe(true);
        for (const r of allRecords().filter((x) => x.type !== SECRET)) {
            expect(JSON.stringify(r.inputs), r.name).not.toContain(CLIENT_SECRET);
        }
        expect(await invalidObjects(allRecords())).toEqual([]);
    });

    it("retains volumes, sizes storage and culling from args, and adds the TLS Ingress", async () => {
        await build(PRODUCTION);
        const v = values();
        expect(byType(NAMESPACE)[0].retainOnDelete).toBe(true);
        expect(v.hub.db.pvc.annotations).toEqual({ "helm.sh/resource-policy": "keep" });
        expect(v.singleuser.storage.capacity).toBe("50Gi");
        expect(v.cull).toEqual({ enabled: true, timeout: 7200, every: 300 });
        expect(v.singleuser.profileList[2].kubespawner_override.args[0]).toBe("--ServerApp.shutdown_no_activity_timeout=2700");
        expect(v.ingress).toEqual({
            enabled: true,
            ingressClassName: "alb",
            annotations: {
                "alb.ingress.kubernetes.io/scheme": "internal",
                "alb.ingress.kubernetes.io/target-type": "ip",
                "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]',
                "alb.ingress.kubernetes.io/certificate-arn": CERT,
                "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            },
            hosts: ["notebooks.example.com"],
            tls: [{ hosts: ["notebooks.example.com"] }],
        });
        expect(v.proxy.service.type).toBe("ClusterIP");
    });

    it("passes every JupyterHub check for production; the sandbox release fails JH-05 there", async () => {
        await build(PRODUCTION);
        expect(ids(asRes(allRecords()), "production")).toEqual([]);
        await build();
        expect(ids(asRes(allRecords()), "production").map((x) => x.id)).toEqual(["JH-05"]);
    });
});

describe("JUPYTERHUB_CHECKS on mutated values", () => {
    const base = async (args: JupyterHubArgs = SANDBOX) => {
        await build(args);
        return release();
    };
    const mutate = (r: ResourceRecord, patch: (v: any) => void): Res[] => {
        const values = JSON.parse(JSON.stringify(r.inputs.values));
        patch(values);
        return [{ type: r.type, name: r.name, inputs: { ...r.inputs, values } }];
    };
    it.each<[string, Env, (v: any) => void]>([
        ["JH-01", "sandbox", (v) => { v.singleuser.cloudMetadata.blockWithIptables = true; }],
        ["JH-01", "sandbox", (v) => { v.singleuser.networkPolicy.enabled = false; }],
        ["JH-01", "sandbox", (v) => { delete v.singleuser.networkPolicy.egressAllowRules.cloudMetadataServer; }],
        ["JH-02", "sandbox", (v) => { v.singleuser.uid = 0; }],
        ["JH-02", "sandbox", (v) => { v.singleuser.allowPrivilegeEscalation = true; }],
        ["JH-02", "sandbox", (v) => { v.singleuser.extraEnv.GRANT_SUDO = "yes"; }],
        ["JH-02", "sandbox", (v) => { v.singleuser.profileList[0].kubespawner_override.uid = 0; }],
        ["JH-02", "sandbox", (v) => { v.singleuser.profileList[1].kubespawner_override.environment = { GRANT_SUDO: "yes" }; }],
        ["JH-03", "sandbox", (v) => { delete v.singleuser.memory.limit; }],
        ["JH-03", "sandbox", (v) => { delete v.singleuser.profileList[0].kubespawner_override.cpu_limit; }],
        ["JH-03", "sandbox", (v) => { v.singleuser.profileList[2].kubespawner_override.tolerations = []; }],
        ["JH-03", "sandbox", (v) => { delete v.singleuser.profileList[2].kubespawner_override.extra_resource_limits; }],
        ["JH-03", "sandbox", (v) => { v.cull.enabled = false; }],
        ["JH-04", "sandbox", (v) => { v.hub.db = { type: "sqlite-memory" }; }],
        ["JH-04", "sandbox", (v) => { v.hub.pdb.enabled = true; }],
        ["JH-05", "sandbox", (v) => { v.proxy.service.type = "LoadBalancer"; }],
        ["JH-05", "sandbox", (v) => { v.ingress = { enabled: true, tls: [] }; }],
        ["JH-05", "production", (v) => { v.ingress.tls = []; delete v.ingress.annotations["alb.ingress.kubernetes.io/certificate-arn"]; }],
        ["JH-05", "production", (v) => { v.ingress.annotations["alb.ingress.kubernetes.io/listen-ports"] = '[{"HTTP":80},{"HTTPS":443}]'; }],
        ["K8S-02", "sandbox", (v) => { v.hub.containerSecurityContext.allowPrivilegeEscalation = true; }],
        ["K8S-02", "sandbox", (v) => { delete v.hub.config.KubeSpawner.container_security_context.allowPrivilegeEscalation; }],
        ["K8S-04", "sandbox", (v) => { v.proxy.chp.containerSecurityContext.capabilities = { drop: [] }; }],
        ["K8S-04", "sandbox", (v) => { v.scheduling.userScheduler.containerSecurityContext.capabilities.add = ["NET_ADMIN"]; }],
    ])("%s fails on a non-compliant fixture (%s)", async (id, env, patch) => {
        const r = await base(env === "production" ? PRODUCTION : SANDBOX);
        expect(ids(mutate(r, () => undefined), env)).toEqual([]);
        expect([...new Set(ids(mutate(r, patch), env).map((x) => x.id))]).toEqual([id]);
    });

    it("covers every check id", () => {
        expect(JUPYTERHUB_CHECKS.map((c) => c.id)).toEqual(["JH-01", "JH-02", "JH-03", "JH-04", "JH-05", "K8S-02", "K8S-04"]);
    });

    it("ignores other releases", () => {
        expect(ids([{ type: RELEASE, name: "x", inputs: { chart: "other", values: {} } }], "production")).toEqual([]);
    });
});

describe("Helm values against the z2jh 4.4.0 schema", () => {
    it("merges like Helm: maps merge, lists and scalars replace, null deletes", () => {
        expect(mergeHelmValues({ a: { b: 1, c: [1, 2], d: "x" }, e: 1 }, { a: { c: [3], d: null, f: true }, e: 2 })).toEqual({ a: { b: 1, c: [3], f: true }, e: 2 });
        expect(mergeHelmValues({ a: { b: 1 } }, { a: "scalar" })).toEqual({ a: "scalar" });
        expect(mergeHelmValues({ a: 1 }, undefined)).toEqual({ a: 1 });
    });

    it.skipIf(!HAS_JUPYTERHUB_SCHEMA)("sandbox and production values validate after merging with chart defaults (NOT RUN when ../shared is absent)", async () => {
        for (const args of [SANDBOX, PRODUCTION]) {
            await build(args);
            expect(jupyterHubValuesErrors(values())).toEqual([]);
        }
    });

    it.skipIf(!HAS_JUPYTERHUB_SCHEMA)("the schema refuses a misspelt key (NOT RUN when ../shared is absent)", async () => {
        await build();
        const v = JSON.parse(JSON.stringify(values()));
        v.singleuser.cloudMetaData = { blockWithIptables: false };
        expect(jupyterHubValuesErrors(v).join("\n")).toMatch(/cloudMetaData/);
    });
});

describe("JupyterHub: MLflow credentials per user (ML-04)", () => {
    const ADMIN = "mlflow-admin-password-from-tracking";
    it("mounts the provisioner Secret into the hub and installs the pre-spawn hook; no password in the values", async () => {
        await build({ ...SANDBOX, mlflowAdminPassword: pulumi.secret(ADMIN) });
        const secret = byType(SECRET).find((s) => s.inputs.metadata.name === NOTEBOOK_PROVISIONER_SECRET)!;
        expect(secret.inputs.stringData).toEqual({ "admin-password": ADMIN, "user-key": "mock-secret-jh-mlflow-user-key" });
        const hub = values().hub;
        expect(hub.extraConfig["20-mlflow-credentials"]).toBe(HUB_MLFLOW_HOOK);
        expect(hub.extraVolumes).toEqual([{ name: "mlflow-provisioner", secret: { secretName: NOTEBOOK_PROVISIONER_SECRET, defaultMode: 0o440 } }]);
        expect(hub.extraVolumeMounts).toEqual([{ name: "mlflow-provisioner", mountPath: HUB_PROVISIONER_DIR, readOnly: true }]);
        expect(hub.extraEnv).toContainEqual({ name: "MLFLOW_TRACKING_URI", value: URI });
        expect(JSON.stringify(values())).not.toContain(ADMIN);
        expect(JSON.stringify(values())).not.toContain("mock-secret-jh-mlflow-user-key");
        // The release waits for the Secret it mounts.
        expect(release().dependencies).toContain(secret.urn);
        // Users get env from their own Secret by secretKeyRef, never a literal password.
        expect(HUB_MLFLOW_HOOK).toContain("'valueFrom': {'secretKeyRef'");
        expect(HUB_MLFLOW_HOOK).toContain("c.KubeSpawner.pre_spawn_hook = mlflow_credentials");
        if (HAS_JUPYTERHUB_SCHEMA) {
            expect(jupyterHubValuesErrors(values())).toEqual([]);
        }
    });

    it("adds nothing without MLflow authentication", async () => {
        await build(SANDBOX);
        expect(byType(SECRET).some((s) => s.inputs.metadata.name === NOTEBOOK_PROVISIONER_SECRET)).toBe(false);
        expect(values().hub.extraConfig["20-mlflow-credentials"]).toBeUndefined();
        expect(values().hub.extraVolumes).toBeUndefined();
    });
});
