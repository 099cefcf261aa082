import { ALB_INGRESS_CLASS, albAnnotations, IngressSettings } from "../shared/ingress";

/**
 * z2jh `ingress` values: an ALB in front of the proxy, or none.
 * A spawn may now wait ~10 minutes behind the ALB (idle timeout 60 s by default) and CHP
 * (z2jh 4.4.0 `templates/proxy/deployment.yaml` passes no --timeout): neither cuts it, as the
 * spawn page's progress stream writes a keepalive every 8 s (jupyterhub 5.5.0
 * `apihandlers/users.py` SpawnProgressAPIHandler.keepalive_interval) and the hub redirects
 * to that page at once (z2jh `slow_spawn_timeout: 0`).
 */
export function ingressValues(ingress: IngressSettings | undefined) {
    return ingress
        ? {
              enabled: true,
              ingressClassName: ingress.className ?? ALB_INGRESS_CLASS,
              // The ALB terminates TLS with the ACM certificate; the tls entry names the host it covers.
              annotations: albAnnotations(ingress),
              hosts: [ingress.host],
              tls: [{ hosts: [ingress.host] }],
          }
        : { enabled: false };
}
