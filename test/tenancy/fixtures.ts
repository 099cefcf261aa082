/** The teams the tenancy tests build, and a helper that builds the component alone under mocks. */
import { Tenancy, TenancyArgs } from "../../components/tenancy";
import { resolveTeams, TeamSpec } from "../../components/tenancy/settings";
import { buildComponentOnce, byType } from "../mocks";

export const arn = (n: string) => `arn:aws:iam::123456789012:role/${n}`;
/** The teams as a stack file states them. */
export const specs: TeamSpec[] = [
    { name: "vision", memberPrincipalArns: [arn("vision-ds")], leadPrincipalArns: [arn("vision-lead")], quota: { cpu: "32", memory: "128Gi", gpu: 4, storage: "1Ti", pods: 100 }, extraNamespaces: ["staging"] },
    { name: "nlp", memberPrincipalArns: [arn("nlp-ds")], leadPrincipalArns: [], quota: { cpu: "16", memory: "64Gi", gpu: 0, storage: "500Gi", pods: 50 }, internetEgress: false, kubernetesApiAccess: true },
    { name: "forecast", memberPrincipalArns: [], leadPrincipalArns: [arn("fc-lead")], quota: { cpu: "8", memory: "32Gi", gpu: 1, storage: "100Gi", pods: 20 } },
];
/** The same teams with their defaults, as the layer's settings hand them to the component. */
export const teams = resolveTeams(specs);
export const base: TenancyArgs = {
    clusterName: "mlp", teams, vpcCidr: "10.0.0.0/16", serviceCidr: "172.20.0.0/16", auditorPrincipalArns: [arn("auditor")],
    platformReadNamespaces: ["mlflow", "jupyterhub"], retainNamespacesOnRemoval: false,
};

export async function build(args: TenancyArgs = base) {
    return buildComponentOnce(["teams", args], () => new Tenancy("teams", args));
}
/** Resources of `type` in namespace `ns`, in registration order. */
export const inNs = (type: string, ns: string) => byType(type).filter((r) => r.inputs.metadata?.namespace === ns);
