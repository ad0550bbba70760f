import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "domaines-communes-"));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}
const base = { typeLiaison: 0, zone: "metro", arrondissement: "481", region: "76", rangChefLieu: 0, codesPostaux: ["48000"], population: 100 };

describe("--communes FILE replaces the bundled data", () => {
  it("computes homonyms over the given file only", () => {
    const path = file("small.json", [
      { ...base, code: "48001", nom: "Alpha", departement: "48", type: "commune-actuelle", siren: "200000001" },
      { ...base, code: "12001", nom: "Alpha", departement: "12", type: "commune-actuelle", siren: "200000002" },
      { ...base, code: "48002", nom: "Mende", departement: "48", type: "commune-actuelle", siren: "200000003" },
      { code: "48003", nom: "Old", departement: "48", region: "76", type: "commune-deleguee", chefLieu: "48002" },
    ]);
    const r = runCli(["names", "--communes", path, "--json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { insee: string; label: string }[];
    expect(rows.map((x) => [x.insee, x.label])).toEqual([
      ["48001", "alpha-48"],
      ["12001", "alpha-12"],
      ["48002", "mende"],
    ]);
  });

  it.each([
    ["not JSON", "{", /is not valid JSON/],
    ["not an array", { a: 1 }, /must hold a JSON array/],
    ["bad INSEE code", [{ ...base, code: "4800", nom: "X", departement: "48", type: "commune-actuelle", siren: "200000001" }], /record #0 \(code "4800"\): code: an INSEE code/],
    ["unexpected type", [{ ...base, code: "48001", nom: "X", departement: "48", type: "commune-fantome" }], /record #0 \(code "48001"\): type/],
    ["bad SIREN", [{ ...base, code: "48001", nom: "X", departement: "48", type: "commune-actuelle", siren: "12" }], /siren: 9 digits/],
    ["negative population", [{ ...base, code: "48001", nom: "X", departement: "48", type: "commune-actuelle", population: -1 }], /population/],
    [
      "duplicate SIREN",
      [
        { ...base, code: "48001", nom: "X", departement: "48", type: "commune-actuelle", siren: "200000001" },
        { ...base, code: "48002", nom: "Y", departement: "48", type: "commune-actuelle", siren: "200000001" },
      ],
      /key 200000001 is held by both 48001 and 48002/,
    ],
  ])("refuses %s with exit 2 and names the record", (_what, content, message) => {
    const r = runCli(["names", "--communes", file(`bad-${Math.random()}.json`, content)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
