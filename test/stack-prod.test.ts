import { beforeAll, describe, expect, it } from "vitest";
import { idleMonthlyCost } from "../scripts/bench-cost";
import { criticalPath, dependencyMap, GraphNode } from "../scripts/bench-critical-path";
import { capacityReport } from "../scripts/bench-requests";
import { allRecords, byType, one } from "./mocks";
import { loadStack, PROD_SECRETS } from "./stack";
import { stackInvariants } from "./stack-suite";

let outputs: Record<string, unknown>;
beforeAll(async () => {
    // The stack file holds these as `secure:` ciphertext in a real deployment.
    outputs = await loadStack("prod", PROD_SECRETS, Object.keys(PROD_SECRETS));
});

describe("prod stack (Pulumi.prod.yaml, production preset)", () => {
    stackInvariants("production");

    it.each(Object.entries(PROD_SECRETS))("%s reaches pods only through a Kubernetes Secret, never an output or another resource", (key, value) => {
        const holders = allRecords().filter((r) => JSON.stringify(r.inputs).includes(value)).map((r) => `${r.type}::${r.name}`);
        // Used at all (so the absence checks below can fail), and only where it belongs.
        expect(holders.length, key).toBeGreaterThan(0);
        expect(holders.filter((h) => !h.startsWith("kubernetes:core/v1:Secret::")), key).toEqual([]);
        expect(JSON.stringify(outputs), key).not.toContain(value);
    });

    it("builds 3 AZs with one NAT gateway each and flow logs", () => {
        expect(byType("aws:ec2/subnet:Subnet")).toHaveLength(9);
        expect(byType("aws:ec2/natGateway:NatGateway")).toHaveLength(3);
        expect(byType("aws:ec2/flowLog:FlowLog")).toHaveLength(1);
    });

    it("runs on-demand CPU nodes across 3 AZs and GPU nodes from zero", () => {
        // One CPU group per AZ (issue 19): cpuMinSize 3 is one node in each.
        const cpus = byType("aws:eks/nodeGroup:NodeGroup", "cluster-cpu-");
        expect(cpus.map((g) => [g.name, g.inputs.capacityType, g.inputs.scalingConfig, g.inputs.subnetIds.length])).toEqual([1, 2, 3].map((i) =>
            [`cluster-cpu-${i}`, "ON_DEMAND", { minSize: 1, desiredSize: 1, maxSize: 12 }, 1]));
        const gpus = byType("aws:eks/nodeGroup:NodeGroup", "cluster-gpu-");
        expect(gpus.map((g) => [g.name, g.inputs.scalingConfig])).toEqual([1, 2, 3].map((i) => [`cluster-gpu-${i}`, { minSize: 0, desiredSize: 0, maxSize: 8 }]));
        // 8 g5.2xlarge (one A10G each) in total over the three AZs.
        expect(one("kubernetes:helm.sh/v3:Release", "cluster-services-cluster-autoscaler").inputs.values.extraArgs["gpu-total"]).toBe("nvidia-a10g:0:8");
        // cpuMaxSize 12 + gpuMaxSize 8 nodes at most, over all six per-AZ groups.
        expect(one("kubernetes:helm.sh/v3:Release", "cluster-services-cluster-autoscaler").inputs.values.extraArgs["max-nodes-total"]).toBe("20");
    });

    it("bills, sizes and times its CPU nodes as before the per-AZ split (issue 19)", () => {
        // Before: one cluster-cpu group, "3 × m7i.xlarge ON_DEMAND (cluster-cpu) + root volumes" $465.5 USD a month,
        // the same allocatable, and cluster-cpu (3 min) on the critical path.
        const nodes = allRecords() as unknown as GraphNode[];
        expect(idleMonthlyCost(nodes).lines.filter((l) => l.item.includes(" × "))).toEqual([{ item: "3 × m7i.xlarge ON_DEMAND (cluster-cpu-1, cluster-cpu-2, cluster-cpu-3) + root volumes", monthlyUsd: 465.5 }]);
        expect(capacityReport(nodes)).toMatchObject({ ...{ nodes: 3, allocatable: { cpuMilli: 11760, memoryMiB: 46173 } }, instanceType: "m7i.xlarge" });
        expect(criticalPath(nodes).chain.filter((c) => c.type === "aws:eks/nodeGroup:NodeGroup")).toEqual([{ type: "aws:eks/nodeGroup:NodeGroup", name: "cluster-cpu-1", minutes: 3 }]);
    });

    it("protects the cluster and retains volumes encrypted with the platform key", () => {
        expect(one("eks:index:Cluster", "cluster-eks").inputs.deletionProtection).toBe(true);
        expect(one("eks:index:Cluster", "cluster-eks").inputs.enabledClusterLogTypes).toHaveLength(5);
        const sc = one("kubernetes:storage.k8s.io/v1:StorageClass", "cluster-services-gp3");
        expect(sc.inputs.reclaimPolicy).toBe("Retain");
        expect(sc.inputs.parameters.kmsKeyId).toMatch(/^arn:aws:kms:/);
        expect(one("aws:kms/key:Key", "cluster-key").inputs.deletionWindowInDays).toBe(30);
    });

    it("grants the configured platform admins cluster-admin, cluster-wide", () => {
        const [assoc] = byType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
        expect(assoc.inputs.principalArn).toBe("arn:aws:iam::111122223333:role/platform-admin");
        expect(assoc.inputs.policyArn).toBe("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
        expect(assoc.inputs.accessScope).toEqual({ type: "cluster" });
    });

    it("signs JupyterHub users in with OAuth behind an internal HTTPS ALB, and exports no password", async () => {
        const v = one("kubernetes:helm.sh/v3:Release", "notebooks-jupyterhub").inputs.values;
        expect(v.hub.config.JupyterHub.authenticator_class).toBe("generic-oauth");
        expect(v.hub.config.GenericOAuthenticator.oauth_callback_url).toBe("https://notebooks.ml.example.com/hub/oauth_callback");
        expect(JSON.stringify(v)).not.toContain(PROD_SECRETS["mlplatform:oidcClientSecret"]);
        expect(v.ingress).toMatchObject({ enabled: true, ingressClassName: "alb", hosts: ["notebooks.ml.example.com"] });
        expect(v.ingress.annotations["alb.ingress.kubernetes.io/scheme"]).toBe("internal");
        const program = await import("../index");
        expect(program.jupyterhubPassword).toBeUndefined();
    });

    it("protects the MLflow database and bucket and runs the server highly available", () => {
        const db = one("aws:rds/instance:Instance", "tracking-db");
        expect(db.inputs).toMatchObject({ multiAz: true, deletionProtection: true, skipFinalSnapshot: false, storageEncrypted: true, performanceInsightsEnabled: true });
        expect(db.inputs.finalSnapshotIdentifier).toMatch(/^mlplatform-prod-mlflow/);
        expect(db.protect).toBe(true);
        expect(one("aws:s3/bucket:Bucket", "tracking-artifacts").protect).toBe(true);
        expect(one("aws:s3/bucket:Bucket", "tracking-artifacts").inputs.forceDestroy).toBeFalsy();
        expect(one("kubernetes:apps/v1:Deployment", "tracking-server").inputs.spec.replicas).toBe(2);
        expect(byType("kubernetes:policy/v1:PodDisruptionBudget").map((p) => p.inputs.metadata.namespace)).toContain("mlflow");
    });

    it("waits for the load-balancer controller only in the JupyterHub release, which carries the Ingress (issue 19)", () => {
        const records = allRecords();
        const deps = dependencyMap(records);
        const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
            from === to || (!seen.has(from) && (seen.add(from), (deps.get(from) ?? []).some((d) => reaches(d, to, seen))));
        const release = (chart: string) => records.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === chart)!;
        const controller = release("aws-load-balancer-controller").urn;
        // The release keeps the edge: on destroy its Ingress (and so the ALB) goes while the controller runs.
        expect(reaches(release("jupyterhub").urn, controller)).toBe(true);
        // The namespace, and what the hub and monitoring put in it, start without the controller.
        const inNamespace = records.filter((r) => r.urn !== release("jupyterhub").urn && r.custom
            && (r.inputs.metadata?.namespace === "jupyterhub" || (r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata?.name === "jupyterhub")));
        expect(inNamespace.map((r) => r.name)).toEqual(expect.arrayContaining(["notebooks-namespace", "notebooks-auth", "monitoring-operator-monitors-jupyterhub"]));
        expect(inNamespace.filter((r) => reaches(r.urn, controller)).map((r) => `${r.type} ${r.name}`)).toEqual([]);
    });
});
