import { CHECKS_BY_LAYER } from "./all-checks";
import { Env } from "./checks";
import { policyName } from "./policies";

/** The policy-pack config for an environment: every policy told which rules apply. */
export function policyConfig(env: Env): Record<string, { env: Env }> {
    return Object.fromEntries(Object.entries(CHECKS_BY_LAYER).flatMap(([layer, checks]) => checks.map((c) => [policyName(layer, c.id), { env }])));
}
