import { describe, expect, it } from "vitest";
import { Queues, QueuesArgs, resolveQueuesArgs } from "../../components/queues";
import { FAIR_SHARING_STRATEGIES, KUEUE_METRICS_SELECTOR, KUEUE_POD_SELECTOR, kueueConfiguration, kueueValues } from "../../components/queues/kueue-release";
import { defaultPodsReadyTimeoutSeconds } from "../../components/queues/settings";
import { coldStartSeconds, gpuStartTimeoutSeconds } from "../../components/shared/gpu-startup";
import { COHORT, COVERED_RESOURCES, FLAVORS, LOCAL_QUEUE } from "../../components/queues/team-queues";
import { monitorSpec } from "../../components/monitoring";
import { GPU_TAINT, NODE_POOL_LABEL } from "../../components/shared/gpu";
import { QUEUE_VERSIONS } from "../../components/shared/versions";
import { TeamSpec } from "../../components/tenancy";
import { WORKLOAD_CHECKS } from "../../policy/checks-workloads";
import { runChecksOf } from "../../policy/checks";
import { HAS_KUEUE_VALUES, kueueValuesMerge } from "../helm-values";
import { HAS_SHARED, invalidObjects, SHARED_DIR } from "../k8s-schema";
import { allRecords, buildComponentOnce, byType, childrenOf, one, resolve } from "../mocks";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

const T = {
    release: "kubernetes:helm.sh/v3:Release",
    ns: "kubernetes:core/v1:Namespace",
    np: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    cq: "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue",
    lq: "kubernetes:kueue.x-k8s.io/v1beta2:LocalQueue",
    rf: "kubernetes:kueue.x-k8s.io/v1beta2:ResourceFlavor",
    cm: "kubernetes:core/v1:ConfigMap",
};
const arn = (n: string) => `arn:aws:iam::123456789012:role/${n}`;
const teams: TeamSpec[] = [
    { name: "vision", memberPrincipalArns: [arn("vision")], leadPrincipalArns: [], quota: { cpu: "32", memory: "128Gi", gpu: 4, storage: "1Ti", pods: 100 }, extraNamespaces: ["staging"] },
    { name: "nlp", memberPrincipalArns: [arn("nlp")], leadPrincipalArns: [], quota: { cpu: "16", memory: "64Gi", gpu: 0, storage: "500Gi", pods: 50 } },
];
const base: QueuesArgs = { teams, gpuMaxSize: 2, gpuInstanceTypes: ["g5.xlarge"], vpcCidr: "10.0.0.0/16", mlflowTrackingUri: "http://mlflow.mlflow.svc.cluster.local:5000" };

async function build(args: QueuesArgs = base) {
    return buildComponentOnce(["queues", args], () => new Queues("queues", args));
}

describe("Queues: Kueue release", () => {
    it("installs the pinned OCI chart as a helm.v3 Release named kueue in kueue-system", async () => {
        await build();
        const rel = one(T.release, "queues-kueue");
        expect(rel.inputs.chart).toBe("oci://registry.k8s.io/kueue/charts/kueue");
        expect(rel.inputs.version).toBe("0.19.2");
        expect(rel.inputs.repositoryOpts).toBeUndefined();
        expect(rel.inputs.name).toBe("kueue");
        expect(rel.inputs.namespace).toBe("kueue-system");
        expect(rel.inputs.values.controllerManager.manager.image).toEqual({ repository: "registry.k8s.io/kueue/kueue", tag: "v0.19.2", pullPolicy: "IfNotPresent" });
        expect(QUEUE_VERSIONS.kueueImage.endsWith(`v${QUEUE_VERSIONS.kueueChart.version}`)).toBe(true);
    });

    it("puts Kueue in a restricted namespace with default-deny ingress, the API server on the webhook and visibility ports, monitoring on metrics", async () => {
        await build();
        expect(one(T.ns, "queues-ns").inputs.metadata).toMatchObject({
            name: "kueue-system",
            labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/warn": "restricted" },
        });
        const nps = byType(T.np).filter((n) => n.inputs.metadata.namespace === "kueue-system");
        expect(nps.map((n) => n.inputs.metadata.name).sort()).toEqual(["allow-api-server", "allow-monitoring", "default-deny"]);
        expect(one(T.np, "queues-default-deny").inputs.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
        expect(one(T.np, "queues-allow-api-server").inputs.spec).toEqual({
            podSelector: { matchLabels: KUEUE_POD_SELECTOR },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ protocol: "TCP", port: 9443 }, { protocol: "TCP", port: 8082 }] }],
        });
        expect(one(T.np, "queues-allow-monitoring").inputs.spec.ingress).toEqual([
            { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 8443 }] },
        ]);
    });

    it("configures fair sharing, waitForPodsReady for a cold GPU node, the internal webhook certificate and team-only management", () => {
        const c = kueueConfiguration({ podsReadyTimeoutSeconds: defaultPodsReadyTimeoutSeconds() });
        expect(c.fairSharing).toEqual({ preemptionStrategies: [...FAIR_SHARING_STRATEGIES] });
        expect(c.waitForPodsReady).toMatchObject({ timeout: `${defaultPodsReadyTimeoutSeconds()}s`, blockAdmission: false, requeuingStrategy: { backoffLimitCount: 3 } });
        expect(c.internalCertManagement).toEqual({ enable: true, webhookServiceName: "kueue-webhook-service", webhookSecretName: "kueue-webhook-server-cert" });
        expect(c.managedJobsNamespaceSelector).toEqual({ matchExpressions: [{ key: "mlplatform.io/team", operator: "Exists" }] });
        expect(c.integrations).toEqual({ frameworks: ["batch/job"] });
        expect(c.metrics.enableClusterQueueResources).toBe(true);
    });

    it("passes the Configuration to the chart as the manager config, and keeps cert-manager and the chart's ServiceMonitor off", async () => {
        await build();
        const v = one(T.release, "queues-kueue").inputs.values;
        expect(JSON.parse(v.managerConfig.controllerManagerConfigYaml)).toEqual(kueueConfiguration({ podsReadyTimeoutSeconds: defaultPodsReadyTimeoutSeconds() }));
        expect(v.enableCertManager).toBe(false);
        expect(v.enablePrometheus).toBe(false);
        expect(v.fullnameOverride).toBe("kueue");
    });

    it("sizes waitForPodsReady from the GPU start-up model: cold p95 without pre-pull, plus margin", () => {
        expect(defaultPodsReadyTimeoutSeconds()).toBe(gpuStartTimeoutSeconds({ prePull: false }));
        expect(defaultPodsReadyTimeoutSeconds()).toBeGreaterThan(coldStartSeconds({ prePull: false }).p95);
        // The pre-pulled notebook image starts sooner; a training image is not pre-pulled.
        expect(defaultPodsReadyTimeoutSeconds()).toBeGreaterThanOrEqual(gpuStartTimeoutSeconds());
    });

    it("runs one replica by default; with 2+ a PDB and zone spread", () => {
        expect(kueueValues({ replicas: 1, podsReadyTimeoutSeconds: 900 }).controllerManager).toMatchObject({ replicas: 1, podDisruptionBudget: { enabled: false }, topologySpreadConstraints: [] });
        const ha = kueueValues({ replicas: 2, podsReadyTimeoutSeconds: 900 }).controllerManager;
        expect(ha.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
        expect(ha.topologySpreadConstraints[0]).toMatchObject({ topologyKey: "topology.kubernetes.io/zone", maxSkew: 1 });
    });

    it.each<[string, Partial<QueuesArgs>, string]>([
        ["replicas", { replicas: 0 }, "replicas (0) must be a whole number from 1 to 3"],
        ["podsReadyTimeoutSeconds", { podsReadyTimeoutSeconds: 60 }, "podsReadyTimeoutSeconds (60) must be a whole number of at least 300: a cold GPU node alone takes minutes"],
    ])("refuses a bad %s", (_k, extra, message) => {
        expect(() => resolveQueuesArgs({ ...base, ...extra })).toThrow(message);
    });

    it("exposes Kueue's HTTPS metrics endpoint as a scrape target with the Prometheus token", async () => {
        const q = await build();
        expect(q.scrapeTargets).toHaveLength(1);
        const t = { ...q.scrapeTargets[0], namespace: await resolve(q.scrapeTargets[0].namespace) };
        expect(t).toMatchObject({ name: "kueue", namespace: "kueue-system", port: "https", selector: KUEUE_METRICS_SELECTOR });
        expect((monitorSpec(t) as any).endpoints[0]).toMatchObject({
            port: "https",
            scheme: "https",
            bearerTokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token",
            tlsConfig: { insecureSkipVerify: true },
            relabelings: [{ action: "replace", targetLabel: "job", replacement: "kueue" }],
        });
    });
});

describe("Queues: flavors and team queues", () => {
    it("declares a CPU and a GPU ResourceFlavor matching the node groups' labels, the GPU one with the GPU taint", async () => {
        await build();
        const specs = Object.fromEntries(byType(T.rf).map((r) => [r.inputs.metadata.name, r.inputs.spec]));
        expect(specs[FLAVORS.cpu]).toEqual({ nodeLabels: { [NODE_POOL_LABEL]: "cpu" } });
        expect(specs[FLAVORS.gpu]).toEqual({
            nodeLabels: { [NODE_POOL_LABEL]: "gpu", "nvidia.com/gpu.present": "true" },
            nodeTaints: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: "NoSchedule" }],
        });
    });

    it("gives each team a ClusterQueue in one cohort: nominal quota per flavor, GPU borrowing, reclaim by preemption", async () => {
        await build();
        const cq = one(T.cq, "queues-vision-cq").inputs;
        expect(cq.metadata.name).toBe("vision");
        expect(cq.spec.cohortName).toBe(COHORT);
        expect(cq.spec.namespaceSelector).toEqual({ matchLabels: { "mlplatform.io/team": "vision" } });
        expect(cq.spec.preemption).toEqual({ reclaimWithinCohort: "Any", withinClusterQueue: "LowerPriority" });
        expect(cq.spec.resourceGroups).toEqual([{
            coveredResources: [...COVERED_RESOURCES],
            flavors: [
                { name: "cpu-nodes", resources: [
                    { name: "cpu", nominalQuota: "16", borrowingLimit: "0" },
                    { name: "memory", nominalQuota: "64Gi", borrowingLimit: "0" },
                    { name: "nvidia.com/gpu", nominalQuota: "0", borrowingLimit: "0" },
                ] },
                { name: "gpu-nodes", resources: [
                    { name: "cpu", nominalQuota: "16", borrowingLimit: "0" },
                    { name: "memory", nominalQuota: "64Gi", borrowingLimit: "0" },
                    { name: "nvidia.com/gpu", nominalQuota: "2", borrowingLimit: "2" },
                ] },
            ],
        }]);
        expect(one(T.cq, "queues-nlp-cq").inputs.spec.resourceGroups[0].flavors[1].resources[2]).toEqual({ name: "nvidia.com/gpu", nominalQuota: "0", borrowingLimit: "0" });
    });

    it("puts a LocalQueue named training and the MLflow environment in every team namespace", async () => {
        await build();
        const lqs = byType(T.lq).map((r) => [r.inputs.metadata.namespace, r.inputs.metadata.name, r.inputs.spec.clusterQueue]);
        expect(lqs).toEqual([["vision", LOCAL_QUEUE, "vision"], ["vision-staging", LOCAL_QUEUE, "vision"], ["nlp", LOCAL_QUEUE, "nlp"]]);
        const cms = byType(T.cm).map((r) => [r.inputs.metadata.namespace, r.inputs.data]);
        expect(cms).toEqual(["vision", "vision-staging", "nlp"].map((ns) => [ns, { MLFLOW_TRACKING_URI: base.mlflowTrackingUri }]));
    });

    it("creates queue objects after the release (CRDs, webhook) and parents everything to the component", async () => {
        await build();
        const rel = one(T.release, "queues-kueue");
        for (const r of [...byType(T.rf), ...byType(T.cq), ...byType(T.lq)]) {
            expect(r.dependencies, r.name).toContain(rel.urn);
        }
        expect(childrenOf("mlplatform:index:Queues").length).toBe(allRecords().length - 1);
    });

    it("validates every built-in object against the Kubernetes schema", async () => {
        await build();
        expect(await invalidObjects(allRecords(), { skipEck: true })).toEqual([]);
    });

    it.skipIf(!HAS_SHARED)("validates ResourceFlavors, ClusterQueues and LocalQueues against Kueue 0.19.2's CRDs (NOT RUN when ../shared is absent)", async () => {
        await build();
        expect(byType(T.cq).length + byType(T.lq).length + byType(T.rf).length).toBe(7);
        expect(await invalidObjects(allRecords())).toEqual([]);
    });

    it.skipIf(!HAS_SHARED)("the CRD check is real: a misspelt or mistyped field fails (NOT RUN when ../shared is absent)", async () => {
        await build();
        const cq = one(T.cq, "queues-vision-cq");
        const bad = [
            { ...cq, inputs: { ...cq.inputs, spec: { ...cq.inputs.spec, cohort: COHORT } } },
            { ...cq, inputs: { ...cq.inputs, spec: { ...cq.inputs.spec, preemption: { reclaimWithinCohort: "Always" } } } },
        ];
        const problems = await invalidObjects(bad);
        expect(problems.some((p) => p.includes("(cohort)"))).toBe(true);
        expect(problems.some((p) => p.includes("/spec/preemption/reclaimWithinCohort must be equal to one of the allowed values"))).toBe(true);
    });
});

describe.skipIf(!HAS_KUEUE_VALUES)("Kueue chart values, merged with the chart defaults the Helm way (NOT RUN when ../shared is absent)", () => {
    const values = kueueValues({ replicas: 2, podsReadyTimeoutSeconds: 900 });
    const { merged, unknownPaths } = kueueValuesMerge(values);
    const defaults = parse(fs.readFileSync(path.join(SHARED_DIR, "chart-schemas", "kueue-0.19.2.values.yaml"), "utf8"));

    it("sets only keys the chart has (Helm ignores unknown keys silently: the chart ships no values schema)", () => {
        expect(unknownPaths).toEqual([]);
        expect(kueueValuesMerge({ controllerManager: { manager: { resource: {} } }, enablePrometeus: true }).unknownPaths).toEqual([".controllerManager.manager.resource", ".enablePrometeus"]);
        // Below a value the chart renders with toYaml, any field of the Kubernetes type passes.
        expect(kueueValuesMerge({ controllerManager: { manager: { podSecurityContext: { runAsUser: 1 } } } }).unknownPaths).toEqual([]);
    });

    it("drops the chart's CPU limit (a default survives a merge unless set to null) and keeps requests and the memory limit", () => {
        expect(defaults.controllerManager.manager.resources.limits.cpu).toBe("2");
        expect(merged.controllerManager.manager.resources).toEqual({ requests: { cpu: "500m", memory: "512Mi" }, limits: { memory: "512Mi" } });
    });

    it("keeps every entry of the chart's default Configuration (the string replaces it whole) and adds only Configuration fields", () => {
        const chartConfig = parse(defaults.managerConfig.controllerManagerConfigYaml);
        const ours = parse(merged.managerConfig.controllerManagerConfigYaml);
        for (const [k, v] of Object.entries(chartConfig)) {
            if (k === "integrations" || k === "metrics") {
                continue;
            }
            expect(ours[k], k).toEqual(v);
        }
        expect(ours.metrics).toMatchObject(chartConfig.metrics);
        // Top-level JSON fields of Configuration (apis/config/v1beta2/configuration_types.go, v0.19.2).
        const fields = ["apiVersion", "kind", "namespace", "manageJobsWithoutQueueName", "managedJobsNamespaceSelector", "internalCertManagement", "waitForPodsReady",
            "clientConnection", "integrations", "multiKueue", "fairSharing", "admissionFairSharing", "resources", "featureGates", "objectRetentionPolicies",
            "visibilityServer", "webhook", "leaderElection", "metrics", "health", "pprofBindAddress", "controller", "tls"];
        expect(Object.keys(ours).filter((k) => !fields.includes(k))).toEqual([]);
    });

    it("names the services the internal certificate is issued for the way the chart's templates do", () => {
        const ours = parse(merged.managerConfig.controllerManagerConfigYaml);
        // templates/webhook/service.yaml: '{{ include "kueue.fullname" . }}-webhook-service'; fullname = fullnameOverride.
        expect(ours.internalCertManagement.webhookServiceName).toBe(`${merged.fullnameOverride}-webhook-service`);
        expect(ours.internalCertManagement.webhookSecretName).toBe(`${merged.fullnameOverride}-webhook-server-cert`);
    });

    it("renders a controller pod that meets the workload rules (K8S-14), with the API-token exemption Kueue needs", () => {
        const m = merged.controllerManager;
        // The Deployment as templates/manager/manager.yaml renders it from these values.
        const deployment = {
            type: "kubernetes:apps/v1:Deployment",
            name: "kueue-controller-manager",
            inputs: {
                metadata: { name: "kueue-controller-manager", namespace: "kueue-system", labels: { "app.kubernetes.io/name": "kueue" } },
                spec: {
                    replicas: m.replicas,
                    template: {
                        metadata: { labels: KUEUE_POD_SELECTOR },
                        spec: {
                            serviceAccountName: "kueue-controller-manager",
                            automountServiceAccountToken: false,
                            securityContext: m.manager.podSecurityContext,
                            topologySpreadConstraints: m.topologySpreadConstraints,
                            containers: [{
                                name: "manager",
                                image: `${m.manager.image.repository}:${m.manager.image.tag}`,
                                resources: m.manager.resources,
                                securityContext: m.manager.containerSecurityContext,
                                readinessProbe: { httpGet: { path: "/readyz", port: 8081 } },
                                livenessProbe: { httpGet: { path: "/healthz", port: 8081 } },
                            }],
                        },
                    },
                },
            },
        };
        // K8S-11 is checked apart: a controller talks to the API, so the chart mounts its token.
        expect(runChecksOf(WORKLOAD_CHECKS.filter((c) => c.id !== "K8S-11"), [deployment], "production")).toEqual([]);
    });
});
