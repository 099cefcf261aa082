/**
 * Checklist DESTROY-04: a sandbox destroy leaves no EBS volume.
 *
 * Deleting a PVC does not delete its volume synchronously. The claim goes; the PV bound to it
 * becomes Released; kubernetes-csi/external-provisioner (the EBS CSI controller's sidecar, built on
 * kubernetes-sigs/sig-storage-lib-external-provisioner, `controller/controller.go`) acts on it in
 * its own volume worker: `shouldDelete` is true only for a PV in phase Released with
 * `persistentVolumeReclaimPolicy: Delete`; `deleteVolumeOperation` then calls the driver's
 * DeleteVolume (the EBS volume goes) and only after that deletes the PV object. If destroy removes
 * the EBS CSI add-on (or the nodes its controller runs on) in that window, nothing deletes the
 * volume any more.
 *
 * `VolumeDrain` is a resource whose delete waits for that window to close: it polls the API until
 * no PV of the platform StorageClass with reclaim policy `Delete` remains, and fails the destroy
 * (naming the PVs) after a timeout rather than leak silently. The program orders it between the
 * two: the Kubernetes provider (so every PVC-making object) depends on it, and it depends on the
 * EBS CSI add-on and the nodes. Pulumi deletes dependents first, so the order on destroy is
 * Kubernetes objects → provider → this wait → EBS CSI add-on and nodes. `policy/destroy.ts`
 * (DESTROY-04) walks that graph.
 */
import * as pulumi from "@pulumi/pulumi";

/** The `role` input that marks the drain, so the destroy walk can find it. */
export const VOLUME_DRAIN_ROLE = "ebs-volume-drain";

/** What the wait needs to know about one PV. */
export interface PvInfo {
    readonly name: string;
    readonly storageClassName?: string;
    readonly reclaimPolicy?: string;
    readonly phase?: string;
}

/**
 * Polls `list` until no PV of `storageClassName` with reclaim policy Delete remains; throws after
 * `timeoutMs` naming those left. `Retain` PVs are kept by design and never waited for.
 */
export async function waitForVolumesGone(
    list: () => Promise<PvInfo[]>,
    storageClassName: string,
    opts: { timeoutMs: number; intervalMs: number; sleep?: (ms: number) => Promise<void>; now?: () => number },
): Promise<void> {
    const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const now = opts.now ?? Date.now;
    const deadline = now() + opts.timeoutMs;
    for (;;) {
        const left = (await list()).filter((pv) => pv.storageClassName === storageClassName && (pv.reclaimPolicy ?? "Delete") === "Delete");
        if (left.length === 0) {
            return;
        }
        if (now() >= deadline) {
            throw new Error(`${left.length} PersistentVolume(s) of StorageClass ${storageClassName} still exist after ${opts.timeoutMs / 1000}s: `
                + `${left.map((pv) => `${pv.name} (${pv.phase ?? "unknown"})`).join(", ")}. A Bound PV still has its claim (delete it); a Released one `
                + "is waiting for the EBS CSI driver. Their EBS volumes would be left behind if the driver were removed now.");
        }
        await sleep(opts.intervalMs);
    }
}

export interface VolumeDrainArgs {
    /** Kubeconfig (JSON) of the cluster; kept secret in the state. */
    readonly kubeconfig: pulumi.Input<string>;
    /** The StorageClass whose dynamically provisioned volumes must be gone. */
    readonly storageClassName: pulumi.Input<string>;
    /** Longest wait on destroy, seconds. @default 1200 */
    readonly timeoutSeconds?: pulumi.Input<number>;
}

const provider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: any) {
        return { id: `volume-drain-${inputs.storageClassName}`, outs: inputs };
    },
    async diff() {
        // Changing the kubeconfig or timeout is an in-place update; nothing is replaced.
        return { changes: false };
    },
    async update(_id: string, _olds: any, news: any) {
        return { outs: news };
    },
    async delete(_id: string, props: any) {
        // Required here, not imported: the dynamic provider is serialised with its closure (which
        // captures waitForVolumesGone by value); packages resolve from the program's node_modules.
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const k8s = require("@kubernetes/client-node");
        const kc = new k8s.KubeConfig();
        kc.loadFromString(props.kubeconfig);
        const api = kc.makeApiClient(k8s.CoreV1Api);
        const list = async (): Promise<PvInfo[]> => ((await api.listPersistentVolume()).items ?? []).map((pv: any) => ({
            name: pv.metadata?.name,
            storageClassName: pv.spec?.storageClassName,
            reclaimPolicy: pv.spec?.persistentVolumeReclaimPolicy,
            phase: pv.status?.phase,
        }));
        await waitForVolumesGone(list, props.storageClassName, { timeoutMs: Number(props.timeoutSeconds ?? 1200) * 1000, intervalMs: 10_000 });
    },
};

/** Waits on destroy until every PV of a StorageClass (reclaim Delete) is gone; see the file comment. */
export class VolumeDrain extends pulumi.dynamic.Resource {
    constructor(name: string, args: VolumeDrainArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { role: VOLUME_DRAIN_ROLE, timeoutSeconds: 1200, ...args }, { ...opts, additionalSecretOutputs: ["kubeconfig"] });
    }
}
