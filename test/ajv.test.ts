import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { goRegExp, newAjv, parseYamlOnce } from "./ajv";

describe("ajv for Kubernetes schemas", () => {
    it("turns Go's leading (?i) into the i flag, after an anchor too", () => {
        const re = goRegExp("^(?i)[a-z]([-a-z0-9]*[a-z0-9])?$", "u");
        expect(re.flags).toContain("i");
        expect(re.test("GPU-flavor")).toBe(true);
        expect(re.test("-bad")).toBe(false);
        expect(goRegExp("^[a-z]+$", "u").test("ABC")).toBe(false);
    });

    it("knows the Kubernetes integer formats instead of warning about them", () => {
        const validate = newAjv().compile({ type: "object", properties: { port: { type: "integer", format: "int32" } } });
        expect(validate({ port: 8080 })).toBe(true);
        expect(validate({ port: 2 ** 31 })).toBe(false);
    });
});

describe("parseYamlOnce (CRD documents cached across runs)", () => {
    it("gives the parsed document, from the cache once it is written, and parses an edited file again", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "yaml-once-"));
        const cache = path.join(dir, "cache");
        const file = path.join(dir, "crd.yaml");
        fs.writeFileSync(file, "spec:\n  names: {kind: Widget}\n  versions: [{name: v1, served: true}]\n");
        const first = parseYamlOnce(file, cache);
        expect(first).toEqual({ spec: { names: { kind: "Widget" }, versions: [{ name: "v1", served: true }] } });
        const [json] = fs.readdirSync(cache);
        expect(json).toMatch(/^[0-9a-f]{64}\.json$/);
        // Read from the cache: what the cache file says is what comes back.
        fs.writeFileSync(path.join(cache, json), JSON.stringify({ from: "cache" }));
        expect(parseYamlOnce(file, cache)).toEqual({ from: "cache" });
        // A torn cache file is parsed again.
        fs.writeFileSync(path.join(cache, json), "{\"spe");
        expect(parseYamlOnce(file, cache)).toEqual(first);
        // An edited file is another key.
        fs.writeFileSync(file, "spec:\n  names: {kind: Gadget}\n");
        expect(parseYamlOnce(file, cache)).toEqual({ spec: { names: { kind: "Gadget" } } });
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("does not cache a document JSON would change (a YAML timestamp is a Date, JSON would make it a string)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "yaml-once-"));
        const file = path.join(dir, "doc.yaml");
        fs.writeFileSync(file, "when: !!timestamp 2026-11-27\n");
        expect(parseYamlOnce(file, path.join(dir, "cache")).when).toBeInstanceOf(Date);
        expect(fs.existsSync(path.join(dir, "cache"))).toBe(false);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
