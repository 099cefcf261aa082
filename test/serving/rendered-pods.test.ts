/**
 * K8S-14 for the serving and queueing layers' charts: Kueue's controller (chart 0.19.2) and
 * metrics-server (chart 3.13.1) as policy/chart-pods.ts renders them from the values the program
 * passes over the charts' defaults; the K8S-* checks pass on them, and fail on mutated values.
 */
import { describe, expect, it } from "vitest";
import { kueueValues } from "../../components/queues/kueue-release";
import { metricsServerValues } from "../../components/serving/metrics-server";
import { renderedWorkloads } from "../../policy/chart-pods";
import { Env, Res } from "../../policy/checks";
import { WORKLOAD_CHECKS } from "../../policy/checks-workloads";

const release = (chart: string, name: string, namespace: string, values: any): Res => ({
    type: "kubernetes:helm.sh/v3:Release",
    name: `rel-${name}`,
    urn: `urn:pulumi:test::mlplatform::kubernetes:helm.sh/v3:Release::rel-${name}`,
    inputs: { chart, name, namespace, values },
});
const kueue = (replicas = 1) => release("oci://registry.k8s.io/kueue/charts/kueue", "kueue", "kueue-system", kueueValues({ replicas, podsReadyTimeoutSeconds: 1800 }));
const metricsServer = () => release("metrics-server", "metrics-server", "kube-system", metricsServerValues());
const ids = (rs: Res[], env: Env = "sandbox") => WORKLOAD_CHECKS.flatMap((c) => c.evaluate(rs, env)).map((x) => `${x.id} ${x.message}`);

describe("K8S-14: Kueue's controller pod (kueue 0.19.2 templates/manager/manager.yaml over values.yaml)", () => {
    it("renders the controller from our values: pinned image, restricted contexts, requests and memory limit, /healthz and /readyz, the API token", () => {
        const [w] = renderedWorkloads([kueue()]);
        expect(w.type).toBe("kubernetes:apps/v1:Deployment");
        expect(w.inputs.metadata).toEqual({ namespace: "kueue-system", labels: { "app.kubernetes.io/name": "kueue" } });
        const pod = w.inputs.spec.template.spec;
        expect(pod.serviceAccountName).toBe("kueue-controller-manager");
        expect(pod.automountServiceAccountToken).toBeUndefined();
        expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } });
        const c = pod.containers[0];
        expect(c.image).toBe("registry.k8s.io/kueue/kueue:v0.19.2");
        // Helm drops the chart's cpu limit for our null (merge), keeps the requests.
        expect(c.resources).toEqual({ limits: { memory: "512Mi" }, requests: { cpu: "500m", memory: "512Mi" } });
        expect(c.livenessProbe).toMatchObject({ httpGet: { path: "/healthz", port: 8081 }, initialDelaySeconds: 15, periodSeconds: 20 });
        expect(c.readinessProbe).toMatchObject({ httpGet: { path: "/readyz", port: 8081 }, initialDelaySeconds: 5, periodSeconds: 10 });
    });

    it.each(["sandbox", "production"] as const)("passes the K8S checks in %s (token: the one listed exemption)", (env) => {
        expect(ids([kueue(env === "production" ? 2 : 1)], env)).toEqual([]);
    });

    it.each([
        ["a writable root", (v: any) => { v.controllerManager.manager.containerSecurityContext.readOnlyRootFilesystem = false; }, "sandbox", "K8S-06"],
        ["no memory limit", (v: any) => { v.controllerManager.manager.resources.limits.memory = null; }, "sandbox", "K8S-08"],
        ["root allowed", (v: any) => { v.controllerManager.manager.podSecurityContext = { runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } }; }, "sandbox", "K8S-01"],
        ["the latest image", (v: any) => { v.controllerManager.manager.image.tag = "latest"; }, "sandbox", "K8S-10"],
        ["two replicas without zone spread", (v: any) => { v.controllerManager.topologySpreadConstraints = []; }, "production", "K8S-12"],
    ])("fails on %s", (_what, mutate, env, id) => {
        const r = kueue(env === "production" ? 2 : 1);
        mutate(r.inputs.values);
        expect(ids([r], env as Env).map((m) => m.split(" ")[0])).toEqual([id]);
    });
});

describe("K8S-14: metrics-server's pod (chart 3.13.1 templates/deployment.yaml over values.yaml)", () => {
    it("renders the chart's restricted container context, our pod context and resources, /livez and /readyz, the API token", () => {
        const [w] = renderedWorkloads([metricsServer()]);
        expect(w.inputs.metadata).toEqual({ namespace: "kube-system", labels: { "app.kubernetes.io/name": "metrics-server" } });
        const pod = w.inputs.spec.template.spec;
        expect(pod.serviceAccountName).toBe("metrics-server");
        expect(pod.hostNetwork).toBe(false);
        expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        const c = pod.containers[0];
        expect(c.image).toBe("registry.k8s.io/metrics-server/metrics-server:v0.8.1");
        expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" }, capabilities: { drop: ["ALL"] } });
        expect(c.resources).toEqual({ requests: { cpu: "100m", memory: "200Mi" }, limits: { memory: "400Mi" } });
        expect([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path]).toEqual(["/livez", "/readyz"]);
    });

    it.each(["sandbox", "production"] as const)("passes the K8S checks in %s (token: the one listed exemption)", (env) => {
        expect(ids([metricsServer()], env)).toEqual([]);
    });

    it.each([
        ["host networking", (v: any) => { v.hostNetwork = { enabled: true }; }, "K8S-07"],
        ["a writable root", (v: any) => { v.securityContext = { readOnlyRootFilesystem: false }; }, "K8S-06"],
        ["escalation allowed", (v: any) => { v.securityContext = { allowPrivilegeEscalation: true }; }, "K8S-02"],
        ["no seccomp anywhere", (v: any) => { v.securityContext = { seccompProfile: null }; v.podSecurityContext = { runAsNonRoot: true }; }, "K8S-05"],
        ["no memory limit", (v: any) => { v.resources = { requests: { cpu: "100m", memory: "200Mi" } }; }, "K8S-08"],
        ["identical probes", (v: any) => { v.readinessProbe = { httpGet: { path: "/livez" }, initialDelaySeconds: 0 }; }, "K8S-09"],
        ["the latest image", (v: any) => { v.image.tag = "latest"; }, "K8S-10"],
    ])("fails on %s", (_what, mutate, id) => {
        const r = metricsServer();
        mutate(r.inputs.values);
        expect(ids([r]).map((m) => m.split(" ")[0])).toEqual([id]);
    });
});
