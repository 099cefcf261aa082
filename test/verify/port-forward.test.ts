/**
 * The real tunnel: `portForwardReach` against a fake API server that speaks the Kubernetes
 * port-forward WebSocket protocol (kubelet `portforward` over `v4.channel.k8s.io`: per port a data
 * and an error channel, each opened by a frame carrying the port number as two little-endian bytes,
 * then `[channel][payload]` frames both ways), forwarding to a local HTTP server as the "pod".
 */
import * as http from "http";
import * as net from "net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeFromConfig, portForwardReach } from "../../scripts/verify/kube";
import { request } from "../../scripts/verify/http";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { WebSocketServer } = require("ws");

let api: http.Server;
let app: http.Server;
let appPort: number;
const forwarded: string[] = [];

beforeAll(async () => {
    app = http.createServer((req, res) => res.end(`pod answered ${req.url}`));
    await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
    appPort = (app.address() as net.AddressInfo).port;

    const objects: Record<string, unknown> = {
        "/api/v1/namespaces/mlflow/services/mlflow": { spec: { selector: { app: "mlflow" }, ports: [{ port: 5000, targetPort: "http" }] } },
        "/api/v1/namespaces/mlflow/pods": {
            items: [{ metadata: { name: "mlflow-0" }, spec: { containers: [{ name: "c", ports: [{ name: "http", containerPort: 5000 }] }] }, status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } }],
        },
    };
    api = http.createServer((req, res) => {
        const body = objects[new URL(req.url!, "http://x").pathname];
        res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
        res.end(JSON.stringify(body ?? { kind: "Status", code: 404 }));
    });
    const wss = new WebSocketServer({ noServer: true, handleProtocols: (p: Set<string>) => (p.has("v4.channel.k8s.io") ? "v4.channel.k8s.io" : false) });
    api.on("upgrade", (req, socket, head) => {
        const url = new URL(req.url!, "http://x");
        wss.handleUpgrade(req, socket, head, (ws: any) => {
            const port = Number(url.searchParams.get("ports"));
            forwarded.push(`${url.pathname} ${port}`);
            const portBytes = Buffer.from([port & 0xff, port >> 8]);
            ws.send(Buffer.concat([Buffer.from([0]), portBytes]));
            ws.send(Buffer.concat([Buffer.from([1]), portBytes]));
            // The "pod": the port on its loopback is our local app server.
            const pod = net.connect(appPort, "127.0.0.1");
            pod.on("data", (d) => ws.send(Buffer.concat([Buffer.from([0]), d])));
            pod.on("close", () => ws.close());
            ws.on("message", (m: Buffer) => {
                if (m[0] === 0 && m.length > 1) {
                    pod.write(m.subarray(1));
                }
            });
            ws.on("close", () => pod.destroy());
        });
    });
    await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
});

afterAll(async () => {
    api.closeAllConnections();
    app.closeAllConnections();
    await Promise.all([new Promise((r) => api.close(r)), new Promise((r) => app.close(r))]);
});

describe("verify: port-forward tunnel", () => {
    it("reaches a Service's pod on its named target port through the API server, then closes", async () => {
        const address = (api.address() as net.AddressInfo).port;
        const kube = kubeFromConfig(JSON.stringify({
            clusters: [{ name: "c", cluster: { server: `http://127.0.0.1:${address}`, "insecure-skip-tls-verify": true } }],
            users: [{ name: "u", user: { token: "t" } }],
            contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
            "current-context": "x",
        }));
        const tunnel = await portForwardReach(kube).open({ namespace: "mlflow", service: "mlflow", port: 5000 });
        try {
            const r = await request(`http://${tunnel.address}/health`, { headers: { connection: "close" } });
            expect(r.status).toBe(200);
            expect(r.text).toBe("pod answered /health");
            expect(forwarded).toEqual(["/api/v1/namespaces/mlflow/pods/mlflow-0/portforward 5000"]);
        } finally {
            await tunnel.close();
        }
        await expect(request(`http://${tunnel.address}/health`, { timeoutMs: 2000 })).rejects.toThrow(/ECONNREFUSED/);
    });
});
