import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../config";
import { cpuMillis, MODEL_DEFAULTS, memoryBytes, parseModelUri, resolveModels } from "../../components/serving/settings";
import { stackConfig } from "../stack";
import { TEAMS } from "./fixtures";

const churn = { name: "churn", team: "vision", modelUri: "models:/churn/3" };

describe("models: parsing and defaults", () => {
    it("fills every documented default", () => {
        expect(resolveModels([churn], TEAMS)).toEqual([{ ...churn, ...MODEL_DEFAULTS }]);
        expect(MODEL_DEFAULTS).toEqual({ minReplicas: 1, maxReplicas: 3, targetCpuUtilization: 70, cpu: "1", memory: "2Gi", gpu: 0, expose: false });
    });

    it("keeps explicit values, and the same name in two teams", () => {
        const m = { ...churn, modelUri: "models:/churn@champion", minReplicas: 2, maxReplicas: 3, targetCpuUtilization: 60, cpu: "500m", memory: "1Gi", gpu: 1, expose: false };
        expect(resolveModels([m, { ...churn, team: "nlp" }], TEAMS)[0]).toEqual(m);
    });

    it("defaults production endpoints to 2 replicas and refuses fewer (checklist K8S-13)", () => {
        expect(resolveModels([churn], TEAMS, "production")[0]).toMatchObject({ minReplicas: 2, maxReplicas: 3 });
        expect(resolveModels([{ ...churn, minReplicas: 4 }], TEAMS, "production")[0]).toMatchObject({ minReplicas: 4, maxReplicas: 4 });
        expect(() => resolveModels([{ ...churn, minReplicas: 1 }], TEAMS, "production")).toThrow("models[0].minReplicas 1 must be a whole number from 2 to 100");
    });

    it.each([
        ["models:/churn/3", { name: "churn", version: 3 }],
        ["models:/churn@champion", { name: "churn", alias: "champion" }],
        ["models:/fraud-v2.sk_learn@prod-2", { name: "fraud-v2.sk_learn", alias: "prod-2" }],
    ])("reads the registry URI %s", (uri, want) => {
        expect(parseModelUri(uri)).toEqual(want);
    });

    it.each(["runs:/abc/model", "models:/churn", "models:/churn/0", "models:/churn/latest", "models:/churn@latest", "models:/churn@Latest", "models:/churn@v3", "s3://bucket/model", "models:/churn/3/extra", "models:/churn@a b"])(
        "refuses %s (not a version or a valid alias: MLflow reserves 'latest' and v<n>)", (uri) => {
            expect(parseModelUri(uri)).toBeUndefined();
        });

    it("converts quantities", () => {
        expect([cpuMillis("1"), cpuMillis("1.5"), cpuMillis("250m")]).toEqual([1000, 1500, 250]);
        expect([memoryBytes("2Gi"), memoryBytes("512Mi"), memoryBytes("1G")]).toEqual([2 ** 31, 512 * 2 ** 20, 1e9]);
    });
});

describe("models: bad input is refused naming models[i].<field>", () => {
    it.each([
        ["an unknown team", [{ ...churn, team: "sales" }], 'models[0].team "sales" is not a team of this stack; teams are vision, nlp'],
        ["a duplicate name within a team", [churn, { ...churn, modelUri: "models:/churn/4" }], 'models[1].name "churn" is declared twice for team vision'],
        ["a bad name", [{ ...churn, name: "Churn_1" }], 'models[0].name "Churn_1" must be a DNS label'],
        ["a run URI", [{ ...churn, modelUri: "runs:/abc/model" }], 'models[0].modelUri "runs:/abc/model" must be a registry URI models:/<name>/<version>'],
        ["the reserved alias latest", [{ ...churn, modelUri: "models:/churn@latest" }], "models[0].modelUri"],
        ["min > max", [{ ...churn, minReplicas: 4, maxReplicas: 2 }], "models[0].minReplicas (4) must be <= maxReplicas (2)"],
        ["a zero minimum", [{ ...churn, minReplicas: 0 }], "models[0].minReplicas 0 must be a whole number from 1 to 100"],
        ["gpu 2", [{ ...churn, gpu: 2 }], "models[0].gpu 2 must be a whole number from 0 to 1"],
        ["gpu on a team without GPU quota", [{ ...churn, team: "nlp", gpu: 1 }], "models[0].gpu (1) needs GPU quota, but team nlp has quota.gpu 0"],
        ["a bad cpu", [{ ...churn, cpu: "lots" }], 'models[0].cpu "lots" must be a CPU quantity'],
        ["a bad memory", [{ ...churn, memory: "2GB" }], 'models[0].memory "2GB" must be a memory quantity'],
        ["less memory than the fetcher requests", [{ ...churn, memory: "256Mi" }], 'models[0].memory "256Mi" must be a memory quantity of at least 512Mi'],
        ["less CPU than the fetcher requests", [{ ...churn, cpu: "100m" }], 'models[0].cpu "100m" must be a CPU quantity of at least 250m'],
        ["a typo'd field", [{ ...churn, maxReplica: 3 }], "models[0].maxReplica is not a model field"],
        ["a utilisation of 0", [{ ...churn, targetCpuUtilization: 0 }], "models[0].targetCpuUtilization 0 must be a whole number from 10 to 100"],
    ])("refuses %s", (_what, models, message) => {
        expect(() => resolveModels(models as Record<string, unknown>[], TEAMS)).toThrow(message);
    });

    it("refuses CPU beyond the team quota at full scale plus the rollout surge", () => {
        // nlp: 8 CPU. 3 replicas + 1 surge × 2 CPU = 8 fits; 4 + 1 × 2 = 10 does not.
        expect(() => resolveModels([{ ...churn, team: "nlp", cpu: "2", memory: "1Gi", maxReplicas: 3 }], TEAMS)).not.toThrow();
        expect(() => resolveModels([{ ...churn, team: "nlp", cpu: "2", memory: "1Gi", maxReplicas: 4 }], TEAMS))
            .toThrow("models[0].cpu: team nlp's endpoints need 10000m cpu at full scale ((maxReplicas + 1 rollout surge) × request, summed over its models), more than its quota.cpu \"8\"");
    });

    it("sums a team's models and names the last one", () => {
        const two = [{ ...churn, team: "nlp", memory: "5Gi", maxReplicas: 1, cpu: "500m" }, { ...churn, name: "fraud", team: "nlp", memory: "5Gi", maxReplicas: 1, cpu: "500m" }];
        expect(() => resolveModels(two, TEAMS)).toThrow("models[1].memory: team nlp's endpoints need 20.00Gi memory");
        expect(() => resolveModels([two[0]], TEAMS)).not.toThrow();
    });

    it("refuses GPUs and pods beyond the quota", () => {
        expect(() => resolveModels([{ ...churn, gpu: 1, maxReplicas: 4, cpu: "1", memory: "1Gi" }], TEAMS)).toThrow("models[0].gpu: team vision's endpoints need 5 gpu");
        expect(() => resolveModels([{ ...churn, team: "nlp", cpu: "250m", memory: "512Mi", maxReplicas: 10 }], TEAMS)).toThrow("models[0].maxReplicas: team nlp's endpoints need 11 pods");
    });
});

describe("models: through config.ts", () => {
    const base = { preset: "sandbox", publicAccessCidrs: '["203.0.113.10/32"]', teams: JSON.stringify(TEAMS) };
    const parse = (raw: Record<string, string>) => parseConfig(raw, { project: "mlplatform", stack: "dev", region: "us-west-2" });

    it("defaults to no models and reads a YAML list", () => {
        expect(parse(base).models).toEqual([]);
        expect(parse({ ...base, models: JSON.stringify([churn]) }).models).toEqual([{ ...churn, ...MODEL_DEFAULTS }]);
    });

    it("reports errors against mlplatform:models, before any resource", () => {
        const bad = { ...base, models: JSON.stringify([{ ...churn, team: "sales" }]) };
        expect(() => parse(bad)).toThrow(ConfigError);
        expect(() => parse(bad)).toThrow(/^Invalid config mlplatform:models = .*models\[0\]\.team "sales" is not a team/);
        expect(() => parse({ ...base, models: '{"name":"x"}' })).toThrow("mlplatform:models = {\"name\":\"x\"}: must be a list of model objects");
    });

    it("refuses exposure in a sandbox naming models[i].expose or servingIngressHost, before any resource", () => {
        const exposed = { ...base, models: JSON.stringify([{ ...churn, expose: true }]) };
        expect(() => parse(exposed)).toThrow(/^Invalid config mlplatform:models = .*models\[0\]\.expose \(true\): a sandbox reaches endpoints by port-forward/);
        expect(() => parse({ ...base, servingIngressHost: "models.example.com" })).toThrow(/^Invalid config mlplatform:servingIngressHost = "models.example.com": a sandbox reaches endpoints by port-forward/);
        expect(parse(base).servingGateway).toBeUndefined();
    });

    it("resolves production's exposure from the stack's keys and names the missing one", () => {
        const prod: Record<string, string> = {};
        for (const [k, v] of Object.entries(stackConfig("prod"))) {
            if (k.startsWith("mlplatform:")) {
                prod[k.slice("mlplatform:".length)] = v;
            }
        }
        const raw = { ...prod, teams: JSON.stringify(TEAMS), models: JSON.stringify([{ ...churn, expose: true }]) };
        const secrets = { oidcClientSecret: "s", alertSlackWebhookUrl: "https://hooks.slack.com/services/x", alertDeadMansSwitchUrl: "https://hb.example.com/x" };
        const parseProd = (r: Record<string, string>) => parseConfig(r, { project: "mlplatform", stack: "prod", region: "us-west-2" }, secrets);
        expect(() => parseProd({ ...raw, oidcIssuer: "https://idp.example.com" })).toThrow(/^Invalid config mlplatform:servingIngressHost = undefined: models vision\/churn have expose: true/);
        expect(() => parseProd({ ...raw, servingIngressHost: "models.ml.example.com" })).toThrow(/^Invalid config mlplatform:oidcIssuer = undefined: the endpoints' proxy verifies bearer tokens/);
        const g = parseProd({ ...raw, servingIngressHost: "models.ml.example.com", oidcIssuer: "https://idp.example.com" }).servingGateway!;
        expect({ ...g, clientSecret: undefined }).toEqual({ host: "models.ml.example.com", certificateArn: prod.ingressCertificateArn, scheme: "internal", issuer: "https://idp.example.com", clientId: "jupyterhub", clientSecret: undefined, replicas: 2 });
    });
});
