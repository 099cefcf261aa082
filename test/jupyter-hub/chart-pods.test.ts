/**
 * K8S-14 for the z2jh chart's own pods: the user scheduler and the hub as policy/chart-pods.ts
 * renders them from the values over z2jh 4.4.0's defaults, checked by the K8S-* predicates.
 */
import { describe, expect, it } from "vitest";
import { renderedWorkloads } from "../../policy/chart-pods";
import { Env, Res } from "../../policy/checks";
import { WORKLOAD_CHECKS } from "../../policy/checks-workloads";
import { build, PRODUCTION, release, SANDBOX } from "./fixtures";

const asRelease = async (env: Env): Promise<Res> => {
    await build(env === "production" ? PRODUCTION : SANDBOX);
    const r = release();
    return { type: r.type, name: r.name, urn: r.urn, inputs: JSON.parse(JSON.stringify(r.inputs)) };
};
const pod = (r: Res, app: string) => {
    const w = renderedWorkloads([r]).find((x) => x.inputs.metadata.labels["app.kubernetes.io/name"] === app)!;
    return { replicas: w.inputs.spec.replicas, spec: w.inputs.spec.template.spec };
};
const findings = (r: Res, env: Env) => WORKLOAD_CHECKS.flatMap((c) => c.evaluate([r], env)).map((x) => `${x.id} ${x.message}`);

describe("the user scheduler, as z2jh 4.4.0 renders it", () => {
    it("is modelled from templates/scheduling/user-scheduler/deployment.yaml with the values merged over the chart defaults", async () => {
        const { replicas, spec } = pod(await asRelease("production"), "user-scheduler");
        expect(replicas).toBe(2);
        expect(spec.serviceAccountName).toBe("user-scheduler");
        expect(spec.automountServiceAccountToken).toBeUndefined();
        const [c] = spec.containers;
        expect(c.name).toBe("kube-scheduler");
        expect(c.image).toBe("registry.k8s.io/kube-scheduler:v1.30.14");
        expect(c.securityContext).toEqual({
            runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" }, readOnlyRootFilesystem: true,
        });
        expect(c.resources).toEqual({ requests: { cpu: "50m", memory: "256Mi" }, limits: { memory: "512Mi" } });
        expect(c.livenessProbe).toEqual({ httpGet: { path: "/healthz", scheme: "HTTPS", port: 10259 }, initialDelaySeconds: 15 });
        expect(c.readinessProbe).toEqual({ httpGet: { path: "/healthz", scheme: "HTTPS", port: 10259 } });
        // The only writable thing it could need is its config, and that is a ConfigMap (read-only).
        expect(spec.volumes).toEqual([{ name: "config", configMap: { name: "user-scheduler" } }]);
        expect(spec.topologySpreadConstraints).toEqual([{
            maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: { component: "user-scheduler", release: "jupyterhub" } },
        }]);
    });

    it.each<[Env, string, (v: any) => void, string[]]>([
        ["production", "a writable root", (v) => { delete v.scheduling.userScheduler.containerSecurityContext.readOnlyRootFilesystem; }, ["K8S-06 kube-scheduler has a writable root filesystem"]],
        ["production", "no resources (z2jh default {})", (v) => { delete v.scheduling.userScheduler.resources; }, ["K8S-08 kube-scheduler lacks cpu/memory requests or a memory limit"]],
        ["production", "its 2 replicas without zone spread", (v) => { delete v.scheduling.userScheduler.extraPodSpec; }, ["K8S-12 has several replicas but no zone topologySpreadConstraint with maxSkew 1"]],
        ["sandbox", "an added capability", (v) => { v.scheduling.userScheduler.containerSecurityContext.capabilities.add = ["SYS_ADMIN"]; }, ["K8S-04 kube-scheduler adds SYS_ADMIN"]],
        ["sandbox", "an unpinned image", (v) => { v.scheduling.userScheduler.image = { name: "registry.k8s.io/kube-scheduler", tag: "latest" }; }, ["K8S-10 kube-scheduler image registry.k8s.io/kube-scheduler:latest is not pinned"]],
    ])("fails the K8S check (%s) on %s", async (env, _label, patch, expected) => {
        const r = await asRelease(env);
        expect(findings(r, env)).toEqual([]);
        patch(r.inputs.values);
        expect(findings(r, env)).toEqual(expected);
    });

    it("is not rendered (and not checked) when the values turn it off", async () => {
        const r = await asRelease("sandbox");
        r.inputs.values.scheduling.userScheduler.enabled = false;
        expect(renderedWorkloads([r]).map((w) => w.inputs.metadata.labels["app.kubernetes.io/name"])).not.toContain("user-scheduler");
    });
});

describe("the hub's read-only root", () => {
    /** Mounts the hub can write to: not read-only, and not a ConfigMap or Secret (always read-only). */
    const writable = (spec: any) => {
        const byName = new Map<string, any>(spec.volumes.map((v: any) => [v.name, v]));
        return spec.containers[0].volumeMounts
            .filter((m: any) => m.readOnly !== true && !byName.get(m.name).configMap && !byName.get(m.name).secret)
            .map((m: any) => [m.mountPath, Object.keys(byName.get(m.name)).filter((k) => k !== "name")[0]]);
    };

    it.each<Env>(["sandbox", "production"])("writes only to its database volume and an emptyDir at /tmp (%s)", async (env) => {
        const { spec } = pod(await asRelease(env), "hub");
        expect(spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
        expect(writable(spec)).toEqual([["/tmp", "emptyDir"], ["/srv/jupyterhub", "persistentVolumeClaim"]]);
        expect(spec.volumes.find((v: any) => v.name === "pvc")).toEqual({ name: "pvc", persistentVolumeClaim: { claimName: "hub-db-dir" } });
    });

    it.each<[string, (v: any) => void, string]>([
        ["gives the hub a writable root", (v) => { delete v.hub.containerSecurityContext.readOnlyRootFilesystem; }, "K8S-06 hub has a writable root filesystem"],
    ])("fails K8S-06 when the values %s", async (_label, patch, expected) => {
        const r = await asRelease("production");
        patch(r.inputs.values);
        expect(findings(r, "production")).toEqual([expected]);
    });

    it("loses /tmp in the model when the values drop it, so the writable set above would fail", async () => {
        const r = await asRelease("sandbox");
        r.inputs.values.hub.extraVolumes = [];
        r.inputs.values.hub.extraVolumeMounts = [];
        expect(writable(pod(r, "hub").spec)).toEqual([["/srv/jupyterhub", "persistentVolumeClaim"]]);
    });
});
