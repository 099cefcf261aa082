import { describe, expect, it } from "vitest";
import { goRegExp, newAjv } from "./ajv";

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
