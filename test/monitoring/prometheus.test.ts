/** kube-prometheus-stack: release, values, operator volumes (prometheus.ts, scheduling.ts). */
import { describe, expect, it } from "vitest";
import { ALERTMANAGER_CONFIG_SECRET, MonitoringArgs } from "../../components/monitoring";
import { MONITORING_VERSIONS } from "../../components/shared/versions";
import { build, byType, kpsValues, one, PRODUCTION, RELEASE, SANDBOX, SECRET } from "./fixtures";

describe("Monitoring: K8S-11 and K8S-12 on the operator's pods", () => {
    const spread = [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", additionalLabelSelectors: "OnResource" }];
    it.each<[string, MonitoringArgs, unknown[]]>([["sandbox", SANDBOX, []], ["production", PRODUCTION, spread]])("%s: zone spread only with several replicas; Alertmanager mounts no API token", async (_env, args, want) => {
        await build(args);
        const v = kpsValues();
        expect(v.prometheus.prometheusSpec.topologySpreadConstraints).toEqual(want);
        expect(v.alertmanager.alertmanagerSpec.topologySpreadConstraints).toEqual(want);
        expect(v.alertmanager.alertmanagerSpec.automountServiceAccountToken).toBe(false);
        expect(v.prometheusOperator.prometheusConfigReloader).toEqual({ resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } }, enableProbe: true });
    });
});

describe("Monitoring: kube-prometheus-stack", () => {
    it("installs the pinned chart with persistent, retained Prometheus and Alertmanager and the sandbox preset", async () => {
        await build();
        const rel = one(RELEASE, "mon-kube-prometheus-stack");
        expect(rel.inputs).toMatchObject({
            name: "kube-prometheus-stack",
            chart: "kube-prometheus-stack",
            version: MONITORING_VERSIONS.kubePrometheusStackChart.version,
            repositoryOpts: { repo: MONITORING_VERSIONS.kubePrometheusStackChart.repo },
            namespace: "monitoring",
        });
        const v = kpsValues();
        expect(v.prometheus.prometheusSpec).toMatchObject({
            replicas: 1,
            retention: "3d",
            retentionSize: "8GB",
            storageSpec: { volumeClaimTemplate: { spec: { storageClassName: "gp3", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } } } },
            // Retain even on a sandbox: an operator recreate must not take the volumes (the namespace does on destroy).
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            ruleSelectorNilUsesHelmValues: false,
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            probeSelectorNilUsesHelmValues: false,
            scrapeConfigSelectorNilUsesHelmValues: false,
            podAntiAffinity: "soft",
        });
        expect(v.alertmanager.alertmanagerSpec).toMatchObject({
            replicas: 1,
            storage: { volumeClaimTemplate: { spec: { storageClassName: "gp3", resources: { requests: { storage: "1Gi" } } } } },
            useExistingSecret: true,
            configSecret: ALERTMANAGER_CONFIG_SECRET,
        });
        expect(v.prometheus.podDisruptionBudget).toEqual({ enabled: false });
        expect(v.alertmanager.podDisruptionBudget).toEqual({ enabled: false });
        expect(v.grafana.admin).toEqual({ existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
        expect(v.grafana.adminPassword).toBeUndefined();
        for (const c of ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"]) {
            expect(v[c], c).toEqual({ enabled: false });
        }
        expect(rel.dependencies).toEqual(expect.arrayContaining([one(SECRET, "mon-grafana-admin").urn, one(SECRET, "mon-alertmanager-config").urn]));
    });

    it("runs two or more replicas with PDBs and hard anti-affinity, and retains volumes, in production", async () => {
        await build(PRODUCTION);
        const v = kpsValues();
        expect(v.prometheus.prometheusSpec).toMatchObject({ replicas: 2, retention: "30d", retentionSize: "80GB", podAntiAffinity: "hard", persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain" } });
        expect(v.alertmanager.alertmanagerSpec).toMatchObject({ replicas: 2, podAntiAffinity: "hard", storage: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "5Gi" } } } } } });
        expect(v.prometheus.podDisruptionBudget).toEqual({ enabled: true });
        expect(v.alertmanager.podDisruptionBudget).toEqual({ enabled: true });
    });

    it("grows the operator's volumes through PVC patches; the claim templates keep their creation size (prometheus-operator recreates on a template change)", async () => {
        await build(PRODUCTION);
        const kps = byType("kubernetes:helm.sh/v3:Release").find((r) => r.name.endsWith("kube-prometheus-stack"))!;
        expect(kps.ignoreChanges).toEqual(["values.prometheus.prometheusSpec.storageSpec", "values.alertmanager.alertmanagerSpec.storage"]);
        const patches = byType("kubernetes:core/v1:PersistentVolumeClaimPatch");
        expect(patches.map((p) => [p.inputs.metadata.name, p.inputs.spec.resources.requests.storage, p.retainOnDelete])).toEqual([
            ["prometheus-kps-prometheus-db-prometheus-kps-prometheus-0", "100Gi", true],
            ["prometheus-kps-prometheus-db-prometheus-kps-prometheus-1", "100Gi", true],
            ["alertmanager-kps-alertmanager-db-alertmanager-kps-alertmanager-0", "5Gi", true],
            ["alertmanager-kps-alertmanager-db-alertmanager-kps-alertmanager-1", "5Gi", true],
        ]);
        for (const p of patches) {
            // The full claim spec, so the patch can also create the claim the StatefulSet adopts by name.
            expect(p.inputs.spec).toMatchObject({ storageClassName: "gp3", accessModes: ["ReadWriteOnce"] });
            expect(p.inputs.metadata.annotations).toEqual({ "pulumi.com/patchForce": "true", "pulumi.com/skipAwait": "true" });
            expect(p.dependencies).toContain(kps.urn);
        }
    });

});
