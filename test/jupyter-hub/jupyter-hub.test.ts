import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { NOTEBOOK_VERSIONS } from "../../components/shared/versions";
import { invalidObjects } from "../k8s-schema";
import { allRecords, byType, resetRecords, resolve } from "../mocks";
import { asRes, build, CERT, ids, NAMESPACE, PASSWORD_TYPE, PRODUCTION, release, RELEASE, SECRET, URI, values } from "./fixtures";

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

    it("exposes the port-forward command and the hub scrape target", async () => {
        const hub = await build();
        expect(await resolve(hub.portForwardCommand)).toBe("kubectl -n jupyterhub port-forward svc/proxy-public 8080:80");
        expect(await pulumi.isSecret(hub.portForwardCommand)).toBe(false);
        expect(hub.scrapeTargets).toHaveLength(1);
        const t = hub.scrapeTargets[0];
        expect({ ...t, namespace: await resolve(t.namespace) }).toEqual({ name: "jupyterhub", namespace: "jupyterhub", namespaceName: "jupyterhub", selector: { app: "jupyterhub", component: "hub" }, port: "hub", path: "/hub/metrics" });
    });

    it("passes every JupyterHub check for sandbox", async () => {
        await build();
        expect(ids(asRes(allRecords()), "sandbox")).toEqual([]);
    });
});

describe("JupyterHub (production, OAuth)", () => {
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

    it("makes only the release (it carries the Ingress) wait for the load-balancer controller", async () => {
        resetRecords();
        const controller = new random.RandomPassword("lb-controller-stand-in", { length: 8 });
        await build({ ...PRODUCTION, loadBalancerController: controller });
        const urn = await resolve(controller.urn);
        expect(release().dependencies).toContain(urn);
        const others = allRecords().filter((r) => r.urn !== release().urn && r.name !== "lb-controller-stand-in");
        expect(others.filter((r) => r.dependencies.includes(urn)).map((r) => r.name)).toEqual([]);
        await build(PRODUCTION);
        expect(release().dependencies.some((d) => d.includes("lb-controller"))).toBe(false);
    });
});
