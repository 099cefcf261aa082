import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { Env, Res } from "../policy/checks";
import { WORKLOAD_CHECKS, WORKLOAD_EXEMPTIONS } from "../policy/checks-workloads";

const container = () => ({
    name: "app",
    image: "example.com/app:1.2.3",
    securityContext: { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
    readinessProbe: { httpGet: { path: "/health", port: 80 }, periodSeconds: 5 },
    livenessProbe: { httpGet: { path: "/health", port: 80 }, periodSeconds: 20 },
});
const labels = { "app.kubernetes.io/name": "app", "app.kubernetes.io/instance": "x" };
/** A production-grade Deployment behind a Service, with a PDB and zone spread. */
function fixture(): Res[] {
    return [
        { type: "kubernetes:core/v1:Namespace", name: "ns", inputs: { metadata: { name: "apps", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } } },
        {
            type: "kubernetes:apps/v1:Deployment",
            name: "app",
            inputs: {
                metadata: { namespace: "apps", labels },
                spec: {
                    replicas: 2,
                    selector: { matchLabels: labels },
                    template: {
                        metadata: { labels },
                        spec: {
                            serviceAccountName: "app",
                            automountServiceAccountToken: false,
                            securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
                            topologySpreadConstraints: [{ topologyKey: "topology.kubernetes.io/zone", maxSkew: 1, whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels } }],
                            containers: [container()],
                        },
                    },
                },
            },
        },
        { type: "kubernetes:core/v1:Service", name: "svc", inputs: { metadata: { namespace: "apps" }, spec: { selector: labels } } },
        { type: "kubernetes:policy/v1:PodDisruptionBudget", name: "pdb", inputs: { metadata: { namespace: "apps" }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } } },
    ];
}
const ids = (rs: Res[], env: Env) => WORKLOAD_CHECKS.flatMap((c) => c.evaluate(rs, env)).map((x) => x.id);
const pod = (rs: Res[]) => rs[1].inputs.spec.template.spec;

describe("WORKLOAD_CHECKS", () => {
    it("pass a compliant workload in both environments", () => {
        expect(ids(fixture(), "production")).toEqual([]);
        expect(ids(fixture(), "sandbox")).toEqual([]);
    });

    const mutations: [string, Env, (rs: Res[]) => void][] = [
        ["K8S-01", "sandbox", (rs) => { pod(rs).securityContext = { runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } }; }],
        ["K8S-01", "sandbox", (rs) => { delete pod(rs).securityContext.runAsNonRoot; delete pod(rs).securityContext.runAsUser; delete pod(rs).containers[0].securityContext.runAsNonRoot; }],
        ["K8S-02", "sandbox", (rs) => { pod(rs).initContainers = [{ ...container(), name: "init", securityContext: { ...container().securityContext, allowPrivilegeEscalation: true } }]; }],
        ["K8S-03", "sandbox", (rs) => { pod(rs).containers[0].securityContext.privileged = true; }],
        ["K8S-04", "sandbox", (rs) => { pod(rs).containers[0].securityContext.capabilities = { drop: ["ALL"], add: ["NET_ADMIN"] }; }],
        ["K8S-04", "sandbox", (rs) => { pod(rs).containers[0].securityContext.capabilities = {}; }],
        ["K8S-05", "sandbox", (rs) => { delete pod(rs).securityContext.seccompProfile; delete pod(rs).containers[0].securityContext.seccompProfile; }],
        ["K8S-06", "sandbox", (rs) => { pod(rs).containers[0].securityContext.readOnlyRootFilesystem = false; }],
        ["K8S-07", "sandbox", (rs) => { pod(rs).hostNetwork = true; }],
        ["K8S-07", "sandbox", (rs) => { pod(rs).volumes = [{ name: "logs", hostPath: { path: "/var/log" } }]; }],
        ["K8S-07", "sandbox", (rs) => { rs[0].inputs.metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged"; (rs[1] as any).type = "kubernetes:apps/v1:DaemonSet"; pod(rs).volumes = [{ name: "sock", hostPath: { path: "/run/containerd/containerd.sock" } }]; }],
        ["K8S-08", "sandbox", (rs) => { delete pod(rs).containers[0].resources.limits; }],
        ["K8S-09", "sandbox", (rs) => { delete pod(rs).containers[0].livenessProbe; }],
        ["K8S-09", "sandbox", (rs) => { pod(rs).containers[0].livenessProbe = pod(rs).containers[0].readinessProbe; }],
        ["K8S-10", "sandbox", (rs) => { pod(rs).containers[0].image = "example.com/app:latest"; }],
        ["K8S-10", "sandbox", (rs) => { pod(rs).containers[0].image = "example.com:5000/app"; }],
        ["K8S-11", "sandbox", (rs) => { delete pod(rs).automountServiceAccountToken; }],
        ["K8S-11", "sandbox", (rs) => { pod(rs).serviceAccountName = "default"; }],
        ["K8S-12", "production", (rs) => { pod(rs).topologySpreadConstraints = []; }],
        ["K8S-13", "production", (rs) => { rs[1].inputs.spec.replicas = 1; rs.pop(); }],
        ["K8S-13", "production", (rs) => { rs.pop(); }],
        ["K8S-13", "sandbox", (rs) => { rs[1].inputs.spec.replicas = 1; rs[3].inputs.spec = { minAvailable: 1, selector: { matchLabels: labels } }; }],
    ];
    it.each(mutations)("%s fails on a mutated workload (%s)", (id, env, mutate) => {
        const rs = fixture();
        mutate(rs);
        expect([...new Set(ids(rs, env))]).toEqual([id]);
    });

    it("relaxes K8S-12 and K8S-13 for a one-replica sandbox workload without a PDB", () => {
        const rs = fixture();
        rs[1].inputs.spec.replicas = 1;
        rs.pop();
        expect(ids(rs, "sandbox")).toEqual([]);
    });

    it("counts an HPA's minReplicas for a Deployment that leaves replicas to it (K8S-12, K8S-13)", () => {
        const owned = (min: number) => {
            const rs = fixture();
            rs[1].inputs.metadata.name = "app";
            delete rs[1].inputs.spec.replicas;
            rs.push({ type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", name: "hpa", inputs: { metadata: { name: "app", namespace: "apps" }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "app" }, minReplicas: min, maxReplicas: 5 } } });
            return rs;
        };
        expect(ids(owned(2), "production")).toEqual([]);
        expect(ids(owned(1), "production")).toEqual(["K8S-13"]);
        // Without the HPA the unset count means one replica.
        const bare = owned(2);
        bare.pop();
        expect(ids(bare, "production")).toEqual(["K8S-13"]);
    });

    it("reads Job and CronJob pod templates and does not ask Jobs for probes", () => {
        const job = fixture()[1];
        const spec = { template: job.inputs.spec.template };
        delete spec.template.spec.containers[0].livenessProbe;
        const rs: Res[] = [fixture()[0], { type: "kubernetes:batch/v1:Job", name: "job", inputs: { metadata: job.inputs.metadata, spec } }];
        expect(ids(rs, "sandbox")).toEqual([]);
        const cron: Res = { type: "kubernetes:batch/v1:CronJob", name: "cron", inputs: { metadata: job.inputs.metadata, spec: { jobTemplate: { spec: { template: { spec: { ...spec.template.spec, automountServiceAccountToken: true } } } } } } };
        expect(ids([fixture()[0], cron], "sandbox")).toEqual(["K8S-11"]);
    });

    it("excuses only the listed workloads, each with a reason", () => {
        expect(WORKLOAD_EXEMPTIONS.map((e) => `${e.id} ${e.namespace}/${e.app}${e.container ? `/${e.container}` : ""}`)).toEqual([
            "K8S-01 fluentd/fluentd",
            "K8S-11 fluentd/fluentd",
            "K8S-09 jupyterhub/gpu-image-prepuller",
            "K8S-11 monitoring/prometheus",
            "K8S-09 monitoring/prometheus/config-reloader",
            "K8S-09 monitoring/alertmanager/config-reloader",
            "K8S-11 monitoring/prometheus-operator",
            "K8S-11 monitoring/grafana",
            "K8S-09 monitoring/grafana/grafana-sc-dashboard",
            "K8S-09 monitoring/grafana/grafana-sc-datasources",
            "K8S-11 monitoring/kube-state-metrics",
            "K8S-07 node-exporter/prometheus-node-exporter",
            "K8S-01 nvidia-device-plugin/nvidia-device-plugin",
            "K8S-09 nvidia-device-plugin/nvidia-device-plugin",
            "K8S-11 nvidia-device-plugin/nvidia-device-plugin",
            "K8S-01 nvidia-device-plugin/dcgm-exporter",
            "K8S-04 nvidia-device-plugin/dcgm-exporter",
            "K8S-06 nvidia-device-plugin/dcgm-exporter",
            "K8S-09 elastic-system/eck-operator",
            "K8S-11 elastic-system/eck-operator",
            "K8S-11 jupyterhub/hub",
            "K8S-11 jupyterhub/user-scheduler",
            "K8S-09 jupyterhub/continuous-image-puller",
            "K8S-09 kube-system/aws-cluster-autoscaler",
            "K8S-11 kube-system/aws-cluster-autoscaler",
            "K8S-11 kube-system/aws-load-balancer-controller",
            "K8S-11 kueue-system/kueue",
            "K8S-11 kube-system/metrics-server",
        ]);
        expect(WORKLOAD_EXEMPTIONS.every((e) => e.reason.length > 40)).toBe(true);
        const rs = fixture();
        rs[1].inputs.metadata = { namespace: "fluentd", labels: { "app.kubernetes.io/name": "fluentd" } };
        rs[0].inputs.metadata.name = "fluentd";
        pod(rs).securityContext = { runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } };
        pod(rs).containers[0].securityContext.runAsNonRoot = false;
        pod(rs).automountServiceAccountToken = true;
        rs.splice(2);
        expect(ids(rs, "sandbox")).toEqual([]);
    });
});

describe("README exemption table", () => {
    it("shows exactly the exemptions the checks read", () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        const rows = readme.split("\n").filter((l) => /^\| (K8S|NS)-\d\d \| `[^`]+` \|/.test(l));
        expect(rows).toEqual(WORKLOAD_EXEMPTIONS.map((e) => `| ${e.id} | \`${e.namespace}/${e.app}${e.container ? `/${e.container}` : ""}\` | ${e.reason} |`));
    });
});
