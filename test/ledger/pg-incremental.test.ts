import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainesError } from "../../src/errors.js";
import { openLedgerStore } from "../../src/ledger/open.js";
import type { LedgerStore } from "../../src/ledger/ledger-store.js";
import type { LedgerEntry } from "../../src/ledger/schema.js";
import { migratedDatabase, psqlAt, usePostgres, type PgCluster } from "../support/postgres.js";
import { cli } from "./support/ledger-dir.js";

/**
 * The PostgreSQL store checks a long-lived process's writes incrementally (the whole ledger
 * once, then each change alone, src/ledger/incremental.ts). What others write in between,
 * from another process or by hand with psql, must reach that check: a stale index would
 * let a write through that the whole check refuses.
 */
const cluster = usePostgres();
let c: PgCluster;
let url: string;
let store: LedgerStore;
beforeAll(async () => {
  c = await cluster();
  url = migratedDatabase(c);
  expect(cli(url, ["allocate", "Langogne"]).code).toBe(0);
  store = openLedgerStore(url);
});
afterAll(async () => {
  await store?.close();
});

const meta = { actor: "test", command: "test write" };

/** A valid change: Langogne enrolled in Messages, or taken out of it. */
async function toggleLangogne(): Promise<void> {
  await store.transact(meta, (entries) => {
    const e = entries.find((x) => x.label === "langogne")!;
    const updatedAt = new Date(Date.parse(e.updatedAt) + 1000).toISOString();
    const services: LedgerEntry["services"] = Object.keys(e.services).length === 0 ? { messages: { enrolledAt: updatedAt, quotas: {} } } : {};
    return { put: [{ ...e, services, updatedAt }], result: null };
  });
}

/** The error a write of `put` (built from the current entries) fails with. */
async function refusal(put: (entries: readonly LedgerEntry[]) => LedgerEntry[]): Promise<DomainesError> {
  const err = await store.transact(meta, (entries) => ({ put: put(entries), result: null })).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainesError);
  return err as DomainesError;
}

describe("a long-lived PostgreSQL store checks each change against what others wrote", () => {
  it("sees a label another process allocated: a second label for that commune is refused by the code, not by the database's constraint", async () => {
    await toggleLangogne(); // the first write checks the whole ledger
    await toggleLangogne(); // later ones the change alone
    expect(cli(url, ["allocate", "Mende"]).code).toBe(0);
    const err = await refusal((entries) => {
      const mende = entries.find((x) => x.label === "mende")!;
      return [{ ...mende, label: "mende-deux" }];
    });
    expect(err.code).toBe("refused");
    expect(err.message).toMatch(/the ledger would break its invariants:\n {2}key \d+ already holds the allocated label "mende"; a commune has one primary label/);
    await toggleLangogne();
  });

  it("after a hand change that breaks a rule, its next write is refused with the whole ledger's problem, as a new process's is", async () => {
    await toggleLangogne();
    psqlAt(url, `BEGIN; UPDATE domaines.ledger_head SET revision = revision + 1;
      INSERT INTO domaines.audit_log (tx, kind, seq, "of", time, actor, command, label, before, after) VALUES ('hand', 'change', 0, 1, '2026-01-01T00:00:00.000Z', 'hand', 'psql', 'ancienne', NULL,
        '{"label":"ancienne","state":"alias","key":"200000001","aliasOf":"999999999","allocatedAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}');
      INSERT INTO domaines.ledger_entries (label, entry, revision) VALUES ('ancienne',
        '{"label":"ancienne","state":"alias","key":"200000001","aliasOf":"999999999","allocatedAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}', (SELECT revision FROM domaines.ledger_head)); COMMIT;`);
    const err = await refusal((entries) => {
      const e = entries.find((x) => x.label === "langogne")!;
      return [{ ...e, updatedAt: new Date(Date.parse(e.updatedAt) + 1000).toISOString() }];
    });
    expect(err.code).toBe("refused");
    expect(err.message).toMatch(/the ledger would break its invariants:\n {2}label "ancienne": alias of 999999999, which holds no allocated label/);
    const fresh = cli(url, ["allocate", "Florac Trois Rivières", "--json"]);
    expect(fresh.code).toBe(1);
    expect(fresh.stdout).toContain('label \\"ancienne\\": alias of 999999999, which holds no allocated label');
  });

  it("a database restored from a backup: the process forgets what it had read of the history that was undone", async () => {
    const own = migratedDatabase(c);
    const db = new URL(own).pathname.slice(1);
    expect(cli(own, ["allocate", "Langogne"]).code).toBe(0);
    // The backup: a copy of the database as it is now (no session may be connected to copy it).
    c.psql(`CREATE DATABASE ${db}_backup TEMPLATE ${db}`);
    const reader = openLedgerStore(own);
    try {
      expect(cli(own, ["allocate", "Chanac"]).code).toBe(0);
      expect((await reader.read()).map((e) => e.label)).toContain("chanac");
      // Restored: Chanac's allocation is undone, then the restored history moves on to the same revision.
      c.psql(`DROP DATABASE ${db} WITH (FORCE)`);
      c.psql(`CREATE DATABASE ${db} TEMPLATE ${db}_backup OWNER domaines`);
      const afterRestore = await reader.read().catch(async () => reader.read()); // the pool's connection was cut once
      expect(afterRestore.map((e) => e.label)).not.toContain("chanac");
      expect(cli(own, ["allocate", "Marvejols"]).code).toBe(0);
      const labels = (await reader.read()).map((e) => e.label);
      expect(labels).toContain("marvejols");
      expect(labels).not.toContain("chanac");
    } finally {
      await reader.close();
    }
  });
});
