/**
 * The Kubernetes side of `verify`: API clients from the stack's kubeconfig (@kubernetes/client-node,
 * which runs the kubeconfig's `aws eks get-token` exec plugin like kubectl does), and port-forwards
 * to Services.
 *
 * Why port-forwards: the platform's NetworkPolicies admit Prometheus, Alertmanager, Elasticsearch and
 * JupyterHub traffic only from named namespaces, so the API server's service proxy (whose traffic
 * comes from the control plane's ENIs in the VPC) is refused by design. A port-forward enters the
 * pod's network namespace through the kubelet and connects to the port on the pod's loopback
 * interface, which NetworkPolicies do not filter: it works with the policies as deployed, exactly
 * as the README's port-forward commands do for users.
 */
import * as net from "net";
import * as k8s from "@kubernetes/client-node";
import { ServiceTarget } from "./targets";

export interface Kube {
    readonly config: k8s.KubeConfig;
    readonly core: k8s.CoreV1Api;
    readonly apps: k8s.AppsV1Api;
    readonly batch: k8s.BatchV1Api;
    readonly authz: k8s.AuthorizationV1Api;
}

/** API clients for a kubeconfig given as text (YAML or JSON, as the stack output holds it). */
export function kubeFromConfig(kubeconfig: string): Kube {
    const config = new k8s.KubeConfig();
    config.loadFromString(kubeconfig);
    return {
        config,
        core: config.makeApiClient(k8s.CoreV1Api),
        apps: config.makeApiClient(k8s.AppsV1Api),
        batch: config.makeApiClient(k8s.BatchV1Api),
        authz: config.makeApiClient(k8s.AuthorizationV1Api),
    };
}

/** An open path to a Service: `host:port` on loopback. */
export interface Tunnel {
    readonly address: string;
    close(): Promise<void>;
}

/** Opens tunnels to Services. */
export interface Reach {
    open(target: ServiceTarget): Promise<Tunnel>;
}

/** True when a pod is Running with every container ready. */
export function podReady(p: k8s.V1Pod): boolean {
    return p.status?.phase === "Running" && (p.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/**
 * Resolves a Service port to a ready pod and the container port behind it, as `kubectl port-forward
 * svc/...` does (kubectl `pkg/cmd/portforward`: the Service's `targetPort`, by number or by the
 * container port's name).
 */
export async function resolveServicePort(kube: Kube, t: ServiceTarget): Promise<{ pod: string; port: number }> {
    const svc = await kube.core.readNamespacedService({ name: t.service, namespace: t.namespace });
    const sp = (svc.spec?.ports ?? []).find((p) => p.port === t.port);
    if (sp === undefined) {
        throw new Error(`Service ${t.namespace}/${t.service} has no port ${t.port}`);
    }
    const selector = Object.entries(svc.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
    if (selector === "") {
        throw new Error(`Service ${t.namespace}/${t.service} has no selector`);
    }
    const pods = await kube.core.listNamespacedPod({ namespace: t.namespace, labelSelector: selector });
    const pod = pods.items.find(podReady);
    if (pod === undefined) {
        throw new Error(`no ready pod behind Service ${t.namespace}/${t.service} (${pods.items.length} selected)`);
    }
    const target = sp.targetPort ?? sp.port;
    let port: number | undefined;
    if (typeof target === "number" || /^\d+$/.test(String(target))) {
        port = Number(target);
    } else {
        port = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []).find((p) => p.name === target)?.containerPort;
    }
    if (port === undefined) {
        throw new Error(`pod ${pod.metadata?.name} has no container port named ${target}`);
    }
    return { pod: pod.metadata!.name!, port };
}

/** Port-forwards through the API server, one WebSocket per TCP connection (client-node PortForward). */
export function portForwardReach(kube: Kube): Reach {
    const forward = new k8s.PortForward(kube.config);
    return {
        async open(t) {
            const { pod, port } = await resolveServicePort(kube, t);
            const sockets = new Set<net.Socket>();
            const server = net.createServer((socket) => {
                sockets.add(socket);
                socket.on("close", () => sockets.delete(socket));
                forward.portForward(t.namespace, pod, [port], socket, null, socket).catch((e) => socket.destroy(e));
            });
            await new Promise<void>((resolve, reject) => server.listen(0, "127.0.0.1", resolve).on("error", reject));
            const local = (server.address() as net.AddressInfo).port;
            return {
                address: `127.0.0.1:${local}`,
                close: () =>
                    new Promise<void>((resolve) => {
                        sockets.forEach((s) => s.destroy());
                        server.close(() => resolve());
                    }),
            };
        },
    };
}

/** Opens a tunnel for the duration of `use`, closing it afterwards whatever happens. */
export async function withTunnel<T>(reach: Reach, t: ServiceTarget, use: (address: string) => Promise<T>): Promise<T> {
    const tunnel = await reach.open(t);
    try {
        return await use(tunnel.address);
    } finally {
        await tunnel.close();
    }
}

/** HTTP status of a client-node ApiException, or undefined for other errors. */
export function apiStatus(e: unknown): number | undefined {
    const code = (e as { code?: unknown })?.code;
    return typeof code === "number" ? code : undefined;
}

/** Deletes, treating "already gone" (404) as success: cleanups must be safe to run twice. */
export async function deleteIgnoringMissing(fn: () => Promise<unknown>): Promise<void> {
    try {
        await fn();
    } catch (e) {
        if (apiStatus(e) !== 404) {
            throw e;
        }
    }
}
