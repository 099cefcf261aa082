import { describe, expect, it } from "vitest";
import { one } from "../mocks";
import { build } from "./fixture";

describe("Cluster: control plane", () => {
    it("passes the hardened settings to the eks component", async () => {
        await build();
        const eks = one("eks:index:Cluster", "c-eks");
        expect(eks.inputs).toMatchObject({
            name: "mlp-test",
            version: "1.35",
            authenticationMode: "API",
            endpointPrivateAccess: true,
            endpointPublicAccess: true,
            publicAccessCidrs: ["203.0.113.0/24"],
            enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
            encryptionConfigKeyArn: "arn:aws:kms:us-west-2:123456789012:key/c-key",
            upgradePolicy: { supportType: "STANDARD" },
            deletionProtection: true,
            skipDefaultNodeGroup: true,
            skipDefaultSecurityGroups: true,
            nodeAssociatePublicIpAddress: false,
            bootstrapSelfManagedAddons: false,
            corednsAddonOptions: { enabled: false },
            kubeProxyAddonOptions: { enabled: false },
            kubernetesServiceIpAddressRange: "172.20.0.0/16",
        });
    });

    it("turns the public endpoint off when no CIDR is listed", async () => {
        await build({ publicAccessCidrs: [] });
        const eks = one("eks:index:Cluster", "c-eks");
        expect(eks.inputs.endpointPublicAccess).toBe(false);
        expect(eks.inputs.publicAccessCidrs).toBeUndefined();
    });

    it("declares the control-plane log group, with retention and KMS, before the cluster", async () => {
        await build({ logRetentionDays: 14 });
        const lg = one("aws:cloudwatch/logGroup:LogGroup", "c-control-plane-logs");
        expect(lg.inputs.name).toBe("/aws/eks/mlp-test/cluster");
        expect(lg.inputs.retentionInDays).toBe(14);
        expect(lg.inputs.kmsKeyId).toBe("arn:aws:kms:us-west-2:123456789012:key/c-key");
        expect(one("eks:index:Cluster", "c-eks").dependencies).toContain(lg.urn);
    });

    it("creates a rotating KMS key whose policy admits only the account and CloudWatch Logs", async () => {
        await build({ kmsDeletionWindowDays: 7 });
        const key = one("aws:kms/key:Key", "c-key");
        expect(key.inputs.enableKeyRotation).toBe(true);
        expect(key.inputs.deletionWindowInDays).toBe(7);
        const policy = JSON.parse(key.inputs.policy);
        expect(policy.Statement.map((s: any) => s.Principal)).toEqual([
            { AWS: "arn:aws:iam::123456789012:root" },
            { Service: "logs.us-west-2.amazonaws.com" },
        ]);
        expect(policy.Statement[1].Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"]).toBe("arn:aws:logs:us-west-2:123456789012:log-group:*");
    });
});
