/**
 * The security checklist as Pulumi CrossGuard policies: one stack policy per checklist item and
 * layer, each running the same predicate the tests run (policy/all-checks.ts), plus the
 * clean-destroy rules (policy/destroy.ts) as the `delivery-destroy-*` policies. Kept apart from
 * `policy/index.ts`, which only constructs the PolicyPack (constructing it starts a server, so
 * tests import this module instead).
 *
 * The environment comes from the policy config (`--policy-pack-config policy/<env>.json`), or,
 * failing that, the stack tag `mlplatform:preset`; with neither, the strict production rules apply.
 */
import type { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { CHECKS_BY_LAYER } from "./all-checks";
import { Check, Env, EXCEPTIONS } from "./checks";
import { DESTROY_CHECKS, GraphRes } from "./destroy";

/**
 * Checks by layer as the pack runs them: the checklist plus the clean-destroy graph rules
 * (policy/destroy.ts), unless all-checks.ts already lists the latter.
 */
export function packLayers(): Record<string, readonly Check[]> {
    const listed = new Set(Object.values(CHECKS_BY_LAYER).flat());
    const destroy = DESTROY_CHECKS.filter((c) => !listed.has(c));
    return { ...CHECKS_BY_LAYER, ...(destroy.length > 0 ? { delivery: destroy } : {}) };
}

/** The resource shape the checks read, from what the policy engine gives (graph edges included). */
export function toRes(r: PolicyResource): GraphRes {
    return {
        type: r.type,
        name: r.name,
        inputs: r.props ?? {},
        urn: r.urn,
        dependencies: (r.dependencies ?? []).map((d) => d.urn),
        protect: r.opts?.protect === true,
        parent: r.parent?.urn ?? r.opts?.parent ?? "",
        propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([k, ds]) => [k, ds.map((d) => d.urn)])),
        // The same `urn::id` form the engine writes in a resource's provider reference.
        provider: r.provider ? `${r.provider.urn}::${r.provider.props?.id ?? "unknown"}` : "",
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
    return Object.entries(packLayers()).flatMap(([layer, checks]) => checks.map((check): StackValidationPolicy => ({
        name: policyName(layer, check.id),
        description: `${check.id}: ${check.description}`,
        enforcementLevel: "mandatory",
        configSchema: { properties: { env: { type: "string", enum: ["sandbox", "production"] } } },
        validateStack: (args, reportViolation) => {
            const env = envOf(args);
            const exception = EXCEPTIONS.find((e) => e.id === check.id && e.env === env);
            if (exception !== undefined) {
                // Shown in the preview next to the policy, so the reason is reviewed with the change.
                args.notApplicable(`${check.id} is excepted for ${env}: ${exception.reason}`);
            }
            const resources = args.resources.map(toRes);
            const urns = new Map(resources.map((r) => [`${r.type}::${r.name}`, r.urn]));
            for (const violation of check.evaluate(resources, env)) {
                reportViolation(`${violation.resource}: ${violation.message}`, urns.get(violation.resource));
            }
        },
    })));
}
