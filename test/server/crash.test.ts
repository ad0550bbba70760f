import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCommunes } from "../../src/communes/load.js";
import { runCli } from "../support/cli.js";
import { createToken, fixture, startServer } from "./support/server.js";

const TRIALS = 30;
const WRITERS = 4;

/**
 * kill -9 of the server at a random moment while writes are in flight, 30 times on the same
 * ledger: after each, `validate` passes (the invariants, and the ledger equals its audit log
 * replayed), and every write the server acknowledged is in the ledger.
 */
describe("kill -9 of the server during writes", () => {
  const lozere = loadCommunes().communes.filter((c) => c.departement === "48" && c.siren !== null);
  const setup = fixture([{ name: "cdg48", members: lozere.map((c) => c.key) }]);
  afterAll(() => rmSync(dirname(setup.ledger), { recursive: true, force: true }));

  it(`leaves a ledger that validates and equals its audit log, ${TRIALS} times out of ${TRIALS}`, async () => {
    const admin = createToken(setup, ["--role", "admin"]).token;
    let seed = 48;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    // Per commune, the states the ledger may hold (enrolled in messages or not): the last
    // acknowledged one, plus any sent since and not acknowledged (in flight at a kill).
    const possible = new Map<string, Set<boolean>>(lozere.map((c) => [c.key, new Set([false])]));
    let acknowledged = 0;
    const refusals: string[] = [];
    let killedDuringWrites = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      // A killed server leaves the ledger lock behind: the next writer takes it over once stale
      // (the shortest staleness the store allows, to keep 30 trials short).
      const server = await startServer({ ...setup, args: ["--rate-limit", "100000"], env: { DOMAINES_LOCK_STALE_MS: "2000" } });
      let stop = false;
      let done = 0;
      // Each writer has its own communes, so that one commune's writes are never concurrent.
      const writer = async (w: number) => {
        const mine = lozere.filter((_, i) => i % WRITERS === w);
        while (!stop) {
          const c = mine[Math.floor(random() * mine.length)]!;
          const enrol = random() < 0.7;
          possible.get(c.key)!.add(enrol);
          let status: number;
          try {
            const res = await fetch(`${server.url}/api/v1/communes/${c.key}/services/messages`, { method: enrol ? "PUT" : "DELETE", headers: { authorization: `Bearer ${admin}` } });
            await res.text();
            status = res.status;
          } catch {
            return; // the server is gone
          }
          if (status >= 300) refusals.push(`${enrol ? "PUT" : "DELETE"} ${c.key}: ${status}`);
          else {
            possible.set(c.key, new Set([enrol]));
            acknowledged++;
          }
          done++;
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
      // Let some writes land, then kill at a random instant.
      while (done < 3) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, Math.floor(random() * 150)));
      await server.kill();
      stop = true;
      await Promise.all(writers);
      killedDuringWrites++;

      const v = runCli(["validate", "--ledger", setup.ledger, "--json"]);
      expect(v.stdout, `trial ${trial}: ${v.stderr}`).not.toBe("");
      const report = JSON.parse(v.stdout) as { ok: boolean; problems: string[] };
      expect(report.problems, `trial ${trial}`).toEqual([]);
      expect(report.ok).toBe(true);
      expect(v.code).toBe(0);
    }
    expect(killedDuringWrites).toBe(TRIALS);
    // Every acknowledged write survived; a write in flight at a kill may or may not have landed.
    const entries = readFileSync(join(setup.ledger, "ledger.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { state: string; key: string; services?: Record<string, unknown> });
    const enrolled = new Map(entries.filter((e) => e.state === "allocated").map((e) => [e.key, e.services?.messages !== undefined]));
    const lost = lozere.filter((c) => !possible.get(c.key)!.has(enrolled.get(c.key) ?? false)).map((c) => c.key);
    expect(lost).toEqual([]);
    expect(refusals).toEqual([]);
    expect(acknowledged).toBeGreaterThanOrEqual(3 * TRIALS);
  }, 900_000);
});
