import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { HUB_TMP_MOUNT, HUB_TMP_VOLUME } from "../../components/jupyter-hub/hub";
import { HUB_MLFLOW_HOOK, HUB_PROVISIONER_DIR, NOTEBOOK_PROVISIONER_SECRET } from "../../components/tracking/auth";
import { HAS_JUPYTERHUB_SCHEMA, jupyterHubValuesErrors } from "../helm-values";
import { byType } from "../mocks";
import { build, release, SANDBOX, SECRET, URI, values } from "./fixtures";

describe("JupyterHub: MLflow credentials per user (ML-04)", () => {
    const ADMIN = "mlflow-admin-password-from-tracking";
    it("mounts the provisioner Secret into the hub and installs the pre-spawn hook; no password in the values", async () => {
        await build({ ...SANDBOX, mlflowAdminPassword: pulumi.secret(ADMIN) });
        const secret = byType(SECRET).find((s) => s.inputs.metadata.name === NOTEBOOK_PROVISIONER_SECRET)!;
        expect(secret.inputs.stringData).toEqual({ "admin-password": ADMIN, "user-key": "mock-secret-jh-mlflow-user-key" });
        const hub = values().hub;
        expect(hub.extraConfig["20-mlflow-credentials"]).toBe(HUB_MLFLOW_HOOK);
        expect(hub.extraVolumes).toEqual([HUB_TMP_VOLUME, { name: "mlflow-provisioner", secret: { secretName: NOTEBOOK_PROVISIONER_SECRET, defaultMode: 0o440 } }]);
        expect(hub.extraVolumeMounts).toEqual([HUB_TMP_MOUNT, { name: "mlflow-provisioner", mountPath: HUB_PROVISIONER_DIR, readOnly: true }]);
        expect(hub.extraEnv).toContainEqual({ name: "MLFLOW_TRACKING_URI", value: URI });
        expect(JSON.stringify(values())).not.toContain(ADMIN);
        expect(JSON.stringify(values())).not.toContain("mock-secret-jh-mlflow-user-key");
        // The release waits for the Secret it mounts.
        expect(release().dependencies).toContain(secret.urn);
        // Users get env from their own Secret by secretKeyRef, never a literal password.
        expect(HUB_MLFLOW_HOOK).toContain("'valueFrom': {'secretKeyRef'");
        expect(HUB_MLFLOW_HOOK).toContain("c.KubeSpawner.pre_spawn_hook = mlflow_credentials");
        if (HAS_JUPYTERHUB_SCHEMA) {
            expect(jupyterHubValuesErrors(values())).toEqual([]);
        }
    });

    it("adds nothing without MLflow authentication", async () => {
        await build(SANDBOX);
        expect(byType(SECRET).some((s) => s.inputs.metadata.name === NOTEBOOK_PROVISIONER_SECRET)).toBe(false);
        expect(values().hub.extraConfig["20-mlflow-credentials"]).toBeUndefined();
        expect(values().hub.extraVolumes).toEqual([HUB_TMP_VOLUME]);
        expect(values().hub.extraVolumeMounts).toEqual([HUB_TMP_MOUNT]);
    });
});
