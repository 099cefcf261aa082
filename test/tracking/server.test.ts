import { describe, expect, it } from "vitest";
import { allowedHosts, DB_UPGRADE_SCRIPT } from "../../components/tracking/server";
import { artifactPolicy } from "../../components/tracking/artifact-bucket";
import { TRACKING_VERSIONS } from "../../components/shared/versions";
import { Env } from "../../policy/checks";
import { allRecords, byType, one } from "../mocks";
import { build, KMS, policyDoc, server, T } from "./fixtures";

describe("Tracking: identity", () => {
    it.each<[Env]>([["sandbox"], ["production"]])("binds one role to mlflow/mlflow with S3 on the artifact bucket only (%s)", async (env) => {
        await build(env);
        const assoc = one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "tracking-s3-association");
        expect(assoc.inputs).toMatchObject({ clusterName: "mlp", namespace: "mlflow", serviceAccount: "mlflow" });
        expect(assoc.dependencies).toContain(allRecords().find((r) => r.name === "agent")!.urn);
        const doc = policyDoc();
        expect(doc).toEqual(JSON.parse(artifactPolicy("tracking-artifacts-mock", env === "production" ? KMS : undefined)));
        const actions = doc.Statement.flatMap((s: any) => s.Action);
        expect(actions).toEqual(["s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", ...(env === "production" ? ["kms:Decrypt", "kms:GenerateDataKey"] : [])]);
        expect(JSON.stringify(doc)).not.toMatch(/"\*"|s3:\*/);
        expect(one(T.deployment, "tracking-server").dependencies).toContain(assoc.urn);
    });

    it("scopes the pure policy to one bucket and its objects", () => {
        const doc = JSON.parse(artifactPolicy("my-bucket"));
        expect(doc.Statement.map((s: any) => s.Resource)).toEqual(["arn:aws:s3:::my-bucket", "arn:aws:s3:::my-bucket/*"]);
    });
});

describe("Tracking: server", () => {
    it("runs a pinned MLflow image, restricted, with the DB URI from a secretKeyRef and a schema upgrade first", async () => {
        await build("sandbox");
        const spec = server();
        expect(spec.serviceAccountName).toBe("mlflow");
        expect(spec.automountServiceAccountToken).toBe(false);
        expect(spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } });
        const [init] = spec.initContainers;
        const [c] = spec.containers;
        for (const x of [init, c]) {
            expect(x.image).toBe(TRACKING_VERSIONS.mlflowImage);
            expect(x.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
            expect(x.env[0]).toEqual({ name: "MLFLOW_BACKEND_STORE_URI", valueFrom: { secretKeyRef: { name: "mlflow-db", key: "backend-store-uri" } } });
            expect(x.envFrom).toEqual([{ configMapRef: { name: "mlflow" } }]);
            expect(x.volumeMounts[0]).toEqual({ name: "tmp", mountPath: "/tmp" });
        }
        expect(init.env).toHaveLength(1);
        // The server reads the auth INI (admin password, auth DB URI) from a mounted Secret file and the
        // CSRF key from a secretKeyRef: neither is in argv, a ConfigMap or an env value.
        expect(c.env.slice(1)).toEqual([
            { name: "MLFLOW_AUTH_CONFIG_PATH", value: "/etc/mlflow-auth/basic_auth.ini" },
            { name: "MLFLOW_FLASK_SERVER_SECRET_KEY", valueFrom: { secretKeyRef: { name: "mlflow-auth", key: "flask-secret-key" } } },
        ]);
        expect(c.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }, { name: "auth", mountPath: "/etc/mlflow-auth", readOnly: true }]);
        // The URI is read from the environment inside Python, so it is in no process's argv.
        expect(init.command).toEqual(["python", "-c", DB_UPGRADE_SCRIPT]);
        expect(DB_UPGRADE_SCRIPT).toContain("os.environ['MLFLOW_BACKEND_STORE_URI']");
        expect(DB_UPGRADE_SCRIPT).toContain("['db', 'upgrade',");
        expect(DB_UPGRADE_SCRIPT).toContain("CREATE DATABASE mlflow_auth");
        // Old servers stop before the new pods migrate the schema (no mixed-version writers).
        expect(spec.strategy ?? one(T.deployment, "tracking-server").inputs.spec.strategy).toEqual({ type: "Recreate" });
        expect(c.command).toEqual(["mlflow", "server"]);
        expect(c.args).toEqual(["--app-name", "basic-auth", "--host", "0.0.0.0", "--port", "5000", "--serve-artifacts", "--workers", "2", "--expose-prometheus", "/tmp/prometheus"]);
        expect(c.ports).toEqual([{ name: "http", containerPort: 5000, protocol: "TCP" }]);
        expect(c.readinessProbe.httpGet).toEqual({ path: "/health", port: "http" });
        expect(c.livenessProbe.httpGet).toEqual({ path: "/health", port: "http" });
        expect(c.readinessProbe).not.toEqual(c.livenessProbe);
        expect(c.resources).toEqual({ requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "2Gi" } });
        expect(spec.volumes).toEqual([
            { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
            { name: "auth", secret: { secretName: "mlflow-auth", items: [{ key: "basic_auth.ini", path: "basic_auth.ini" }], defaultMode: 0o440 } },
        ]);
        expect(TRACKING_VERSIONS.mlflowImage).toMatch(/^ghcr\.io\/mlflow\/mlflow:v3\.\d+\.\d+-full$/);
    });

    it("configures the artifact destination and host allow-list in a ConfigMap without credentials", async () => {
        await build("sandbox");
        const data = one("kubernetes:core/v1:ConfigMap", "tracking-config").inputs.data;
        expect(data).toEqual({
            MLFLOW_ARTIFACTS_DESTINATION: "s3://tracking-artifacts-mock/artifacts",
            MLFLOW_SERVER_ALLOWED_HOSTS: allowedHosts(),
            DB_HOST: "tracking-db.mock.us-west-2.rds.amazonaws.com",
            DB_PORT: "5432",
            DB_NAME: "mlflow",
            DB_USER: "mlflow",
            HOME: "/tmp",
            // boto3 gets no region from Pod Identity; the bucket's region keeps S3 calls regional.
            AWS_REGION: "eu-central-1",
            AWS_DEFAULT_REGION: "eu-central-1",
        });
        expect(allowedHosts().split(",")).toEqual(expect.arrayContaining(["mlflow.mlflow.svc.cluster.local:*", "localhost:*", "10.*"]));
        expect(allowedHosts("mlflow.example.com").split(",")).toContain("mlflow.example.com");
    });

    it.each<[Env, number]>([["sandbox", 1], ["production", 2]])("runs %s with %i replica(s); production adds a PDB and zone spread", async (env, replicas) => {
        await build(env);
        const d = one(T.deployment, "tracking-server").inputs.spec;
        expect(d.replicas).toBe(replicas);
        const pdbs = byType("kubernetes:policy/v1:PodDisruptionBudget");
        if (env === "production") {
            expect(pdbs.map((p) => p.inputs.spec)).toEqual([{ maxUnavailable: 1, selector: { matchLabels: d.selector.matchLabels } }]);
            expect(d.template.spec.topologySpreadConstraints).toEqual([{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: d.selector.matchLabels } }]);
        } else {
            expect(pdbs).toHaveLength(0);
            expect(d.template.spec.topologySpreadConstraints).toBeUndefined();
        }
    });
});
