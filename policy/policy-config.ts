import { Env } from "./checks";
import { packLayers, policyName } from "./policies";

/** The policy-pack config for an environment: every policy told which rules apply. */
export function policyConfig(env: Env): Record<string, { env: Env }> {
    return Object.fromEntries(Object.entries(packLayers()).flatMap(([layer, checks]) => checks.map((c) => [policyName(layer, c.id), { env }])));
}
