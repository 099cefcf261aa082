import { describe, expect, it } from "vitest";
import { resolveTenancyArgs } from "../../components/tenancy";
import { invalidObjects } from "../k8s-schema";
import { allRecords } from "../mocks";
import { base, build } from "./fixtures";

describe("Tenancy", () => {
    it("refuses jupyterhub among the audited namespaces", () => {
        expect(() => resolveTenancyArgs({ ...base, auditedNamespaces: ["mlflow", "jupyterhub"] })).toThrow('auditedNamespaces[1] "jupyterhub" holds pods whose spec carries a user\'s JUPYTERHUB_API_TOKEN');
    });

    it("declares only schema-valid objects, all under the component", async () => {
        await build();
        expect(await invalidObjects(allRecords())).toEqual([]);
        for (const r of allRecords().filter((x) => x.type !== "mlplatform:index:Tenancy")) {
            expect(r.parent, r.name).toMatch(/::mlplatform:index:Tenancy::teams$/);
        }
    });

    it("creates nothing for no teams", async () => {
        await build({ ...base, teams: [], auditorPrincipalArns: [] });
        expect(allRecords().filter((r) => r.type !== "mlplatform:index:Tenancy")).toEqual([]);
    });

    it("documents its defaults truthfully", () => {
        const r = resolveTenancyArgs(base);
        expect(r.mlflowCredentials).toEqual({});
        expect(r.auditedNamespaces).toEqual(["mlflow", "logging", "monitoring", "nvidia-device-plugin", "kueue-system", "node-exporter", "fluentd", "kube-system", "elastic-system"]);
    });
});
