/**
 * The network layer's rules live once, in components/network/settings.ts (and the shared log
 * retention in the cluster settings): each is refused there, naming the config key (these were
 * the Network component's own checks, written a second time; issue #14).
 */
import { describe, expect, it } from "vitest";
import { parseConfig, RawConfig } from "../../config";
import { planSubnets } from "../../components/shared/cidr";

const parse = (raw: RawConfig) => parseConfig({ preset: "sandbox", publicAccessCidrs: '["203.0.113.10/32"]', ...raw }, { project: "mlplatform", stack: "dev", region: "us-west-2" });

describe("network settings", () => {
    it.each<[RawConfig, string]>([
        [{ azCount: "4" }, "mlplatform:azCount = 4: must be between 2 and 3"],
        [{ azCount: "0" }, "mlplatform:azCount = 0: must be between 2 and 3"],
        [{ logRetentionDays: "0" }, "mlplatform:logRetentionDays = 0: must be between 1 and 3653"],
        [{ logRetentionDays: "2" }, "mlplatform:logRetentionDays = 2: must be one of CloudWatch's values"],
        [{ vpcCidr: "10.0.0.0/33" }, 'mlplatform:vpcCidr = "10.0.0.0/33": has an octet above 255 or a prefix above /32'],
    ])("refuses %o, naming the key", (raw, message) => {
        expect(() => parse(raw)).toThrow(message);
    });

    it("accepts only VPCs and AZ counts the subnet plan fits (/16 to /20, 2 or 3 AZs)", () => {
        for (const prefix of [16, 17, 18, 19, 20]) {
            for (const azCount of [2, 3]) {
                const { network } = parse({ vpcCidr: `10.0.0.0/${prefix}`, azCount: `${azCount}` });
                const plan = planSubnets(network.vpcCidr, network.azCount);
                expect(plan).toHaveLength(azCount);
            }
        }
        expect(() => parse({ vpcCidr: "10.0.0.0/21" })).toThrow("prefix must be between /16 and /20");
    });
});
