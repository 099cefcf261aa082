/**
 * Restricted security contexts (Pod Security Standard `restricted`), modelled on cdk8s-plus.
 * Workloads take these as they are; one that needs an exception says why next to it.
 */

/** Non-root UID/GID the platform's own workloads run as when the image does not set one. */
export const DEFAULT_UID = 10001;

/** Pod-level restricted context: non-root, RuntimeDefault seccomp, group-owned volumes. */
export function restrictedPodSecurityContext(uid: number = DEFAULT_UID) {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        fsGroup: uid,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Container-level restricted context: no escalation, no capabilities, read-only root. */
export function restrictedContainerSecurityContext(opts: { readOnlyRootFilesystem?: boolean } = {}) {
    return {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: opts.readOnlyRootFilesystem ?? true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Requests and a memory limit. No CPU limit: throttling hurts latency more than it protects (BPG dataplane). */
export function resources(cpu: string, memory: string, memoryLimit: string = memory) {
    return {
        requests: { cpu, memory },
        limits: { memory: memoryLimit },
    };
}
