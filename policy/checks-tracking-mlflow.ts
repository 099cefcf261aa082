/** Checklist ML-01, ML-04, ML-02 for the MLflow tracking server's pods: secrets only by reference, and its identity. */
import { Check, of, v, Violation } from "./checks";
import { CREDENTIAL_URI, isMlflow, linked, list, mlflowPods, podOf, SECRET_NAME, statements, T } from "./tracking-common";

export const MLFLOW_POD_CHECKS: readonly Check[] = [
    {
        id: "ML-01",
        description: "MLflow's database URI/password only via secretKeyRef; none in args, command, literal env or ConfigMaps",
        evaluate(rs) {
            const out: Violation[] = [];
            for (const { d, containers } of mlflowPods(rs)) {
                let fromSecret = false;
                for (const c of containers) {
                    // Kubernetes expands `$(VAR)` in command and args before exec: a secret env var
                    // referenced there ends up in argv all the same.
                    const secretVars = new Set(c.env.filter((e: any) => e.valueFrom?.secretKeyRef || SECRET_NAME.test(e.name)).map((e: any) => e.name));
                    for (const arg of c.argv) {
                        if (CREDENTIAL_URI.test(arg) || /--(backend-store-uri|password)\b/.test(arg)) {
                            out.push(v("ML-01", d, `${c.name} passes database credentials on the command line`));
                        }
                        for (const [, ref] of arg.matchAll(/(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
                            if (secretVars.has(ref)) {
                                out.push(v("ML-01", d, `${c.name} expands the secret $(${ref}) into its command line`));
                            }
                        }
                    }
                    for (const e of c.env) {
                        if (e.value !== undefined && (SECRET_NAME.test(e.name) || CREDENTIAL_URI.test(String(e.value)))) {
                            out.push(v("ML-01", d, `${c.name} sets ${e.name} as a literal value`));
                        }
                        if (e.name === "MLFLOW_BACKEND_STORE_URI" && e.valueFrom?.secretKeyRef) {
                            fromSecret = true;
                        }
                    }
                }
                if (!fromSecret) {
                    out.push(v("ML-01", d, "MLFLOW_BACKEND_STORE_URI does not come from a secretKeyRef"));
                }
            }
            for (const cm of of(rs, T.configMap).filter(isMlflow)) {
                for (const [k, val] of Object.entries(cm.inputs.data ?? {})) {
                    if (SECRET_NAME.test(k) || CREDENTIAL_URI.test(String(val))) {
                        out.push(v("ML-01", cm, `ConfigMap key ${k} holds a credential`));
                    }
                }
            }
            return out;
        },
    },
    {
        id: "ML-04",
        description: "MLflow authenticates every request (basic-auth app); its INI (admin password) only as a mounted Secret file, its CSRF key via secretKeyRef; MLflow client passwords only via secretKeyRef",
        evaluate(rs) {
            const out: Violation[] = [];
            for (const { d, spec, containers } of mlflowPods(rs)) {
                const server = containers.find((c) => !c.init && c.argv.includes("server"));
                if (server === undefined) {
                    continue;
                }
                const app = server.argv.indexOf("--app-name");
                if (app < 0 || server.argv[app + 1] !== "basic-auth") {
                    out.push(v("ML-04", d, "the server does not run `--app-name basic-auth`: requests are not authenticated"));
                }
                const env = (name: string) => server.env.find((e: any) => e.name === name);
                const ini = env("MLFLOW_AUTH_CONFIG_PATH")?.value;
                const secretVolumes = new Set((spec.volumes ?? []).filter((x: any) => x.secret !== undefined).map((x: any) => x.name));
                const mounted = typeof ini === "string" && server.volumeMounts.some((m: any) => secretVolumes.has(m.name) && ini.startsWith(`${m.mountPath}/`));
                if (!mounted) {
                    out.push(v("ML-04", d, "MLFLOW_AUTH_CONFIG_PATH does not name a file mounted from a Secret (the admin password would default to MLflow's well-known one)"));
                }
                if (!env("MLFLOW_FLASK_SERVER_SECRET_KEY")?.valueFrom?.secretKeyRef) {
                    out.push(v("ML-04", d, "MLFLOW_FLASK_SERVER_SECRET_KEY does not come from a secretKeyRef"));
                }
            }
            for (const cm of of(rs, T.configMap)) {
                for (const [k, val] of Object.entries(cm.inputs.data ?? {})) {
                    if (/admin_password\s*=/.test(String(val)) || k === "basic_auth.ini") {
                        out.push(v("ML-04", cm, `ConfigMap key ${k} holds MLflow's auth configuration`));
                    }
                }
            }
            // Any pod the program declares that signs in to MLflow takes the password from a Secret.
            for (const w of rs.filter((r) => r.type.startsWith("kubernetes:apps/v1:") || r.type.startsWith("kubernetes:batch/v1:"))) {
                for (const c of podOf(w).containers) {
                    for (const e of c.env) {
                        if (e.name === "MLFLOW_TRACKING_PASSWORD" && !e.valueFrom?.secretKeyRef) {
                            out.push(v("ML-04", w, `${c.name} sets MLFLOW_TRACKING_PASSWORD without a secretKeyRef`));
                        }
                    }
                }
            }
            return out;
        },
    },
    {
        id: "ML-02",
        description: "MLflow's identity: a Pod Identity association for its namespace/ServiceAccount, whose role may use S3 only on one bucket (no * actions or resources)",
        evaluate(rs) {
            const out: Violation[] = [];
            for (const d of of(rs, T.deployment).filter(isMlflow)) {
                const ns = d.inputs.metadata?.namespace;
                const sa = d.inputs.spec?.template?.spec?.serviceAccountName;
                const assoc = of(rs, T.association).filter((a) => a.inputs.namespace === ns && a.inputs.serviceAccount === sa);
                if (!ns || !sa || sa === "default" || assoc.length !== 1) {
                    out.push(v("ML-02", d, `no single Pod Identity association for ${ns}/${sa}`));
                    continue;
                }
                const roles = of(rs, T.role).filter((r) => linked(assoc[0], r, "roleArn"));
                const policies = of(rs, T.rolePolicy).filter((p) => roles.some((r) => linked(p, r, "role")));
                if (roles.length !== 1 || policies.length === 0) {
                    out.push(v("ML-02", assoc[0], "the association's role or its inline policy is not declared"));
                    continue;
                }
                const buckets = new Set<string>();
                for (const p of policies) {
                    for (const s of statements(p.inputs.policy).filter((x) => x.Effect === "Allow")) {
                        const actions = list(s.Action);
                        const resources = list(s.Resource);
                        if (actions.some((a) => a === "*" || a.endsWith(":*")) || resources.includes("*")) {
                            out.push(v("ML-02", p, `statement ${s.Sid ?? ""} allows * actions or resources`));
                        }
                        if (actions.some((a) => !a.startsWith("s3:") && !a.startsWith("kms:"))) {
                            out.push(v("ML-02", p, `statement ${s.Sid ?? ""} allows non-S3 actions`));
                        }
                        for (const r of resources.filter((x) => x.startsWith("arn:aws:s3:::"))) {
                            buckets.add(r.slice("arn:aws:s3:::".length).replace(/\/\*$/, ""));
                        }
                        if (actions.some((a) => a.startsWith("s3:")) && resources.some((r) => !/^arn:aws:s3:::[a-z0-9.-]+(\/\*)?$/.test(r))) {
                            out.push(v("ML-02", p, `statement ${s.Sid ?? ""} grants S3 beyond a bucket and its objects`));
                        }
                    }
                }
                if (buckets.size !== 1) {
                    out.push(v("ML-02", assoc[0], `the role reaches ${buckets.size} buckets, not exactly the artifact bucket`));
                }
            }
            return out;
        },
    },
];
