/**
 * Elasticsearch's HTTP certificate, issued by a platform CA instead of ECK's self-signed one, so
 * a client outside the logging namespace (Fluentd, in a namespace of its own: checklist NS-10)
 * can be given the CA certificate by the program. The CA's private key lives only in Pulumi's
 * state (a secret); the cluster gets the CA certificate and the server's key pair.
 *
 * ECK 3.5.0 takes the certificate from `spec.http.tls.certificate.secretName`, a Secret in the
 * Elasticsearch namespace holding `tls.crt` (the certificate or a chain), `tls.key` (its private
 * key) and optionally `ca.crt` (cloud-on-k8s v3.5.0 pkg/apis/common/v1/common.go `TLSOptions`;
 * pkg/controller/common/certificates/secret.go `parse`: tls.key and tls.crt required, ca.crt
 * parsed when present). With `ca.crt` present ECK copies it into `<name>-es-http-certs-public`
 * (certificates/http_reconcile.go `populateFromCustomCertificateContents`,
 * `ReconcilePublicHTTPCerts`), and the operator's own client trusts `tls.crt` + `ca.crt`
 * (elasticsearch/certificates/reconcile.go `CertChain`) without checking the host name
 * (common/http/http_client.go, `VerifyCertificateExceptServerName`). Without `ca.crt` ECK would
 * put its own CA there, which signs nothing: so `ca.crt` is always written. ECK watches the Secret
 * (http_reconcile.go `ReconcileCustomCertWatch`) and Elasticsearch hot-reloads a changed certificate
 * without a restart (elasticsearch/certificates/reconcile.go: "ES is able to hot-reload TLS
 * certificates").
 */
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { standardLabels } from "../shared/labels";
import { IssuedCertificate, NAMESPACES } from "../shared/platform";
import { ES_NAME } from "./client";

/** The Secret with Elasticsearch's HTTP certificate (`spec.http.tls.certificate.secretName`). */
export const HTTP_CERT_SECRET = `${ES_NAME}-es-http-cert`;
/** Hours the CA is valid: ten years; replacing it means re-trusting every client. */
export const CA_VALIDITY_HOURS = 10 * 365 * 24;
/** Hours the server certificate is valid: one year. */
export const CERT_VALIDITY_HOURS = 365 * 24;
/**
 * Hours before expiry from which `pulumi up` replaces the server certificate: 30 days. The tls
 * provider marks the certificate `ready_for_renewal` in that window and its plan modifier turns
 * that into a replacement (terraform-provider-tls resource_locally_signed_cert.go `ModifyPlan` ->
 * `modifyPlanIfCertificateReadyForRenewal`, vendored in pulumi/pulumi-terraform-bridge
 * pkg/pf/tests/internal/tlsshim; @pulumi/tls 5.6.1 locallySignedCert.d.ts `earlyRenewalHours`).
 * ECK watches the Secret and Elasticsearch reloads the new certificate without a restart.
 */
export const CERT_EARLY_RENEWAL_HOURS = 30 * 24;

/** The DNS names clients use: the HTTP Service in every form, and the operator's internal Service. */
export function httpCertDnsNames(namespace: string): string[] {
    return [`${ES_NAME}-es-http`, `${ES_NAME}-es-internal-http`].flatMap((svc) => [svc, `${svc}.${namespace}`, `${svc}.${namespace}.svc`, `${svc}.${namespace}.svc.cluster.local`]);
}

/** What {@link httpCertificate} built. */
export interface HttpCertificate {
    /** The CA certificate (public) clients verify Elasticsearch against. */
    readonly caCertPem: pulumi.Output<string>;
    /** The Secret ECK reads. */
    readonly secret: k8s.core.v1.Secret;
    /** The server certificate, for the expiry alert (monitoring). */
    readonly issued: IssuedCertificate;
}

/** The platform CA, Elasticsearch's server key and certificate, and the Secret ECK reads. */
export function httpCertificate(name: string, parent: pulumi.Resource, namespace: pulumi.Input<string>): HttpCertificate {
    const subject = { organization: "mlplatform" };
    const caKey = new tls.PrivateKey(`${name}-ca-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent });
    const ca = new tls.SelfSignedCert(`${name}-ca`, {
        privateKeyPem: caKey.privateKeyPem,
        subject: { ...subject, commonName: "mlplatform logging CA" },
        isCaCertificate: true,
        validityPeriodHours: CA_VALIDITY_HOURS,
        allowedUses: ["cert_signing", "crl_signing"],
    }, { parent });
    const key = new tls.PrivateKey(`${name}-http-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent });
    const csr = new tls.CertRequest(`${name}-http-csr`, {
        privateKeyPem: key.privateKeyPem,
        subject: { ...subject, commonName: `${ES_NAME}-es-http.${NAMESPACES.logging}.svc` },
        dnsNames: httpCertDnsNames(NAMESPACES.logging),
    }, { parent });
    const cert = new tls.LocallySignedCert(`${name}-http-cert`, {
        certRequestPem: csr.certRequestPem,
        caPrivateKeyPem: caKey.privateKeyPem,
        caCertPem: ca.certPem,
        validityPeriodHours: CERT_VALIDITY_HOURS,
        earlyRenewalHours: CERT_EARLY_RENEWAL_HOURS,
        allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
    }, { parent });
    const secret = new k8s.core.v1.Secret(`${name}-http-cert`, {
        metadata: { name: HTTP_CERT_SECRET, namespace, labels: standardLabels("elasticsearch", "certificate", name) },
        type: "kubernetes.io/tls",
        stringData: { "tls.crt": cert.certPem, "tls.key": pulumi.secret(key.privateKeyPem), "ca.crt": ca.certPem },
    }, { parent });
    // The CA (ten years) outlives any stack this version of the program runs; the server certificate
    // is the one a forgotten stack lets expire, and then Fluentd and the exporter stop trusting Elasticsearch.
    return { caCertPem: ca.certPem, secret, issued: { name: "elasticsearch-http", notAfter: cert.validityEndTime, renewalWindowHours: CERT_EARLY_RENEWAL_HOURS } };
}
