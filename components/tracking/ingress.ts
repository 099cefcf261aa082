/**
 * The production way in: an ALB Ingress with TLS (ACM) that signs users in with OIDC before it
 * forwards to MLflow, and the Secret and RBAC the AWS Load Balancer Controller reads the OIDC
 * client credentials through.
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT } from "../cluster-services";
import { ALB_INGRESS_CLASS, albAnnotations, IngressSettings } from "../shared/ingress";
import { MLFLOW_NAME, ObjectMeta } from "./server";

/** Kubernetes Secret holding the ALB's OIDC client credentials (only with an Ingress). */
export const MLFLOW_OIDC_SECRET = "mlflow-oidc";

/** OIDC login the ALB performs before forwarding to MLflow (MLflow itself has no login then). */
export interface TrackingOidcSettings {
    /** Issuer URL (https). */
    readonly issuer: string;
    /** Authorization endpoint (https). */
    readonly authorizationEndpoint: string;
    /** Token endpoint (https). */
    readonly tokenEndpoint: string;
    /** User-info endpoint (https). */
    readonly userInfoEndpoint: string;
    /** OAuth client id. */
    readonly clientId: string;
    /** OAuth client secret (secret config); reaches the ALB controller only through a Kubernetes Secret. */
    readonly clientSecret: pulumi.Input<string>;
}

/** The production Ingress: an ALB with an ACM certificate and OIDC authentication. */
export interface TrackingIngressSettings extends IngressSettings {
    /** OIDC authentication on the ALB; required, MLflow's UI and API have no login of their own here. */
    readonly oidc: TrackingOidcSettings;
}

/** What the Ingress fronts and waits for. */
export interface TrackingIngressArgs {
    readonly settings: TrackingIngressSettings;
    /** Metadata of an object in the tracking namespace. */
    readonly meta: ObjectMeta;
    /** The tracking server's Service. */
    readonly service: k8s.core.v1.Service;
    /** The AWS Load Balancer Controller, so the ALB is deleted while it still runs. */
    readonly loadBalancerController?: pulumi.Resource;
}

/** ALB Ingress with TLS (ACM) and OIDC authentication in front of the Service. */
export function trackingIngress(name: string, parent: pulumi.Resource, { settings: s, meta, service, loadBalancerController }: TrackingIngressArgs): void {
    const oidcSecret = new k8s.core.v1.Secret(`${name}-oidc-secret`, {
        metadata: meta(MLFLOW_OIDC_SECRET),
        type: "Opaque",
        stringData: { clientID: s.oidc.clientId, clientSecret: s.oidc.clientSecret },
    }, { parent });
    // The controller's chart grants no Secret access by default (clusterSecretsPermissions off);
    // it reads only this one Secret, in this namespace.
    const reader = new k8s.rbac.v1.Role(`${name}-oidc-reader`, {
        metadata: meta("lb-controller-oidc-reader"),
        rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: [MLFLOW_OIDC_SECRET], verbs: ["get", "list", "watch"] }],
    }, { parent });
    const binding = new k8s.rbac.v1.RoleBinding(`${name}-oidc-reader`, {
        metadata: meta("lb-controller-oidc-reader"),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: reader.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT, namespace: "kube-system" }],
    }, { parent });
    new k8s.networking.v1.Ingress(`${name}-ingress`, {
        metadata: {
            ...meta(MLFLOW_NAME),
            annotations: {
                ...albAnnotations(s),
                "alb.ingress.kubernetes.io/healthcheck-path": "/health",
                "alb.ingress.kubernetes.io/auth-type": "oidc",
                "alb.ingress.kubernetes.io/auth-on-unauthenticated-request": "authenticate",
                "alb.ingress.kubernetes.io/auth-scope": "openid email",
                "alb.ingress.kubernetes.io/auth-idp-oidc": JSON.stringify({
                    issuer: s.oidc.issuer,
                    authorizationEndpoint: s.oidc.authorizationEndpoint,
                    tokenEndpoint: s.oidc.tokenEndpoint,
                    userInfoEndpoint: s.oidc.userInfoEndpoint,
                    secretName: MLFLOW_OIDC_SECRET,
                }),
            },
        },
        spec: {
            ingressClassName: s.className ?? ALB_INGRESS_CLASS,
            rules: [{
                host: s.host,
                http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: service.metadata.name, port: { name: "http" } } } }] },
            }],
        },
    }, { parent, dependsOn: [oidcSecret, binding, ...(loadBalancerController ? [loadBalancerController] : [])] });
}
