/**
 * examples/: what users apply themselves, validated like the platform's own objects: against the
 * Kubernetes schema, against the platform (the queue and the environment ConfigMap exist in a team
 * namespace, the Job fits the team's queue and ResourceQuota and a GPU node), and against the
 * checklist's workload rules (policy/checks-workloads.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { Queues } from "../../components/queues";
import { cpuMilli, parseQuantity, resolveTeamQueue } from "../../components/queues/settings";
import { flavorSpecs, FLAVORS, QUEUE_NAME_LABEL, TRAINING_ENV_CONFIGMAP } from "../../components/queues/team-queues";
import { GPU_RESOURCE } from "../../components/shared/gpu";
import { NOTEBOOK_VERSIONS, TRACKING_VERSIONS } from "../../components/shared/versions";
import { TeamSpec } from "../../components/tenancy";
import { Env, runChecksOf } from "../../policy/checks";
import { podSpecOf, WORKLOAD_CHECKS } from "../../policy/checks-workloads";
import { validateK8sObject } from "../k8s-schema";
import { buildComponent, byType, ResourceRecord } from "../mocks";

const EXAMPLES = path.join(__dirname, "..", "..", "examples");
const NAMESPACE = "vision";
const team: TeamSpec = {
    name: NAMESPACE, memberPrincipalArns: ["arn:aws:iam::123456789012:role/vision"], leadPrincipalArns: [],
    quota: { cpu: "8", memory: "32Gi", gpu: 1, storage: "100Gi", pods: 20 },
};

/** Every object in a YAML file, as a record in the team namespace (`kubectl -n vision apply -f`). */
function load(file: string): ResourceRecord[] {
    const docs = parseAllDocuments(fs.readFileSync(path.join(EXAMPLES, file), "utf8")).map((d) => d.toJS());
    return docs.map((d: any) => {
        const [group, version] = d.apiVersion.includes("/") ? d.apiVersion.split("/") : ["core", d.apiVersion];
        const { apiVersion: _a, kind, ...inputs } = d;
        inputs.metadata = { ...inputs.metadata, namespace: NAMESPACE };
        return { type: `kubernetes:${group}/${version}:${kind}`, name: d.metadata.name, inputs } as unknown as ResourceRecord;
    });
}
const job = () => load("training-job.yaml").find((r) => r.type === "kubernetes:batch/v1:Job")!;
const cronJob = () => load("retraining-cronjob.yaml")[0];
const jobSpecOf = (r: ResourceRecord) => (r.type === "kubernetes:batch/v1:CronJob" ? r.inputs.spec.jobTemplate.spec : r.inputs.spec);
const jobLabelsOf = (r: ResourceRecord) => (r.type === "kubernetes:batch/v1:CronJob" ? r.inputs.spec.jobTemplate.metadata.labels : r.inputs.metadata.labels);
const workloads: [string, () => ResourceRecord][] = [["the training Job", job], ["the retraining CronJob", cronJob]];

/** Summed container requests of one pod (Kueue counts requests; limits default them). */
function podRequests(spec: any) {
    const sum = (key: string, parse: (q: string) => number) => spec.containers.reduce((n: number, c: any) => n + parse(`${c.resources?.requests?.[key] ?? c.resources?.limits?.[key] ?? 0}`), 0);
    return { cpuMilli: sum("cpu", (q) => cpuMilli(q)!), memoryBytes: sum("memory", (q) => parseQuantity(q)!), gpu: sum(GPU_RESOURCE, Number) };
}

let platform: ResourceRecord[];
beforeAll(async () => {
    await buildComponent(() => new Queues("queues", { teams: [team], gpuMaxSize: 2, gpuInstanceTypes: ["g5.xlarge"], vpcCidr: "10.0.0.0/16", mlflowTrackingUri: "http://mlflow.mlflow.svc.cluster.local:5000" }));
    platform = [...byType("kubernetes:kueue.x-k8s.io/v1beta2:LocalQueue"), ...byType("kubernetes:core/v1:ConfigMap")];
});

describe("examples: Kubernetes schema", () => {
    it.each(["training-job.yaml", "retraining-cronjob.yaml"])("%s holds only schema-valid objects", async (file) => {
        const records = load(file);
        expect(records.length).toBeGreaterThan(0);
        for (const r of records) {
            expect(await validateK8sObject(r), `${file} ${r.type}`).toEqual([]);
        }
    });

    it("the schema check is real: a mistyped field fails", async () => {
        const r = job();
        expect((await validateK8sObject({ ...r, inputs: { ...r.inputs, spec: { ...r.inputs.spec, backoffLimit: "two" } } } as ResourceRecord)).join()).toMatch(/backoffLimit/);
    });
});

describe.each(workloads)("examples: %s on the platform", (_what, workload) => {
    it("names the LocalQueue that the platform creates in every team namespace", () => {
        const queue = jobLabelsOf(workload())[QUEUE_NAME_LABEL];
        expect(platform.some((r) => r.type.endsWith(":LocalQueue") && r.inputs.metadata.namespace === NAMESPACE && r.inputs.metadata.name === queue)).toBe(true);
    });

    it("gets MLFLOW_TRACKING_URI from the platform's ConfigMap and never sets a tracking URI itself", () => {
        const c = podSpecOf(workload()).containers[0];
        expect(c.envFrom).toEqual([{ configMapRef: { name: TRAINING_ENV_CONFIGMAP } }]);
        const cm = platform.find((r) => r.type.endsWith(":ConfigMap") && r.inputs.metadata.namespace === NAMESPACE && r.inputs.metadata.name === TRAINING_ENV_CONFIGMAP);
        expect(Object.keys(cm!.inputs.data)).toEqual(["MLFLOW_TRACKING_URI"]);
        expect(JSON.stringify(c)).not.toContain("MLFLOW_TRACKING_URI");
    });

    it("fits the team's GPU queue (nominal plus borrowing), its ResourceQuota and one g5.xlarge", () => {
        const req = podRequests(podSpecOf(workload()));
        expect(req.gpu).toBe(1);
        const q = resolveTeamQueue(team, 0);
        expect(req.gpu).toBeLessThanOrEqual(q.gpuFlavor.gpu + q.gpuBorrowingLimit);
        expect(req.cpuMilli).toBeLessThanOrEqual(q.gpuFlavor.cpuMilli);
        expect(req.memoryBytes).toBeLessThanOrEqual(q.gpuFlavor.memoryBytes);
        expect(req.cpuMilli).toBeLessThanOrEqual(cpuMilli(team.quota.cpu)!);
        // g5.xlarge: 4 vCPU, 16 GiB; leave room for the kubelet reserve and the node's DaemonSets.
        expect(req.cpuMilli).toBeLessThanOrEqual(3500);
        expect(req.memoryBytes).toBeLessThanOrEqual(12 * 2 ** 30);
    });

    it("tolerates the GPU flavor's taint, so Kueue can assign the GPU flavor", () => {
        const tolerations = podSpecOf(workload()).tolerations;
        for (const t of flavorSpecs()[FLAVORS.gpu].nodeTaints) {
            expect(tolerations.some((x: any) => x.key === t.key && x.effect === t.effect && (x.operator === "Exists" || x.value === t.value))).toBe(true);
        }
    });

    it("bounds retries, run time and leftovers", () => {
        const spec = jobSpecOf(workload());
        expect(spec.backoffLimit).toBe(2);
        expect(spec.activeDeadlineSeconds).toBe(7200);
        expect(spec.ttlSecondsAfterFinished).toBeGreaterThan(0);
        expect(spec.template.spec.restartPolicy).toBe("Never");
    });

    it("uses the platform's pinned PyTorch image and the MLflow client of the platform's server", () => {
        const c = podSpecOf(workload()).containers[0];
        expect(c.image).toBe(NOTEBOOK_VERSIONS.gpuImage);
        const serverVersion = /:v(\d+\.\d+\.\d+)/.exec(TRACKING_VERSIONS.mlflowImage)![1];
        expect(c.command.join(" ")).toContain(`mlflow-skinny==${serverVersion}`);
    });

    it.each<Env>(["sandbox", "production"])("passes the checklist's workload rules (%s)", (env) => {
        expect(runChecksOf(WORKLOAD_CHECKS, [workload()], env)).toEqual([]);
    });
});

describe("examples: the training script and the CronJob", () => {
    it("logs parameters and per-epoch metrics to MLflow with PyTorch", () => {
        const cm = load("training-job.yaml").find((r) => r.type === "kubernetes:core/v1:ConfigMap")!;
        const script: string = cm.inputs.data["train.py"];
        expect(script).toMatch(/import torch/);
        expect(script).toMatch(/mlflow\.log_params\(params\)/);
        expect(script).toMatch(/mlflow\.log_metric\("train_loss", .*step=epoch\)/);
        expect(script).not.toMatch(/set_tracking_uri/);
        expect(podSpecOf(job()).volumes).toContainEqual({ name: "script", configMap: { name: cm.name } });
    });

    it("schedules retraining weekly without overlapping runs", () => {
        const spec = cronJob().inputs.spec;
        expect(spec).toMatchObject({ schedule: "0 3 * * 1", timeZone: "Etc/UTC", concurrencyPolicy: "Forbid", startingDeadlineSeconds: 3600 });
    });

    it("the workload check is real: a root container in the example fails it", () => {
        const r = job();
        const bad = JSON.parse(JSON.stringify(r));
        bad.inputs.spec.template.spec.securityContext.runAsUser = 0;
        expect(runChecksOf(WORKLOAD_CHECKS, [bad], "sandbox").map((v) => v.id)).toContain("K8S-01");
    });
});
