/**
 * SEC-01: no secret on any process command line. `/proc/<pid>/cmdline` is readable by other
 * processes in the pod and shows in `ps`, so a password must reach a program through a file or its
 * environment, never its argv. Two ways it gets there that a plain "no literal" check misses:
 * - Kubernetes expands `$(VAR)` in `command` and `args` before exec (dependent environment
 *   variables, kubernetes `pkg/kubelet/container/helpers.go` `ExpandContainerCommandAndArgs`), so a
 *   secretKeyRef variable referenced there is in argv all the same;
 * - a shell script (inline, or shipped in a ConfigMap) that passes `$VAR` to curl's `-u`/`--user`
 *   or an `Authorization` header expands it into curl's argv.
 */
import { Check, of, v, Violation } from "./checks";

const WORKLOADS = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:DaemonSet", "kubernetes:batch/v1:Job", "kubernetes:batch/v1:CronJob"];
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|BACKEND_STORE_URI|DATABASE_URL|DB_URI)/i;
/** curl/wget given a shell-expanded credential on its command line. */
const CLI_CREDENTIAL = /\b(curl|wget)\b[^\n]*?(\s-u\s*|\s--user[\s=]|\s--password[\s=]|\s--http-password[\s=]|Authorization:\s*(Basic|Bearer)\s)[^\n]*\$\{?[A-Za-z_]/;

export const SECRET_CHECKS: readonly Check[] = [
    {
        id: "SEC-01",
        description: "no secret on a process command line: no $(SECRET) in command/args, no shell-expanded credential passed to curl/wget in scripts or ConfigMaps",
        evaluate(rs) {
            const out: Violation[] = [];
            for (const w of of(rs, ...WORKLOADS)) {
                const spec = w.inputs.spec?.jobTemplate?.spec?.template?.spec ?? w.inputs.spec?.template?.spec ?? {};
                for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
                    const secretVars = new Set((c.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef || SECRET_NAME.test(e.name)).map((e: any) => e.name));
                    for (const arg of [...(c.command ?? []), ...(c.args ?? [])].map(String)) {
                        for (const [, ref] of arg.matchAll(/(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
                            if (secretVars.has(ref)) {
                                out.push(v("SEC-01", w, `${c.name} expands the secret $(${ref}) into its command line`));
                            }
                        }
                        if (CLI_CREDENTIAL.test(arg)) {
                            out.push(v("SEC-01", w, `${c.name}'s inline script passes a credential on curl/wget's command line`));
                        }
                    }
                }
            }
            for (const cm of of(rs, "kubernetes:core/v1:ConfigMap")) {
                for (const [k, val] of Object.entries(cm.inputs.data ?? {})) {
                    if (CLI_CREDENTIAL.test(String(val))) {
                        out.push(v("SEC-01", cm, `${k} passes a credential on curl/wget's command line; give curl a file (--variable name@file, -K, --netrc-file)`));
                    }
                }
            }
            return out;
        },
    },
];
