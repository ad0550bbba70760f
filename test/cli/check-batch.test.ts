import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

describe("check --stdin: many queries in one process", () => {
  const dir = mkdtempSync(join(tmpdir(), "domaines-check-batch-"));
  const env = { DOMAINES_LEDGER: dir };
  beforeAll(() => {
    expect(runCli(["allocate", "Mende", "saint-denis-93", "--actor", "test"], { env }).code).toBe(0);
    expect(runCli(["onboard", "Mende", "--services", "messages", "--actor", "test"], { env }).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const queries = ["mende", "saint-denis", "214800955", "saint-denis-93.collectivite.fr", "zzzz-nowhere", "Saint-Rémy"];

  it("answers each query exactly as a single check does, one JSON object per line", () => {
    const batch = runCli(["check", "--stdin", "--json"], { env, input: `${queries.join("\n")}\n\n` });
    const lines = batch.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(queries.length);
    for (const [i, q] of queries.entries()) {
      const single = runCli(["check", q, "--json"], { env });
      expect(lines[i], q).toEqual(JSON.parse(single.stdout));
    }
    // zzzz-nowhere matches nothing: the worst exit code is 1.
    expect(batch.code).toBe(1);
    expect(lines[0].matches[0].ledger).toMatchObject({ state: "allocated", label: "mende", services: ["messages"] });
  });

  it("reports a bad query as a JSON error line and goes on; exit 2", () => {
    const r = runCli(["check", "--stdin", "--json"], { env, input: "m\u0435nde\nmende\n" });
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ query: "m\u0435nde", error: { exitCode: 2 } });
    expect(lines[0].error.message).toMatch(/Cyrillic/);
    expect(lines[1].matches[0].insee).toBe("48095");
    expect(r.code).toBe(2);
  });

  it("refuses a query argument together with --stdin, and neither", () => {
    expect(runCli(["check", "mende", "--stdin"], { env, input: "" }).code).toBe(2);
    const r = runCli(["check"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/one query argument, or --stdin/);
  });
});
