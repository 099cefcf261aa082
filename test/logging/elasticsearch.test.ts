/** Elasticsearch through ECK (components/logging/elasticsearch.ts): operator, users and roles, the cluster, Kibana, its NetworkPolicy. */
import { describe, expect, it } from "vitest";
import { esRolesYaml, FLUENTD_ROLE } from "../../components/logging/elasticsearch";
import { LOGGING_VERSIONS } from "../../components/shared/versions";
import { HAS_SHARED, invalidObjects } from "../k8s-schema";
import { allRecords, byType, one } from "../mocks";
import { build, PRESETS, secretAt, T } from "./harness";

describe("Elasticsearch users", () => {
    it("gives Fluentd's role only writes to the data stream and cluster monitor", () => {
        const roles = JSON.parse(esRolesYaml());
        expect(roles[FLUENTD_ROLE]).toEqual({
            cluster: ["monitor"],
            indices: [{ names: ["logs-k8s-*"], privileges: ["create_doc", "create_index", "view_index_metadata", "auto_configure"] }],
        });
    });
});

describe.each(PRESETS)("Elasticsearch (%s preset)", (env, args) => {
    const prod = env === "production";

    it("pins the ECK operator chart and limits it to the logging namespace", async () => {
        await build(args);
        const rel = one(T.release, "logging-eck-operator");
        expect(rel.inputs).toMatchObject({ chart: "eck-operator", version: LOGGING_VERSIONS.eckOperatorChart.version, repositoryOpts: { repo: "https://helm.elastic.co" }, namespace: "elastic-system" });
        expect(rel.inputs.values.managedNamespaces).toEqual(["logging"]);
        expect(rel.inputs.values.resources).toEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi", cpu: null } });
        expect(one(T.ns, "logging-operator-ns").inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
        const es = one(T.es, "logging-elasticsearch");
        expect(es.dependencies).toContain(rel.urn);
    });

    it("declares Elasticsearch per preset: version, nodes, disks, deletion policy, zone spread", async () => {
        await build(args);
        const spec = one(T.es, "logging-elasticsearch").inputs.spec;
        expect(spec.version).toBe(LOGGING_VERSIONS.elasticsearch);
        expect(spec.volumeClaimDeletePolicy).toBe(prod ? "DeleteOnScaledownOnly" : "DeleteOnScaledownAndClusterDeletion");
        expect(spec.auth).toEqual({ fileRealm: [{ secretName: "logs-fluentd-user" }, { secretName: "logs-es-exporter-user" }], roles: [{ secretName: "logs-roles" }] });
        // The platform CA's certificate (certificates.ts), so Fluentd can trust it from its own namespace.
        expect(spec.http).toEqual({ tls: { certificate: { secretName: "logs-es-http-cert" } } });
        const [set] = spec.nodeSets;
        expect(set.count).toBe(args.elasticsearchNodes);
        expect(set.config).toEqual({ "node.store.allow_mmap": false });
        expect(set.volumeClaimTemplates).toEqual([{
            metadata: { name: "elasticsearch-data" },
            spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: `${args.elasticsearchStorageGiB}Gi` } } },
        }]);
        const c = set.podTemplate.spec.containers[0];
        expect(c.resources).toEqual({ requests: { cpu: "500m", memory: args.elasticsearchMemory }, limits: { memory: args.elasticsearchMemory } });
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, privileged: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
        expect(set.podTemplate.spec.topologySpreadConstraints).toEqual(prod
            ? [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { "elasticsearch.k8s.elastic.co/cluster-name": "logs" } } }]
            : undefined);
    });


    it("lets only clients, monitoring and the operator reach Elasticsearch", async () => {
        await build(args);
        const np = one(T.np, "logging-elasticsearch").inputs.spec;
        expect(np.podSelector).toEqual({ matchLabels: { "elasticsearch.k8s.elastic.co/cluster-name": "logs" } });
        expect(np.ingress[0].ports).toEqual([{ protocol: "TCP", port: 9200 }]);
        expect(np.ingress[0].from).toContainEqual({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "elastic-system" } } });
        expect(np.ingress[0].from).toContainEqual({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } });
        expect(np.ingress[1]).toEqual({ ports: [{ protocol: "TCP", port: 9300 }], from: [{ podSelector: { matchLabels: { "elasticsearch.k8s.elastic.co/cluster-name": "logs" } } }] });
        // Fluentd's pods, in their own namespace: a podSelector alone would match only pods in logging.
        expect(np.ingress[0].from).toContainEqual({
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "fluentd" } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "fluentd", "app.kubernetes.io/instance": "logging" } },
        });
        // Every pod selector in the policy matches a pod the component declares in the namespace it
        // names (logging when none), or ECK's Kibana pods.
        const pods = allRecords().filter((r) => r.inputs.spec?.template?.metadata?.labels).map((r) => ({ ns: r.inputs.metadata.namespace, labels: r.inputs.spec.template.metadata.labels }));
        for (const from of np.ingress[0].from.filter((f: any) => f.podSelector && !f.podSelector.matchLabels["kibana.k8s.elastic.co/name"])) {
            const ns = from.namespaceSelector?.matchLabels["kubernetes.io/metadata.name"] ?? "logging";
            expect(pods.some((p) => p.ns === ns && Object.entries(from.podSelector.matchLabels).every(([k, x]) => p.labels[k] === x)), JSON.stringify(from)).toBe(true);
        }
        // The logging namespace's own allow for Fluentd: Elasticsearch's HTTP port only.
        expect(one(T.np, "logging-ns-allow-fluentd").inputs.spec).toEqual({
            podSelector: { matchLabels: { "elasticsearch.k8s.elastic.co/cluster-name": "logs" } },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "fluentd" } } }], ports: [{ protocol: "TCP", port: 9200 }] }],
        });
    });


    it.skipIf(!HAS_SHARED)("validates the Elasticsearch and Kibana objects against ECK's CRD schemas (NOT RUN when ../shared is absent)", async () => {
        await build(args);
        expect(await invalidObjects(allRecords())).toEqual([]);
    });

});

describe("secrets stay secret", () => {
    it("marks the Fluentd and exporter passwords secret in their Secrets", async () => {
        await build();
        const s = byType(T.secret).filter((x) => x.inputs.type === "kubernetes.io/basic-auth");
        expect(s).toHaveLength(2);
        for (const x of s) {
            expect(secretAt(x, "stringData.password"), x.name).toBe(true);
        }
    });
});
