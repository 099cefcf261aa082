/**
 * Elasticsearch's HTTP certificate from the platform CA (components/logging/certificates.ts), and
 * the Secret shape ECK 3.5.0 accepts for `spec.http.tls.certificate`.
 */
import { createHash } from "crypto";
import { describe, expect, it } from "vitest";
import { CERT_EARLY_RENEWAL_HOURS, CERT_VALIDITY_HOURS, httpCertDnsNames } from "../../components/logging/certificates";
import { allRecords, byType, one } from "../mocks";
import { build, secretAt, T } from "./harness";

const TLS = {
    key: "tls:index/privateKey:PrivateKey",
    ca: "tls:index/selfSignedCert:SelfSignedCert",
    csr: "tls:index/certRequest:CertRequest",
    cert: "tls:index/locallySignedCert:LocallySignedCert",
} as const;

/**
 * ECK 3.5.0's reading of a custom certificate Secret (cloud-on-k8s v3.5.0
 * pkg/controller/common/certificates/secret.go `parse`, `HasCAPrivateKey`, `parseCustomCA`;
 * http_reconcile.go `populateFromCustomCertificateContents`): with `ca.key` the Secret is a CA
 * for ECK to sign with and `tls.*` is an error; otherwise `tls.key` and `tls.crt` are required;
 * without `ca.crt` ECK puts its own CA (which signed nothing) where clients look for one.
 */
function eckCustomCertProblems(data: Record<string, unknown>): string[] {
    if ("ca.key" in data) {
        return "tls.key" in data || "tls.crt" in data ? ["cannot specify tls.key or tls.crt when ca.key is set"] : ["a CA for ECK to sign with, not a certificate"];
    }
    return [
        ...("tls.key" in data ? [] : ["can't find private key tls.key"]),
        ...("tls.crt" in data ? [] : ["can't find certificate tls.crt"]),
        ...("ca.crt" in data ? [] : ["no ca.crt: ECK publishes its own self-signed CA, which clients cannot verify the certificate with"]),
    ];
}

describe("the HTTP certificate", () => {
    it("is signed by a platform CA for every name clients and the operator use", async () => {
        await build();
        expect(byType(TLS.key).map((k) => [k.name, k.inputs.algorithm, k.inputs.ecdsaCurve])).toEqual([["logging-ca-key", "ECDSA", "P256"], ["logging-http-key", "ECDSA", "P256"]]);
        const ca = one(TLS.ca, "logging-ca").inputs;
        expect(ca).toMatchObject({ isCaCertificate: true, allowedUses: ["cert_signing", "crl_signing"], privateKeyPem: "-----BEGIN PRIVATE KEY-----mock-logging-ca-key" });
        const csr = one(TLS.csr, "logging-http-csr").inputs;
        expect(csr.privateKeyPem).toBe("-----BEGIN PRIVATE KEY-----mock-logging-http-key");
        expect(csr.dnsNames).toEqual(httpCertDnsNames("logging"));
        // Fluentd, the Job and the exporter connect to logs-es-http.logging.svc and verify the host name.
        expect(csr.dnsNames).toContain("logs-es-http.logging.svc");
        expect(csr.dnsNames).toContain("logs-es-internal-http.logging.svc");
        const cert = one(TLS.cert, "logging-http-cert").inputs;
        expect(cert).toMatchObject({
            certRequestPem: "-----BEGIN CERTIFICATE REQUEST-----mock-logging-http-csr",
            caPrivateKeyPem: "-----BEGIN PRIVATE KEY-----mock-logging-ca-key",
            caCertPem: "-----BEGIN CERTIFICATE-----mock-logging-ca",
            allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
            validityPeriodHours: CERT_VALIDITY_HOURS,
            earlyRenewalHours: CERT_EARLY_RENEWAL_HOURS,
        });
        expect(CERT_EARLY_RENEWAL_HOURS).toBeLessThan(CERT_VALIDITY_HOURS / 4);
    });

    it("reaches ECK as a Secret it accepts, with the server key secret and the CA certificate beside it", async () => {
        await build();
        const s = one(T.secret, "logging-http-cert");
        expect(s.inputs.metadata).toMatchObject({ name: "logs-es-http-cert", namespace: "logging" });
        expect(s.inputs.type).toBe("kubernetes.io/tls");
        expect(s.inputs.stringData).toEqual({
            "tls.crt": "-----BEGIN CERTIFICATE-----mock-logging-http-cert",
            "tls.key": "-----BEGIN PRIVATE KEY-----mock-logging-http-key",
            "ca.crt": "-----BEGIN CERTIFICATE-----mock-logging-ca",
        });
        expect(secretAt(s, "stringData.tls.key")).toBe(true);
        expect(eckCustomCertProblems(s.inputs.stringData)).toEqual([]);
        // Elasticsearch is created (and, on destroy, deleted) with its certificate Secret in place.
        expect(one(T.es, "logging-elasticsearch").dependencies).toContain(s.urn);
    });

    it.each<[string, (d: Record<string, unknown>) => void, RegExp]>([
        ["without ca.crt", (d) => delete d["ca.crt"], /ECK publishes its own self-signed CA/],
        ["without tls.key", (d) => delete d["tls.key"], /tls\.key/],
        ["with the CA's key beside the certificate", (d) => { d["ca.key"] = "k"; }, /cannot specify tls\.key or tls\.crt/],
    ])("would be refused or mis-published by ECK %s", async (_label, fn, message) => {
        await build();
        const data = { ...one(T.secret, "logging-http-cert").inputs.stringData };
        fn(data);
        expect(eckCustomCertProblems(data).join("; ")).toMatch(message);
    });

    it("never puts the CA's private key into the cluster", async () => {
        await build();
        const caKey = "-----BEGIN PRIVATE KEY-----mock-logging-ca-key";
        const k8sObjects = allRecords().filter((r) => r.type.startsWith("kubernetes:"));
        for (const r of k8sObjects) {
            expect(JSON.stringify(r.inputs).includes(caKey), `${r.type} ${r.name}`).toBe(false);
        }
        // And no private key at all outside a Secret.
        for (const r of k8sObjects.filter((x) => x.type !== T.secret)) {
            expect(JSON.stringify(r.inputs).includes("PRIVATE KEY"), `${r.type} ${r.name}`).toBe(false);
        }
    });

    it("rolls the exporter, which reads the CA once at start, when the CA changes", async () => {
        await build();
        const hash = createHash("sha256").update("-----BEGIN CERTIFICATE-----mock-logging-ca").digest("hex").slice(0, 16);
        expect(one(T.deploy, "logging-exporter").inputs.spec.template.metadata.annotations).toEqual({ "mlplatform.io/ca-hash": hash });
    });
});
