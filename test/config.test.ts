import { describe, expect, it } from "vitest";
import { CONFIG_KEYS, ConfigError, KEY_TABLES, parseConfig, RawConfig, SecretConfig } from "../config";

const ctx = { project: "mlplatform", stack: "dev", region: "us-west-2" };
// An explicit `undefined` region must reach parseConfig, so no default parameter here.
const receivers: SecretConfig = { alertSlackWebhookUrl: "https://hooks.slack.example/x", alertDeadMansSwitchUrl: "https://dms.example/x", oidcClientSecret: "client-secret" };
const CERT = "arn:aws:acm:us-west-2:123456789012:certificate/0f0e0d0c-0b0a-4909-8807-060504030201";
/** What a production stack must set besides secrets: OAuth sign-in and the JupyterHub Ingress. */
const PROD_RAW: RawConfig = {
    jupyterAdminUsers: '["alice@example.com"]',
    oidcClientId: "jupyterhub",
    oidcAuthorizeUrl: "https://idp.example.com/authorize",
    oidcTokenUrl: "https://idp.example.com/token",
    oidcUserinfoUrl: "https://idp.example.com/userinfo",
    jupyterIngressHost: "notebooks.example.com",
    ingressCertificateArn: CERT,
};
const parse = (raw: RawConfig, ...region: [string | undefined] | []) =>
    parseConfig({ publicAccessCidrs: '["203.0.113.10/32"]', ...(raw.preset === "production" ? PROD_RAW : {}), ...raw }, { ...ctx, region: region.length ? region[0] : "us-west-2" }, raw.preset === "production" ? receivers : {});

describe("parseConfig presets", () => {
    it("resolves the sandbox preset to the documented values", () => {
        const c = parse({ preset: "sandbox" });
        expect(c.preset).toBe("sandbox");
        expect(c.network).toEqual({ vpcCidr: "10.0.0.0/16", azCount: 2, controlPlaneAzCount: 2, natStrategy: "single", flowLogs: false, flowLogRetentionDays: 7 });
        const d = (k: "cpuInstanceTypes" | "cpuCapacityType" | "cpuMinSize" | "cpuDesiredSize" | "cpuMaxSize" | "cpuDiskSizeGiB") => CONFIG_KEYS[k].default.sandbox;
        expect(c.cluster.cpu).toEqual({ instanceTypes: d("cpuInstanceTypes"), capacityType: d("cpuCapacityType"), minSize: d("cpuMinSize"), desiredSize: d("cpuDesiredSize"), maxSize: d("cpuMaxSize"), diskSizeGiB: d("cpuDiskSizeGiB") });
        expect(c.cluster.gpu).toMatchObject({ minSize: 0, desiredSize: 0, maxSize: 2, instanceTypes: ["g5.xlarge"] });
        expect(c.cluster.deletionProtection).toBe(false);
        expect(c.cluster.kmsDeletionWindowDays).toBe(7);
        expect(c.cluster.storageReclaimPolicy).toBe("Delete");
        expect(c.cluster.controlPlaneLogTypes).toEqual(["api", "audit", "authenticator"]);
        expect(c.cluster.publicAccessCidrs).toEqual(["203.0.113.10/32"]);
        expect(c.namePrefix).toBe("mlplatform-dev");
    });

    it("keeps the control plane on the preset's AZs when a sandbox grows to 3 AZs (EKS refuses new AZs)", () => {
        expect(parse({ preset: "sandbox", azCount: "3" }).network).toMatchObject({ azCount: 3, controlPlaneAzCount: 2 });
    });

    it("resolves the production preset to the documented values", () => {
        const c = parse({ preset: "production" });
        expect(c.network).toEqual({ vpcCidr: "10.0.0.0/16", azCount: 3, controlPlaneAzCount: 3, natStrategy: "perAz", flowLogs: true, flowLogRetentionDays: 90 });
        expect(c.cluster.cpu).toMatchObject({ capacityType: "ON_DEMAND", minSize: 3 });
        expect(c.cluster.gpu.minSize).toBe(0);
        expect(c.cluster.deletionProtection).toBe(true);
        expect(c.cluster.kmsDeletionWindowDays).toBe(30);
        expect(c.cluster.storageReclaimPolicy).toBe("Retain");
        expect(c.cluster.controlPlaneLogTypes).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    });

    it("applies overrides given as the strings Pulumi stores", () => {
        const c = parse({
            preset: "sandbox",
            azCount: "3",
            vpcCidr: "10.20.0.0/18",
            cpuMaxSize: "6",
            gpuMaxSize: "1",
            gpuInstanceTypes: '["g5.2xlarge","g5.xlarge"]',
            publicAccessCidrs: '["203.0.113.0/24","198.51.100.7/32"]',
            adminPrincipalArns: '["arn:aws:iam::123456789012:role/platform-admin"]',
            vpcFlowLogs: "true",
            kubernetesVersion: "1.35",
        });
        expect(c.network.azCount).toBe(3);
        expect(c.network.vpcCidr).toBe("10.20.0.0/18");
        expect(c.network.flowLogs).toBe(true);
        expect(c.cluster.cpu.maxSize).toBe(6);
        expect(c.cluster.gpu).toMatchObject({ maxSize: 1, minSize: 0, desiredSize: 0, instanceTypes: ["g5.2xlarge", "g5.xlarge"] });
        expect(c.cluster.publicAccessCidrs).toEqual(["203.0.113.0/24", "198.51.100.7/32"]);
        expect(c.cluster.adminPrincipalArns).toHaveLength(1);
        expect(c.cluster.kubernetesVersion).toBe("1.35");
    });

    it("starts the GPU group at its minimum so idle GPUs cost nothing", () => {
        expect(parse({ preset: "production", gpuMinSize: "1" }).cluster.gpu.desiredSize).toBe(1);
        expect(parse({ preset: "sandbox" }).cluster.gpu.desiredSize).toBe(0);
    });

    it("derives a stack-specific name prefix", () => {
        expect(parseConfig({ preset: "sandbox", privateEndpointOnly: "true" }, { ...ctx, stack: "Alice_Sandbox" }).namePrefix).toBe("mlplatform-alice-sandbox");
    });
});

describe("parseConfig errors", () => {
    const cases: [string, RawConfig, string | undefined, string][] = [
        ["missing preset", {}, "us-west-2", 'Invalid config mlplatform:preset = undefined: is required'],
        ["unknown preset", { preset: "staging" }, "us-west-2", 'Invalid config mlplatform:preset = "staging": must be one of sandbox, production'],
        ["unknown key (typo)", { preset: "sandbox", cpuMaxSzie: "3" }, "us-west-2", 'Invalid config mlplatform:cpuMaxSzie = "3": unknown key; valid keys are preset, vpcCidr'],
        ["missing region", { preset: "sandbox" }, undefined, "Invalid config aws:region = undefined: set aws:region"],
        ["bad region", { preset: "sandbox" }, "mars-1", 'Invalid config aws:region = "mars-1"'],
        ["malformed VPC CIDR", { preset: "sandbox", vpcCidr: "10.0.0/16" }, "us-west-2", 'Invalid config mlplatform:vpcCidr = "10.0.0/16": is not an IPv4 CIDR block like 10.0.0.0/16'],
        ["VPC CIDR with host bits", { preset: "sandbox", vpcCidr: "10.0.1.0/16" }, "us-west-2", 'mlplatform:vpcCidr = "10.0.1.0/16": has host bits set (did you mean 10.0.0.0/16?)'],
        ["public VPC CIDR", { preset: "sandbox", vpcCidr: "8.8.0.0/16" }, "us-west-2", 'mlplatform:vpcCidr = "8.8.0.0/16": must lie in an RFC 1918 range'],
        ["VPC too small", { preset: "sandbox", vpcCidr: "10.0.0.0/24" }, "us-west-2", 'mlplatform:vpcCidr = "10.0.0.0/24": prefix must be between /16 and /20'],
        ["service CIDR overlaps VPC", { preset: "sandbox", vpcCidr: "172.20.0.0/16" }, "us-west-2", 'mlplatform:serviceCidr = "172.20.0.0/16": overlaps vpcCidr 172.20.0.0/16'],
        ["too few AZs", { preset: "sandbox", azCount: "1" }, "us-west-2", "mlplatform:azCount = 1: must be between 2 and 3"],
        ["too many AZs", { preset: "sandbox", azCount: "4" }, "us-west-2", "mlplatform:azCount = 4: must be between 2 and 3"],
        ["production with 2 AZs", { preset: "production", azCount: "2" }, "us-west-2", "mlplatform:azCount = 2: production needs 3 availability zones"],
        ["AZ count not a number", { preset: "sandbox", azCount: "two" }, "us-west-2", 'mlplatform:azCount = "two": must be a whole number between 2 and 3'],
        ["fractional size", { preset: "sandbox", cpuMaxSize: "2.5" }, "us-west-2", 'mlplatform:cpuMaxSize = "2.5": must be a whole number'],
        ["node min > max", { preset: "sandbox", cpuMinSize: "5", cpuMaxSize: "3" }, "us-west-2", "mlplatform:cpuMinSize = 5: must be <= cpuMaxSize (3)"],
        ["GPU min > max", { preset: "sandbox", gpuMinSize: "3", gpuMaxSize: "2" }, "us-west-2", "mlplatform:gpuMinSize = 3: must be <= gpuMaxSize (2)"],
        ["GPU max < 0", { preset: "sandbox", gpuMaxSize: "-1" }, "us-west-2", "mlplatform:gpuMaxSize = -1: must be between 1 and 1000"],
        // EKS refuses a node group maximum below 1; 0 used to pass here and fail at deploy.
        ["GPU max 0", { preset: "sandbox", gpuMaxSize: "0" }, "us-west-2", "mlplatform:gpuMaxSize = 0: must be between 1 and 1000"],
        ["CPU desired above max", { preset: "sandbox", cpuDesiredSize: "9" }, "us-west-2", "mlplatform:cpuDesiredSize = 9: must be between 1 and 4"],
        ["unsupported Kubernetes version", { preset: "sandbox", kubernetesVersion: "1.27" }, "us-west-2", 'mlplatform:kubernetesVersion = "1.27": unsupported; supported versions are'],
        ["0.0.0.0/0 public API", { preset: "sandbox", publicAccessCidrs: '["0.0.0.0/0"]' }, "us-west-2", "0.0.0.0/0 opens the Kubernetes API to the whole internet"],
        ["overlapping public CIDRs", { preset: "sandbox", publicAccessCidrs: '["203.0.113.0/24","203.0.113.9/32"]' }, "us-west-2", "203.0.113.9/32 overlaps 203.0.113.0/24"],
        ["malformed public CIDR", { preset: "sandbox", publicAccessCidrs: '["203.0.113.300/32"]' }, "us-west-2", 'mlplatform:publicAccessCidrs = "203.0.113.300/32": has an octet above 255'],
        ["no public CIDR and no private-only opt-in", { preset: "sandbox", publicAccessCidrs: "[]" }, "us-west-2", "list the CIDRs that run `pulumi up`"],
        ["public CIDRs with private-only", { preset: "sandbox", privateEndpointOnly: "true" }, "us-west-2", "must be empty when privateEndpointOnly is true"],
        ["list given as a string", { preset: "sandbox", publicAccessCidrs: "203.0.113.0/24" }, "us-west-2", "must be a list of strings (a YAML list in the stack file)"],
        ["list of numbers", { preset: "sandbox", cpuInstanceTypes: "[1,2]" }, "us-west-2", "must be a list of strings"],
        ["bad admin ARN", { preset: "sandbox", adminPrincipalArns: '["platform-admin"]' }, "us-west-2", '"platform-admin" is not an IAM role or user ARN'],
        ["duplicate admin ARN", { preset: "sandbox", adminPrincipalArns: '["arn:aws:iam::123456789012:role/a","arn:aws:iam::123456789012:role/a"]' }, "us-west-2", "lists the same ARN twice"],
        ["bad instance type", { preset: "sandbox", cpuInstanceTypes: '["large"]' }, "us-west-2", '"large" is not an EC2 instance type'],
        ["empty instance types", { preset: "sandbox", cpuInstanceTypes: "[]" }, "us-west-2", "must list at least one EC2 instance type"],
        ["CPU type in GPU group", { preset: "sandbox", gpuInstanceTypes: '["m7i.xlarge"]' }, "us-west-2", '"m7i.xlarge" is not an NVIDIA GPU instance type'],
        ["mixed GPU counts", { preset: "sandbox", gpuInstanceTypes: '["g5.xlarge","g5.12xlarge"]' }, "us-west-2", "must all carry the same number of GPUs"],
        ["bad capacity type", { preset: "sandbox", cpuCapacityType: "spot" }, "us-west-2", 'mlplatform:cpuCapacityType = "spot": must be one of ON_DEMAND, SPOT'],
        ["bad boolean", { preset: "sandbox", vpcFlowLogs: "yes" }, "us-west-2", 'mlplatform:vpcFlowLogs = "yes": must be true or false'],
        ["bad NAT strategy", { preset: "sandbox", natStrategy: "none" }, "us-west-2", 'mlplatform:natStrategy = "none": must be one of single, perAz'],
        ["unknown log type", { preset: "sandbox", controlPlaneLogTypes: '["audit","authenticator","kubelet"]' }, "us-west-2", '"kubelet" is not a log type'],
        ["log types without audit", { preset: "sandbox", controlPlaneLogTypes: '["api","authenticator"]' }, "us-west-2", 'must include "audit"'],
        ["retention not allowed by CloudWatch", { preset: "sandbox", logRetentionDays: "10" }, "us-west-2", "mlplatform:logRetentionDays = 10: must be one of CloudWatch's values"],
        ["KMS window out of range", { preset: "sandbox", kmsDeletionWindowDays: "3" }, "us-west-2", "mlplatform:kmsDeletionWindowDays = 3: must be between 7 and 30"],
        ["bad reclaim policy", { preset: "sandbox", storageReclaimPolicy: "Recycle" }, "us-west-2", 'must be one of Delete, Retain'],
        ["small disk", { preset: "sandbox", gpuDiskSizeGiB: "10" }, "us-west-2", "mlplatform:gpuDiskSizeGiB = 10: must be between 20 and 16384"],
        ["retention size above the volume", { preset: "sandbox", prometheusStorageGiB: "10", prometheusRetentionSizeGiB: "10" }, "us-west-2", "mlplatform:prometheusRetentionSizeGiB = 10: must be a whole number from 1 to 8"],
        ["PDB on one replica", { preset: "sandbox", monitoringPodDisruptionBudgets: "true" }, "us-west-2", "mlplatform:monitoringPodDisruptionBudgets = true: needs prometheusReplicas (1)"],
        ["bad anti-affinity", { preset: "sandbox", monitoringPodAntiAffinity: "strict" }, "us-west-2", 'mlplatform:monitoringPodAntiAffinity = "strict": must be one of soft, hard'],
        ["Slack channel without webhook", { preset: "sandbox", alertSlackChannel: "#x" }, "us-west-2", 'mlplatform:alertSlackChannel = "#x": needs alertSlackWebhookUrl'],
        ["half an e-mail receiver", { preset: "sandbox", alertEmailTo: "ops@example.com" }, "us-west-2", "e-mail alerts need all of alertEmailTo, alertEmailFrom, alertEmailSmarthost, alertEmailUsername, alertEmailPassword; missing alertEmailFrom"],
        ["bad SMTP host", { preset: "sandbox", alertEmailTo: "a@b.c", alertEmailFrom: "a@b.c", alertEmailSmarthost: "smtp.example.com", alertEmailUsername: "u" }, "us-west-2", "missing alertEmailPassword"],
    ];

    it.each(cases)("refuses %s", (_label, raw, region, message) => {
        let caught: unknown;
        try {
            parse(raw, region);
        } catch (e) {
            caught = e;
        }
        expect(caught).toBeInstanceOf(ConfigError);
        expect((caught as Error).message).toContain(message);
    });
});

describe("production alerting", () => {
    const prod = (secrets: SecretConfig, raw: RawConfig = {}) => () =>
        parseConfig({ preset: "production", publicAccessCidrs: '["203.0.113.10/32"]', ...PROD_RAW, ...raw }, ctx, { oidcClientSecret: "client-secret", ...secrets });

    it("requires a receiver and a dead-man's switch", () => {
        expect(prod({ alertDeadMansSwitchUrl: "https://dms" })).toThrow("mlplatform:alertSlackWebhookUrl = undefined: production must page someone");
        expect(prod({ alertSlackWebhookUrl: "https://slack" })).toThrow("mlplatform:alertDeadMansSwitchUrl = undefined: production needs a dead-man's switch");
    });

    it("accepts e-mail instead of Slack and keeps the password as given", () => {
        const c = prod({ alertDeadMansSwitchUrl: "https://dms", alertEmailPassword: "pw" }, {
            alertEmailTo: "ops@example.com", alertEmailFrom: "alerts@example.com", alertEmailSmarthost: "smtp.example.com:587", alertEmailUsername: "alerts",
        })();
        expect(c.monitoring.email).toEqual({ to: "ops@example.com", from: "alerts@example.com", smarthost: "smtp.example.com:587", username: "alerts", password: "pw" });
        expect(c.monitoring).toMatchObject({ prometheusReplicas: 2, alertmanagerReplicas: 2, podDisruptionBudgets: true, podAntiAffinity: "hard", retentionDays: 30, storageGiB: 100, retentionSizeGiB: 80 });
    });

    it("refuses an SMTP host without a port", () => {
        expect(prod({ alertDeadMansSwitchUrl: "https://dms", alertEmailPassword: "pw" }, {
            alertEmailTo: "a@b.c", alertEmailFrom: "a@b.c", alertEmailSmarthost: "smtp.example.com", alertEmailUsername: "u",
        })).toThrow('mlplatform:alertEmailSmarthost = "smtp.example.com": must be host:port');
    });

    it("lets a sandbox run with no receiver at all", () => {
        const c = parseConfig({ preset: "sandbox", publicAccessCidrs: '["203.0.113.10/32"]' }, ctx);
        expect(c.monitoring.slackWebhookUrl).toBeUndefined();
        expect(c.monitoring).toMatchObject({ prometheusReplicas: 1, alertmanagerReplicas: 1, podDisruptionBudgets: false, retentionDays: 3, storageGiB: 10 });
    });
});

describe("teams", () => {
    const team = { name: "vision", memberPrincipalArns: ["arn:aws:iam::123456789012:role/vision"], quota: { cpu: "8", memory: "32Gi", gpu: 1, storage: "100Gi", pods: 20 } };

    it("parses a YAML list of teams and fills each team's defaults (components/tenancy/settings.ts)", () => {
        const c = parse({ preset: "sandbox", teams: JSON.stringify([team]) });
        expect(c.teams).toEqual([{ ...team, leadPrincipalArns: [], extraNamespaces: [], internetEgress: true, kubernetesApiAccess: false }]);
        expect(c.auditorPrincipalArns).toEqual([]);
    });

    it.each<[string, RawConfig, string]>([
        ["not a list", { teams: '{"name":"x"}' }, "mlplatform:teams = {\"name\":\"x\"}: must be a list of team objects"],
        ["bad JSON", { teams: "[oops" }, 'mlplatform:teams = "[oops": must be a list of team objects'],
        ["a bad team name", { teams: JSON.stringify([{ ...team, name: "Vision" }]) }, 'teams[0].name "Vision" must be a DNS label'],
        ["duplicate teams", { teams: JSON.stringify([team, { ...team, memberPrincipalArns: ["arn:aws:iam::123456789012:role/other"] }]) }, 'teams[1].name "vision" is declared twice'],
        ["an admin reused as a member", { adminPrincipalArns: '["arn:aws:iam::123456789012:role/vision"]', teams: JSON.stringify([team]) }, "is already used by adminPrincipalArns"],
        ["a bad auditor", { auditorPrincipalArns: '["auditor"]' }, 'mlplatform:auditorPrincipalArns = ["auditor"]: auditorPrincipalArns[0] "auditor" is not an IAM role or user ARN'],
    ])("refuses %s", (_label, raw, message) => {
        expect(() => parse({ preset: "sandbox", ...raw })).toThrow(message);
    });
});

describe("CONFIG_KEYS", () => {
    it("describes every key", () => {
        for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
            expect(spec.description.length, key).toBeGreaterThan(10);
        }
    });
});

describe("notebooks config", () => {
    it("gives the sandbox a generated password and port-forward, production OAuth behind an HTTPS Ingress", () => {
        const sb = parse({ preset: "sandbox" }).notebooks;
        expect(sb).toMatchObject({ auth: { type: "shared-password" }, adminUsers: ["admin"], notebookStorageGiB: 10, cullTimeoutMinutes: 60, gpuCullTimeoutMinutes: 30, ingress: undefined });
        const prod = parse({ preset: "production" }).notebooks;
        expect(prod).toMatchObject({
            auth: { type: "oauth", clientId: "jupyterhub", clientSecret: "client-secret", usernameClaim: "email", callbackUrl: "https://notebooks.example.com/hub/oauth_callback" },
            adminUsers: ["alice@example.com"],
            notebookStorageGiB: 50,
            cullTimeoutMinutes: 120,
            gpuCullTimeoutMinutes: 60,
            ingress: { host: "notebooks.example.com", certificateArn: CERT, scheme: "internal" },
        });
    });

    it("reads profiles and timeouts from config, keeping GPU culling within the general timeout", () => {
        const profiles = [{ slug: "tiny", displayName: "Tiny", description: "0.5 CPU", cpuGuarantee: 0.5, cpuLimit: 1, memoryGuarantee: "1Gi", memoryLimit: "2Gi" }];
        const n = parse({ preset: "sandbox", notebookProfiles: JSON.stringify(profiles), cullTimeoutMinutes: "20" }).notebooks;
        expect(n.profiles).toEqual(profiles);
        expect(n.gpuCullTimeoutMinutes).toBe(20);
    });

    const errors: [string, RawConfig, string][] = [
        ["shared-password auth in production", { preset: "production", jupyterAuth: "shared-password" }, "mlplatform:jupyterAuth = \"shared-password\": production needs oauth"],
        ["unknown auth", { preset: "sandbox", jupyterAuth: "ldap" }, "mlplatform:jupyterAuth = \"ldap\": must be one of shared-password, oauth"],
        ["production without an Ingress", { preset: "production", jupyterIngressHost: undefined }, "mlplatform:jupyterIngressHost = undefined: production serves JupyterHub through an HTTPS Ingress"],
        ["an Ingress in a sandbox", { preset: "sandbox", jupyterIngressHost: "nb.example.com", ingressCertificateArn: CERT }, "mlplatform:jupyterIngressHost = \"nb.example.com\": a sandbox reaches JupyterHub by port-forward"],
        ["an Ingress without a certificate", { preset: "production", ingressCertificateArn: undefined }, "mlplatform:ingressCertificateArn = undefined: an Ingress (notebooks.example.com) needs TLS"],
        ["a bad certificate ARN", { preset: "production", ingressCertificateArn: "cert-1" }, "mlplatform:ingressCertificateArn = \"cert-1\": must be an ACM certificate ARN"],
        ["a bad scheme", { preset: "production", ingressScheme: "public" }, "mlplatform:ingressScheme = \"public\": must be one of internal, internet-facing"],
        ["missing OAuth endpoints", { preset: "production", oidcTokenUrl: undefined }, "mlplatform:oidcTokenUrl = undefined: oauth sign-in needs"],
        ["a plain-HTTP OAuth endpoint", { preset: "production", oidcTokenUrl: "http://idp.example.com/token" }, "mlplatform:oidcTokenUrl = \"http://idp.example.com/token\": must be an https:// URL"],
        ["OAuth without admins", { preset: "production", jupyterAdminUsers: "[]" }, "mlplatform:jupyterAdminUsers = []: must name at least one admin"],
        ["a bad admin name", { preset: "sandbox", jupyterAdminUsers: '["bad name"]' }, "mlplatform:jupyterAdminUsers = [\"bad name\"]: entry (bad name) must be a user name"],
        ["a GPU timeout above the general one", { preset: "sandbox", cullTimeoutMinutes: "30", gpuCullTimeoutMinutes: "45" }, "mlplatform:gpuCullTimeoutMinutes = 45: must be at most cullTimeoutMinutes (30)"],
        ["a zero storage size", { preset: "sandbox", notebookStorageGiB: "0" }, "mlplatform:notebookStorageGiB = 0: must be between 1 and 1024"],
        ["profiles that are not a list", { preset: "sandbox", notebookProfiles: '{"slug":"x"}' }, "mlplatform:notebookProfiles = {\"slug\":\"x\"}: must be a list of objects"],
        ["a profile whose limit is below its guarantee", { preset: "sandbox", notebookProfiles: '[{"slug":"x","displayName":"X","description":"","cpuGuarantee":2,"cpuLimit":1,"memoryGuarantee":"1Gi","memoryLimit":"1Gi"}]' }, "profiles[x].cpuGuarantee (2) and cpuLimit (1) must satisfy 0 < guarantee <= limit"],
    ];
    it.each(errors)("refuses %s", (_name, raw, message) => {
        const run = () => raw.preset === "production"
            ? parseConfig({ publicAccessCidrs: '["203.0.113.10/32"]', ...PROD_RAW, ...raw }, ctx, receivers)
            : parse(raw);
        expect(run).toThrow(ConfigError);
        expect(run).toThrow(message);
    });

    it("refuses OAuth without its client secret", () => {
        expect(() => parseConfig({ preset: "production", publicAccessCidrs: '["203.0.113.10/32"]', ...PROD_RAW }, ctx, { ...receivers, oidcClientSecret: undefined }))
            .toThrow("mlplatform:oidcClientSecret = undefined: oauth sign-in needs the client secret");
    });
});

describe("tracking config", () => {
    it("takes the preset's database and server sizes, with overrides", () => {
        expect(parse({ preset: "sandbox" }).tracking).toMatchObject({ namePrefix: "mlplatform-dev", instanceClass: "db.t4g.micro", multiAz: false, backupRetentionDays: 1, forceDestroy: true, replicas: 1, ingress: undefined });
        expect(parse({ preset: "production" }).tracking).toMatchObject({ instanceClass: "db.m7g.large", multiAz: true, backupRetentionDays: 14, protect: true, deletionProtection: true, finalSnapshot: true, bucketKms: true, replicas: 2 });
        expect(parse({ preset: "sandbox", mlflowDbInstanceClass: "db.t4g.small", mlflowReplicas: "2" }).tracking).toMatchObject({ instanceClass: "db.t4g.small", replicas: 2 });
    });

    it("keeps a configured password as the secret it was given", () => {
        const c = parseConfig({ preset: "sandbox", publicAccessCidrs: '["203.0.113.10/32"]' }, ctx, { mlflowDbPassword: "a-long-enough-db-password" });
        expect(c.tracking.databasePassword).toBe("a-long-enough-db-password");
    });

    it("builds the MLflow Ingress with ALB sign-in from the shared OIDC keys", () => {
        const t = parse({ preset: "production", mlflowIngressHost: "mlflow.example.com", oidcIssuer: "https://idp.example.com" }).tracking;
        expect(t.ingress).toMatchObject({ host: "mlflow.example.com", certificateArn: CERT, oidc: { issuer: "https://idp.example.com", clientId: "jupyterhub", clientSecret: "client-secret", tokenEndpoint: "https://idp.example.com/token" } });
    });

    const errors: [string, RawConfig, string][] = [
        ["too few production backups", { preset: "production", mlflowDbBackupRetentionDays: "3" }, "mlplatform:mlflowDbBackupRetentionDays = 3: production keeps at least 7 days"],
        ["a single-AZ production database", { preset: "production", mlflowDbMultiAz: "false" }, "mlplatform:mlflowDbMultiAz = false: production runs the database Multi-AZ"],
        ["one production replica", { preset: "production", mlflowReplicas: "1" }, "mlplatform:mlflowReplicas = 1: production runs at least 2 replicas"],
        ["a bad instance class", { preset: "sandbox", mlflowDbInstanceClass: "t4g.micro" }, "mlplatform:mlflowDbInstanceClass = \"t4g.micro\": must be an RDS instance class"],
        ["storage below the autoscaling bound", { preset: "sandbox", mlflowDbStorageGiB: "100", mlflowDbMaxStorageGiB: "50" }, "mlplatform:mlflowDbMaxStorageGiB = 50: must be at least mlflowDbStorageGiB (100)"],
        ["an MLflow Ingress in a sandbox", { preset: "sandbox", mlflowIngressHost: "mlflow.example.com" }, "mlplatform:mlflowIngressHost = \"mlflow.example.com\": a sandbox reaches MLflow by port-forward"],
        ["an MLflow Ingress without an issuer", { preset: "production", mlflowIngressHost: "mlflow.example.com" }, "mlplatform:oidcIssuer = undefined: the MLflow Ingress signs users in on the ALB"],
        ["a plain-HTTP issuer", { preset: "production", mlflowIngressHost: "mlflow.example.com", oidcIssuer: "http://idp" }, "mlplatform:oidcIssuer = \"http://idp\": must be an https:// URL"],
    ];
    it.each(errors)("refuses %s", (_name, raw, message) => {
        expect(() => parse(raw)).toThrow(message);
    });

    it("refuses a short configured password without echoing it", () => {
        const run = () => parseConfig({ preset: "sandbox", publicAccessCidrs: '["203.0.113.10/32"]' }, ctx, { mlflowDbPassword: "short" });
        expect(run).toThrow("mlplatform:mlflowDbPassword");
        expect(run).not.toThrow(/"short"/);
    });
});

describe("logging config", () => {
    it("takes the preset's Elasticsearch size, retention and Kibana choice, with overrides", () => {
        expect(parse({ preset: "sandbox" }).logging).toMatchObject({ elasticsearchNodes: 1, elasticsearchStorageGiB: 10, retentionDays: 7, kibana: true, deleteVolumesWithWorkload: true });
        expect(parse({ preset: "production" }).logging).toMatchObject({ elasticsearchNodes: 3, elasticsearchStorageGiB: 100, retentionDays: 30, kibana: false, deleteVolumesWithWorkload: false });
        expect(parse({ preset: "sandbox", elasticsearchRetentionDays: "3", kibana: "false" }).logging).toMatchObject({ retentionDays: 3, kibana: false });
    });

    const errors: [string, RawConfig, string][] = [
        ["one production node", { preset: "production", elasticsearchNodes: "1" }, "mlplatform:elasticsearchNodes = 1: production runs at least 3 Elasticsearch nodes"],
        ["two nodes", { preset: "sandbox", elasticsearchNodes: "2" }, "mlplatform:elasticsearchNodes = 2: must be 1 or a whole number from 3 to 9"],
        ["a bad memory size", { preset: "sandbox", elasticsearchMemory: "2GB" }, "mlplatform:elasticsearchMemory = \"2GB\": must be a quantity in Mi or Gi of at least 1024Mi"],
        ["zero retention", { preset: "sandbox", elasticsearchRetentionDays: "0" }, "mlplatform:elasticsearchRetentionDays = 0: must be between 1 and 3650"],
        ["an unbounded buffer", { preset: "sandbox", fluentdBufferLimitGiB: "500" }, "mlplatform:fluentdBufferLimitGiB = 500: must be between 1 and 50"],
    ];
    it.each(errors)("refuses %s", (_name, raw, message) => {
        expect(() => parse(raw)).toThrow(message);
    });
});

describe("KEY_TABLES", () => {
    it("gives every key exactly one owning layer", () => {
        const owners = new Map<string, string[]>();
        for (const [layer, table] of Object.entries(KEY_TABLES)) {
            for (const key of Object.keys(table)) {
                owners.set(key, [...(owners.get(key) ?? []), layer]);
            }
        }
        expect([...owners].filter(([, layers]) => layers.length > 1)).toEqual([]);
        expect(Object.keys(CONFIG_KEYS).sort()).toEqual([...owners.keys()].sort());
    });

    it("falls back to the owning table's default for each preset (one owner per default)", () => {
        for (const preset of ["sandbox", "production"] as const) {
            const c = parse({ preset });
            expect(c.network.azCount).toBe(CONFIG_KEYS.azCount.default[preset]);
            expect(c.cluster.gpu.maxSize).toBe(CONFIG_KEYS.gpuMaxSize.default[preset]);
            expect(c.monitoring.retentionDays).toBe(CONFIG_KEYS.prometheusRetentionDays.default[preset]);
            expect(c.logging.retentionDays).toBe(CONFIG_KEYS.elasticsearchRetentionDays.default[preset]);
            expect(c.tracking.instanceClass).toBe(CONFIG_KEYS.mlflowDbInstanceClass.default[preset]);
            expect(c.notebooks.notebookStorageGiB).toBe(CONFIG_KEYS.notebookStorageGiB.default[preset]);
        }
    });
});
