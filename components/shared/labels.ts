/** The platform's name in `app.kubernetes.io/part-of`. */
export const PART_OF = "mlplatform";

/**
 * Standard Kubernetes labels for one workload. Used for every selector and pod template, so
 * `kubectl get -l app.kubernetes.io/part-of=mlplatform` finds everything the platform runs.
 *
 * @param name the application (`mlflow`, `fluentd`)
 * @param component its role (`tracking-server`, `log-collector`)
 * @param instance the deployment instance, usually the component's logical name
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
export function standardLabels(name: string, component: string, instance: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/instance": instance,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

/** The subset of {@link standardLabels} that is stable enough for a selector. */
export function selectorLabels(name: string, instance: string): Record<string, string> {
    return { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": instance };
}

/** Pod Security Admission levels. */
export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/**
 * Namespace labels enforcing, auditing and warning at one Pod Security level, plus the
 * justification annotation a system namespace needs when it is below `restricted` (checklist NS-01).
 */
export function podSecurity(
    level: PodSecurityLevel,
    reason?: string,
    /** Audit and warn at a stricter level than enforced, to see what raising `enforce` would refuse. @default level */
    auditWarn: PodSecurityLevel = level,
): { labels: Record<string, string>; annotations: Record<string, string> } {
    if (level !== "restricted" && (reason === undefined || reason.trim() === "")) {
        throw new Error(`a namespace at Pod Security level ${level} needs a reason`);
    }
    return {
        labels: {
            "pod-security.kubernetes.io/enforce": level,
            "pod-security.kubernetes.io/audit": auditWarn,
            "pod-security.kubernetes.io/warn": auditWarn,
        },
        annotations: reason ? { "mlplatform.io/pod-security-reason": reason } : {},
    };
}
