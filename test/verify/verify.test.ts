/**
 * `npm run verify` against local fakes of every API it uses (test/verify/fakes.ts), all on loopback:
 * success, each failure, timeouts, and cleanup after a failure.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
    allChecks, gpuFromZero, gpuIdle, logShipping, modelEndpoints, nodesReady, notebookSpawn, queueAdmission, scrapeTargetsUp,
    teamIsolation, trackingRoundTrip, VerifyContext, watchdogDelivered, workloadsAvailable,
} from "../../scripts/verify/checks";
import { kubeFromConfig, Reach, resolveServicePort } from "../../scripts/verify/kube";
import { Check, CheckResult, formatTable, runChecks, silentProgress } from "../../scripts/verify/runner";
import { targetsFromOutputs } from "../../scripts/verify/targets";
import { parseArgs, verify } from "../../scripts/verify";
import { FakePlatform, startFakes } from "./fakes";

const SECRETS = { kubeconfigToken: "kube-token-secret", grafana: "grafana-admin-secret", hub: "hub-token" };

function outputs(f: FakePlatform, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        preset: "sandbox",
        clusterName: "mlplatform-test",
        kubeconfig: JSON.stringify({
            apiVersion: "v1",
            clusters: [{ name: "fake", cluster: { server: `http://${f.kubeAddress}`, "insecure-skip-tls-verify": true } }],
            users: [{ name: "fake", user: { token: SECRETS.kubeconfigToken } }],
            contexts: [{ name: "fake", context: { cluster: "fake", user: "fake" } }],
            "current-context": "fake",
        }),
        grafanaPortForward: "kubectl -n monitoring port-forward svc/kube-prometheus-stack-grafana 3000:80",
        grafanaAdminPassword: SECRETS.grafana,
        prometheusPortForward: "kubectl -n monitoring port-forward svc/kps-prometheus 9090:9090",
        alertmanagerPortForward: "kubectl -n monitoring port-forward svc/kps-alertmanager 9093:9093",
        mlflowPortForward: "kubectl -n mlflow port-forward svc/mlflow 5000:5000",
        jupyterhubPortForward: "kubectl -n jupyterhub port-forward svc/proxy-public 8080:80",
        jupyterhubVerifyToken: SECRETS.hub,
        elasticUserCommand: "kubectl -n logging get secret logs-es-elastic-user -o go-template='{{.data.elastic | base64decode}}'",
        teamNamespaces: { vision: ["vision"], nlp: ["nlp", "nlp-research"] },
        ...extra,
    };
}

let f: FakePlatform;
let tunnels: { open: number; closed: number };
let ctx: VerifyContext;

/** Tunnels straight to the fakes; counts opens and closes so tests can see every tunnel closed. */
function directReach(): Reach {
    return {
        async open(t) {
            const address = f.addresses[`${t.namespace}/${t.service}`];
            if (address === undefined) {
                throw new Error(`no fake for ${t.namespace}/${t.service}`);
            }
            tunnels.open++;
            return { address, close: async () => void tunnels.closed++ };
        },
    };
}

function context(extra: Record<string, unknown> = {}): VerifyContext {
    const targets = targetsFromOutputs("test", outputs(f, extra));
    return { targets, kube: kubeFromConfig(targets.kubeconfig), reach: directReach(), runId: "abc123", images: { probe: "probe:1", gpu: "gpu:1" }, pollMs: 20 };
}

async function run(check: Check<VerifyContext>, c: VerifyContext = ctx): Promise<CheckResult> {
    const [r] = await runChecks(c, [check], { secrets: c.targets.secrets, progress: silentProgress });
    return r;
}

const quick = <C>(check: Check<C>, timeoutSeconds = 1): Check<C> => ({ ...check, timeoutSeconds });

beforeEach(async () => {
    f = await startFakes();
    tunnels = { open: 0, closed: 0 };
    // Fluentd's part: every pod's echoed line becomes a document.
    f.kube.behaviour.onPod = (pod) => {
        const cmd: string[] = pod.spec.containers[0].command;
        if (f.es.behaviour.indexLines && cmd[0] === "sh") {
            f.es.documents.push({ message: cmd[2].replace(/^echo /, "") });
        }
    };
    ctx = context();
});

afterEach(async () => {
    await f.close();
});

describe("verify: command line", () => {
    it("takes a stack and the opt-in GPU flags", () => {
        expect(parseArgs(["dev"])).toEqual({ stack: "dev", gpu: false, waitScaleDown: false, reportPath: path.join("verify-out", "dev.json") });
        expect(parseArgs(["prod", "--gpu", "--wait-scale-down", "--report", "r.json"])).toEqual({ stack: "prod", gpu: true, waitScaleDown: true, reportPath: "r.json" });
    });

    it.each([
        [[], /usage: npm run verify -- <stack>/],
        [["dev", "prod"], /unknown argument prod/],
        [["dev", "--fast"], /unknown argument --fast/],
        [["dev", "--wait-scale-down"], /--wait-scale-down goes with --gpu/],
        [["dev", "--report"], /--report needs a file name/],
    ])("refuses %j", (argv, message) => {
        expect(() => parseArgs(argv as string[])).toThrow(message);
    });

    it("names the missing outputs of a stack that was never deployed", () => {
        expect(() => targetsFromOutputs("dev", { preset: "sandbox" })).toThrow(/stack dev has no output clusterName, kubeconfig, jupyterhubPortForward/);
        expect(() => targetsFromOutputs("dev", outputs(f, { mlflowPortForward: "http://localhost:5000" }))).toThrow(/mlflowPortForward is not a port-forward command/);
    });
});

describe("verify: a healthy platform", () => {
    it("passes every check, closes every tunnel and deletes everything it created", async () => {
        f.kube.behaviour.allow = (spec) => spec.resourceAttributes.verb === "create" && spec.groups[0] === `mlplatform:team:${spec.resourceAttributes.namespace.split("-")[0]}:members`;
        const c = context({ trainingQueues: { vision: "vision-queue" }, modelEndpoints: { churn: { portForward: "kubectl -n vision port-forward svc/churn 8080:8080", healthPath: "/ping" } } });
        f.addresses["vision/churn"] = f.addresses["mlflow/mlflow"];
        f.mlflow.handler = ((orig) => (req: any, body: any, url: URL) => (url.pathname === "/ping" ? { status: 200, text: "" } : orig(req, body, url)))(f.mlflow.handler);
        const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verify-")), "out", "test.json");
        const result = await verify(c.targets, { stack: "test", gpu: false, waitScaleDown: false, reportPath: report }, c, silentProgress);
        expect(result.results.filter((r) => r.outcome !== "pass")).toEqual([]);
        expect(result.succeeded).toBe(true);
        expect(result.results.map((r) => r.check)).toEqual(allChecks({ gpu: false, waitScaleDown: false }).map((x) => x.name));
        // Cleanup: the throwaway user, experiment, run, artifact, namespace and Job are gone.
        expect(f.hub.users.size).toBe(0);
        expect([...f.mlflow.experiments.values()].every((e) => e.deleted)).toBe(true);
        expect([...f.mlflow.runs.values()].every((r) => r.deleted)).toBe(true);
        expect(f.mlflow.artifacts.size).toBe(0);
        expect(f.kube.namespaces).toEqual([]);
        expect(f.kube.jobs).toEqual([]);
        expect(f.kube.deleted).toEqual(expect.arrayContaining(f.kube.created.filter((x) => !x.startsWith("Pod "))));
        expect(tunnels.open).toBeGreaterThan(0);
        expect(tunnels.closed).toBe(tunnels.open);
        // The report is written and holds the timings the checks measured.
        const written = JSON.parse(fs.readFileSync(report, "utf8"));
        expect(written.succeeded).toBe(true);
        expect(written.results.find((r: CheckResult) => r.check === notebookSpawn.name).timings.spawnSeconds).toBeGreaterThanOrEqual(0);
        expect(written.results.find((r: CheckResult) => r.check === logShipping.name).timings.ingestLatencySeconds).toBeGreaterThanOrEqual(0);
        expect(formatTable(result.results)).toMatch(/^check\s+result\s+time\s+detail\n/);
    });

    it("verifies Elasticsearch's certificate against ECK's CA under the Service's name", async () => {
        f.kube.secrets.find((s) => s.metadata.name === "logs-es-http-certs-public").data["ca.crt"] = Buffer.from("not a certificate").toString("base64");
        const r = await run(logShipping);
        expect(r.outcome).toBe("fail");
        expect(f.kube.namespaces).toEqual([]);
    });
});

describe("verify: each failure is reported, and cleaned up after", () => {
    it("a node that is not Ready", async () => {
        f.kube.nodes[1].status.conditions = [{ type: "Ready", status: "False" }];
        expect(await run(nodesReady)).toMatchObject({ outcome: "fail", detail: "1 of 2 nodes not Ready: cpu-2" });
    });

    it("a CPU node group with nodes in two AZs (issue 19: one group per AZ, CPU too)", async () => {
        // The shape before issue 19: one cluster-cpu group over every AZ.
        f.kube.nodes[1].metadata.labels["eks.amazonaws.com/nodegroup"] = "cluster-cpu-1-abc";
        expect(await run(nodesReady)).toMatchObject({ outcome: "fail", detail: "node group(s) with nodes in more than one AZ: cluster-cpu-1-abc (us-west-2a, us-west-2b); each node group must be one AZ (cluster/node-group.ts)" });
    });

    it("an unavailable platform workload and a missing add-on", async () => {
        f.kube.deployments.find((d) => d.metadata.name === "mlflow").status.availableReplicas = 0;
        f.kube.daemonSets = f.kube.daemonSets.filter((d) => d.metadata.name !== "ebs-csi-node");
        const r = await run(workloadsAvailable);
        expect(r.outcome).toBe("fail");
        expect(r.detail).toContain("Deployment mlflow/mlflow 0/1");
        expect(r.detail).toContain("DaemonSet kube-system/ebs-csi-node missing");
    });

    it("ignores team workloads (they are the teams' business)", async () => {
        f.kube.deployments.push({ metadata: { namespace: "vision", name: "broken" }, spec: { replicas: 1 }, status: {} });
        expect((await run(workloadsAvailable)).outcome).toBe("pass");
    });

    it("a GPU node up with nothing on it", async () => {
        f.kube.nodes.push({ metadata: { name: "gpu-1", labels: { "nvidia.com/gpu.present": "true" } }, status: { conditions: [{ type: "Ready", status: "True" }] } });
        expect(await run(gpuIdle)).toMatchObject({ outcome: "fail", detail: expect.stringContaining("1 GPU node(s) up with no GPU pod") });
    });

    it("a GPU node group with nodes in two AZs (issue 19: one GPU group per AZ)", async () => {
        const gpuNode = (name: string, group: string, zone: string) => ({
            metadata: { name, labels: { "nvidia.com/gpu.present": "true", "eks.amazonaws.com/nodegroup": group, "topology.kubernetes.io/zone": zone } },
            status: { conditions: [{ type: "Ready", status: "True" }] },
        });
        f.kube.nodes.push(gpuNode("gpu-1", "cluster-gpu-1-abc", "us-west-2a"), gpuNode("gpu-2", "cluster-gpu-1-abc", "us-west-2b"), gpuNode("gpu-3", "cluster-gpu-2-def", "us-west-2b"));
        expect(await run(gpuIdle)).toMatchObject({ outcome: "fail", detail: "GPU node group(s) with nodes in more than one AZ: cluster-gpu-1-abc (us-west-2a, us-west-2b); each GPU group must be one AZ (cluster/node-group.ts)" });
    });

    it("a notebook server that dies while starting: the user is still deleted", async () => {
        f.hub.behaviour.spawn = "dies";
        const r = await run(notebookSpawn);
        expect(r).toMatchObject({ outcome: "fail", detail: "the server of verify-abc123 stopped while starting" });
        expect(f.hub.users.size).toBe(0);
        expect(tunnels.closed).toBe(tunnels.open);
    });

    it("a notebook server that never becomes ready times out, then is stopped and deleted", async () => {
        f.hub.behaviour.spawn = "never";
        const r = await run(quick(notebookSpawn));
        expect(r).toMatchObject({ outcome: "fail", detail: "timed out after 1 s" });
        expect(f.hub.users.size).toBe(0);
        expect(f.hub.requests).toContain("DELETE /hub/api/users/verify-abc123/server");
    });

    it("a stack without the verify token says how to get one", async () => {
        const c = context({ jupyterhubVerifyToken: undefined });
        expect(await run(notebookSpawn, c)).toMatchObject({ outcome: "fail", detail: expect.stringContaining("no jupyterhubVerifyToken output") });
    });

    it("an artifact store that refuses writes: the experiment and run are still deleted", async () => {
        f.mlflow.behaviour.artifactStatus = 500;
        const r = await run(trackingRoundTrip);
        expect(r.outcome).toBe("fail");
        expect(r.detail).toMatch(/mlflow-artifacts\/artifacts\/.* answered 500: .*S3 AccessDenied/);
        expect([...f.mlflow.experiments.values()].every((e) => e.deleted)).toBe(true);
        expect([...f.mlflow.runs.values()].every((x) => x.deleted)).toBe(true);
    });

    it("an MLflow that refuses the admin's credentials, without printing them", async () => {
        f.kube.secrets.find((x) => x.metadata.name === "mlflow-auth").data["admin-password"] = Buffer.from("a-stale-password").toString("base64");
        const r = await run(trackingRoundTrip);
        expect(r.outcome).toBe("fail");
        expect(r.detail).toMatch(/experiments\/create answered 401/);
        expect(JSON.stringify(r)).not.toContain("a-stale-password");
    });

    it("a server that does not proxy artifacts", async () => {
        f.mlflow.behaviour.artifactUri = () => "s3://bucket/1/run/artifacts";
        expect((await run(trackingRoundTrip)).detail).toContain("is not proxied (mlflow-artifacts:/...)");
    });

    it("a log line that never arrives times out, and the scratch namespace is deleted", async () => {
        f.es.behaviour.indexLines = false;
        const r = await run(quick(logShipping));
        expect(r).toMatchObject({ outcome: "fail", detail: "timed out after 1 s" });
        expect(f.kube.deleted).toContain("Namespace verify-abc123-logs");
        expect(f.kube.namespaces).toEqual([]);
        expect(tunnels.closed).toBe(tunnels.open);
    });

    it("a log pod that fails", async () => {
        f.kube.behaviour.podOutcome = "Failed";
        expect(await run(logShipping)).toMatchObject({ outcome: "fail", detail: "pod verify-abc123-logs/log-probe failed: Error" });
    });

    it("a scrape target down, named by job", async () => {
        f.prometheus.targets.push({ labels: { job: "fluentd" }, health: "down", lastError: "connection refused" });
        expect(await run(scrapeTargetsUp)).toMatchObject({ outcome: "fail", detail: "1 of 3 targets down: fluentd (connection refused)" });
    });

    it("no Watchdog in Alertmanager, or Grafana unhealthy", async () => {
        f.alertmanager.alerts = [];
        expect((await run(watchdogDelivered)).detail).toContain("no Watchdog alert");
        f.alertmanager.alerts = [{ labels: { alertname: "Watchdog" } }];
        f.grafana.health = { database: "failing" };
        expect((await run(watchdogDelivered)).detail).toContain("Grafana health");
    });

    it("a team that can read another team's Secrets, or pods in jupyterhub", async () => {
        f.kube.behaviour.allow = (spec) => spec.resourceAttributes.verb === "create" || (spec.resourceAttributes.resource === "secrets" && spec.resourceAttributes.namespace === "nlp-research") || spec.resourceAttributes.namespace === "jupyterhub";
        const r = await run(teamIsolation);
        expect(r.outcome).toBe("fail");
        expect(r.detail).toContain("vision can read Secrets in nlp's namespace nlp-research");
        expect(r.detail).toContain("nlp can read pods in jupyterhub");
    });

    it("a review that denies everything fails its positive control instead of passing", async () => {
        f.kube.behaviour.allow = () => false;
        expect((await run(teamIsolation)).detail).toContain("vision cannot create pods in its own namespace vision");
    });

    it("a queued Job that fails, or is never admitted: the Job is deleted", async () => {
        const c = context({ trainingQueues: { vision: "vision-queue" } });
        f.kube.behaviour.jobOutcome = "failed";
        expect((await run(queueAdmission, c)).detail).toBe("Job vision/verify-abc123 failed");
        expect(f.kube.jobs).toEqual([]);
        f.kube.behaviour.jobOutcome = "never";
        expect((await run(quick(queueAdmission), c)).detail).toBe("timed out after 1 s");
        expect(f.kube.jobs).toEqual([]);
        expect(f.kube.created.filter((x) => x.startsWith("Job "))).toEqual(["Job vision/verify-abc123", "Job vision/verify-abc123"]);
    });

    it("skips queues, serving and teams that the stack does not configure", async () => {
        const c = context({ teamNamespaces: {} });
        for (const check of [teamIsolation, queueAdmission, modelEndpoints]) {
            expect((await run(check, c)).outcome).toBe("skip");
        }
    });

    it("an unhealthy model endpoint", async () => {
        const c = context({ modelEndpoints: { churn: { portForward: "kubectl -n vision port-forward svc/churn 8080:8080" } } });
        f.addresses["vision/churn"] = f.addresses["monitoring/kps-prometheus"];
        expect(await run(modelEndpoints, c)).toMatchObject({ outcome: "fail", detail: "unhealthy: churn: 404" });
    });
});

describe("verify --gpu", () => {
    beforeEach(() => {
        f.kube.behaviour.podLog = "| NVIDIA-SMI 570.172.08   Driver Version: 570.172.08   CUDA Version: 12.8 |";
        f.kube.behaviour.onGpuPod = (k) => {
            k.nodes.push({ metadata: { name: "gpu-1", labels: { "nvidia.com/gpu.present": "true" } }, status: { conditions: [{ type: "Ready", status: "True", lastTransitionTime: new Date().toISOString() }] } });
        };
    });

    it("times pending → node Ready → running, then waits for the group to return to zero", async () => {
        const check = gpuFromZero({ waitScaleDown: true });
        const c = { ...ctx, kube: ctx.kube };
        // The autoscaler's part: the node goes once the pod is gone.
        const poll = setInterval(() => {
            if (!f.kube.pods.some((p) => p.metadata.name === "gpu-probe")) {
                f.kube.nodes = f.kube.nodes.filter((n) => n.metadata.name !== "gpu-1");
            }
        }, 10);
        try {
            const r = await run(quick(check, 10), c);
            expect(r.outcome).toBe("pass");
            expect(Object.keys(r.timings ?? {})).toEqual(["nodeReadySeconds", "runningSeconds", "scaleDownSeconds"]);
        } finally {
            clearInterval(poll);
        }
        const pod = f.kube.created.find((x) => x.startsWith("Pod verify-abc123-gpu/"));
        expect(pod).toBe("Pod verify-abc123-gpu/gpu-probe");
        expect(f.kube.namespaces).toEqual([]);
    });

    it("fails when nvidia-smi prints no GPU table", async () => {
        f.kube.behaviour.podLog = "nvidia-smi: command not found";
        expect((await run(gpuFromZero({ waitScaleDown: false }))).detail).toContain("nvidia-smi printed no GPU table");
        expect(f.kube.namespaces).toEqual([]);
    });

    it("runs only when asked", () => {
        expect(allChecks({ gpu: false, waitScaleDown: false }).map((c) => c.name)).not.toContain("gpu: a one-GPU pod from zero runs nvidia-smi");
        expect(allChecks({ gpu: true, waitScaleDown: false }).map((c) => c.name)).toContain("gpu: a one-GPU pod from zero runs nvidia-smi");
    });
});

describe("verify: secrets never printed", () => {
    it("masks every secret output in details, cleanup errors and the table", async () => {
        const leaky: Check<VerifyContext> = {
            name: "leaky",
            timeoutSeconds: 5,
            async run(_c, scope) {
                scope.defer("something", async () => {
                    throw new Error(`cleanup saw ${SECRETS.grafana}`);
                });
                throw new Error(`server said token=${SECRETS.hub} and ${SECRETS.kubeconfigToken}`);
            },
        };
        const [r] = await runChecks(ctx, [leaky], { secrets: ctx.targets.secrets, progress: silentProgress });
        const text = JSON.stringify(r) + formatTable([r]);
        for (const s of Object.values(SECRETS)) {
            expect(text).not.toContain(s);
        }
        expect(r.detail).toBe("server said token=[secret] and [secret]");
        expect(r.cleanupErrors).toEqual(["something: cleanup saw [secret]"]);
    });
});

describe("verify: port-forward target resolution (as kubectl port-forward svc/...)", () => {
    beforeEach(() => {
        f.kube.services.push(
            { metadata: { namespace: "jupyterhub", name: "proxy-public" }, spec: { selector: { component: "proxy" }, ports: [{ port: 80, targetPort: "http" }] } },
            { metadata: { namespace: "mlflow", name: "mlflow" }, spec: { selector: { app: "mlflow" }, ports: [{ port: 5000, targetPort: 5000 }] } },
        );
        const pod = (ns: string, name: string, labels: Record<string, string>, ready: boolean) => ({
            metadata: { namespace: ns, name, labels },
            spec: { containers: [{ name: "c", ports: [{ name: "http", containerPort: 8000 }] }] },
            status: { phase: "Running", conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
        });
        f.kube.pods.push(pod("jupyterhub", "proxy-0", { component: "proxy" }, false), pod("jupyterhub", "proxy-1", { component: "proxy" }, true), pod("mlflow", "mlflow-0", { app: "mlflow" }, true));
    });

    it("finds a ready pod and the container port a named or numbered targetPort means", async () => {
        expect(await resolveServicePort(ctx.kube, ctx.targets.jupyterhub)).toEqual({ pod: "proxy-1", port: 8000 });
        expect(await resolveServicePort(ctx.kube, ctx.targets.mlflow)).toEqual({ pod: "mlflow-0", port: 5000 });
    });

    it("says when no pod is ready or the port does not exist", async () => {
        f.kube.pods = f.kube.pods.filter((p) => p.metadata.name !== "proxy-1");
        await expect(resolveServicePort(ctx.kube, ctx.targets.jupyterhub)).rejects.toThrow("no ready pod behind Service jupyterhub/proxy-public (1 selected)");
        await expect(resolveServicePort(ctx.kube, { ...ctx.targets.mlflow, port: 80 })).rejects.toThrow("Service mlflow/mlflow has no port 80");
    });
});
