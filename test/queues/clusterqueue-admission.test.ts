/**
 * What the API server and Kueue's validating webhook refuse in a ClusterQueue, beyond the CRD's
 * OpenAPI schema (which test/k8s-schema.ts checks): the CRD's CEL rules (`x-kubernetes-validations`
 * in config/components/crd/bases/kueue.x-k8s.io_clusterqueues.yaml, v1beta2) and
 * pkg/webhooks/clusterqueue_webhook.go (validateResourceGroups, validateFlavorQuotas,
 * validatePreemption), kubernetes-sigs/kueue v0.19.2. Run on the ClusterQueues the component declares.
 */
import { describe, expect, it } from "vitest";
import { resolveTeamQueue } from "../../components/queues/settings";
import { clusterQueueSpec } from "../../components/queues/team-queues";
import { TeamSpec } from "../../components/tenancy";

function clusterQueueErrors(spec: any): string[] {
    const errs: string[] = [];
    const groups: any[] = spec.resourceGroups ?? [];
    // CEL (spec): borrowingLimit must be nil when cohort is empty.
    if (spec.cohortName === undefined && groups.some((rg) => rg.flavors.some((f: any) => f.resources.some((r: any) => r.borrowingLimit !== undefined)))) {
        errs.push("borrowingLimit must be nil when cohort is empty");
    }
    // CEL (spec.preemption) and validatePreemption.
    if (spec.preemption?.reclaimWithinCohort === "Never" && spec.preemption?.borrowWithinCohort !== undefined && spec.preemption.borrowWithinCohort.policy !== "Never") {
        errs.push("reclaimWithinCohort=Never and borrowWithinCohort.Policy!=Never");
    }
    const seenResources = new Set<string>();
    const seenFlavors = new Set<string>();
    for (const rg of groups) {
        // CEL (spec.resourceGroups): flavors must have the same number of resources as the coveredResources.
        if (!rg.flavors.every((f: any) => f.resources.length === rg.coveredResources.length)) {
            errs.push("flavors must have the same number of resources as the coveredResources");
        }
        for (const name of rg.coveredResources) {
            if (seenResources.has(name)) {
                errs.push(`duplicate covered resource ${name}`);
            }
            seenResources.add(name);
        }
        for (const f of rg.flavors) {
            if (seenFlavors.has(f.name)) {
                errs.push(`duplicate flavor ${f.name}`);
            }
            seenFlavors.add(f.name);
            f.resources.forEach((r: any, i: number) => {
                if (r.name !== rg.coveredResources[i]) {
                    errs.push(`${f.name} resources[${i}].name ${r.name} must match the name in coveredResources`);
                }
                for (const k of ["nominalQuota", "borrowingLimit", "lendingLimit"]) {
                    if (typeof r[k] === "string" && r[k].startsWith("-")) {
                        errs.push(`${f.name} ${r.name} ${k} must be non-negative`);
                    }
                }
            });
        }
    }
    return errs;
}

const team = (gpu: number, queue?: TeamSpec["queue"]): TeamSpec => ({
    name: "vision", memberPrincipalArns: ["arn:aws:iam::123456789012:role/v"], leadPrincipalArns: [], quota: { cpu: "32", memory: "128Gi", gpu, storage: "1Ti", pods: 100 }, queue,
});

describe("ClusterQueue admission rules", () => {
    it.each<[string, TeamSpec]>([
        ["a GPU team with default borrowing", team(4)],
        ["a CPU-only team", team(0)],
        ["a team with explicit settings", team(6, { gpu: 4, gpuBorrowingLimit: 2, gpuNodeCpu: "1500m", gpuNodeMemory: "1536Mi" })],
    ])("admit the ClusterQueue of %s", (_what, t) => {
        expect(clusterQueueErrors(clusterQueueSpec(resolveTeamQueue(t, 0)))).toEqual([]);
    });

    it.each<[string, (s: any) => void, string]>([
        ["borrowing without a cohort", (s) => { delete s.cohortName; }, "borrowingLimit must be nil when cohort is empty"],
        ["resources out of coveredResources order", (s) => { s.resourceGroups[0].flavors[1].resources.reverse(); }, "must match the name in coveredResources"],
        ["a flavor missing a resource", (s) => { s.resourceGroups[0].flavors[0].resources.pop(); }, "same number of resources"],
        ["borrowWithinCohort while never reclaiming", (s) => { s.preemption = { reclaimWithinCohort: "Never", borrowWithinCohort: { policy: "LowerPriority" } }; }, "reclaimWithinCohort=Never"],
    ])("the reproduction is real: refuses %s", (_what, mutate, message) => {
        const s = JSON.parse(JSON.stringify(clusterQueueSpec(resolveTeamQueue(team(4), 0))));
        mutate(s);
        expect(clusterQueueErrors(s).join("\n")).toContain(message);
    });
});
