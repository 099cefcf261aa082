/**
 * How the platform exposes a web UI in production: an Ingress served by the AWS Load Balancer
 * Controller (an ALB) with an ACM certificate. One shape for JupyterHub and MLflow, so both are
 * configured (and checked) the same way.
 */

/** An HTTPS Ingress in front of one Service. */
export interface IngressSettings {
    /** Host name, e.g. "notebooks.example.com". */
    readonly host: string;
    /** ACM certificate ARN covering `host`; the ALB terminates TLS with it. */
    readonly certificateArn: string;
    /**
     * ALB scheme: `internal` (reachable from the VPC and peered networks/VPN) or `internet-facing`.
     * @default "internal"
     */
    readonly scheme?: "internal" | "internet-facing";
    /** IngressClass. @default "alb" */
    readonly className?: string;
}

/** IngressClass of the AWS Load Balancer Controller. */
export const ALB_INGRESS_CLASS = "alb";

const HOST = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;

/** True for a fully qualified DNS name (what an Ingress host must be). */
export const isIngressHost = (host: string): boolean => HOST.test(host);
/** True for an ACM certificate ARN (what the ALB terminates TLS with). */
export const isAcmCertificateArn = (arn: string): boolean => ACM_ARN.test(arn);

/** Validates one {@link IngressSettings}; `arg` prefixes the error (e.g. "ingress"). */
export function validateIngress(arg: string, s: IngressSettings): void {
    if (!HOST.test(s.host)) {
        throw new Error(`${arg}.host (${s.host}) must be a fully qualified DNS name such as notebooks.example.com`);
    }
    if (!ACM_ARN.test(s.certificateArn)) {
        throw new Error(`${arg}.certificateArn (${s.certificateArn}) must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)`);
    }
    if (s.scheme !== undefined && s.scheme !== "internal" && s.scheme !== "internet-facing") {
        throw new Error(`${arg}.scheme (${s.scheme}) must be internal or internet-facing`);
    }
}

/**
 * ALB annotations: HTTPS only (port 443, a TLS 1.2+ policy), the ACM certificate, pod IPs as
 * targets (no NodePort), and the scheme. Without a port 80 listener there is no plain-HTTP path.
 *
 * @see https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/
 */
export function albAnnotations(s: IngressSettings): Record<string, string> {
    return {
        "alb.ingress.kubernetes.io/scheme": s.scheme ?? "internal",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/listen-ports": JSON.stringify([{ HTTPS: 443 }]),
        "alb.ingress.kubernetes.io/certificate-arn": s.certificateArn,
        "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    };
}

/** True when an Ingress's annotations and spec terminate TLS (ALB certificate or a TLS Secret). */
export function ingressHasTls(annotations: Record<string, string> | undefined, tls: { secretName?: string; hosts?: string[] }[] | undefined): boolean {
    const alb = annotations?.["alb.ingress.kubernetes.io/certificate-arn"] !== undefined
        && !/"HTTP"\s*:/.test(annotations?.["alb.ingress.kubernetes.io/listen-ports"] ?? "\"HTTP\":");
    const secret = (tls ?? []).length > 0 && (tls ?? []).every((t) => !!t.secretName && (t.hosts ?? []).length > 0);
    return alb || secret;
}
