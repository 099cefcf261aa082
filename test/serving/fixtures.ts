/** Teams the serving tests place models in. */
import { TeamSpec } from "../../components/tenancy";

const arn = (n: string) => `arn:aws:iam::123456789012:role/${n}`;
export const TEAMS: TeamSpec[] = [
    { name: "vision", memberPrincipalArns: [arn("vision")], leadPrincipalArns: [], quota: { cpu: "32", memory: "128Gi", gpu: 4, storage: "1Ti", pods: 100 } },
    { name: "nlp", memberPrincipalArns: [arn("nlp")], leadPrincipalArns: [], quota: { cpu: "8", memory: "16Gi", gpu: 0, storage: "100Gi", pods: 10 } },
];
