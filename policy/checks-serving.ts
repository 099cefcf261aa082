/**
 * The serving layer's items: K8S-14 on the metrics-server chart's values (its pod meets the same
 * rules as the program's own) and ML-04's credential rule for model pods.
 * The endpoints' Deployments are typed workloads and go through checks-workloads.ts.
 */
import { Check, perResource, Res } from "./checks";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const isMetricsServer = (r: Res) => r.type === RELEASE && r.inputs.chart === "metrics-server";

export const SERVING_CHECKS: readonly Check[] = [
    perResource("K8S-14", "metrics-server's pod (chart values): pinned, non-root, RuntimeDefault, requests and a memory limit", [RELEASE], (r) => {
        if (!isMetricsServer(r)) {
            return undefined;
        }
        const values = r.inputs.values ?? {};
        const out: string[] = [];
        if (!/^\d+\.\d+\.\d+$/.test(r.inputs.version ?? "")) {
            out.push(`chart version (${r.inputs.version}) is not an exact version`);
        }
        const tag = values.image?.tag;
        if (typeof tag !== "string" || tag === "" || tag === "latest") {
            out.push(`image.tag (${tag}) must be pinned`);
        }
        const res = values.resources ?? {};
        if (!res.requests?.cpu || !res.requests?.memory || !res.limits?.memory) {
            out.push("resources lacks cpu/memory requests or a memory limit");
        }
        const pod = values.podSecurityContext ?? {};
        if (pod.runAsNonRoot !== true || pod.seccompProfile?.type !== "RuntimeDefault") {
            out.push("podSecurityContext must set runAsNonRoot and the RuntimeDefault seccomp profile");
        }
        return out;
    }),
    perResource("ML-04", "model endpoints: MLflow credentials only by secretKeyRef, only in the init container that fetches the model", [DEPLOYMENT], (r) => {
        if (r.inputs.metadata?.labels?.["app.kubernetes.io/name"] !== "model-endpoint") {
            return undefined;
        }
        const spec = r.inputs.spec?.template?.spec ?? {};
        const out: string[] = [];
        for (const c of spec.containers ?? []) {
            if ((c.env ?? []).some((e: any) => /^MLFLOW_TRACKING_(USERNAME|PASSWORD|TOKEN)$/.test(e.name)) || (c.envFrom ?? []).length > 0) {
                out.push(`container ${c.name} (runs the model's code) holds MLflow credentials`);
            }
        }
        for (const c of spec.initContainers ?? []) {
            for (const e of c.env ?? []) {
                if (/^MLFLOW_TRACKING_(USERNAME|PASSWORD|TOKEN)$/.test(e.name) && e.valueFrom?.secretKeyRef === undefined) {
                    out.push(`${c.name} gets ${e.name} other than by secretKeyRef`);
                }
            }
        }
        return out;
    }),
];
