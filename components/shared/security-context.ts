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

/**
 * {@link resources} for a chart's Helm values whose defaults set a CPU limit: `limits.cpu: null`.
 * Helm keeps every chart default the values leave out and drops one only for a `null`
 * (helm/helm v3.20.2, the version pulumi-kubernetes embeds, `pkg/chartutil/coalesce.go`
 * `coalesceTablesFullKey`: "the user is nullifying a chart default - remove the key"); the
 * provider passes nulls through since pulumi-kubernetes 4.30.0 (#2997).
 */
export function chartResources(cpu: string, memory: string, memoryLimit: string = memory) {
    const r = resources(cpu, memory, memoryLimit);
    return { requests: r.requests, limits: { ...r.limits, cpu: null } };
}
