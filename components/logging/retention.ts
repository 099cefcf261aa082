/**
 * Retention: the ILM policy, the index template and the data stream, installed by a Job (no
 * manual steps) that re-runs whenever what it installs changes.
 */
import { createHash } from "crypto";
import * as k8s from "../shared/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { selectorLabels, standardLabels } from "../shared/labels";
import { resources, restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../shared/security-context";
import { LOGGING_VERSIONS } from "../shared/versions";
import { caMount, caVolume, DATA_STREAM, ELASTIC_USER_SECRET, ES_CA_DIR, ILM_POLICY_NAME, TEMPLATE_NAME } from "./client";

/** UID the curl image runs as (`curl_user`). */
const CURL_UID = 100;
const ILM_APP = "elasticsearch-ilm";

/**
 * ILM policy body (`PUT _ilm/policy/logs-k8s`): roll over daily or at `rolloverGiB` per primary
 * shard, delete backing indices `retentionDays` after rollover.
 * @see https://www.elastic.co/docs/manage-data/lifecycle/index-lifecycle-management
 */
export function ilmPolicyBody(retentionDays: number, rolloverGiB: number) {
    return {
        policy: {
            _meta: { managed_by: "mlplatform (pulumi)" },
            phases: {
                hot: { min_age: "0ms", actions: { rollover: { max_age: "1d", max_primary_shard_size: `${rolloverGiB}gb` } } },
                delete: { min_age: `${retentionDays}d`, actions: { delete: {} } },
            },
        },
    };
}

/**
 * Composable index template body (`PUT _index_template/logs-k8s`) for the data stream. Priority 500
 * beats Elasticsearch's built-in `logs` template (priority 100 on `logs-*-*`).
 */
export function indexTemplateBody(replicas: number) {
    return {
        index_patterns: [`${TEMPLATE_NAME}-*`],
        data_stream: {},
        priority: 500,
        template: {
            settings: {
                "index.lifecycle.name": ILM_POLICY_NAME,
                "index.number_of_shards": 1,
                "index.number_of_replicas": replicas,
            },
            // Pod labels and annotations are free-form, and many charts set both `app` and
            // `app.kubernetes.io/name`: with dynamic mapping Elasticsearch expands the dots, `app`
            // must be text and an object at once, and the whole document is rejected. Flattened
            // fields keep every key searchable without mapping each one.
            mappings: {
                properties: {
                    kubernetes: {
                        properties: {
                            labels: { type: "flattened" },
                            annotations: { type: "flattened" },
                        },
                    },
                },
            },
        },
        _meta: { managed_by: "mlplatform (pulumi)" },
    };
}

/** Rollover size per primary shard: a fifth of a node's disk, 1..50 GiB. */
export function rolloverGiB(storageGiB: number): number {
    return Math.max(1, Math.min(50, Math.floor(storageGiB / 5)));
}

/** Where the ILM Job mounts the `elastic` user's password (ECK's `<name>-es-elastic-user` Secret, key `elastic`). */
export const ILM_PASSWORD_FILE = "/etc/es-user/elastic";

/**
 * Shell script the ILM job runs (POSIX sh in the curl image); no secrets in it, and none on curl's
 * command line (checklist SEC-01): curl reads the password file into a variable itself and expands
 * it into `--user` in-process (`--variable name@file`, `--expand-user`, curl >= 8.3.0,
 * curl/curl `docs/cmdline-opts/variable.md`), so `/proc/<pid>/cmdline` shows only `{{espw}}`.
 */
export function ilmInstallScript(esUrl: string): string {
    return [
        "#!/bin/sh",
        "# Installs the ILM policy, the index template and the data stream. Idempotent.",
        "set -eu",
        `ES='${esUrl}'`,
        `CA='${ES_CA_DIR}/ca.crt'`,
        `es() { curl -sS --cacert "$CA" --variable 'espw@${ILM_PASSWORD_FILE}' --expand-user 'elastic:{{espw}}' -H 'Content-Type: application/json' -o /tmp/body -w '%{http_code}' "$@" || true; }`,
        "until [ \"$(es \"$ES/_cluster/health?wait_for_status=yellow&timeout=30s\")\" = 200 ]; do echo 'waiting for Elasticsearch'; sleep 10; done",
        "put() { code=$(es -X PUT \"$ES/$1\" --data-binary \"@$2\"); cat /tmp/body; echo; case \"$code\" in 2*) ;; *) echo \"PUT $1: HTTP $code\"; exit 1 ;; esac; }",
        `put '_ilm/policy/${ILM_POLICY_NAME}' /etc/ilm/ilm-policy.json`,
        `put '_index_template/${TEMPLATE_NAME}' /etc/ilm/index-template.json`,
        `code=$(es -X PUT "$ES/_data_stream/${DATA_STREAM}")`,
        "case \"$code\" in 2*) ;; 400) grep -q resource_already_exists_exception /tmp/body || { cat /tmp/body; exit 1; } ;; *) cat /tmp/body; exit 1 ;; esac",
        "echo done",
        "",
    ].join("\n");
}


/** Labels selecting the retention Job's pods (Elasticsearch's NetworkPolicy admits them). */
export const retentionSelector = (name: string) => selectorLabels(ILM_APP, name);

/** What {@link retentionJob} needs. */
export interface RetentionArgs {
    /** Namespace of Elasticsearch. */
    readonly namespace: pulumi.Input<string>;
    /** Elasticsearch's HTTPS URL. */
    readonly esUrl: string;
    /** Days logs are kept. */
    readonly retentionDays: number;
    /** Elasticsearch nodes (replicas when 3 or more). */
    readonly elasticsearchNodes: number;
    /** Volume per node, GiB (sets the rollover size). */
    readonly elasticsearchStorageGiB: number;
    /** The ECK operator (its CRDs come with it). */
    readonly operator: pulumi.Resource;
    /**
     * The Elasticsearch resource the Job configures: ECK makes the `elastic` user Secret the Job
     * mounts from it, and the Job polls its health before it writes. The edge states that wait in the
     * graph, where the benchmark's critical path reads it (scripts/bench-critical-path.ts READY_AFTER_CREATE).
     */
    readonly elasticsearch: pulumi.Resource;
}

/** The ConfigMap with the documents and script, the Job's ServiceAccount and the Job. */
export function retentionJob(name: string, parent: pulumi.Resource, a: RetentionArgs): k8s.batch.v1.Job {
    const namespace = a.namespace;
    const replicas = a.elasticsearchNodes >= 3 ? 1 : 0;
    const ilmData = {
        "ilm-policy.json": JSON.stringify(ilmPolicyBody(a.retentionDays, rolloverGiB(a.elasticsearchStorageGiB)), null, 2),
        "index-template.json": JSON.stringify(indexTemplateBody(replicas), null, 2),
        "install.sh": ilmInstallScript(a.esUrl),
    };
    const ilmLabels = standardLabels(ILM_APP, "retention", name);
    const ilmConfig = new k8s.core.v1.ConfigMap(`${name}-ilm`, {
        metadata: { namespace, labels: ilmLabels },
        data: ilmData,
    }, { parent });
    // ServiceAccounts and RBAC objects carry fixed names (the namespace is fixed too) so pods and bindings can name them.
    const ilmSa = new k8s.core.v1.ServiceAccount(`${name}-ilm`, {
        metadata: { name: ILM_APP, namespace, labels: ilmLabels },
        automountServiceAccountToken: false,
    }, { parent });
    const ilmHash = createHash("sha256").update(JSON.stringify(ilmData)).digest("hex").slice(0, 16);
    return new k8s.batch.v1.Job(`${name}-ilm`, {
        metadata: {
            namespace,
            labels: ilmLabels,
            // First install waits for Elasticsearch to come up.
            annotations: { "pulumi.com/timeoutSeconds": "1800" },
        },
        spec: {
            backoffLimit: 6,
            activeDeadlineSeconds: 1800,
            // No ttlSecondsAfterFinished: a Job the cluster deletes by itself would differ from
            // Pulumi's state, and the next refresh would recreate it.
            template: {
                // A changed policy changes the template, so Pulumi replaces the Job and it runs again.
                metadata: { labels: ilmLabels, annotations: { "mlplatform.io/config-hash": ilmHash } },
                spec: {
                    restartPolicy: "OnFailure",
                    serviceAccountName: ilmSa.metadata.name,
                    automountServiceAccountToken: false,
                    securityContext: restrictedPodSecurityContext(CURL_UID),
                    containers: [{
                        name: "install",
                        image: LOGGING_VERSIONS.curlImage,
                        command: ["/bin/sh", "/etc/ilm/install.sh"],
                        securityContext: restrictedContainerSecurityContext(),
                        resources: resources("10m", "32Mi", "64Mi"),
                        volumeMounts: [
                            caMount,
                            { name: "ilm", mountPath: "/etc/ilm", readOnly: true },
                            { name: "tmp", mountPath: "/tmp" },
                            { name: "es-user", mountPath: ILM_PASSWORD_FILE.replace(/\/[^/]+$/, ""), readOnly: true },
                        ],
                    }],
                    volumes: [
                        caVolume,
                        { name: "ilm", configMap: { name: ilmConfig.metadata.name } },
                        { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
                        // The password as a file, read by curl itself (SEC-01).
                        { name: "es-user", secret: { secretName: ELASTIC_USER_SECRET, items: [{ key: "elastic", path: "elastic" }], defaultMode: 0o440 } },
                    ],
                },
            },
        },
    }, { parent, dependsOn: [a.operator, a.elasticsearch] });
}
