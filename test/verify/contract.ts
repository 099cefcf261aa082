/**
 * The contract between the program and `verify`: verify parses the stack outputs the real program
 * exports (run here under mocks with each stack file), so a renamed Service or output breaks this
 * test instead of the first real verify.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { VERIFY_SCOPES, VERIFY_TOKEN_ENV } from "../../components/jupyter-hub/auth";
import { targetsFromOutputs } from "../../scripts/verify/targets";
import { one } from "../mocks";
import { loadStack } from "../stack";

/** One stack per test file: the program module is loaded once per file. */
export function verifyContract(stack: string, secrets: Record<string, string>): void {
    describe(`verify reads the ${stack} stack's outputs`, () => {
        it("finds every Service verify reaches, and the JupyterHub verify token as a secret", async () => {
            const outputs = await loadStack(stack, secrets, Object.keys(secrets));
            const t = targetsFromOutputs(stack, outputs);
            expect(t.jupyterhub).toEqual({ namespace: "jupyterhub", service: "proxy-public", port: 80 });
            expect(t.mlflow).toEqual({ namespace: "mlflow", service: "mlflow", port: 5000 });
            expect(t.elasticsearch).toEqual({ namespace: "logging", service: "logs-es-http", port: 9200, userSecret: "logs-es-elastic-user", caSecret: "logs-es-http-certs-public" });
            expect(t.prometheus).toEqual({ namespace: "monitoring", service: "kps-prometheus", port: 9090 });
            expect(t.alertmanager).toEqual({ namespace: "monitoring", service: "kps-alertmanager", port: 9093 });
            expect(t.grafana).toEqual({ namespace: "monitoring", service: "kube-prometheus-stack-grafana", port: 80 });
            expect(t.jupyterhubToken).toMatch(/^.{8,}$/);
            expect(t.secrets).toContain(t.jupyterhubToken);
            const program = await import("../../index");
            expect(await pulumi.isSecret(program.jupyterhubVerifyToken)).toBe(true);

            // The token reaches the hub only through the auth Secret, and the service has only the scopes verify needs.
            const values = one("kubernetes:helm.sh/v3:Release", "notebooks-jupyterhub").inputs.values;
            expect(JSON.stringify(values)).not.toContain(t.jupyterhubToken);
            expect(values.hub.extraEnv).toContainEqual({ name: VERIFY_TOKEN_ENV, valueFrom: { secretKeyRef: { name: "jupyterhub-auth", key: "verify-token" } } });
            expect(values.hub.extraConfig["20-platform-verify"]).toContain(`os.environ["${VERIFY_TOKEN_ENV}"]`);
            expect(values.hub.extraConfig["20-platform-verify"]).toContain(`"scopes": ${JSON.stringify(VERIFY_SCOPES)}`);
            const secret = one("kubernetes:core/v1:Secret", "notebooks-auth");
            expect(secret.secretPaths.some((p) => p === "stringData" || p === "stringData.verify-token")).toBe(true);
        });
    });
}
