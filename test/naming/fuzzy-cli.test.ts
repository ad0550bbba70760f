import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

describe("check offers the closest communes when nothing matches", () => {
  const dir = mkdtempSync(join(tmpdir(), "domaines-suggest-"));
  const env = { DOMAINES_LEDGER: dir };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("--json: a suggestions field, each name with its communes and labels", () => {
    const r = runCli(["check", "Lhay les roses", "--json"], { env });
    expect(r.code).toBe(1);
    const answer = JSON.parse(r.stdout);
    expect(answer.matches).toEqual([]);
    expect(answer.suggestions[0]).toEqual({
      name: "L'Haÿ-les-Roses",
      match: "spelling",
      edits: 0,
      communes: [{ key: "219400389", name: "L'Haÿ-les-Roses", departement: "94", insee: "94038", siren: "219400389", label: "l-hay-les-roses" }],
    });
  });

  it("in words: the names and the labels they give, after the answer", () => {
    const r = runCli(["check", "Sant-Denis (93)"], { env });
    expect(r.code).toBe(1);
    const lines = r.stdout.split("\n");
    const at = lines.indexOf("Closest communes:");
    expect(at).toBeGreaterThan(0);
    // The homonym group as one line, the commune of the département given first.
    expect(lines[at + 1]).toBe("  Saint-Denis (93) → saint-denis-93; Saint-Denis (974) → saint-denis-974; Saint-Denis (11) → saint-denis-11; Saint-Denis (30) → saint-denis-30");
    expect(r.stderr).toMatch(/no current or former commune matches/);
  });

  it("nothing extra when the query matches, and no suggestion for a code", () => {
    const found = JSON.parse(runCli(["check", "Mende", "--json"], { env }).stdout);
    expect(found).not.toHaveProperty("suggestions");
    const code = runCli(["check", "99999", "--json"], { env });
    expect(code.code).toBe(1);
    expect(JSON.parse(code.stdout).suggestions).toEqual([]);
  });
});
