/**
 * The cluster layer's rules live once, in components/cluster/settings.ts: each is refused there,
 * naming the config key, before any resource exists (these were the Cluster component's own checks,
 * written a second time; issue #14).
 */
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig, RawConfig } from "../../config";
import { IMAGES, KUBERNETES_VERSIONS } from "../../components/shared/versions";

const parse = (raw: RawConfig) => parseConfig({ preset: "sandbox", publicAccessCidrs: '["203.0.113.10/32"]', ...raw }, { project: "mlplatform", stack: "dev", region: "us-west-2" });

describe("cluster settings", () => {
    it.each<[string, RawConfig, string]>([
        ["an unsupported Kubernetes version", { kubernetesVersion: "1.20" }, 'mlplatform:kubernetesVersion = "1.20": unsupported; supported versions are 1.35'],
        ["one AZ (EKS needs subnets in two)", { azCount: "1" }, "mlplatform:azCount = 1: must be between 2 and 3"],
        ["an API open to the internet", { publicAccessCidrs: '["0.0.0.0/0"]' }, "0.0.0.0/0 opens the Kubernetes API to the whole internet"],
        ["control-plane logs without audit", { controlPlaneLogTypes: '["api","authenticator"]' }, 'must include "audit"'],
        ["a KMS window over 30 days", { kmsDeletionWindowDays: "31" }, "mlplatform:kmsDeletionWindowDays = 31: must be between 7 and 30"],
        ["a CPU group that can reach zero", { cpuMinSize: "0" }, "mlplatform:cpuMinSize = 0: must be between 1 and 1000"],
        ["a GPU minimum above its maximum", { gpuMinSize: "4", gpuMaxSize: "3" }, "mlplatform:gpuMinSize = 4: must be <= gpuMaxSize (3)"],
        ["an empty GPU group", { gpuInstanceTypes: "[]" }, "mlplatform:gpuInstanceTypes = []: must list at least one EC2 instance type"],
        ["a CPU type in the GPU group", { gpuInstanceTypes: '["m7i.large"]' }, '"m7i.large" is not an NVIDIA GPU instance type'],
        ["GPU types of two models", { gpuInstanceTypes: '["g5.xlarge","g6.xlarge"]' }, 'mlplatform:gpuInstanceTypes = ["g5.xlarge","g6.xlarge"]: must all carry the same GPU model; they have nvidia-a10g, nvidia-l4'],
        ["a root volume under 20 GiB", { cpuDiskSizeGiB: "8" }, "mlplatform:cpuDiskSizeGiB = 8: must be between 20 and 16384"],
    ])("refuses %s, naming the key", (_what, raw, message) => {
        expect(() => parse(raw)).toThrow(message);
    });

    it("keeps the control plane within the subnets for every AZ count it accepts (production's 3 is in test/config.test.ts)", () => {
        for (const azCount of [2, 3]) {
            const { network } = parse({ azCount: `${azCount}` });
            expect(network.controlPlaneAzCount).toBeGreaterThanOrEqual(2);
            expect(network.controlPlaneAzCount).toBeLessThanOrEqual(network.azCount);
        }
    });

    describe("a Kubernetes version without a cluster-autoscaler image of its minor", () => {
        const images = IMAGES.clusterAutoscaler as Record<string, string>;
        const saved = { ...images };
        afterEach(() => Object.assign(images, saved));

        it("is refused: the autoscaler must match the cluster's minor", () => {
            expect(Object.keys(KUBERNETES_VERSIONS)).toContain("1.35");
            expect(parse({ kubernetesVersion: "1.35" }).cluster.kubernetesVersion).toBe("1.35");
            delete images["1.35"];
            expect(() => parse({ kubernetesVersion: "1.35" })).toThrow('mlplatform:kubernetesVersion = "1.35": unsupported');
        });
    });
});
