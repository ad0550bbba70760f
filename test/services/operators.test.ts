import { describe, expect, it } from "vitest";
import { parseWith } from "../../src/json-file.js";
import { findOperator, loadOperators, operatorsFileSchema, secretFromEnv, tokenEnvVar } from "../../src/services/operators.js";
import { operatorsJson } from "./fixtures.js";

const op = (name: string, members: string[], extra: Record<string, unknown> = {}) => ({ name, title: name, siren: null, espaceOperateurId: `id-${name}`, members, ...extra });

describe("operators configuration", () => {
  it("ships a valid example for the Lozère CDG48, marked as an example, with no SIREN invented", () => {
    const file = loadOperators();
    const cdg48 = findOperator(file, "CDG48");
    expect(cdg48).toMatchObject({ example: true, siren: null, espaceOperateurId: "example-cdg48-not-a-real-id" });
    expect(cdg48.members).toContain("214800955"); // Mende
    expect(file.espaceOperateur.serviceIds).toEqual({ messages: 2, fichiers: 12 });
  });

  it("names each operator's key variable, and asks for it without revealing anything", () => {
    expect(tokenEnvVar({ name: "cdg48" })).toBe("DOMAINES_EO_TOKEN_CDG48");
    expect(tokenEnvVar({ name: "sdis-2a" })).toBe("DOMAINES_EO_TOKEN_SDIS_2A");
    expect(secretFromEnv("K", "x", { K: "v" })).toBe("v");
    expect(() => secretFromEnv("K", "reading keys", {})).toThrow(/reading keys needs the environment variable K \(a secret: never put it in a file/);
  });

  it("refuses a commune in two operators, a reused name, an id that cannot go in a URL, and unknown keys such as a token", () => {
    const check = (ops: unknown[], extra: Record<string, unknown> = {}) => () => parseWith(operatorsFileSchema, { ...(operatorsJson("https://eo.example/api/v1.0", "https://m.example/api/v1.0/", ops) as object), ...extra }, "operators t.json");
    expect(check([op("a", ["214800955"]), op("b", ["214800922", "214800955"])])).toThrow(/operators.1.members: commune 214800955 is already a member of operator a/);
    expect(check([op("a", ["214800955"]), op("a", ["214800922"])])).toThrow(/"a" is also used by operator a/);
    expect(check([op("a", ["214800955"], { espaceOperateurId: "../admin" })])).toThrow(/operators.0.espaceOperateurId/);
    expect(check([op("a", ["214800955"], { token: "abc" })])).toThrow(/operators.0: Unrecognized key: "token"/);
    expect(check([op("a", ["4800955"])])).toThrow(/operators.0.members.0: a commune key/);
    // The API root gets its trailing slash (URLs are resolved against it).
    expect(check([op("a", ["214800955"])])().espaceOperateur.url).toBe("https://eo.example/api/v1.0/");
  });
});
