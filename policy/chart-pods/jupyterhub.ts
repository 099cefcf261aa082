/** JupyterHub (z2jh) pods: hub, proxy, user scheduler, continuous image puller. */
import { Res } from "../checks";
import { DAEMON_SET, DEPLOYMENT, merge, workload } from "./base";

/**
 * jupyterhub (z2jh) 4.4.0 `values.yaml`, `templates/hub/deployment.yaml`, `templates/proxy/deployment.yaml`,
 * `templates/image-puller/_helpers-daemonset.tpl`. The hub runs as its own ServiceAccount (created
 * by default) and the template writes no `automountServiceAccountToken` (the token is mounted); both
 * hub probes GET /hub/health with different timing. The proxy's template writes no ServiceAccount and
 * no pod securityContext, only what `proxy.chp.extraPodSpec` adds; both probes GET /_chp_healthz on
 * `http`. The continuous puller: own ServiceAccount, no token, init containers pulling the
 * singleuser image (and the iptables image with `cloudMetadata.blockWithIptables`, default true),
 * all with `prePuller.resources`/`containerSecurityContext`, then `pause` without probes.
 * The hub's volumes: the config ConfigMap and the hub Secret (read-only by kind), `hub.extraVolumes`,
 * and with `hub.db.type: sqlite-pvc` the PVC at /srv/jupyterhub.
 * The user scheduler (`templates/scheduling/user-scheduler/deployment.yaml`, `scheduling.userScheduler`):
 * `replicas` (default 2), its own ServiceAccount and no `automountServiceAccountToken`, no pod
 * securityContext, one `kube-scheduler` container with the values' `containerSecurityContext`
 * (merged over the chart default) and `resources` (default {}: none), both probes GET /healthz on
 * 10259 over HTTPS, liveness after 15 s; then `extraPodSpec`.
 * Image tags in the chart are set by chartpress at release: 4.4.0.
 * Names: `fullnameOverride` defaults to "" (values.yaml), so resources are unprefixed
 * (`_helpers-names.tpl` jupyterhub.fullname.dash).
 */
const Z2JH_DEFAULTS = {
    hub: {
        podSecurityContext: { runAsNonRoot: true, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
        containerSecurityContext: { runAsUser: 1000, runAsGroup: 1000, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        livenessProbe: { enabled: true, initialDelaySeconds: 300, periodSeconds: 10, failureThreshold: 30, timeoutSeconds: 3 },
        readinessProbe: { enabled: true, initialDelaySeconds: 0, periodSeconds: 2, failureThreshold: 1000, timeoutSeconds: 1 },
    },
    chp: {
        containerSecurityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
        livenessProbe: { enabled: true, initialDelaySeconds: 60, periodSeconds: 10, failureThreshold: 30, timeoutSeconds: 3 },
        readinessProbe: { enabled: true, initialDelaySeconds: 0, periodSeconds: 2, failureThreshold: 1000, timeoutSeconds: 1 },
    },
    puller: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
    userScheduler: {
        replicas: 2,
        containerSecurityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
        image: "registry.k8s.io/kube-scheduler:v1.30.14",
    },
};

/** `jupyterhub.fullname.dash`: "" for the default `fullnameOverride: ""`, else `<fullname>-`. */
function z2jhPrefix(release: Res, j: any): string {
    const override = j.fullnameOverride === undefined ? "" : j.fullnameOverride;
    if (typeof override === "string") {
        return override === "" ? "" : `${override}-`;
    }
    const name = j.nameOverride || "jupyterhub";
    const rel = String(release.inputs.name ?? "jupyterhub");
    return `${rel.includes(name) ? rel : `${rel}-${name}`}-`;
}

/** A z2jh probe: the template fixes the handler, the values give timing or turn it off. */
function z2jhProbe(defaults: object, p: any, path: string) {
    const m = merge(defaults, p);
    if (m.enabled === false) {
        return undefined;
    }
    const { enabled: _enabled, ...timing } = m;
    return { ...timing, httpGet: { path, port: "http" } };
}

export function jupyterHubPods(release: Res, j: any): Res[] {
    const namespace = String(release.inputs.namespace ?? "");
    const fullname = (role: string) => `${z2jhPrefix(release, j)}${role}`;
    const h = j.hub ?? {};
    const base = String(h.baseUrl ?? "/").replace(/\/$/, "");
    const pvc = (h.db?.type ?? "sqlite-pvc") === "sqlite-pvc";
    const out = [workload(release, "hub", namespace, 1, {
        serviceAccountName: (h.serviceAccount?.create ?? true) ? (h.serviceAccount?.name ?? "hub") : h.serviceAccount?.name,
        securityContext: merge(Z2JH_DEFAULTS.hub.podSecurityContext, h.podSecurityContext),
        initContainers: h.initContainers ?? [],
        volumes: [
            { name: "config", configMap: { name: fullname("hub") } },
            { name: "secret", secret: { secretName: fullname("hub") } },
            ...(h.extraVolumes ?? []),
            ...(pvc ? [{ name: "pvc", persistentVolumeClaim: { claimName: fullname("hub-db-dir") } }] : []),
        ],
        containers: [{
            name: "hub",
            image: `quay.io/jupyterhub/k8s-hub:${h.image?.tag ?? "4.4.0"}`,
            securityContext: merge(Z2JH_DEFAULTS.hub.containerSecurityContext, h.containerSecurityContext),
            volumeMounts: [
                { mountPath: "/usr/local/etc/jupyterhub/jupyterhub_config.py", subPath: "jupyterhub_config.py", name: "config" },
                { mountPath: "/usr/local/etc/jupyterhub/z2jh.py", subPath: "z2jh.py", name: "config" },
                { mountPath: "/usr/local/etc/jupyterhub/config/", name: "config" },
                { mountPath: "/usr/local/etc/jupyterhub/secret/", name: "secret" },
                ...(h.extraVolumeMounts ?? []),
                ...(pvc ? [{ mountPath: "/srv/jupyterhub", name: "pvc" }] : []),
            ],
            resources: h.resources,
            livenessProbe: z2jhProbe(Z2JH_DEFAULTS.hub.livenessProbe, h.livenessProbe, `${base}/hub/health`),
            readinessProbe: z2jhProbe(Z2JH_DEFAULTS.hub.readinessProbe, h.readinessProbe, `${base}/hub/health`),
        }, ...(h.extraContainers ?? [])],
    }, DEPLOYMENT)];
    const c = j.proxy?.chp ?? {};
    out.push(workload(release, "proxy", namespace, 1, {
        containers: [{
            name: "chp",
            image: `quay.io/jupyterhub/configurable-http-proxy:${c.image?.tag ?? "5.2.0"}`,
            securityContext: merge(Z2JH_DEFAULTS.chp.containerSecurityContext, c.containerSecurityContext),
            resources: c.resources,
            livenessProbe: z2jhProbe(Z2JH_DEFAULTS.chp.livenessProbe, c.livenessProbe, "/_chp_healthz"),
            readinessProbe: z2jhProbe(Z2JH_DEFAULTS.chp.readinessProbe, c.readinessProbe, "/_chp_healthz"),
        }],
        ...(c.extraPodSpec ?? {}),
    }, DEPLOYMENT));
    const u = j.scheduling?.userScheduler ?? {};
    if (u.enabled ?? true) {
        const healthz = { httpGet: { path: "/healthz", scheme: "HTTPS", port: 10259 } };
        const ownAccount = u.serviceAccount?.create ?? true;
        out.push(workload(release, "user-scheduler", namespace, u.replicas ?? Z2JH_DEFAULTS.userScheduler.replicas, {
            serviceAccountName: u.serviceAccount?.name || (ownAccount ? fullname("user-scheduler") : "default"),
            volumes: [{ name: "config", configMap: { name: fullname("user-scheduler") } }],
            containers: [{
                name: "kube-scheduler",
                image: u.image?.name && u.image?.tag ? `${u.image.name}:${u.image.tag}` : Z2JH_DEFAULTS.userScheduler.image,
                volumeMounts: [{ mountPath: "/etc/user-scheduler", name: "config" }],
                livenessProbe: { ...healthz, initialDelaySeconds: 15 },
                readinessProbe: healthz,
                resources: u.resources,
                securityContext: merge(Z2JH_DEFAULTS.userScheduler.containerSecurityContext, u.containerSecurityContext),
            }],
            ...(u.extraPodSpec ?? {}),
        }, DEPLOYMENT));
    }
    const p = j.prePuller ?? {};
    if (p.continuous?.enabled ?? true) {
        const s = j.singleuser ?? {};
        const context = merge(Z2JH_DEFAULTS.puller, p.containerSecurityContext);
        const pull = (name: string, image: string) => ({ name, image, securityContext: context, resources: p.resources });
        const iptables = (s.cloudMetadata?.blockWithIptables ?? true) && s.cloudMetadata?.enabled !== true;
        out.push(workload(release, "continuous-image-puller", namespace, 1, {
            serviceAccountName: fullname("continuous-image-puller"),
            automountServiceAccountToken: false,
            initContainers: [
                ...(iptables ? [pull("image-pull-metadata-block", "quay.io/jupyterhub/k8s-network-tools:4.4.0")] : []),
                pull("image-pull-singleuser", `${s.image?.name}:${s.image?.tag}`),
                ...[...(s.initContainers ?? []), ...(s.extraContainers ?? [])].map((x: any, k: number) => pull(`image-pull-singleuser-init-and-extra-containers-${k}`, x.image)),
                ...((p.pullProfileListImages ?? true) ? (s.profileList ?? []).filter((x: any) => x.kubespawner_override?.image).map((x: any, k: number) => pull(`image-pull-singleuser-profilelist-${k}`, x.kubespawner_override.image)) : []),
                ...Object.entries(p.extraImages ?? {}).map(([k, x]: [string, any]) => pull(`image-pull-${k}`, `${x.name}:${x.tag}`)),
            ],
            containers: [{ name: "pause", image: "registry.k8s.io/pause:3.10.1", securityContext: merge(Z2JH_DEFAULTS.puller, p.pause?.containerSecurityContext), resources: p.resources }],
        }, DAEMON_SET));
    }
    return out;
}
