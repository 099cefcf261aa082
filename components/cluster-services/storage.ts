/**
 * The platform's default StorageClass: encrypted gp3 EBS volumes through the EBS CSI driver,
 * bound in the AZ where the pod lands, expandable in place.
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../shared/labels";

/** Name of the default StorageClass; PVCs across the platform name it. */
export const DEFAULT_STORAGE_CLASS = "gp3";

/** The default gp3 StorageClass, encrypted with `volumeKmsKeyArn` when given (else `aws/ebs`). */
export function defaultStorageClass(name: string, reclaimPolicy: "Delete" | "Retain", volumeKmsKeyArn: pulumi.Input<string> | undefined,
    parent: pulumi.ComponentResource): k8s.storage.v1.StorageClass {
    return new k8s.storage.v1.StorageClass(`${name}-gp3`, {
        metadata: {
            name: DEFAULT_STORAGE_CLASS,
            annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
            labels: standardLabels("ebs-gp3", "storage", name),
        },
        provisioner: "ebs.csi.aws.com",
        parameters: {
            type: "gp3",
            encrypted: "true",
            ...(volumeKmsKeyArn !== undefined ? { kmsKeyId: volumeKmsKeyArn } : {}),
        },
        // Bind where the pod lands, so the volume is in the pod's AZ.
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        reclaimPolicy,
    }, { parent });
}
