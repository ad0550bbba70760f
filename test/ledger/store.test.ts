import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Commune } from "../../src/communes/schema.js";
import { DomainesError } from "../../src/errors.js";
import { homonymReservation, newAllocatedEntry } from "../../src/ledger/entries.js";
import type { LedgerStore } from "../../src/ledger/ledger-store.js";
import { openLedgerStore } from "../../src/ledger/open.js";
import type { LedgerEntry } from "../../src/ledger/schema.js";
import { loadReservedLabels } from "../../src/naming/reserved.js";
import { ledgerBackends, type LedgerTarget } from "./support/backends.js";
import { auditRecords, snapshotFiles } from "./support/ledger-dir.js";

/**
 * The LedgerStore contract, through the library, on both stores: the same transactions
 * give the same entries, the same audit records (but for their ids and times), the same
 * validation report and the same refusals.
 */
const NOW = "2026-01-01T00:00:00.000Z";
const commune = (key: string, insee: string, name: string): Commune => ({ key, siren: key, insee, name, departement: insee.slice(0, 2), region: null, population: null, postalCodes: [] });
const ALPHA = commune("200000001", "48001", "Alpha");
const BRAVO = commune("200000002", "48002", "Bravo");
const meta = { actor: "test", command: "store test" };
const reserved = loadReservedLabels();

async function refusal(p: Promise<unknown>): Promise<DomainesError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainesError);
  return err as DomainesError;
}

/** What both stores must agree on, from one store after the sequence below. */
interface Outcome {
  entries: LedgerEntry[];
  audit: Record<string, unknown>[];
  report: Omit<Awaited<ReturnType<LedgerStore["validate"]>>, "ledger">;
}
const outcomes = new Map<string, Outcome>();

describe.each(ledgerBackends())("the $name store", (backend) => {
  let target: LedgerTarget;
  let store: LedgerStore;
  beforeAll(async () => {
    target = await backend.create();
    store = openLedgerStore(target.location);
  });
  afterAll(async () => {
    await store.close();
    target.remove();
  });

  it("a transaction writes its entries and one audit record per change, and answers with its changes and tx id", async () => {
    const alpha = newAllocatedEntry(ALPHA, "alpha", NOW);
    const india = homonymReservation("india", NOW);
    const u = await store.transact(meta, (entries) => ({ put: entries.length === 0 ? [india, alpha] : [], result: entries.length }));
    expect(u.result).toBe(0);
    expect(u.tx).toMatch(/^\d{4}-\d\d-\d\dT.*Z-[0-9a-f]{8}$/);
    expect(u.changes.map((c) => [c.label, c.before, c.after?.state])).toEqual([["india", null, "reserved"], ["alpha", null, "allocated"]]);
    expect((await store.read()).map((e) => e.label)).toEqual(["alpha", "india"]);
    expect(auditRecords(target.location).map((a) => [a.tx, a.seq, a.of, a.label])).toEqual([[u.tx, 0, 2, "india"], [u.tx, 1, 2, "alpha"]]);
  });

  it("a transaction that changes nothing writes nothing and has no tx id", async () => {
    const before = snapshotFiles(target.location);
    const u = await store.transact(meta, (entries) => ({ put: [entries.find((e) => e.label === "alpha")!], result: "same" }));
    expect(u).toEqual({ result: "same", changes: [], tx: null });
    expect(snapshotFiles(target.location)).toEqual(before);
  });

  it("refuses a forbidden transition, a broken invariant, and a failing function, writing nothing", async () => {
    const before = snapshotFiles(target.location);
    const alpha = (await store.read()).find((e) => e.label === "alpha")!;
    const passed = await refusal(store.transact(meta, () => ({ put: [{ ...alpha, key: BRAVO.key }], result: null })));
    expect(passed.code).toBe("refused");
    expect(passed.message).toMatch(/label "alpha" would pass from 200000001 to 200000002; a label passes only to its holder's legal successor/);
    const second = await refusal(store.transact(meta, () => ({ put: [newAllocatedEntry(ALPHA, "alpha-48", NOW)], result: null })));
    expect(second.code).toBe("refused");
    expect(second.message).toMatch(/key 200000001 already holds the allocated label "alpha"; a commune has one primary label/);
    await expect(store.transact(meta, () => {
      throw new Error("the function failed");
    })).rejects.toThrow("the function failed");
    expect(snapshotFiles(target.location)).toEqual(before);
  });

  it("tombstones are never reused", async () => {
    const bravo = newAllocatedEntry(BRAVO, "bravo", NOW);
    await store.transact(meta, () => ({ put: [bravo], result: null }));
    await store.transact(meta, () => ({ put: [{ ...bravo, state: "tombstone", tombstonedAt: NOW }], result: null }));
    const before = snapshotFiles(target.location);
    const revived = await refusal(store.transact(meta, () => ({ put: [bravo], result: null })));
    expect(revived.message).toMatch(/label "bravo" is a tombstone since 2026-01-01T00:00:00.000Z; tombstones are never reused/);
    expect(snapshotFiles(target.location)).toEqual(before);
  });

  it("readMentioning finds entries by label, key or aliasOf only", async () => {
    const alias = { ...newAllocatedEntry(BRAVO, "bravo-ancien", NOW), state: "alias" as const, aliasOf: ALPHA.key };
    await store.transact(meta, () => ({ put: [alias], result: null }));
    expect((await store.readMentioning(["india"])).map((e) => e.label)).toEqual(["india"]);
    expect((await store.readMentioning([ALPHA.key])).map((e) => e.label)).toEqual(["alpha", "bravo-ancien"]);
    expect((await store.readMentioning([BRAVO.key, "nothing"])).map((e) => e.label)).toEqual(["bravo", "bravo-ancien"]);
    expect(await store.readMentioning([])).toEqual([]);
  });

  it("another store instance (another process, another machine) sees every committed change before it writes", async () => {
    const other = openLedgerStore(target.location);
    try {
      expect((await other.read()).length).toBe(4);
      const charlie = newAllocatedEntry(commune("200000003", "48003", "Charlie"), "charlie", NOW);
      await store.transact(meta, () => ({ put: [charlie], result: null }));
      const seen = await other.transact(meta, (entries) => ({ put: [], result: entries.map((e) => e.label) }));
      expect(seen.result).toEqual(["alpha", "bravo", "bravo-ancien", "charlie", "india"]);
      const enrolled = { ...charlie, services: { messages: { enrolledAt: NOW, quotas: {} } } };
      await other.transact(meta, () => ({ put: [enrolled], result: null }));
      expect((await store.read()).find((e) => e.label === "charlie")!.services).toEqual({ messages: { enrolledAt: NOW, quotas: {} } });
    } finally {
      await other.close();
    }
  });

  it("recordEvent traces an action in the audit log that the replay passes over", async () => {
    await store.recordEvent(meta, { kind: "membership.added", operator: "cdg48", commune: ALPHA.key });
    expect(auditRecords(target.location).at(-1)).toMatchObject({ actor: "test", command: "store test", event: { kind: "membership.added", operator: "cdg48", commune: ALPHA.key } });
    const report = await store.validate(reserved);
    expect(report).toMatchObject({ ok: true, problems: [], labels: 5, counts: { allocated: 2, alias: 1, reserved: 1, tombstone: 1 }, audit: { transactions: 6, changes: 7 }, note: null });
    expect(report.ledger).toBe(target.location.startsWith("postgres://") ? target.location.replace(/:pw-[0-9a-f]+@/, "@") : `${target.location}/ledger.jsonl`);
    const { ledger: _ledger, ...rest } = report;
    outcomes.set(backend.name, {
      entries: await store.read(),
      audit: auditRecords(target.location).map(({ tx: _tx, time: _time, digest: _digest, ...r }) => r),
      report: rest,
    });
  });
});

describe("both stores", () => {
  it("end the same sequence with the same entries, audit records and validation report", () => {
    expect(outcomes.size).toBe(2);
    const [file, pg] = [outcomes.get("file")!, outcomes.get("postgres")!];
    expect(pg.entries).toEqual(file.entries);
    expect(pg.audit).toEqual(file.audit);
    expect(pg.report).toEqual(file.report);
  });
});

describe("openLedgerStore", () => {
  it("gives the PostgreSQL store for a postgres:// or postgresql:// URL, the file store for anything else, and never shows a password", async () => {
    const pgStore = openLedgerStore("postgres://domaines:s3cret@db.internal:5432/ledger");
    expect([pgStore.kind, pgStore.location]).toEqual(["postgres", "postgres://domaines@db.internal:5432/ledger"]);
    expect(openLedgerStore("POSTGRESQL://u@h/db").kind).toBe("postgres");
    expect([openLedgerStore("/tmp/some-ledger").kind, openLedgerStore("/tmp/some-ledger").location]).toEqual(["file", "/tmp/some-ledger"]);
    expect(openLedgerStore("postgres-backups").kind).toBe("file"); // a directory whose name starts like the scheme
    await pgStore.close(); // never connected: nothing to end
  });
});
