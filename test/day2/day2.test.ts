/**
 * Day-2 operations (issue 15, checklist DAY2-01): each common config change, recorded before and
 * after under mocks and classified with the providers' and operators' real rules (triggers.ts).
 * No change may replace or delete stateful resources, or make an operator recreate a StatefulSet.
 * The checklist's numbered operations; the other common changes are in common-changes.test.ts.
 */
import { describe, expect, it } from "vitest";
import { ResourceRecord } from "../mocks";
import { classify, recordStack, summary } from "./harness";
import { ARN, BASE, change, changed, of, safe, TEAMS } from "./scenarios";

describe("1. growing Prometheus and Alertmanager volumes", () => {
    it.each([["dev"], ["prod"]] as const)("%s: prometheusStorageGiB and alertmanagerStorageGiB grow the volumes in place, the StatefulSets stay", async (stack) => {
        const { changes, after } = await change(stack, { "mlplatform:prometheusStorageGiB": "200", "mlplatform:alertmanagerStorageGiB": "10" });
        safe(changes);
        const grown = of(changes, "kubernetes:core/v1:PersistentVolumeClaimPatch").filter((c) => c.outcome === "updated");
        const replicas = stack === "prod" ? 2 : 1;
        expect(grown).toHaveLength(2 * replicas);
        for (const c of grown) {
            expect(c.paths).toEqual(["spec.resources.requests.storage"]);
        }
        const pvcs = after.filter((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaimPatch").map((r) => [r.inputs.metadata.name, r.inputs.spec.resources.requests.storage]);
        expect(pvcs).toContainEqual(["prometheus-kps-prometheus-db-prometheus-kps-prometheus-0", "200Gi"]);
        expect(pvcs).toContainEqual(["alertmanager-kps-alertmanager-db-alertmanager-kps-alertmanager-0", "10Gi"]);
    });

    it("dev: a StatefulSet recreate for any other reason keeps the volumes (retention Retain; the namespace goes on destroy)", async () => {
        const { after } = await change("dev", {});
        const kps = after.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name.endsWith("kube-prometheus-stack"))!;
        expect(kps.inputs.values.prometheus.prometheusSpec.persistentVolumeClaimRetentionPolicy.whenDeleted).toBe("Retain");
        expect(kps.inputs.values.alertmanager.alertmanagerSpec.persistentVolumeClaimRetentionPolicy.whenDeleted).toBe("Retain");
    });
});

describe("2. changing node group instance or capacity types", () => {
    it.each([
        // One CPU group per AZ too: each swaps; the first AZ's group holds the sandbox's one node.
        ["dev", "cpu", ["cluster-cpu-1", "cluster-cpu-2"], { "mlplatform:cpuInstanceTypes": JSON.stringify(["m7i.2xlarge", "m6i.2xlarge"]) }],
        ["dev", "cpu", ["cluster-cpu-1", "cluster-cpu-2"], { "mlplatform:cpuCapacityType": "ON_DEMAND" }],
        // One GPU group per AZ (issue 19): all three swap, each at zero, so nothing drains.
        ["prod", "gpu", ["cluster-gpu-1", "cluster-gpu-2", "cluster-gpu-3"], { "mlplatform:gpuInstanceTypes": JSON.stringify(["g6.2xlarge"]) }],
    ] as const)("%s: the %s groups are replaced blue/green (new group first, old one drained node by node), nothing else", async (stack, role, names, overrides) => {
        const { changes, after } = await change(stack, overrides);
        safe(changes);
        const groups = of(changes, "aws:eks/nodeGroup:NodeGroup").filter((c) => c.outcome !== "unchanged");
        expect(groups.map((c) => [c.outcome, c.name, c.deleteBeforeReplace])).toEqual(names.map((n) => ["replaced", n, false]));
        for (const name of names) {
            const ng = after.find((r) => r.type === "aws:eks/nodeGroup:NodeGroup" && r.name === name)!;
            // Auto-named, so the new group never collides with the one it replaces.
            expect(ng.inputs.nodeGroupName).toBeUndefined();
            expect(ng.ignoreChanges).toContain("scalingConfig.desiredSize");
            expect(ng.inputs.updateConfig).toEqual({ maxUnavailable: 1 });
        }
        const others = changed(changes).filter((c) => c.type !== "aws:eks/nodeGroup:NodeGroup" && c.type !== "aws:autoscaling/tag:Tag");
        // A new GPU model moves the autoscaler's --gpu-total to that model's label value (a Helm upgrade in place).
        expect(others.map((c) => `${c.outcome} ${c.name} ${c.paths.join(",")}`))
            .toEqual(role === "gpu" ? ["updated cluster-services-cluster-autoscaler values.extraArgs.gpu-total"] : []);
    });
});

describe("3. azCount on a live cluster", () => {
    it("dev 2 -> 3 keeps the control plane's subnets (EKS refuses new AZs) and spreads nodes over 3 AZs", async () => {
        const { changes, after } = await change("dev", { "mlplatform:azCount": "3" });
        safe(changes);
        const eks = of(changes, "eks:index:Cluster")[0];
        expect(eks.outcome).toBe("unchanged");
        expect(of(changes, "aws:ec2/subnet:Subnet").every((c) => c.outcome === "unchanged" || c.outcome === "created")).toBe(true);
        // One CPU and one GPU group per AZ, keyed by AZ position: the new AZ gets new groups (and their
        // ASG tags), the others stay; no node is replaced or drained.
        for (const pool of ["cpu", "gpu"]) {
            expect(of(changes, "aws:eks/nodeGroup:NodeGroup").filter((c) => c.name.startsWith(`cluster-${pool}-`)).map((c) => [c.name, c.outcome]))
                .toEqual([[`cluster-${pool}-1`, "unchanged"], [`cluster-${pool}-2`, "unchanged"], [`cluster-${pool}-3`, "created"]]);
            expect(after.find((r) => r.type === "aws:eks/nodeGroup:NodeGroup" && r.name === `cluster-${pool}-3`)!.inputs.subnetIds).toHaveLength(1);
        }
        expect(of(changes, "aws:autoscaling/tag:Tag").filter((c) => c.outcome !== "unchanged").every((c) => c.outcome === "created" && c.name.includes("-3-asg-"))).toBe(true);
    });
});

describe("3b. upgrading a live stack to one GPU group per AZ (issue 19, once)", () => {
    it.each([["dev"], ["prod"]] as const)("%s: the per-AZ GPU groups and their ASG tags are created, the old single group and its tags deleted, nothing else changes", async (stack) => {
        const { after } = await change(stack, {});
        // The old program's records, rebuilt from the new ones: one `cluster-gpu` group over every
        // private subnet with the same launch template, labels, taints and sizes, and its five
        // node-template tags on its one ASG (the code before this change, components/cluster/node-group.ts).
        const gpus = after.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup" && r.name.startsWith("cluster-gpu-"));
        const isNew = (r: ResourceRecord) => gpus.includes(r) || (r.type === "aws:autoscaling/tag:Tag" && r.name.startsWith("cluster-gpu-"));
        const oldGroup: ResourceRecord = { ...gpus[0], name: "cluster-gpu", inputs: { ...gpus[0].inputs, subnetIds: gpus.flatMap((g) => g.inputs.subnetIds) } };
        const oldTags = after.filter((r) => r.type === "aws:autoscaling/tag:Tag" && r.name.startsWith("cluster-gpu-1-asg-"))
            .map((t) => ({ ...t, name: t.name.replace("cluster-gpu-1-", "cluster-gpu-"), inputs: { ...t.inputs, autoscalingGroupName: "eks-cluster-gpu-asg" } }));
        const before = [...after.filter((r) => !isNew(r)), oldGroup, ...oldTags];
        const changes = classify(before, after);
        safe(changes);
        const azs = gpus.length;
        expect(summary(changes).sort()).toEqual([
            ...gpus.map((g) => `created aws:eks/nodeGroup:NodeGroup ${g.name}`),
            ...after.filter((r) => r.type === "aws:autoscaling/tag:Tag" && r.name.startsWith("cluster-gpu-")).map((t) => `created aws:autoscaling/tag:Tag ${t.name}`),
            "deleted aws:eks/nodeGroup:NodeGroup cluster-gpu",
            ...oldTags.map((t) => `deleted aws:autoscaling/tag:Tag ${t.name}`),
        ].sort());
        expect(azs).toBe(stack === "prod" ? 3 : 2);
        // The new groups are auto-named (no clash with the old group while both exist) and at zero, so
        // the old group's deletion (after every create: Pulumi deletes what left the program last) drains nothing.
        for (const g of gpus) {
            expect(g.inputs.nodeGroupName).toBeUndefined();
            expect(g.inputs.scalingConfig.minSize).toBe(0);
        }
    });
});

describe("3c. upgrading a live stack to one CPU group per AZ (issue 19, once)", () => {
    it.each([["dev", 1, 4], ["prod", 3, 12]] as const)("%s: the per-AZ CPU groups (%i node(s) in all) and their ASG tags are created, the old cluster-cpu group deleted, nothing else changes", async (stack, nodes, max) => {
        const { after } = await change(stack, {});
        // The old program's records, rebuilt from the new ones: one `cluster-cpu` group over every
        // private subnet with the same launch template, labels and the whole cpuMinSize/desired, no
        // ASG tags (the code before this change, components/cluster/node-group.ts).
        const cpus = after.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup" && r.name.startsWith("cluster-cpu-"));
        const isNew = (r: ResourceRecord) => cpus.includes(r) || (r.type === "aws:autoscaling/tag:Tag" && r.name.startsWith("cluster-cpu-"));
        const oldGroup: ResourceRecord = { ...cpus[0], name: "cluster-cpu", urn: cpus[0].urn.replace(/cluster-cpu-1$/, "cluster-cpu"),
            inputs: { ...cpus[0].inputs, subnetIds: cpus.flatMap((g) => g.inputs.subnetIds), scalingConfig: { minSize: nodes, desiredSize: nodes, maxSize: max } } };
        const before = [...after.filter((r) => !isNew(r)), oldGroup];
        const changes = classify(before, after);
        safe(changes);
        // The Kubernetes provider and the volume drain now wait for the new groups instead of the old
        // one: a dependency change alone is no diff (Pulumi diffs inputs), so neither is touched.
        expect(summary(changes).sort()).toEqual([
            ...after.filter(isNew).map((r) => `created ${r.type} ${r.name}`),
            "deleted aws:eks/nodeGroup:NodeGroup cluster-cpu",
        ].sort());
        expect(cpus.map((g) => g.inputs.subnetIds.length)).toEqual(cpus.map(() => 1));
        expect(cpus).toHaveLength(stack === "prod" ? 3 : 2);
        // Auto-named (no clash with the old group while both exist), and together they start with the
        // old group's desired nodes, so the old group's nodes drain (EKS honours PDBs) onto nodes that
        // are already ACTIVE: Pulumi deletes what left the program after every create.
        for (const g of cpus) {
            expect(g.inputs.nodeGroupName).toBeUndefined();
            expect(g.inputs.scalingConfig.maxSize).toBe(max);
        }
        expect(cpus.reduce((n, g) => n + g.inputs.scalingConfig.desiredSize, 0)).toBe(nodes);
    });
});

describe("4. removing a team", () => {
    const withoutNlp = { "mlplatform:teams": JSON.stringify([TEAMS[0]]) };
    it("prod keeps the namespace and its volumes (retainOnDelete); access and RBAC go", async () => {
        const { changes } = await change("prod", withoutNlp);
        // The team's MLflow password goes with it: a credential, not data (its runs and models stay in MLflow).
        safe(changes, ["tracking-user-team-nlp"]);
        const ns = of(changes, "kubernetes:core/v1:Namespace").filter((c) => c.outcome === "deleted");
        expect(ns.map((c) => [c.name, c.retained])).toEqual([["teams-nlp-ns", true]]);
        expect(of(changes, "aws:eks/accessEntry:AccessEntry").filter((c) => c.outcome === "deleted")).toHaveLength(1);
    });
    it("dev deletes the namespace with everything in it (documented sandbox behaviour)", async () => {
        const { changes } = await change("dev", withoutNlp);
        safe(changes, ["teams-nlp-ns", "tracking-user-team-nlp"]);
        expect(of(changes, "kubernetes:core/v1:Namespace", "teams-nlp-ns").map((c) => [c.outcome, c.retained])).toEqual([["deleted", false]]);
    });
});

describe("5. access entries keyed by principal", () => {
    it("removing the first member deletes only that member's entry and association", async () => {
        const teams = [{ ...TEAMS[0], memberPrincipalArns: [ARN("bob"), ARN("carol")] }, TEAMS[1]];
        const { changes } = await change("dev", { "mlplatform:teams": JSON.stringify(teams) });
        safe(changes);
        const access = changed(changes).filter((c) => c.type.startsWith("aws:eks/access"));
        expect(access.map((c) => `${c.outcome} ${c.name}`).sort()).toEqual([
            "deleted teams-vision-member-role-alice",
            "deleted teams-vision-member-role-alice",
        ]);
    });
    it("adding an extra namespace re-associates the view policy delete-first, so the new scope is what remains", async () => {
        const teams = [{ ...TEAMS[0], extraNamespaces: ["staging"] }, TEAMS[1]];
        const { changes } = await change("dev", { "mlplatform:teams": JSON.stringify(teams) });
        safe(changes);
        const assoc = of(changes, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").filter((c) => c.outcome === "replaced");
        // The team's two members and two leads, and the auditor, whose scope lists every team namespace (NS-06).
        expect(assoc.length).toBe(5);
        for (const c of assoc) {
            expect(c.replacedBy).toEqual(expect.arrayContaining([expect.stringMatching(/^accessScope\.namespaces/)]));
            // Create-first would AssociateAccessPolicy (same cluster#principal#policy id), then
            // DisassociateAccessPolicy the old one: the principal would end with no access at all.
            expect(c.deleteBeforeReplace).toBe(true);
        }
        expect(of(changes, "aws:eks/accessEntry:AccessEntry").every((c) => c.outcome === "unchanged")).toBe(true);
    });
});

describe("6. RDS changes", () => {
    it.each([["dev"], ["prod"]] as const)("%s: class and storage changes update in place and apply in this update (applyImmediately)", async (stack) => {
        const { changes, after } = await change(stack, { "mlplatform:mlflowDbInstanceClass": "db.r7g.xlarge", "mlplatform:mlflowDbStorageGiB": "150", "mlplatform:mlflowDbMaxStorageGiB": "300" });
        safe(changes);
        expect(of(changes, "aws:rds/instance:Instance").map((c) => [c.outcome, c.paths.sort()])).toEqual([["updated", ["allocatedStorage", "instanceClass", "maxAllocatedStorage"]]]);
        expect(after.find((r) => r.type === "aws:rds/instance:Instance")!.inputs.applyImmediately).toBe(true);
    });
});

describe("7. rotating mlflowDbPassword", () => {
    it("updates RDS and the Secret and rolls the MLflow pods in the same update", async () => {
        const password = (p: string) => ({ ...BASE, "mlplatform:mlflowDbPassword": p });
        const changes = classify(await recordStack("dev", password("first-Password-0123456789")), await recordStack("dev", password("rotated-Password-0123456789")));
        safe(changes);
        expect(summary(changes)).toEqual([
            "updated aws:rds/instance:Instance tracking-db",
            "updated kubernetes:core/v1:Secret tracking-db-secret",
            // The auth app's INI holds its database URI, which carries the password; the pods roll anyway.
            "updated kubernetes:core/v1:Secret tracking-auth-secret",
            "updated kubernetes:apps/v1:Deployment tracking-server",
        ]);
        expect(of(changes, "kubernetes:apps/v1:Deployment", "tracking-server")[0].paths).toEqual(["spec.template.metadata.annotations.mlplatform.io/db-secret-version"]);
    });

    it("switching from the generated password to a configured one drops the generator and rolls the pods", async () => {
        const { changes } = await change("dev", { "mlplatform:mlflowDbPassword": "rotated-Password-0123456789" });
        safe(changes, ["tracking-db-password"]);
        expect(of(changes, "kubernetes:apps/v1:Deployment", "tracking-server")[0].outcome).toBe("updated");
    });
});

describe("8. Kubernetes upgrades move the nodes too", () => {
    it.each([["dev"], ["prod"]] as const)("%s: every node group carries the cluster's Kubernetes version", async (stack) => {
        const { after } = await change(stack, {});
        const version = after.find((r) => r.type === "eks:index:Cluster")!.inputs.version;
        const groups = after.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup");
        expect(groups.map((g) => g.inputs.version)).toEqual(groups.map(() => version));
    });
});
