/** The whole program with teams and models, as a platform admin adds them to a stack file. */
import { beforeAll, describe, expect, it } from "vitest";
import { requestLines } from "../../scripts/bench-requests";
import { targetsFromOutputs } from "../../scripts/verify/targets";
import { allRecords, byType, one } from "../mocks";
import { loadStack } from "../stack";
import { stackInvariants } from "../stack-suite";

const TEAMS = [
    { name: "vision", memberPrincipalArns: ["arn:aws:iam::111122223333:role/vision-ds"], quota: { cpu: "32", memory: "128Gi", gpu: 4, storage: "1Ti", pods: 100 } },
    { name: "nlp", memberPrincipalArns: ["arn:aws:iam::111122223333:role/nlp-ds"], quota: { cpu: "16", memory: "64Gi", gpu: 0, storage: "500Gi", pods: 50 } },
];
const MODELS = [
    { name: "churn", team: "vision", modelUri: "models:/churn/3", minReplicas: 2, maxReplicas: 6 },
    { name: "detector", team: "vision", modelUri: "models:/detector@champion", gpu: 1, cpu: "2", memory: "8Gi", maxReplicas: 2 },
    { name: "sentiment", team: "nlp", modelUri: "models:/sentiment/1" },
];

let outputs: Record<string, unknown>;
beforeAll(async () => {
    outputs = await loadStack("dev", { "mlplatform:teams": JSON.stringify(TEAMS), "mlplatform:models": JSON.stringify(MODELS) });
});

describe("dev stack with model endpoints", () => {
    stackInvariants("sandbox");

    it("exports each endpoint's in-cluster URL and port-forward command", () => {
        expect(outputs.modelEndpoints).toEqual({
            "vision/churn": { url: "http://churn.vision.svc.cluster.local:8080/invocations", portForward: "kubectl -n vision port-forward svc/churn 8080:8080" },
            "vision/detector": { url: "http://detector.vision.svc.cluster.local:8080/invocations", portForward: "kubectl -n vision port-forward svc/detector 8080:8080" },
            "nlp/sentiment": { url: "http://sentiment.nlp.svc.cluster.local:8080/invocations", portForward: "kubectl -n nlp port-forward svc/sentiment 8080:8080" },
        });
    });

    it("hands `npm run verify` endpoints it can reach and health-check (/health on the Service port)", () => {
        const t = targetsFromOutputs("dev", outputs as Record<string, any>);
        expect(t.models.map((m) => [m.name, m.namespace, m.service, m.port, m.healthPath])).toEqual([
            ["vision/churn", "vision", "churn", 8080, "/health"],
            ["vision/detector", "vision", "detector", 8080, "/health"],
            ["nlp/sentiment", "nlp", "sentiment", 8080, "/health"],
        ]);
    });

    it("gives every HPA its metric source: Resource metrics come from metrics.k8s.io, which the stack's metrics-server registers", () => {
        const hpas = byType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
        expect(hpas).toHaveLength(3);
        for (const h of hpas) {
            expect(h.inputs.spec.metrics.map((m: any) => m.type)).toEqual(["Resource"]);
        }
        const servers = byType("kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.chart === "metrics-server");
        expect(servers).toHaveLength(1);
        // metrics-server chart 3.13.1 templates/apiservice.yaml: APIService v1beta1.metrics.k8s.io when apiService.create.
        expect(servers[0].inputs.values.apiService.create).toBe(true);
        expect(servers[0].inputs.namespace).toBe("kube-system");
    });

    it("builds the endpoints after their team namespaces and the monitoring CRDs, fetching from the stack's MLflow", () => {
        const serving = one("mlplatform:index:Serving", "serving");
        const deps = serving.dependencies.join(" ");
        // dependsOn a component waits for its children: the team namespaces and the chart that installs the CRDs.
        for (const c of ["Tenancy$kubernetes:core/v1:Namespace::teams-vision-ns", "Tenancy$kubernetes:core/v1:Namespace::teams-nlp-ns", "Monitoring$kubernetes:helm.sh/v3:Release::monitoring-kube-prometheus-stack"]) {
            expect(deps).toContain(`mlplatform:index:${c}`);
        }
        const fetch = one("kubernetes:apps/v1:Deployment", "serving-vision-churn-server").inputs.spec.template.spec.initContainers[0];
        expect(fetch.env).toContainEqual({ name: "MLFLOW_TRACKING_URI", value: outputs.mlflowTrackingUri });
    });

    it("is sized by the benchmark: metrics-server has a pod table (chart 3.13.1 defaults, our values' requests)", () => {
        const lines = requestLines(allRecords());
        expect(lines.filter((l) => l.what.includes("metrics-server"))).toEqual([{ what: "serving-metrics-server metrics-server", cpuMilli: 100, memoryMiB: 200, perNode: false }]);
    });

    it("places every endpoint in a namespace the stack's teams own", () => {
        const namespaces = new Set(byType("kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata.name));
        for (const d of byType("kubernetes:apps/v1:Deployment").filter((x) => x.name.startsWith("serving-"))) {
            expect(namespaces.has(d.inputs.metadata.namespace), d.name).toBe(true);
        }
    });
});
