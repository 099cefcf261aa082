/**
 * The platform's policy pack: `pulumi preview --policy-pack policy --policy-pack-config policy/<env>.json`.
 * Unlike the mocks-based tests, the engine shows it the children of remote components (the EKS
 * cluster, its security groups), so the same checks see more here.
 */
import { PolicyPack } from "@pulumi/policy";
import { platformPolicies } from "./policies";

new PolicyPack("mlplatform-checklist", { policies: platformPolicies() });
