/** The platform's alert rules (rules.ts) as PrometheusRule objects in the monitoring namespace. */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../shared/labels";
import { MONITOR_API } from "./monitors";
import { platformRuleGroups, prometheusRuleSpec, RuleGroup } from "./rules";

/**
 * One PrometheusRule `${name}-rules-<group>` per platform rule group whose scrape job is among
 * `jobs` (a service's rules exist only when it is scraped); `opts` orders them after the CRDs.
 * Returns the groups declared.
 */
export function platformPrometheusRules(name: string, namespace: pulumi.Input<string>, platformNamespaces: readonly string[], jobs: ReadonlySet<string>, opts: pulumi.CustomResourceOptions): RuleGroup[] {
    const groups = platformRuleGroups(platformNamespaces).filter((g) => g.requiresJob === undefined || jobs.has(g.requiresJob));
    for (const g of groups) {
        new k8s.apiextensions.CustomResource(`${name}-rules-${g.name}`, {
            apiVersion: MONITOR_API,
            kind: "PrometheusRule",
            metadata: { name: g.name, namespace, labels: standardLabels("prometheus", "alert-rules", name) },
            spec: prometheusRuleSpec(g),
        }, opts);
    }
    return groups;
}
