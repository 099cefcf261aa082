/**
 * `npm run graph -- <variant> <out.json>`: the whole recorded resource graph of one stack under
 * mocks (type, name, parent, every input, every resource option the mocks record, property
 * dependencies), sorted by URN. A refactor must leave it byte-identical: run it before and after
 * and `diff` the files (README, "Tests"). Variants: the stack files (`dev`, `prod`) and the same
 * stacks with teams, auditors, team queues and model endpoints (`dev-teams`, `prod-teams`), so the
 * layers a bare stack leaves out are compared too.
 */
import * as fs from "fs";
import { allRecords } from "../test/mocks";
import { loadStack, PROD_SECRETS } from "../test/stack";

const arn = (n: string) => `arn:aws:iam::111122223333:role/${n}`;
const TEAMS = [
    { name: "vision", memberPrincipalArns: [arn("vision-ds")], leadPrincipalArns: [arn("vision-lead")], quota: { cpu: "32", memory: "128Gi", gpu: 4, storage: "1Ti", pods: 100 }, extraNamespaces: ["staging"], queue: { gpu: 2, gpuBorrowingLimit: 1 } },
    { name: "nlp", memberPrincipalArns: [arn("nlp-ds")], quota: { cpu: "16", memory: "64Gi", gpu: 0, storage: "500Gi", pods: 50 }, internetEgress: true },
    { name: "forecast", leadPrincipalArns: [arn("forecast-lead")], quota: { cpu: "8", memory: "32Gi", gpu: 1, storage: "100Gi", pods: 20 }, kubernetesApiAccess: true },
];
const MODELS = [
    { name: "churn", team: "vision", modelUri: "models:/churn@champion" },
    { name: "detector", team: "vision", modelUri: "models:/detector/2", gpu: 1, cpu: "2", memory: "8Gi", maxReplicas: 2 },
    { name: "sentiment", team: "nlp", modelUri: "models:/sentiment/7", cpu: "500m", memory: "1Gi" },
];
const WITH_TEAMS = {
    "mlplatform:teams": JSON.stringify(TEAMS),
    "mlplatform:models": JSON.stringify(MODELS),
    "mlplatform:auditorPrincipalArns": JSON.stringify([arn("auditor")]),
    "mlplatform:gpuMaxSize": "4",
};

export async function graph(variant: string): Promise<unknown[]> {
    const [stack, extra] = variant.split("-");
    const prod = stack === "prod";
    const overrides = { ...(prod ? PROD_SECRETS : {}), ...(extra === "teams" ? WITH_TEAMS : {}) };
    await loadStack(stack, overrides, prod ? Object.keys(PROD_SECRETS) : []);
    return allRecords().map((r) => ({ ...r })).sort((a, b) => a.urn.localeCompare(b.urn));
}

if (require.main === module) {
    const [variant, out] = process.argv.slice(2);
    graph(variant).then((g) => {
        fs.writeFileSync(out, `${JSON.stringify(g, null, 1)}\n`);
        process.stdout.write(`${out}: ${g.length} resources\n`);
        process.exit(0);
    }, (e) => {
        process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
        process.exit(1);
    });
}
