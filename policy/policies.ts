/**
 * The security checklist as Pulumi CrossGuard policies: one stack policy per checklist item and
 * layer, each running the same predicate the tests run (policy/all-checks.ts). Kept apart from
 * `policy/index.ts`, which only constructs the PolicyPack (constructing it starts a server, so
 * tests import this module instead).
 *
 * The environment comes from the policy config (`--policy-pack-config policy/<env>.json`), or,
 * failing that, the stack tag `mlplatform:preset`; with neither, the strict production rules apply.
 */
import type { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { CHECKS_BY_LAYER } from "./all-checks";
import { Env, EXCEPTIONS, Res } from "./checks";

/** The resource shape the checks read, from what the policy engine gives. */
export function toRes(r: PolicyResource): Res {
    return {
        type: r.type,
        name: r.name,
        inputs: r.props ?? {},
        urn: r.urn,
        dependencies: (r.dependencies ?? []).map((d) => d.urn),
        protect: r.opts?.protect === true,
    };
}

/** The environment a stack is checked as. */
export function envOf(args: Pick<StackValidationArgs, "getConfig" | "stackTags">): Env {
    const configured = args.getConfig<{ env?: string }>().env;
    const tagged = args.stackTags.get("mlplatform:preset");
    const env = configured ?? (tagged === "sandbox" ? "sandbox" : tagged === "production" ? "production" : undefined);
    return env === "sandbox" ? "sandbox" : "production";
}

/** Policy name for a check in a layer: `<layer>-<id>`, lower case. */
export const policyName = (layer: string, id: string) => `${layer}-${id}`.toLowerCase();

/** Every policy of the pack. */
export function platformPolicies(): StackValidationPolicy[] {
    return Object.entries(CHECKS_BY_LAYER).flatMap(([layer, checks]) => checks.map((check): StackValidationPolicy => ({
        name: policyName(layer, check.id),
        description: `${check.id}: ${check.description}`,
        enforcementLevel: "mandatory",
        configSchema: { properties: { env: { type: "string", enum: ["sandbox", "production"] } } },
        validateStack: (args, reportViolation) => {
            const env = envOf(args);
            const exception = EXCEPTIONS.find((e) => e.id === check.id && e.env === env);
            if (exception !== undefined) {
                return;
            }
            for (const violation of check.evaluate(args.resources.map(toRes), env)) {
                reportViolation(`${violation.resource}: ${violation.message}`);
            }
        },
    })));
}
