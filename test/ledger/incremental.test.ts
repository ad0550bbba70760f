import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serializeLedger } from "../../src/ledger/codec.js";
import { applyToIndex, buildKeyIndex, changeProblems, type IndexedChange } from "../../src/ledger/incremental.js";
import { ledgerProblems } from "../../src/ledger/invariants.js";
import type { LedgerEntry } from "../../src/ledger/schema.js";
import { FileLedgerStore, readLedger } from "../../src/ledger/store.js";
import { cli, tempLedger } from "./support/ledger-dir.js";

/**
 * Writes check their change alone (src/ledger/incremental.ts) once the whole ledger is known
 * to hold its invariants. Held equal to ledgerProblems on the whole changed ledger over
 * random ledgers and changes: same verdict, same messages, in the same order.
 */
const T = "2026-01-01T00:00:00.000Z";
const LABELS = ["a", "b", "c", "d", "e", "f", "ab--c", "g"];
const KEYS = ["210000001", "210000002", "210000003", "insee:97501"];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomEntry(label: string, r: () => number): LedgerEntry {
  const pick = <X,>(xs: readonly X[]): X => xs[Math.floor(r() * xs.length)]!;
  const base: LedgerEntry = { label, state: "allocated", key: pick(KEYS), inseeHistory: [], nameHistory: [], allocatedAt: T, updatedAt: T, legacy: false, grandfathered: false, services: {} };
  switch (pick(["allocated", "allocated", "allocated", "alias", "rename", "homonym", "tombstone", "odd"] as const)) {
    case "allocated":
      return r() < 0.3 ? { ...base, services: { messages: { enrolledAt: T, quotas: {} } } } : base;
    case "alias":
      return { ...base, state: "alias", aliasOf: pick(KEYS) };
    case "rename":
      return { ...base, state: "reserved", reservedReason: "rename" };
    case "homonym":
      return { ...base, state: "reserved", reservedReason: "homonym-group", key: r() < 0.8 ? null : pick(KEYS) };
    case "tombstone":
      return { ...base, state: "tombstone", tombstonedAt: T };
    case "odd": // fields that break the per-entry rules
      return pick([{ ...base, state: "tombstone" as const }, { ...base, state: "alias" as const }, { ...base, state: "reserved" as const, reservedReason: "rename" as const, services: { messages: { enrolledAt: T, quotas: {} } } }, { ...base, key: null }]);
  }
}

const sortedByLabel = (entries: LedgerEntry[]) => [...entries].sort((x, y) => (x.label < y.label ? -1 : x.label > y.label ? 1 : 0));
const messages = (ps: { message: string }[]) => ps.map((p) => p.message);

describe("a change checked alone", () => {
  it("gives ledgerProblems' verdict and messages on the whole changed ledger, over 100,000 random ledgers and changes", () => {
    const reserved = new Set(["g"]);
    const r = rng(16);
    let compared = 0;
    let refusals = 0;
    for (let round = 0; round < 100_000; round++) {
      const current = sortedByLabel(LABELS.filter(() => r() < 0.6).map((l) => randomEntry(l, r)));
      if (ledgerProblems(current, reserved).length > 0) continue; // the incremental check is for a ledger that holds its invariants
      const index = buildKeyIndex(current);
      const changes: IndexedChange[] = LABELS.filter(() => r() < 0.3).map((label) => {
        const before = index.byLabel.get(label) ?? null;
        // Half the time an edit that keeps the entry's shape (an onboarding, an update), else any entry.
        const after = before && r() < 0.5 ? { ...before, updatedAt: "2026-02-01T00:00:00.000Z", services: r() < 0.5 ? {} : { fichiers: { enrolledAt: T, quotas: {} } } } : randomEntry(label, r);
        return { label, before, after };
      });
      const next = sortedByLabel([...current.filter((e) => !changes.some((c) => c.label === e.label)), ...changes.map((c) => c.after!)]);
      const whole = ledgerProblems(next, reserved);
      expect(messages(changeProblems(index, changes, reserved)), JSON.stringify({ current, changes })).toEqual(messages(whole));
      // The index brought forward is the next ledger's, as if built afresh.
      applyToIndex(index, changes);
      const fresh = buildKeyIndex(next);
      expect(new Map([...index.byLabel].sort())).toEqual(new Map([...fresh.byLabel].sort()));
      const norm = (m: Map<string, string[]>) => new Map([...m].map(([k, v]) => [k, [...v].sort()] as const).sort());
      expect(norm(index.primary)).toEqual(norm(fresh.primary));
      expect(norm(index.refs)).toEqual(norm(fresh.refs));
      compared++;
      if (whole.length > 0) refusals++;
    }
    // Both verdicts were exercised many times.
    expect(compared).toBeGreaterThan(3000);
    expect(refusals).toBeGreaterThan(500);
    expect(compared - refusals).toBeGreaterThan(500); // 3,328 compared, 2,557 refused with this seed
  });
});

describe("the file store writes with the change alone", () => {
  const dir = tempLedger("domaines-incremental-");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a process's successive writes leave exactly the canonical file of its entries, which validates", async () => {
    expect(cli(dir, ["allocate", "--departement", "48"]).code).toBe(0);
    const store = new FileLedgerStore(dir);
    const labels = (await store.read()).filter((e) => e.state === "allocated").map((e) => e.label);
    // Onboardings and offboardings at the start, middle and end of the file, in one process (as a server writes).
    for (const [i, label] of [labels[0]!, labels[70]!, labels.at(-1)!, labels[70]!, labels[0]!].entries()) {
      await store.transact({ actor: "test", command: "test" }, (entries) => {
        const e = entries.find((x) => x.label === label)!;
        const services: LedgerEntry["services"] = Object.keys(e.services).length === 0 ? { messages: { enrolledAt: T, quotas: {} } } : {};
        return { put: [{ ...e, services, updatedAt: new Date(Date.parse(T) + i * 1000).toISOString() }], result: null };
      });
      const text = readFileSync(join(dir, "ledger.jsonl"), "utf8");
      expect(text).toBe(serializeLedger(readLedger(dir)));
    }
    const v = cli(dir, ["validate", "--json"]);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, problems: [] });
  });
});
