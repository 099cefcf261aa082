import { describe, expect, it } from "vitest";
import { HAS_JUPYTERHUB_SCHEMA, jupyterHubValuesErrors, mergeHelmValues } from "../helm-values";
import { build, PRODUCTION, SANDBOX, values } from "./fixtures";

describe("Helm values against the z2jh 4.4.0 schema", () => {
    it("merges like Helm: maps merge, lists and scalars replace, null deletes", () => {
        expect(mergeHelmValues({ a: { b: 1, c: [1, 2], d: "x" }, e: 1 }, { a: { c: [3], d: null, f: true }, e: 2 })).toEqual({ a: { b: 1, c: [3], f: true }, e: 2 });
        expect(mergeHelmValues({ a: { b: 1 } }, { a: "scalar" })).toEqual({ a: "scalar" });
        expect(mergeHelmValues({ a: 1 }, undefined)).toEqual({ a: 1 });
    });

    it.skipIf(!HAS_JUPYTERHUB_SCHEMA)("sandbox and production values validate after merging with chart defaults (NOT RUN when ../shared is absent)", async () => {
        for (const args of [SANDBOX, PRODUCTION]) {
            await build(args);
            expect(jupyterHubValuesErrors(values())).toEqual([]);
        }
    });

    it.skipIf(!HAS_JUPYTERHUB_SCHEMA)("the schema refuses a misspelt key (NOT RUN when ../shared is absent)", async () => {
        await build();
        const v = JSON.parse(JSON.stringify(values()));
        v.singleuser.cloudMetaData = { blockWithIptables: false };
        expect(jupyterHubValuesErrors(v).join("\n")).toMatch(/cloudMetaData/);
    });
});
