import { describe, expect, it } from "vitest";
import { MODEL_READER_SECRET, Serving, ServingArgs } from "../../components/serving";
import { GPU_START_TIMEOUT_SECONDS, MODEL_LOAD_TIMEOUT_SECONDS, rolloutSeconds } from "../../components/serving/endpoint";
import { metricsServerValues } from "../../components/serving/metrics-server";
import { FETCH_SCRIPT, SCORING_APP } from "../../components/serving/scoring-app";
import { resolveModels } from "../../components/serving/settings";
import { gpuStartTimeoutSeconds } from "../../components/shared/gpu-startup";
import { SERVING_VERSIONS, TRACKING_VERSIONS } from "../../components/shared/versions";
import { SERVING_CHECKS } from "../../policy/checks-serving";
import { WORKLOAD_CHECKS } from "../../policy/checks-workloads";
import { invalidObjects } from "../k8s-schema";
import { allRecords, buildComponent, byType, one } from "../mocks";
import { TEAMS } from "./fixtures";

const DEPLOY = "kubernetes:apps/v1:Deployment";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const SVC = "kubernetes:core/v1:Service";
const CR_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const CR_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const TRACKING_URI = "http://mlflow.mlflow.svc.cluster.local:5000";
/** Tracking's read-only identity for serving (its `readerCredentials.serving`). */
const READER = { username: "reader-serving", password: "reader-password-secret" };

const MODELS = resolveModels([
    { name: "churn", team: "vision", modelUri: "models:/churn/3", minReplicas: 2, maxReplicas: 6, cpu: "1", memory: "2Gi" },
    { name: "detector", team: "vision", modelUri: "models:/detector@champion", gpu: 1, cpu: "2", memory: "8Gi", maxReplicas: 2 },
    { name: "churn", team: "nlp", modelUri: "models:/churn-nlp/1" },
], TEAMS);

async function build(extra: Partial<ServingArgs> = {}) {
    return buildComponent(() => new Serving("serving", { models: MODELS, trackingUri: TRACKING_URI, monitoring: [], ...extra }));
}
const deployment = (team: string, model: string) => one(DEPLOY, `serving-${team}-${model}-server`);
const podOf = (team: string, model: string) => deployment(team, model).inputs.spec.template.spec;

describe("Serving: one endpoint per model", () => {
    it("creates each model's objects in its team's namespace, parented to the component", async () => {
        await build();
        expect(byType(DEPLOY).map((d) => `${d.inputs.metadata.namespace}/${d.inputs.metadata.name}`).sort()).toEqual(["nlp/churn", "vision/churn", "vision/detector"]);
        for (const type of [SVC, HPA, NETPOL, CR_MONITOR, "kubernetes:core/v1:ServiceAccount", "kubernetes:core/v1:ConfigMap"]) {
            expect(byType(type), type).toHaveLength(3);
        }
        // A PDB only where minReplicas >= 2: one on a single replica would block node drains.
        expect(byType(PDB).map((p) => p.name)).toEqual(["serving-vision-churn-pdb"]);
        expect(one(PDB, "serving-vision-churn-pdb").inputs.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "model-endpoint", "app.kubernetes.io/instance": "churn" } } });
        for (const r of allRecords().filter((x) => x.type.startsWith("kubernetes:"))) {
            expect(r.urn, r.name).toContain("mlplatform:index:Serving$");
        }
    });

    it("exports each endpoint's in-cluster URL and port-forward command", async () => {
        const s = await build();
        expect(s.endpoints).toEqual({
            "vision/churn": { url: "http://churn.vision.svc.cluster.local:8080/invocations", portForward: "kubectl -n vision port-forward svc/churn 8080:8080" },
            "vision/detector": { url: "http://detector.vision.svc.cluster.local:8080/invocations", portForward: "kubectl -n vision port-forward svc/detector 8080:8080" },
            "nlp/churn": { url: "http://churn.nlp.svc.cluster.local:8080/invocations", portForward: "kubectl -n nlp port-forward svc/churn 8080:8080" },
        });
        expect(one(SVC, "serving-vision-churn-svc").inputs.spec).toEqual({
            type: "ClusterIP",
            selector: { "app.kubernetes.io/name": "model-endpoint", "app.kubernetes.io/instance": "churn" },
            ports: [{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }],
        });
    });

    it("runs the restricted profile: non-root, read-only root with a writable /tmp, no escalation, drop ALL, RuntimeDefault", async () => {
        await build();
        const pod = podOf("vision", "churn");
        expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } });
        expect(pod.automountServiceAccountToken).toBe(false);
        for (const c of [...pod.initContainers, ...pod.containers]) {
            expect(c.securityContext, c.name).toEqual({ allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
            expect(c.volumeMounts, c.name).toContainEqual({ name: "tmp", mountPath: "/tmp" });
            expect(c.image, c.name).toBe(TRACKING_VERSIONS.mlflowImage);
        }
        expect(pod.volumes).toContainEqual({ name: "tmp", emptyDir: { sizeLimit: "1Gi" } });
    });

    it("serves MLflow's scoring app with probes on its health endpoints and a startup allowance for loading the model", async () => {
        await build();
        const [server] = podOf("vision", "churn").containers;
        expect(server.command).toEqual(["python", "-m", "uvicorn", "--host", "0.0.0.0", "--port", "8080", "--workers", "1", "mlplatform_scoring:app"]);
        expect(server.env).toContainEqual({ name: "__pyfunc_model_path__", value: "/models/model" });
        expect(server.readinessProbe.httpGet).toEqual({ path: "/ping", port: "http" });
        expect(server.livenessProbe.httpGet).toEqual({ path: "/health", port: "http" });
        expect(server.startupProbe.periodSeconds * server.startupProbe.failureThreshold).toBeGreaterThanOrEqual(MODEL_LOAD_TIMEOUT_SECONDS);
        expect(server.resources).toEqual({ requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "2Gi" } });
        expect(server.volumeMounts).toContainEqual({ name: "model", mountPath: "/models", readOnly: true });
        expect(SCORING_APP).toContain("from mlflow.pyfunc.scoring_server.app import app as scoring_app");
    });

    it("fetches the model through the registry at the tracking URI as the read-only MLflow user; credentials only by secretKeyRef, only in the fetcher", async () => {
        await build({ mlflowReader: READER });
        const pod = podOf("vision", "detector");
        const [fetch] = pod.initContainers;
        expect(fetch.command).toEqual(["python", "-c", FETCH_SCRIPT]);
        expect(fetch.env).toEqual([
            { name: "MODEL_URI", value: "models:/detector@champion" },
            { name: "MLFLOW_TRACKING_URI", value: TRACKING_URI },
            { name: "MLFLOW_HTTP_REQUEST_TIMEOUT", value: "120" },
            { name: "HOME", value: "/tmp" },
            { name: "MLFLOW_TRACKING_USERNAME", valueFrom: { secretKeyRef: { name: MODEL_READER_SECRET, key: "MLFLOW_TRACKING_USERNAME" } } },
            { name: "MLFLOW_TRACKING_PASSWORD", valueFrom: { secretKeyRef: { name: MODEL_READER_SECRET, key: "MLFLOW_TRACKING_PASSWORD" } } },
        ]);
        // One Secret per namespace with endpoints, its password secret, and the Deployments wait for it.
        const secrets = byType("kubernetes:core/v1:Secret");
        expect(secrets.map((x) => `${x.inputs.metadata.namespace}/${x.inputs.metadata.name}`).sort()).toEqual([`nlp/${MODEL_READER_SECRET}`, `vision/${MODEL_READER_SECRET}`]);
        const visionSecret = secrets.find((x) => x.inputs.metadata.namespace === "vision")!;
        expect(visionSecret.inputs.stringData.MLFLOW_TRACKING_USERNAME).toBe(READER.username);
        expect(visionSecret.secretPaths.some((p) => "stringData.MLFLOW_TRACKING_PASSWORD".startsWith(p))).toBe(true);
        expect(deployment("vision", "detector").dependencies).toContain(visionSecret.urn);
        // The process that runs the model's own code never holds the credentials.
        expect(JSON.stringify(pod.containers)).not.toMatch(/MLFLOW_TRACKING_(USERNAME|PASSWORD)|secretKeyRef/);
    });

    it("fetches anonymously while MLflow has no authentication (no credentials parameter)", async () => {
        await build();
        expect(JSON.stringify(podOf("vision", "churn"))).not.toMatch(/secretKeyRef|MLFLOW_TRACKING_USERNAME/);
    });

    it("spreads replicas over zones and nodes", async () => {
        await build();
        expect(podOf("vision", "churn").topologySpreadConstraints.map((t: any) => [t.topologyKey, t.maxSkew])).toEqual([["topology.kubernetes.io/zone", 1], ["kubernetes.io/hostname", 1]]);
    });
});

describe("Serving: autoscaling and rollouts", () => {
    it("autoscales on CPU between min and max with autoscaling/v2, and leaves the replica count to the HPA", async () => {
        await build();
        const hpa = one(HPA, "serving-vision-churn-hpa");
        expect(hpa.inputs.spec).toEqual({
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "churn" },
            minReplicas: 2,
            maxReplicas: 6,
            metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
        });
        // With spec.replicas declared, every `pulumi up` would reset a scaled-out endpoint to it.
        expect(deployment("vision", "churn").inputs.spec.replicas).toBeUndefined();
    });

    it("changes a model's version as a rolling update with no downtime (day-2)", async () => {
        await build();
        const before = deployment("vision", "churn").inputs;
        const next = MODELS.map((m) => (m.team === "vision" && m.name === "churn" ? { ...m, modelUri: "models:/churn/4" } : m));
        await build({ models: next });
        const after = deployment("vision", "churn").inputs;
        // Only the fetcher's MODEL_URI differs: a pod-template change, so Kubernetes rolls the pods...
        const diff = JSON.stringify(after).replace("models:/churn/4", "models:/churn/3");
        expect(diff).toBe(JSON.stringify(before));
        expect(after.metadata.name).toBe(before.metadata.name);
        // ...starting a new pod and waiting for its readiness (model loaded) before stopping an old one.
        expect(after.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
        expect(after.spec.template.spec.containers[0].readinessProbe).toBeDefined();
        expect(after.spec.template.spec.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
    });

    it("waits long enough for a cold GPU node before declaring a rollout stuck", async () => {
        await build();
        const gpu = deployment("vision", "detector").inputs.spec;
        const cpu = deployment("vision", "churn").inputs.spec;
        expect(gpu.progressDeadlineSeconds).toBe(rolloutSeconds(MODELS[1]));
        expect(gpu.progressDeadlineSeconds - cpu.progressDeadlineSeconds).toBe(GPU_START_TIMEOUT_SECONDS);
        // The platform's cold-GPU figure, without the notebook image's pre-pull (it does not pull the scoring image).
        expect(GPU_START_TIMEOUT_SECONDS).toBe(gpuStartTimeoutSeconds({ prePull: false }));
        expect(GPU_START_TIMEOUT_SECONDS).toBeGreaterThanOrEqual(gpuStartTimeoutSeconds());
        // Kubernetes' default progress deadline is 600 s; a cold GPU node plus a multi-GB image exceeds it.
        expect(gpu.progressDeadlineSeconds).toBeGreaterThan(600 + GPU_START_TIMEOUT_SECONDS);
        // Pulumi's own Deployment await (10 minutes by default) is raised to the same allowance.
        const t = `${rolloutSeconds(MODELS[1])}s`;
        expect(deployment("vision", "detector").customTimeouts).toMatchObject({ create: t, update: t });
    });
});

describe("Serving: GPU models", () => {
    it("tolerate the GPU taint, select GPU nodes and request one GPU", async () => {
        await build();
        const pod = podOf("vision", "detector");
        expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
        expect(pod.nodeSelector).toEqual({ "nvidia.com/gpu.present": "true" });
        expect(pod.containers[0].resources).toEqual({ requests: { cpu: "2", memory: "8Gi", "nvidia.com/gpu": "1" }, limits: { memory: "8Gi", "nvidia.com/gpu": "1" } });
        expect(podOf("vision", "churn").tolerations).toBeUndefined();
        expect(JSON.stringify(podOf("vision", "churn"))).not.toContain("nvidia.com/gpu");
    });
});

describe("Serving: network, metrics, alerts", () => {
    it("admits only the team's namespace and Prometheus, on the serving port", async () => {
        await build();
        const np = one(NETPOL, "serving-vision-churn-netpol").inputs;
        expect(np.metadata.namespace).toBe("vision");
        expect(np.spec).toEqual({
            podSelector: { matchLabels: { "app.kubernetes.io/name": "model-endpoint", "app.kubernetes.io/instance": "churn" } },
            policyTypes: ["Ingress"],
            ingress: [
                { from: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: 8080 }] },
                { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 8080 }] },
            ],
        });
    });

    it("scrapes every endpoint as one job with the model as a label, after the monitoring CRDs", async () => {
        await build();
        const sm = one(CR_MONITOR, "serving-nlp-churn-monitor");
        expect(sm.inputs.metadata.namespace).toBe("nlp");
        expect(sm.inputs.spec.endpoints[0]).toMatchObject({ port: "http", path: "/metrics" });
        expect(sm.inputs.spec.endpoints[0].relabelings).toEqual([
            { action: "replace", targetLabel: "job", replacement: "model-endpoint" },
            { action: "replace", sourceLabels: ["__meta_kubernetes_pod_label_mlplatform_io_model"], targetLabel: "model" },
        ]);
        expect(deployment("nlp", "churn").inputs.spec.template.metadata.labels["mlplatform.io/model"]).toBe("churn");
        expect(one(CR_RULE, "serving-rules").inputs.metadata.namespace).toBe("monitoring");
    });

    it("declares only schema-valid Kubernetes objects", async () => {
        await build({ mlflowReader: READER });
        expect(await invalidObjects(allRecords())).toEqual([]);
    });

    it.each(["sandbox", "production"] as const)("passes the checklist's K8S items in %s (with the production minimum of 2 replicas)", async (env) => {
        const models = resolveModels([{ name: "churn", team: "vision", modelUri: "models:/churn/3" }, { name: "detector", team: "vision", modelUri: "models:/detector/1", gpu: 1 }], TEAMS, env);
        await build({ models });
        const violations = WORKLOAD_CHECKS.flatMap((c) => c.evaluate(allRecords(), env));
        expect(violations).toEqual([]);
    });
});

describe("Serving: metrics-server, the HPAs' metric source", () => {
    it("installs the pinned chart in kube-system and registers metrics.k8s.io", async () => {
        await build();
        const rel = one(RELEASE, "serving-metrics-server");
        expect(rel.inputs).toMatchObject({ chart: "metrics-server", version: "3.13.1", namespace: "kube-system", repositoryOpts: { repo: SERVING_VERSIONS.metricsServerChart.repo } });
        expect(rel.inputs.values.apiService).toEqual({ create: true });
        expect(rel.inputs.values.image).toEqual({ repository: "registry.k8s.io/metrics-server/metrics-server", tag: "v0.8.1" });
    });

    it("keeps the chart's pod within the restricted profile and bounded (K8S-14 on values)", () => {
        const v = metricsServerValues();
        expect(v.resources).toEqual({ requests: { cpu: "100m", memory: "200Mi" }, limits: { memory: "400Mi" } });
        expect(v.podSecurityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    });
});

describe("Serving: policy checks (policy/checks-serving.ts)", () => {
    const run = (env: "sandbox" | "production") => SERVING_CHECKS.flatMap((c) => c.evaluate(allRecords(), env)).map((x) => `${x.id} ${x.message}`);

    it("pass on the component as built, with credentials", async () => {
        await build({ mlflowReader: READER });
        expect(run("production")).toEqual([]);
    });

    it("fail when metrics-server's values lose the memory limit or the pod context (K8S-14)", async () => {
        await build();
        const rel = one(RELEASE, "serving-metrics-server");
        delete rel.inputs.values.resources.limits;
        rel.inputs.values.podSecurityContext = {};
        expect(run("sandbox")).toEqual([
            "K8S-14 resources lacks cpu/memory requests or a memory limit",
            "K8S-14 podSecurityContext must set runAsNonRoot and the RuntimeDefault seccomp profile",
        ]);
    });

    it("fail when the serving container gets MLflow credentials, or the fetcher gets them in clear (ML-04)", async () => {
        await build();
        const pod = deployment("vision", "churn").inputs.spec.template.spec;
        pod.containers[0].env.push({ name: "MLFLOW_TRACKING_PASSWORD", valueFrom: { secretKeyRef: { name: "x", key: "password" } } });
        pod.initContainers[0].env.push({ name: "MLFLOW_TRACKING_TOKEN", value: "plain" });
        expect(run("sandbox")).toEqual([
            "ML-04 container server (runs the model's code) holds MLflow credentials",
            "ML-04 fetch-model gets MLFLOW_TRACKING_TOKEN other than by secretKeyRef",
        ]);
    });
});
