/** What the tracking tests share: minimal args, the preset values, and a build under mocks. */
import * as pulumi from "@pulumi/pulumi";
import { Tracking, TrackingArgs, TrackingIngressSettings } from "../../components/tracking";
import { resolveTrackingSettings, TRACKING_KEYS } from "../../components/tracking/settings";
import { INGRESS_KEYS } from "../../components/shared/ingress-settings";
import { RawConfig, SecretConfig, Settings } from "../../components/shared/settings";
import { Env } from "../../policy/checks";
import { buildComponentOnce, one } from "../mocks";

export class Agent extends pulumi.CustomResource {
    constructor() {
        super("aws:eks/addon:Addon", "agent", {});
    }
}

export const KMS = "arn:aws:kms:us-west-2:123456789012:key/0f0e0d0c-0b0a-0908-0706-050403020100";
export const PASSWORD = "Configured-Password-From-Secret-Config-42";
export const INGRESS: TrackingIngressSettings = {
    host: "mlflow.example.com",
    certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/01234567-89ab-cdef-0123-456789abcdef",
    oidc: {
        issuer: "https://login.example.com",
        authorizationEndpoint: "https://login.example.com/authorize",
        tokenEndpoint: "https://login.example.com/token",
        userInfoEndpoint: "https://login.example.com/userinfo",
        clientId: "mlflow",
        clientSecret: pulumi.secret("oidc-client-secret-value"),
    },
};
/** The tracking layer's settings reader over `raw` config and `secrets`, as config.ts builds it. */
export const settingsFor = (env: Env, raw: RawConfig = {}, secrets: SecretConfig = {}) => new Settings({ ...TRACKING_KEYS, ...INGRESS_KEYS }, raw, secrets, env);
/** What settings.ts resolves for a stack that sets no tracking key, plus the KMS key index.ts wires in production. */
export const presetArgs = (env: Env) => {
    const { namePrefix: _, ...t } = resolveTrackingSettings(settingsFor(env), "mlplatform-test");
    return env === "production" ? { ...t, kmsKeyArn: KMS } : t;
};
/** A sandbox's arguments with stand-in wiring. */
export const base = (): Omit<TrackingArgs, "podIdentityAgent"> => ({
    ...presetArgs("sandbox"),
    namePrefix: "mlplatform-test",
    clusterName: "mlp",
    vpcId: "vpc-0123456789abcdef0",
    vpcCidr: "10.0.0.0/16",
    region: "eu-central-1",
    databaseSubnetIds: ["subnet-a", "subnet-b", "subnet-c"],
    nodeSecurityGroupId: "sg-0node",
});

export const T = {
    db: "aws:rds/instance:Instance",
    bucket: "aws:s3/bucket:Bucket",
    deployment: "kubernetes:apps/v1:Deployment",
    secret: "kubernetes:core/v1:Secret",
};

export async function build(env: Env = "sandbox", overrides: Partial<TrackingArgs> = {}) {
    // The key holds all that varies: base() and presetArgs() are pure, the Agent is created inside.
    return buildComponentOnce(["tracking", env, overrides], () => new Tracking("tracking", { ...base(), ...presetArgs(env), ...overrides, podIdentityAgent: new Agent() }), (t) => [t.databaseEndpoint, t.bucketName]);
}
export const server = () => one(T.deployment, "tracking-server").inputs.spec.template.spec;
export const policyDoc = () => JSON.parse(one("aws:iam/rolePolicy:RolePolicy", "tracking-s3-policy").inputs.policy);
