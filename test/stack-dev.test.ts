import { beforeAll, describe, expect, it } from "vitest";
import { idleMonthlyCost } from "../scripts/bench-cost";
import { criticalPath, GraphNode } from "../scripts/bench-critical-path";
import { capacityReport } from "../scripts/bench-requests";
import { allRecords, byType, one } from "./mocks";
import { loadStack } from "./stack";
import { stackInvariants } from "./stack-suite";

let outputs: Record<string, unknown>;
beforeAll(async () => {
    outputs = await loadStack("dev");
});

describe("dev stack (Pulumi.dev.yaml, sandbox preset)", () => {
    stackInvariants("sandbox");

    // Live stacks hold positional logical names for the Roles in namespaces known only as Outputs
    // (mlflow 0, jupyterhub 1, kueue-system 3). Keyed by namespace now, each keeps its old name as an
    // alias, so Pulumi moves it in state: creating the new name first would fail, since both are
    // `kps-operator` in one namespace ("already exists").
    it("names prometheus-operator's per-namespace Roles by namespace and aliases the positional names live stacks hold", () => {
        for (const type of ["kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"]) {
            const roles = byType(type).filter((r) => r.name.startsWith("monitoring-operator-monitors-"));
            const byName = Object.fromEntries(roles.map((r) => [r.name, { namespace: r.inputs.metadata.namespace, aliases: r.aliases }]));
            expect(byName).toEqual({
                "monitoring-operator-monitors-mlflow": { namespace: "mlflow", aliases: ["monitoring-operator-monitors-0"] },
                "monitoring-operator-monitors-jupyterhub": { namespace: "jupyterhub", aliases: ["monitoring-operator-monitors-1"] },
                "monitoring-operator-monitors-logging": { namespace: "logging", aliases: [] },
                "monitoring-operator-monitors-kueue-system": { namespace: "kueue-system", aliases: ["monitoring-operator-monitors-3"] },
                "monitoring-operator-monitors-node-exporter": { namespace: "node-exporter", aliases: [] },
                "monitoring-operator-monitors-nvidia-device-plugin": { namespace: "nvidia-device-plugin", aliases: [] },
                "monitoring-operator-monitors-fluentd": { namespace: "fluentd", aliases: [] },
            });
        }
    });

    // The mocked tls provider signs at MOCK_SIGNING_TIME (2026-01-01), so the one-year server
    // certificate ends 2027-01-01T00:00:00Z (1798761600): warn 14 days before, page 3 days before.
    it("alerts before Elasticsearch's HTTP certificate expires, from the certificate's own end of validity", () => {
        const rule = one("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "monitoring-rules-certificates");
        const exprs = Object.fromEntries(rule.inputs.spec.groups[0].rules.map((r: any) => [r.alert, r.expr]));
        expect(exprs).toEqual({
            PlatformCertificateRenewalDue: `label_replace(vector(time()), "certificate", "elasticsearch-http", "", "") > ${1798761600 - 14 * 86400}`,
            PlatformCertificateExpiring: `label_replace(vector(time()), "certificate", "elasticsearch-http", "", "") > ${1798761600 - 3 * 86400}`,
        });
    });

    it("builds 2 AZs with a single NAT gateway and no flow logs", () => {
        expect(byType("aws:ec2/subnet:Subnet")).toHaveLength(6);
        expect(byType("aws:ec2/natGateway:NatGateway")).toHaveLength(1);
        expect(byType("aws:ec2/flowLog:FlowLog")).toHaveLength(0);
    });

    it("runs small Spot CPU nodes and GPU nodes that start at zero", () => {
        // One CPU group per AZ (issue 19); the sandbox keeps its one CPU node, in the first AZ.
        const cpus = byType("aws:eks/nodeGroup:NodeGroup", "cluster-cpu-");
        expect(cpus.map((g) => [g.name, g.inputs.capacityType, g.inputs.scalingConfig])).toEqual([
            ["cluster-cpu-1", "SPOT", { minSize: 1, desiredSize: 1, maxSize: 4 }],
            ["cluster-cpu-2", "SPOT", { minSize: 0, desiredSize: 0, maxSize: 4 }],
        ]);
        // One GPU group per AZ (issue 19), each at zero; the autoscaler caps them at gpuMaxSize GPUs together.
        const gpus = byType("aws:eks/nodeGroup:NodeGroup", "cluster-gpu-");
        expect(gpus.map((g) => [g.name, g.inputs.scalingConfig])).toEqual([
            ["cluster-gpu-1", { minSize: 0, desiredSize: 0, maxSize: 2 }],
            ["cluster-gpu-2", { minSize: 0, desiredSize: 0, maxSize: 2 }],
        ]);
        const ca = one("kubernetes:helm.sh/v3:Release", "cluster-services-cluster-autoscaler");
        expect(ca.inputs.values.extraArgs["gpu-total"]).toBe(`${gpus[0].inputs.labels["k8s.amazonaws.com/accelerator"]}:0:2`);
        // cpuMaxSize 4 + gpuMaxSize 2 nodes at most, over all four per-AZ groups.
        expect(ca.inputs.values.extraArgs["max-nodes-total"]).toBe("6");
    });

    it("bills, sizes and times its CPU nodes as before the per-AZ split (issue 19)", () => {
        // Before: one cluster-cpu group, "1 × m6i.xlarge SPOT (cluster-cpu) + root volumes" $53.06 USD a month,
        // the same allocatable, and cluster-cpu (3 min) on the critical path.
        const nodes = allRecords() as unknown as GraphNode[];
        expect(idleMonthlyCost(nodes).lines.filter((l) => l.item.includes(" × "))).toEqual([{ item: "1 × m6i.xlarge SPOT (cluster-cpu-1) + root volumes", monthlyUsd: 53.06 }]);
        expect(capacityReport(nodes)).toMatchObject({ ...{ nodes: 1, allocatable: { cpuMilli: 3920, memoryMiB: 15391 } }, instanceType: "m6i.xlarge" });
        expect(criticalPath(nodes).chain.filter((c) => c.type === "aws:eks/nodeGroup:NodeGroup")).toEqual([{ type: "aws:eks/nodeGroup:NodeGroup", name: "cluster-cpu-1", minutes: 3 }]);
    });

    it("can be destroyed: no deletion protection, short key window, volumes deleted", () => {
        const eks = one("eks:index:Cluster", "cluster-eks");
        expect(eks.inputs.deletionProtection).toBe(false);
        expect(one("aws:kms/key:Key", "cluster-key").inputs.deletionWindowInDays).toBe(7);
        expect(one("kubernetes:storage.k8s.io/v1:StorageClass", "cluster-services-gp3").inputs.reclaimPolicy).toBe("Delete");
        expect(one("aws:cloudwatch/logGroup:LogGroup", "cluster-control-plane-logs").inputs.retentionInDays).toBe(7);
    });

    it("restricts the public API endpoint to the stack file's CIDRs", () => {
        const eks = one("eks:index:Cluster", "cluster-eks");
        expect(eks.inputs.endpointPrivateAccess).toBe(true);
        expect(eks.inputs.endpointPublicAccess).toBe(true);
        expect(eks.inputs.publicAccessCidrs).toEqual(["203.0.113.10/32"]);
    });

    it("exports what users need, with the kubeconfig as a secret", async () => {
        expect(outputs.clusterName).toBe("mlplatform-dev");
        expect(outputs.updateKubeconfigCommand).toBe("aws eks update-kubeconfig --region us-west-2 --name mlplatform-dev");
        expect(typeof outputs.kubeconfig).toBe("string");
        const program = await import("../index");
        expect(await (await import("@pulumi/pulumi")).isSecret(program.kubeconfig)).toBe(true);
    });

    it("runs JupyterHub with a generated password, port-forward access and MLflow wired in", async () => {
        const hub = one("kubernetes:helm.sh/v3:Release", "notebooks-jupyterhub");
        expect(hub.inputs.values.hub.config.JupyterHub.authenticator_class).toBe("shared-password");
        expect(hub.inputs.values.ingress).toEqual({ enabled: false });
        expect(hub.inputs.values.singleuser.extraEnv.MLFLOW_TRACKING_URI).toBe("http://mlflow.mlflow.svc.cluster.local:5000");
        expect(outputs.jupyterhubPortForward).toBe("kubectl -n jupyterhub port-forward svc/proxy-public 8080:80");
        const program = await import("../index");
        expect(await (await import("@pulumi/pulumi")).isSecret(program.jupyterhubPassword!)).toBe(true);
        expect(await (await import("@pulumi/pulumi")).isSecret(program.jupyterhubAdminPassword!)).toBe(true);
        // The hub is scraped, and teams may look into its namespace.
        expect(byType("kubernetes:monitoring.coreos.com/v1:ServiceMonitor").map((m) => m.inputs.spec.jobLabel ?? m.inputs.metadata.name)).toEqual(expect.arrayContaining([expect.stringContaining("jupyterhub")])); expect(one("kubernetes:helm.sh/v3:Release", "monitoring-kube-prometheus-stack")).toBeDefined();
    });

    it("runs MLflow on a disposable single-AZ database and a force-destroyable bucket, reached by port-forward", () => {
        const db = one("aws:rds/instance:Instance", "tracking-db");
        expect(db.inputs).toMatchObject({ multiAz: false, deletionProtection: false, skipFinalSnapshot: true, deleteAutomatedBackups: true, backupRetentionPeriod: 1 });
        expect(db.protect).toBeFalsy();
        expect(one("aws:s3/bucket:Bucket", "tracking-artifacts").inputs.forceDestroy).toBe(true);
        expect(outputs.mlflowPortForward).toBe("kubectl -n mlflow port-forward svc/mlflow 5000:5000");
        expect(outputs.mlflowTrackingUri).toBe("http://mlflow.mlflow.svc.cluster.local:5000");
        expect(byType("kubernetes:networking.k8s.io/v1:Ingress")).toEqual([]);
    });
});
