/** The platform's alert rules (rules.ts) as PrometheusRule objects in the monitoring namespace. */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { standardLabels } from "../shared/labels";
import { MONITOR_API } from "./monitors";
import { IssuedCertificate } from "../shared/platform";
import { certificateRuleGroup, notAfterUnix, platformRuleGroups, prometheusRuleSpec, RuleGroup } from "./rules";

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

/**
 * The PrometheusRule `${name}-rules-certificates` for the certificates the program issues, once
 * their ends of validity are known (RFC 3339 from the tls provider). Nothing when there are none.
 */
export function certificatePrometheusRule(name: string, namespace: pulumi.Input<string>, certs: readonly IssuedCertificate[], opts: pulumi.CustomResourceOptions): void {
    if (certs.length === 0) {
        return;
    }
    const spec = pulumi.all(certs.map((c) => c.notAfter)).apply((ends) => prometheusRuleSpec(certificateRuleGroup(certs.map((c, i) =>
        ({ name: c.name, notAfterUnix: notAfterUnix(c.name, ends[i]), renewalWindowHours: c.renewalWindowHours })))));
    new k8s.apiextensions.CustomResource(`${name}-rules-certificates`, {
        apiVersion: MONITOR_API,
        kind: "PrometheusRule",
        metadata: { name: "mlplatform-certificates", namespace, labels: standardLabels("prometheus", "alert-rules", name) },
        spec,
    }, opts);
}
