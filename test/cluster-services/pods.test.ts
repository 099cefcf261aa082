/**
 * Checklist K8S-14 for the charts this layer installs: the cluster autoscaler's and the AWS Load
 * Balancer Controller's pods, as `policy/chart-pods.ts` renders them from our values over the
 * pinned charts' defaults, pass the K8S-* checks; each value that makes them pass, taken away,
 * makes its check fail (mutated fixtures).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { renderedWorkloads } from "../../policy/chart-pods";
import { Env, Res, runChecksOf } from "../../policy/checks";
import { WORKLOAD_CHECKS } from "../../policy/checks-workloads";
import { allRecords } from "../mocks";
import { build, LBC } from "./fixture";

const RELEASE = "kubernetes:helm.sh/v3:Release";
let records: Res[];
beforeAll(async () => {
    await build(LBC);
    records = allRecords().map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, urn: r.urn } as Res));
});

const clone = (rs: Res[]): Res[] => rs.map((r) => ({ ...r, inputs: structuredClone(r.inputs) }));
const values = (rs: Res[], name: string) => rs.find((r) => r.type === RELEASE && r.name === name)!.inputs.values;
const autoscaler = (rs: Res[]) => values(rs, "svc-cluster-autoscaler");
const lbc = (rs: Res[]) => values(rs, "svc-lb-controller");
/** Violations on the two modelled releases only (the device plugin has its own tests). */
const findings = (rs: Res[], env: Env) => runChecksOf(WORKLOAD_CHECKS, rs, env)
    .filter((x) => /svc-(cluster-autoscaler|lb-controller)\//.test(x.resource))
    .map((x) => `${x.id} ${x.resource}: ${x.message}`);

describe("K8S-14: cluster-autoscaler and aws-load-balancer-controller pods", () => {
    it("renders both Deployments with the pinned charts' names, ServiceAccounts, images and fixed probes", () => {
        const pods = Object.fromEntries(renderedWorkloads(records).map((w) => [w.name, w]));
        const ca = pods["svc-cluster-autoscaler/aws-cluster-autoscaler"];
        expect(ca.type).toBe("kubernetes:apps/v1:Deployment");
        expect(ca.inputs.metadata).toEqual({ namespace: "kube-system", labels: { "app.kubernetes.io/name": "aws-cluster-autoscaler" } });
        const caSpec = ca.inputs.spec.template.spec;
        expect(caSpec.serviceAccountName).toBe("cluster-autoscaler");
        expect(caSpec.automountServiceAccountToken).toBeUndefined();
        expect(caSpec.containers[0].image).toBe("registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2");
        // cluster-autoscaler 9.59.0 templates/deployment.yaml: liveness only, no value for a readiness probe.
        expect(caSpec.containers[0].livenessProbe).toEqual({ httpGet: { path: "/health-check", port: 8085 } });
        expect(caSpec.containers[0].readinessProbe).toBeUndefined();

        const lb = pods["svc-lb-controller/aws-load-balancer-controller"];
        expect(lb.inputs.spec.replicas).toBe(2);
        const lbSpec = lb.inputs.spec.template.spec;
        expect(lbSpec.serviceAccountName).toBe("aws-load-balancer-controller");
        expect(lbSpec.automountServiceAccountToken).toBe(true);
        expect(lbSpec.securityContext).toMatchObject({ fsGroup: 65534, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        expect(lbSpec.containers[0].livenessProbe.httpGet.path).toBe("/healthz");
        expect(lbSpec.containers[0].readinessProbe.httpGet.path).toBe("/readyz");
        expect(lbSpec.topologySpreadConstraints).toEqual([{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: { "app.kubernetes.io/name": "aws-load-balancer-controller", "app.kubernetes.io/instance": "aws-load-balancer-controller" } } }]);
    });

    it.each<Env>(["sandbox", "production"])("pass every K8S-* check in %s (the API tokens and the autoscaler's readiness probe as listed exemptions)", (env) => {
        expect(findings(records, env)).toEqual([]);
    });

    it.each<[string, Env, string, (rs: Res[]) => void]>([
        ["K8S-01", "sandbox", "drop the autoscaler's runAsNonRoot at pod and container level (the chart sets no user)", (rs) => { delete autoscaler(rs).securityContext; delete autoscaler(rs).containerSecurityContext.runAsNonRoot; }],
        ["K8S-05", "sandbox", "drop the autoscaler's seccomp profiles (pod and container)", (rs) => { delete autoscaler(rs).securityContext.seccompProfile; delete autoscaler(rs).containerSecurityContext.seccompProfile; }],
        ["K8S-02", "sandbox", "let the autoscaler escalate", (rs) => { delete autoscaler(rs).containerSecurityContext.allowPrivilegeEscalation; }],
        ["K8S-04", "sandbox", "let the autoscaler keep its capabilities", (rs) => { delete autoscaler(rs).containerSecurityContext.capabilities; }],
        ["K8S-06", "sandbox", "give the autoscaler a writable root", (rs) => { delete autoscaler(rs).containerSecurityContext.readOnlyRootFilesystem; }],
        ["K8S-08", "sandbox", "leave the autoscaler without requests (chart default {})", (rs) => { delete autoscaler(rs).resources; }],
        ["K8S-10", "sandbox", "run the autoscaler image as latest", (rs) => { autoscaler(rs).image.tag = "latest"; }],
        ["K8S-07", "sandbox", "put the autoscaler on the host network", (rs) => { autoscaler(rs).hostNetwork = true; }],
        ["K8S-05", "sandbox", "drop the controller's seccomp profiles (the chart's contexts have none)", (rs) => { delete lbc(rs).podSecurityContext; delete lbc(rs).securityContext.seccompProfile; }],
        ["K8S-04", "sandbox", "let the controller keep its capabilities (the chart drops none)", (rs) => { delete lbc(rs).securityContext.capabilities; }],
        ["K8S-06", "sandbox", "give the controller a writable root", (rs) => { lbc(rs).securityContext.readOnlyRootFilesystem = false; }],
        ["K8S-08", "sandbox", "leave the controller without requests (chart default {})", (rs) => { delete lbc(rs).resources; }],
        ["K8S-09", "sandbox", "turn the controller's liveness probe off", (rs) => { lbc(rs).livenessProbe = null; }],
        ["K8S-09", "sandbox", "give the controller identical probes", (rs) => { lbc(rs).readinessProbe = { httpGet: { path: "/healthz" }, successThreshold: null, initialDelaySeconds: 30 }; }],
        ["K8S-12", "production", "run the controller's 2 replicas without a zone spread", (rs) => { delete lbc(rs).topologySpreadConstraints; }],
    ])("%s (%s) fails when the values %s", (id, env, _what, mutate) => {
        const rs = clone(records);
        expect(findings(rs, env)).toEqual([]);
        mutate(rs);
        const found = findings(rs, env);
        expect(found.length, found.join("\n")).toBeGreaterThan(0);
        expect(found.every((f) => f.startsWith(`${id} `)), found.join("\n")).toBe(true);
    });

});
