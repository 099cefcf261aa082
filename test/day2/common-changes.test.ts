/**
 * Day-2 operations (issue 15, checklist DAY2-01), continued from day2.test.ts: the other common
 * config changes, each recorded before and after under mocks and classified with the providers'
 * and operators' real rules (triggers.ts). No change may replace or delete stateful resources.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_PROFILES } from "../../components/jupyter-hub/settings";
import { summary } from "./harness";
import { ARN, change, changed, of, QUOTA, safe, TEAMS } from "./scenarios";

describe("other common changes", () => {
    it("adding a team only creates", async () => {
        const teams = [...TEAMS, { name: "forecast", memberPrincipalArns: [ARN("erin")], quota: { ...QUOTA, gpu: 0 } }];
        const { changes } = await change("dev", { "mlplatform:teams": JSON.stringify(teams) });
        safe(changes);
        expect(changed(changes).filter((c) => c.outcome !== "created").map((c) => `${c.outcome} ${c.name}`).sort()).toEqual([
            // Platform viewer bindings list every team's groups.
            ...changed(changes).filter((c) => c.outcome === "updated" && c.type.startsWith("kubernetes:rbac")).map((c) => `updated ${c.name}`),
            // The new team's MLflow user: its password joins the users Secret and the bootstrap Job runs again (ML-04).
            "updated tracking-users-secret",
            "replaced tracking-auth-bootstrap",
            // The auditor's view scope lists every team namespace (NS-06); access policies replace delete-first.
            "replaced teams-auditor-role-auditor",
        ].sort());
    });

    it("node disk size is a new launch template version (a rolling update), max size an in-place scaling update", async () => {
        const { changes } = await change("dev", { "mlplatform:cpuDiskSizeGiB": "80", "mlplatform:cpuMaxSize": "6" });
        safe(changes);
        // cpuMaxSize also moves the autoscaler's --max-nodes-total (cpuMaxSize + gpuMaxSize): a Helm upgrade in place.
        expect(summary(changes).sort()).toEqual(["updated aws:ec2/launchTemplate:LaunchTemplate cluster-cpu-lt", "updated aws:eks/nodeGroup:NodeGroup cluster-cpu-1",
            "updated aws:eks/nodeGroup:NodeGroup cluster-cpu-2", "updated kubernetes:helm.sh/v3:Release cluster-services-cluster-autoscaler"]);
        expect(of(changes, "kubernetes:helm.sh/v3:Release", "cluster-services-cluster-autoscaler")[0].paths).toEqual(["values.extraArgs.max-nodes-total"]);
        for (const g of ["cluster-cpu-1", "cluster-cpu-2"]) {
            expect(of(changes, "aws:eks/nodeGroup:NodeGroup", g)[0].paths).toEqual(["scalingConfig.maxSize"]);
        }
    });

    it("growing Elasticsearch storage is an in-place ECK volume expansion (and a re-run of the ILM job for the new size cap)", async () => {
        const { changes } = await change("prod", { "mlplatform:elasticsearchStorageGiB": "500" });
        safe(changes);
        // The ILM policy's size cap follows the volume; the install Job is re-created to PUT it again (idempotent).
        // Sorted: registration order follows when each resource's inputs resolve.
        expect(summary(changes).sort()).toEqual([
            "replaced kubernetes:batch/v1:Job logging-ilm",
            "updated kubernetes:core/v1:ConfigMap logging-ilm",
            "updated kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch logging-elasticsearch",
        ]);
    });

    it("elasticsearchNodes 3 -> 5 updates the Elasticsearch resource only", async () => {
        const { changes } = await change("prod", { "mlplatform:elasticsearchNodes": "5" });
        safe(changes);
        expect(changed(changes).every((c) => c.outcome === "updated")).toBe(true);
    });

    it("growing notebook storage updates the hub release (new user volumes only)", async () => {
        const { changes } = await change("dev", { "mlplatform:notebookStorageGiB": "20" });
        safe(changes);
        expect(summary(changes)).toEqual(["updated kubernetes:helm.sh/v3:Release notebooks-jupyterhub"]);
    });

    it("publicAccessCidrs updates the cluster endpoint in place", async () => {
        const { changes } = await change("dev", { "mlplatform:publicAccessCidrs": JSON.stringify(["203.0.113.10/32", "198.51.100.7/32"]) });
        safe(changes);
        expect(summary(changes)).toEqual(["updated eks:index:Cluster cluster-eks"]);
    });

    it("kibana on/off creates or deletes Kibana only", async () => {
        const on = await change("prod", { "mlplatform:kibana": "true" });
        safe(on.changes);
        expect(changed(on.changes).filter((c) => c.outcome !== "created" && c.outcome !== "updated")).toEqual([]);
        expect(changed(on.changes).some((c) => c.type === "kubernetes:kibana.k8s.elastic.co/v1:Kibana" && c.outcome === "created")).toBe(true);
    });

    it("cull timeouts update the hub release only", async () => {
        const { changes } = await change("dev", { "mlplatform:cullTimeoutMinutes": "90", "mlplatform:gpuCullTimeoutMinutes": "45" });
        safe(changes);
        expect(summary(changes)).toEqual(["updated kubernetes:helm.sh/v3:Release notebooks-jupyterhub"]);
    });

    it("notebook profiles (one added, one resized) update the hub release only: running servers and home volumes stay", async () => {
        const profiles = [
            ...DEFAULT_PROFILES.map((p) => (p.slug === "large-cpu" ? { ...p, cpuLimit: 6, memoryLimit: "24Gi", description: "3-6 CPU, 12-24 GiB RAM" } : p)),
            { slug: "xlarge-cpu", displayName: "X-Large CPU", description: "6-8 CPU, 24-30 GiB RAM", cpuGuarantee: 6, cpuLimit: 8, memoryGuarantee: "24Gi", memoryLimit: "30Gi" },
        ];
        const { changes } = await change("dev", { "mlplatform:notebookProfiles": JSON.stringify(profiles) });
        safe(changes);
        // KubeSpawner reads profiles at spawn time: servers already running keep their size until restarted.
        expect(summary(changes)).toEqual(["updated kubernetes:helm.sh/v3:Release notebooks-jupyterhub"]);
        expect(of(changes, "kubernetes:helm.sh/v3:Release", "notebooks-jupyterhub")[0].paths.every((p) => p.startsWith("values.singleuser.profileList"))).toBe(true);
    });

    it("an alert receiver added on dev updates the Alertmanager config Secret only", async () => {
        const { changes } = await change("dev", { "mlplatform:alertSlackWebhookUrl": "https://hooks.slack.com/services/T000/B000/dev-hook" });
        safe(changes);
        expect(summary(changes)).toEqual(["updated kubernetes:core/v1:Secret monitoring-alertmanager-config"]);
    });
});
