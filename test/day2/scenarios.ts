/**
 * What the day-2 scenario files share (day2.test.ts, common-changes.test.ts): the teams of the base
 * config, recording a change against the base, and the safety rule every scenario must hold.
 * Two files, so a run on two workers records them side by side.
 */
import { expect } from "vitest";
import { ResourceRecord } from "../mocks";
import { classify, recordStack } from "./harness";
import { Change } from "./triggers";

/** Types whose replacement or deletion loses data or takes the platform down. */
const STATEFUL = [
    "aws:rds/instance:Instance", "aws:s3/bucket:Bucket", "aws:kms/key:Key", "eks:index:Cluster", "aws:ec2/vpc:Vpc",
    "kubernetes:core/v1:Namespace", "kubernetes:core/v1:PersistentVolumeClaim", "kubernetes:core/v1:PersistentVolumeClaimPatch",
    "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", "kubernetes:helm.sh/v3:Release", "random:index/randomPassword:RandomPassword",
];

export const ARN = (n: string) => `arn:aws:iam::111122223333:role/${n}`;
export const QUOTA = { cpu: "8", memory: "32Gi", gpu: 1, storage: "100Gi", pods: 20 };
export const TEAMS = [
    { name: "vision", memberPrincipalArns: [ARN("alice"), ARN("bob"), ARN("carol")], leadPrincipalArns: [ARN("vision-lead")], quota: QUOTA },
    { name: "nlp", memberPrincipalArns: [ARN("dave")], quota: QUOTA },
];
export const BASE = { "mlplatform:teams": JSON.stringify(TEAMS), "mlplatform:auditorPrincipalArns": JSON.stringify([ARN("auditor")]) };

/** The base records per stack, recorded once per test file (this module is evaluated once per file). */
const bases: Partial<Record<"dev" | "prod", ResourceRecord[]>> = {};
/** The changes `overrides` makes on top of the base config of a stack, and what is recorded after. */
export async function change(stack: "dev" | "prod", overrides: Record<string, string>): Promise<{ changes: Change[]; after: ResourceRecord[] }> {
    bases[stack] ??= await recordStack(stack, BASE);
    // No override is the base config again: the mocks are deterministic, so its records are the base's.
    const after = Object.keys(overrides).length === 0 ? bases[stack]! : await recordStack(stack, { ...BASE, ...overrides });
    return { changes: classify(bases[stack]!, after), after };
}
export const changed = (cs: Change[]) => cs.filter((c) => c.outcome !== "unchanged");
export const of = (cs: Change[], type: string, name?: string) => cs.filter((c) => c.type === type && (name === undefined || c.name === name));

/** What every scenario must hold: nothing stateful replaced or deleted, no operator recreate. */
export function safe(cs: Change[], allowDeleted: string[] = []): void {
    const lost = cs.filter((c) => STATEFUL.includes(c.type) && (c.outcome === "replaced" || (c.outcome === "deleted" && !c.retained && !allowDeleted.includes(c.name))));
    expect(lost.map((c) => `${c.outcome} ${c.type} ${c.name} (${c.replacedBy.join(",")})`)).toEqual([]);
    expect(cs.flatMap((c) => c.operatorRecreates.map((w) => `${c.name}: ${w}`))).toEqual([]);
}
