/**
 * Every check the platform enforces, layer by layer. Kept apart from policy/checks.ts (the shared
 * vocabulary the layers' checks are written in) so the layers can import that without a cycle.
 */
import { Check, Env, Res, runChecksOf, Violation } from "./checks";
import { FOUNDATION_CHECKS } from "./checks-foundation";
import { JUPYTERHUB_CHECKS } from "./checks-jupyterhub";
import { LOGGING_CHECKS } from "./checks-logging";
import { MONITORING_CHECKS } from "./checks-monitoring";
import { TENANCY_CHECKS } from "./checks-tenancy";
import { TRACKING_CHECKS } from "./checks-tracking";
import { WORKLOAD_CHECKS } from "./checks-workloads";
import { SECRET_CHECKS } from "./checks-secrets";
import { SERVING_CHECKS } from "./checks-serving";

/** Checks by layer; a checklist ID may appear in several layers (e.g. K8S-* for each workload). */
export const CHECKS_BY_LAYER: Readonly<Record<string, readonly Check[]>> = {
    foundation: FOUNDATION_CHECKS,
    tracking: TRACKING_CHECKS,
    notebooks: JUPYTERHUB_CHECKS,
    logging: LOGGING_CHECKS,
    monitoring: MONITORING_CHECKS,
    tenancy: TENANCY_CHECKS,
    workloads: WORKLOAD_CHECKS,
    secrets: SECRET_CHECKS,
    serving: SERVING_CHECKS,
};

/** All checks. */
export const CHECKS: readonly Check[] = Object.values(CHECKS_BY_LAYER).flat();

/** Runs every check (minus documented exceptions) over a stack's resources. */
export function runChecks(resources: readonly Res[], env: Env, checks: readonly Check[] = CHECKS): Violation[] {
    return runChecksOf(checks, resources, env);
}
