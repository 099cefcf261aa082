import { describe, expect, it } from "vitest";
import { JupyterHubArgs } from "../../components/jupyter-hub";
import { Env, Res } from "../../policy/checks";
import { JUPYTERHUB_CHECKS } from "../../policy/checks-jupyterhub";
import { ResourceRecord } from "../mocks";
import { build, ids, PRODUCTION, release, RELEASE, SANDBOX } from "./fixtures";

describe("JUPYTERHUB_CHECKS on mutated values", () => {
    const base = async (args: JupyterHubArgs = SANDBOX) => {
        await build(args);
        return release();
    };
    const mutate = (r: ResourceRecord, patch: (v: any) => void): Res[] => {
        const values = JSON.parse(JSON.stringify(r.inputs.values));
        patch(values);
        return [{ type: r.type, name: r.name, inputs: { ...r.inputs, values } }];
    };
    it.each<[string, Env, (v: any) => void]>([
        ["JH-01", "sandbox", (v) => { v.singleuser.cloudMetadata.blockWithIptables = true; }],
        ["JH-01", "sandbox", (v) => { v.singleuser.networkPolicy.enabled = false; }],
        ["JH-01", "sandbox", (v) => { delete v.singleuser.networkPolicy.egressAllowRules.cloudMetadataServer; }],
        ["JH-02", "sandbox", (v) => { v.singleuser.uid = 0; }],
        ["JH-02", "sandbox", (v) => { v.singleuser.allowPrivilegeEscalation = true; }],
        ["JH-02", "sandbox", (v) => { v.singleuser.extraEnv.GRANT_SUDO = "yes"; }],
        ["JH-02", "sandbox", (v) => { v.singleuser.profileList[0].kubespawner_override.uid = 0; }],
        ["JH-02", "sandbox", (v) => { v.singleuser.profileList[1].kubespawner_override.environment = { GRANT_SUDO: "yes" }; }],
        ["JH-03", "sandbox", (v) => { delete v.singleuser.memory.limit; }],
        ["JH-03", "sandbox", (v) => { delete v.singleuser.profileList[0].kubespawner_override.cpu_limit; }],
        ["JH-03", "sandbox", (v) => { v.singleuser.profileList[2].kubespawner_override.tolerations = []; }],
        ["JH-03", "sandbox", (v) => { delete v.singleuser.profileList[2].kubespawner_override.extra_resource_limits; }],
        ["JH-03", "sandbox", (v) => { v.cull.enabled = false; }],
        ["JH-04", "sandbox", (v) => { v.hub.db = { type: "sqlite-memory" }; }],
        ["JH-04", "sandbox", (v) => { v.hub.pdb.enabled = true; }],
        ["JH-05", "sandbox", (v) => { v.proxy.service.type = "LoadBalancer"; }],
        ["JH-05", "sandbox", (v) => { v.ingress = { enabled: true, tls: [] }; }],
        ["JH-05", "production", (v) => { v.ingress.tls = []; delete v.ingress.annotations["alb.ingress.kubernetes.io/certificate-arn"]; }],
        ["JH-05", "production", (v) => { v.ingress.annotations["alb.ingress.kubernetes.io/listen-ports"] = '[{"HTTP":80},{"HTTPS":443}]'; }],
        ["K8S-02", "sandbox", (v) => { v.hub.containerSecurityContext.allowPrivilegeEscalation = true; }],
        ["K8S-02", "sandbox", (v) => { delete v.hub.config.KubeSpawner.container_security_context.allowPrivilegeEscalation; }],
        ["K8S-04", "sandbox", (v) => { v.proxy.chp.containerSecurityContext.capabilities = { drop: [] }; }],
        ["K8S-04", "sandbox", (v) => { v.scheduling.userScheduler.containerSecurityContext.capabilities.add = ["NET_ADMIN"]; }],
    ])("%s fails on a non-compliant fixture (%s)", async (id, env, patch) => {
        const r = await base(env === "production" ? PRODUCTION : SANDBOX);
        expect(ids(mutate(r, () => undefined), env)).toEqual([]);
        expect([...new Set(ids(mutate(r, patch), env).map((x) => x.id))]).toEqual([id]);
    });

    it("covers every check id", () => {
        expect(JUPYTERHUB_CHECKS.map((c) => c.id)).toEqual(["JH-01", "JH-02", "JH-03", "JH-04", "JH-05", "K8S-02", "K8S-04"]);
    });

    it("ignores other releases", () => {
        expect(ids([{ type: RELEASE, name: "x", inputs: { chart: "other", values: {} } }], "production")).toEqual([]);
    });
});
