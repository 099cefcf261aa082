/**
 * Config keys several layers share: the platform's OIDC provider (JupyterHub's oauth sign-in, the
 * MLflow Ingress's ALB sign-in) and the HTTPS Ingress settings every exposed web UI uses.
 */
import { IngressSettings, isAcmCertificateArn } from "./ingress";
import { KeyTable, Settings } from "./settings";

export const INGRESS_KEYS = {
    oidcClientId: { type: "string", description: "OIDC client id of the platform's sign-in (JupyterHub oauth, the MLflow Ingress); register https://<host>/hub/oauth_callback and https://<host>/oauth2/idpresponse.", docs: { production: "required with `oauth`" } },
    oidcClientSecret: { type: "string", secret: true, description: "OIDC client secret (secret).", docs: { production: "required with `oauth`" } },
    oidcIssuer: { type: "string", description: "OIDC issuer URL (https); needed by the MLflow Ingress's ALB sign-in.", docs: { production: "required with `mlflowIngressHost` (https)" } },
    oidcAuthorizeUrl: { type: "string", description: "OIDC authorization endpoint (https).", docs: { production: "required with `oauth` (https)" } },
    oidcTokenUrl: { type: "string", description: "OIDC token endpoint (https).", docs: { production: "required with `oauth` (https)" } },
    oidcUserinfoUrl: { type: "string", description: "OIDC userinfo endpoint (https).", docs: { production: "required with `oauth` (https)" } },
    oidcUsernameClaim: { type: "string", description: "Userinfo claim used as the JupyterHub user name.", default: { sandbox: "email", production: "email" } },
    ingressCertificateArn: { type: "string", description: "ACM certificate ARN covering the Ingress hosts; the ALB terminates TLS with it (required with any Ingress host).", docs: { production: "required with any Ingress host (ACM)" } },
    ingressScheme: { type: "string", description: "ALB scheme of the platform's Ingresses: internal (VPC, VPN, peering) or internet-facing.", default: { sandbox: "internal", production: "internal" } },
} as const satisfies KeyTable;

export type IngressKey = keyof typeof INGRESS_KEYS;

/** The HTTPS Ingress settings shared by every web UI the platform exposes. */
export function resolveIngress(s: Settings<IngressKey>, host: string): IngressSettings {
    const certificateArn = s.str("ingressCertificateArn");
    if (certificateArn === undefined) {
        s.fail("ingressCertificateArn", undefined, `an Ingress (${host}) needs TLS: set the ACM certificate ARN that covers it`);
    }
    if (!isAcmCertificateArn(certificateArn)) {
        s.fail("ingressCertificateArn", certificateArn, "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)");
    }
    return { host, certificateArn, scheme: s.oneOf<"internal" | "internet-facing">("ingressScheme", ["internal", "internet-facing"]) };
}
