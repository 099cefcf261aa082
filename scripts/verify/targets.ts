/**
 * What `verify` checks, read from the stack's outputs: the same port-forward commands the README
 * tells users to run, parsed strictly, so verify reaches exactly the Services a user would. A test
 * runs the real program under mocks and parses its outputs, so the two cannot drift apart.
 */

/** A Service reached through a port-forward. */
export interface ServiceTarget {
    readonly namespace: string;
    readonly service: string;
    /** The Service's port (resolved to the pod's port when forwarding). */
    readonly port: number;
}

export interface Targets {
    readonly stack: string;
    readonly preset: string;
    readonly clusterName: string;
    readonly kubeconfig: string;
    readonly jupyterhub: ServiceTarget;
    /** JupyterHub API token of the `platform-verify` service (secret output). */
    readonly jupyterhubToken?: string;
    readonly mlflow: ServiceTarget;
    readonly elasticsearch: ServiceTarget & { readonly userSecret: string; readonly caSecret: string };
    readonly prometheus: ServiceTarget;
    readonly alertmanager: ServiceTarget;
    readonly grafana: ServiceTarget;
    /** Team name → its namespaces. */
    readonly teams: Record<string, string[]>;
    /** Team name → LocalQueue name in each of its namespaces, when queues are configured. */
    readonly queues: Record<string, string>;
    /** Model endpoints, when serving is configured. */
    readonly models: readonly (ServiceTarget & { readonly name: string; readonly healthPath: string })[];
    /** Every secret output's value, masked wherever verify prints. */
    readonly secrets: string[];
}

const PORT_FORWARD = /^kubectl -n (\S+) port-forward svc\/(\S+) (?:\d+:)?(\d+)$/;
const SECRET_COMMAND = /^kubectl -n (\S+) get secret (\S+) /;

/** Parses a `kubectl -n <ns> port-forward svc/<name> [<local>:]<port>` output. */
export function parsePortForward(key: string, value: unknown): ServiceTarget {
    const m = typeof value === "string" ? PORT_FORWARD.exec(value) : null;
    if (m === null) {
        throw new Error(`stack output ${key} is not a port-forward command (${JSON.stringify(value)}): is this stack from this program?`);
    }
    return { namespace: m[1], service: m[2], port: Number(m[3]) };
}

/** Secret outputs as `pulumi stack output --json --show-secrets` prints them. */
const SECRET_OUTPUTS = ["kubeconfig", "grafanaAdminPassword", "jupyterhubPassword", "jupyterhubAdminPassword", "jupyterhubVerifyToken"];

/** Credentials written into a kubeconfig (EKS's uses an exec plugin instead, but others may not). */
function kubeconfigCredentials(kubeconfig: string): unknown[] {
    try {
        const doc = JSON.parse(kubeconfig);
        return (doc.users ?? []).flatMap((u: any) => [u.user?.token, u.user?.password, u.user?.["client-key-data"]]);
    } catch {
        // YAML kubeconfig: the whole text is masked already.
        return [];
    }
}

/** Builds the targets from a stack's outputs (`pulumi stack output --json --show-secrets`). */
export function targetsFromOutputs(stack: string, o: Record<string, any>): Targets {
    const required = ["preset", "clusterName", "kubeconfig", "jupyterhubPortForward", "mlflowPortForward", "elasticUserCommand", "prometheusPortForward", "alertmanagerPortForward", "grafanaPortForward"];
    const missing = required.filter((k) => o[k] === undefined || o[k] === null);
    if (missing.length) {
        throw new Error(`stack ${stack} has no output ${missing.join(", ")}: run \`pulumi up\` on it first`);
    }
    const es = SECRET_COMMAND.exec(String(o.elasticUserCommand));
    if (es === null || !es[2].endsWith("-es-elastic-user")) {
        throw new Error(`stack output elasticUserCommand is not the expected command (${JSON.stringify(o.elasticUserCommand)})`);
    }
    // ECK names every object after the Elasticsearch resource: <name>-es-http (Service, 9200),
    // <name>-es-elastic-user (the elastic user's password), <name>-es-http-certs-public (ca.crt).
    const esName = es[2].slice(0, -"-es-elastic-user".length);
    const kubeconfig = typeof o.kubeconfig === "string" ? o.kubeconfig : JSON.stringify(o.kubeconfig);
    const models = Object.entries((o.modelEndpoints ?? {}) as Record<string, any>).map(([name, m]) => ({
        name,
        ...parsePortForward(`modelEndpoints.${name}.portForward`, m.portForward),
        healthPath: m.healthPath ?? "/health",
    }));
    return {
        stack,
        preset: String(o.preset),
        clusterName: String(o.clusterName),
        kubeconfig,
        jupyterhub: parsePortForward("jupyterhubPortForward", o.jupyterhubPortForward),
        jupyterhubToken: o.jupyterhubVerifyToken ?? undefined,
        mlflow: parsePortForward("mlflowPortForward", o.mlflowPortForward),
        elasticsearch: { namespace: es[1], service: `${esName}-es-http`, port: 9200, userSecret: es[2], caSecret: `${esName}-es-http-certs-public` },
        prometheus: parsePortForward("prometheusPortForward", o.prometheusPortForward),
        alertmanager: parsePortForward("alertmanagerPortForward", o.alertmanagerPortForward),
        grafana: parsePortForward("grafanaPortForward", o.grafanaPortForward),
        teams: (o.teamNamespaces ?? {}) as Record<string, string[]>,
        queues: (o.trainingQueues ?? {}) as Record<string, string>,
        models,
        secrets: [...SECRET_OUTPUTS.map((k) => o[k]), ...kubeconfigCredentials(kubeconfig)].filter((v): v is string => typeof v === "string"),
    };
}
