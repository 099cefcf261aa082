/** Expiry alerts for the certificates the program issues (rules.ts certificateRuleGroup, prometheus-rules.ts). */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { IssuedCertificate } from "../../components/shared/platform";
import { build, byType, CR_RULE, one, RELEASE, run, SANDBOX, useTmpDirs } from "./fixtures";

const tmpDir = useTmpDirs();
const CERTS: IssuedCertificate[] = [
    { name: "elasticsearch-http", notAfter: pulumi.output("1970-02-01T00:00:00Z"), renewalWindowHours: 30 * 24 },
    { name: "short-window", notAfter: "1970-06-01T00:00:00Z", renewalWindowHours: 48 },
];

/** The recorded rule file (annotations left out: promtool compares their rendered text) in a temporary directory. */
function ruleDir(mutate: (rule: any) => any = (r) => r): string {
    const dir = tmpDir();
    const spec = one(CR_RULE, "mon-rules-certificates").inputs.spec;
    const groups = spec.groups.map((g: any) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...r }: any) => mutate(r)) }));
    fs.writeFileSync(path.join(dir, "certificate-rules.yaml"), stringify({ groups }));
    fs.copyFileSync(path.join(__dirname, "..", "alerts", "certificate-rules.test.yaml"), path.join(dir, "certificate-rules.test.yaml"));
    return dir;
}

describe("Monitoring: certificate expiry alerts", () => {
    it("declares one PrometheusRule for the issued certificates after the CRDs, and none without certificates", async () => {
        const m = await build({ ...SANDBOX, certificates: CERTS });
        const rule = one(CR_RULE, "mon-rules-certificates");
        expect(rule.inputs.metadata).toMatchObject({ name: "mlplatform-certificates", namespace: "monitoring" });
        expect(rule.dependencies).toContain(one(RELEASE, "mon-kube-prometheus-stack").urn);
        expect(m.ruleGroups).toContain("mlplatform-certificates");
        expect(rule.inputs.spec.groups[0].rules.map((r: any) => [r.alert, r.labels.severity])).toEqual([["PlatformCertificateRenewalDue", "warning"], ["PlatformCertificateExpiring", "critical"]]);
        await build(SANDBOX);
        expect(byType(CR_RULE, "mon-rules-certificates")).toHaveLength(0);
    });

    it("passes promtool check rules and test rules: quiet until 14 days (or the renewal window) before expiry, critical 3 days before", async () => {
        await build({ ...SANDBOX, certificates: CERTS });
        const dir = ruleDir();
        expect(run("promtool", ["check", "rules", "certificate-rules.yaml"], dir)).toMatch(/SUCCESS/);
        expect(run("promtool", ["test", "rules", "certificate-rules.test.yaml"], dir)).toMatch(/SUCCESS/);
    });

    it("promtool test rules fails when the threshold moves (the test is real)", async () => {
        await build({ ...SANDBOX, certificates: CERTS });
        const dir = ruleDir((r) => (r.alert === "PlatformCertificateExpiring" ? { ...r, expr: r.expr.replace(/> (\d+)/g, (_: string, n: string) => `> ${Number(n) - 86_400 * 5}`) } : r));
        expect(() => run("promtool", ["test", "rules", "certificate-rules.test.yaml"], dir)).toThrow(/PlatformCertificateExpiring/);
    });

    it("refuses an end of validity that is not a time, naming the certificate", async () => {
        await expect(build({ ...SANDBOX, certificates: [{ name: "broken", notAfter: "soon", renewalWindowHours: 720 }] })).rejects.toThrow('certificate broken: notAfter "soon" is not an RFC 3339 time');
        await expect(build({ ...SANDBOX, certificates: [{ name: "broken", notAfter: "1970-02-01T00:00:00Z", renewalWindowHours: 0 }] })).rejects.toThrow("certificate broken: renewalWindowHours 0 must be a whole number of hours >= 1");
    });
});
