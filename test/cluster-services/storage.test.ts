import { describe, expect, it } from "vitest";
import { one } from "../mocks";
import { build } from "./fixture";

describe("ClusterServices: default StorageClass", () => {
    it("creates the default encrypted gp3 StorageClass bound where pods land", async () => {
        await build({ storageReclaimPolicy: "Delete" });
        const sc = one("kubernetes:storage.k8s.io/v1:StorageClass", "svc-gp3");
        expect(sc.inputs).toMatchObject({
            metadata: { name: "gp3", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
            provisioner: "ebs.csi.aws.com",
            parameters: { type: "gp3", encrypted: "true" },
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
            reclaimPolicy: "Delete",
        });
        expect(sc.inputs.parameters.kmsKeyId).toBeUndefined();
    });

    it("encrypts volumes with the given KMS key and keeps the given reclaim policy", async () => {
        await build({ volumeKmsKeyArn: "arn:aws:kms:us-west-2:123456789012:key/k", storageReclaimPolicy: "Retain" });
        const sc = one("kubernetes:storage.k8s.io/v1:StorageClass", "svc-gp3");
        expect(sc.inputs.parameters.kmsKeyId).toBe("arn:aws:kms:us-west-2:123456789012:key/k");
        expect(sc.inputs.reclaimPolicy).toBe("Retain");
    });
});
