import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCommunes } from "../../src/communes/load.js";
import { indexLedger } from "../../src/ledger/entries.js";
import { readLedgerLines, validateLedgerDir } from "../../src/ledger/store.js";
import { loadReservedLabels } from "../../src/naming/reserved.js";
import { burner } from "../support/burner.js";
import { ROOT, runCli, runCliAsync, type CliResult } from "../support/cli.js";

/**
 * Writers contending for a full ledger, as real processes: two long ones (`cog-sync
 * --apply` from COG 2022 to 2026 over 35,000 labels, `allocate --all`) and three short
 * ones (`onboard`, `offboard`), started at random offsets, beside two CPU-bound
 * neighbours, with a 2 s lease (DOMAINES_LOCK_STALE_MS, the shortest allowed). A live
 * holder is never taken for dead: every command exits 0 and has its effect, and the
 * ledger validates after every round. DOMAINES_CONTENTION_ROUNDS lowers the round count
 * for a quick local run; CI runs the 50.
 */
const ROUNDS = Number(process.env.DOMAINES_CONTENTION_ROUNDS ?? 50);
const COG2022 = join(ROOT, "node_modules/cog2022/data/communes.json");
const env = { DOMAINES_LOCK_STALE_MS: "2000" };
const work = mkdtempSync(join(tmpdir(), "domaines-contention-"));
const reserved = loadReservedLabels();
const communes = loadCommunes().communes;
let base: string;

// Lozère communes enrolled in the base ledger (offboarded during a round) and not (onboarded).
const ENROLLED = ["214800955", "214800922"]; // Mende, Marvejols
const NEWCOMERS = ["214800807", "214801409"]; // Langogne, Saint-Chély-d'Apcher

beforeAll(() => {
  base = join(work, "base");
  mkdirSync(base);
  expect(runCli(["allocate", "--all", "--communes", COG2022, "--ledger", base, "--actor", "setup"]).code).toBe(0);
  for (const key of ENROLLED) expect(runCli(["onboard", key, "--services", "messages", "--ledger", base, "--actor", "setup"]).code).toBe(0);
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CogReport {
  mergers: { absorbed: { label: string }; successor: { key: string }; outcome: "inherited" | "alias" }[];
  tombstones: { labels: string[] }[];
  renames: { commune: { key: string; name: string } }[];
}

describe("contention on a full ledger: long and short writers, CPU-bound neighbours, a short lease", () => {
  it(`every command that exits 0 has its effect, and the ledger validates, in ${ROUNDS} rounds`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = join(work, `round-${round}`);
      cpSync(base, dir, { recursive: true });
      const burners = [burner(), burner()];
      try {
        const start = (args: string[]) => sleep(Math.random() * 3000).then(() => runCliAsync([...args, "--ledger", dir, "--actor", `round-${round}`, "--json"], { env }));
        const [sync, all, on1, on2, off]: CliResult[] = await Promise.all([
          start(["cog-sync", "--apply"]),
          start(["allocate", "--all"]),
          start(["onboard", NEWCOMERS[0]!, "--services", "messages"]),
          start(["onboard", NEWCOMERS[1]!, "--services", "fichiers"]),
          start(["offboard", ENROLLED[round % 2]!]),
        ]);
        for (const [name, r] of Object.entries({ sync, all, on1, on2, off })) expect(r!.code, `round ${round} ${name}: ${r!.stderr}`).toBe(0);

        const entries = readLedgerLines(dir).map((n) => n.entry);
        const index = indexLedger(entries);
        // cog-sync: every merger, tombstone and rename it reported is in the ledger.
        const report = JSON.parse(sync!.stdout) as CogReport;
        expect(report.mergers.length, `round ${round}`).toBeGreaterThan(100);
        for (const m of report.mergers) {
          const e = index.byLabel.get(m.absorbed.label)!;
          if (m.outcome === "inherited") expect(e, m.absorbed.label).toMatchObject({ state: "allocated", key: m.successor.key });
          else expect(e, m.absorbed.label).toMatchObject({ state: "alias", aliasOf: m.successor.key });
        }
        for (const t of report.tombstones) for (const l of t.labels) expect(index.byLabel.get(l)?.state, l).toBe("tombstone");
        for (const r of report.renames) expect(index.primaryByKey.get(r.commune.key)?.nameHistory.at(-1)?.name, r.commune.key).toBe(r.commune.name);
        // allocate --all: every commune it allocated holds that label; every current commune holds one (whichever ran first).
        const allocated = JSON.parse(all!.stdout) as { communes: { key: string; label: string; status: string }[] };
        for (const c of allocated.communes) expect(index.primaryByKey.get(c.key)?.label, c.key).toBe(c.label);
        for (const c of communes) expect(index.primaryByKey.has(c.key), c.key).toBe(true);
        // the short writers
        expect(Object.keys(index.primaryByKey.get(NEWCOMERS[0]!)!.services)).toEqual(["messages"]);
        expect(Object.keys(index.primaryByKey.get(NEWCOMERS[1]!)!.services)).toEqual(["fichiers"]);
        expect(index.primaryByKey.get(ENROLLED[round % 2]!)!.services).toEqual({});
        expect(Object.keys(index.primaryByKey.get(ENROLLED[(round + 1) % 2]!)!.services)).toEqual(["messages"]);
        expect(validateLedgerDir(dir, reserved), `round ${round}`).toMatchObject({ ok: true, problems: [], note: null });
      } finally {
        for (const b of burners) b.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 3_600_000);
});
