import * as pulumi from "@pulumi/pulumi";
import { ResolvedJupyterHubArgs } from "./args";
import { prePullerValues, proxyValues, schedulingValues } from "./chart";
import { hubValues } from "./hub";
import { ingressValues } from "./ingress";
import { singleuserValues } from "./singleuser";

/** Helm values for the z2jh chart (no secrets: those are referenced from the auth Secret, auth.ts). */
export function jupyterHubValues(a: ResolvedJupyterHubArgs, mlflowTrackingUri: pulumi.Input<string>, mlflowProvisioner = false) {
    return {
        hub: hubValues(a, mlflowTrackingUri, mlflowProvisioner),
        proxy: proxyValues(),
        ingress: ingressValues(a.ingress),
        scheduling: schedulingValues(),
        singleuser: singleuserValues(a, mlflowTrackingUri),
        cull: { enabled: true, timeout: a.cullTimeoutMinutes * 60, every: 300 },
        prePuller: prePullerValues(),
    };
}
