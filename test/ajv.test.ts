import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { compileCached, goRegExp, newAjv, parseYamlOnce } from "./ajv";

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

describe("compileCached (validators compiled once per schema across runs)", () => {
    const schema = {
        type: "object",
        properties: {
            port: { type: "integer", format: "int32" },
            at: { type: "string", format: "date-time" },
            name: { type: "string", pattern: "^(?i)[a-z]+$" },
        },
        additionalProperties: false,
    };
    const samples = [
        { port: 8080, at: "2026-11-27T15:00:00Z", name: "GPU" },
        { port: 2 ** 31, at: "yesterday", name: "gpu-1", extra: true },
    ];

    it("loads ajv's own code for the schema from the cache: same verdicts and errors as a fresh compile (formats and Go patterns included)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ajv-once-"));
        const fresh = newAjv().compile(schema);
        const first = compileCached(schema, dir);
        const [module] = fs.readdirSync(dir);
        expect(module).toMatch(/^[0-9a-f]{64}\.cjs$/);
        const cached = compileCached(schema, dir);
        expect(cached).not.toBe(first);
        const code = fs.readFileSync(path.join(dir, module), "utf8");
        expect(code).toContain("= globalThis.__mlplatformGoRegExp;");
        expect(code).toContain("globalThis.__mlplatformAjvFormats");
        for (const data of samples) {
            expect(cached(data)).toBe(fresh(data));
            expect(cached.errors).toEqual(fresh.errors);
        }
        expect(cached(samples[1])).toBe(false);
        expect(cached.errors!.map((e) => e.instancePath || e.params.additionalProperty).sort()).toEqual(["/at", "/name", "/port", "extra"]);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("compiles a changed schema again, and a module that fails to load", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ajv-once-"));
        compileCached(schema, dir);
        const narrower = compileCached({ ...schema, required: ["port"] }, dir);
        expect(fs.readdirSync(dir)).toHaveLength(2);
        expect(narrower({})).toBe(false);
        const torn = path.join(dir, fs.readdirSync(dir)[0]);
        fs.writeFileSync(torn, "module.exports = function (");
        const again = compileCached(JSON.parse(JSON.stringify(schema)), dir);
        expect(again(samples[0])).toBe(true);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
