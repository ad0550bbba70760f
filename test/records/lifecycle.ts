import type { DomainesConfig } from "../../src/config/schema.js";
import type { LedgerEntry } from "../../src/ledger/schema.js";
import { appliedSnapshotOf, type AppliedSnapshot, type SnapshotSubscription } from "../../src/records/applied.js";
import type { DkimStore } from "../../src/records/dkim.js";
import { diffSnapshots, type OwnerChange, type SnapshotDiff } from "../../src/records/diff.js";
import { desiredZone } from "../../src/records/model.js";
import { config, dkimFor, enrolment, entry } from "./fixtures.js";

/**
 * A synthetic département (48) of `n` communes for lifecycle tests: ledger lines as the
 * ledger's own rules write them, the real record model and deployment configuration,
 * and snapshots taken exactly as a stack takes them.
 */

export const LATER = "2026-02-01T00:00:00.000Z";

export const keyOf = (i: number) => String(200000000 + i);
export const labelOf = (i: number) => `commune-${i}`;

export function commune(i: number, services: string[] = ["messages", "fichiers"]): LedgerEntry {
  return entry({ label: labelOf(i), state: "allocated", key: keyOf(i), name: `Commune ${i}`, departement: "48", services: enrolment(...services) });
}

export function fleet(n: number, services?: string[]): LedgerEntry[] {
  return Array.from({ length: n }, (_, i) => commune(i, services));
}

const keysMemo = new WeakMap<readonly LedgerEntry[], DkimStore>();

/** DKIM keys of every allocated label (the same object for the same ledger array: treat it as read-only, copy before editing). */
export function keysFor(entries: readonly LedgerEntry[]): DkimStore {
  let keys = keysMemo.get(entries);
  if (!keys) {
    keys = dkimFor(entries.filter((e) => e.state === "allocated").map((e) => `${e.label}.collectivite.fr`));
    keysMemo.set(entries, keys);
  }
  return keys;
}

/** Replaces the line of `label` (or removes it when `next` is null). */
export function edit(entries: readonly LedgerEntry[], label: string, next: ((e: LedgerEntry) => LedgerEntry) | null): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  for (const e of entries) {
    if (e.label !== label) out.push(e);
    else if (next) out.push(next(e));
  }
  return out;
}

export const tombstone = (e: LedgerEntry): LedgerEntry => ({ ...e, state: "tombstone", tombstonedAt: LATER, updatedAt: LATER, services: {} }) as LedgerEntry;
export const aliasOf = (successor: string) => (e: LedgerEntry): LedgerEntry => ({ ...e, state: "alias", aliasOf: successor, services: {}, updatedAt: LATER }) as LedgerEntry;
export const withServices = (...services: string[]) => (e: LedgerEntry): LedgerEntry => ({ ...e, services: enrolment(...services), updatedAt: LATER }) as LedgerEntry;

/** Snapshots of the default configuration, by ledger array (tests reuse their fleets; snapshots are never mutated). */
const memo = new WeakMap<readonly LedgerEntry[], WeakMap<DkimStore, AppliedSnapshot>>();

export function snapshot(entries: readonly LedgerEntry[], dkim: DkimStore = keysFor(entries), options: { cfg?: DomainesConfig; shard?: string; subscriptions?: SnapshotSubscription[] } = {}): AppliedSnapshot {
  const plain = options.cfg === undefined && options.shard === undefined && options.subscriptions === undefined;
  const cached = plain ? memo.get(entries)?.get(dkim) : undefined;
  if (cached) return cached;
  const made = takeSnapshot(entries, dkim, options);
  if (plain) {
    const byDkim = memo.get(entries) ?? new WeakMap<DkimStore, AppliedSnapshot>();
    byDkim.set(dkim, made);
    memo.set(entries, byDkim);
  }
  return made;
}

function takeSnapshot(entries: readonly LedgerEntry[], dkim: DkimStore, options: { cfg?: DomainesConfig; shard?: string; subscriptions?: SnapshotSubscription[] }): AppliedSnapshot {
  const shard = options.shard ?? "48";
  const desired = desiredZone(entries, options.cfg ?? config(), dkim, shard === "platform" ? {} : { departement: shard });
  return appliedSnapshotOf(desired, shard, options.subscriptions ?? []);
}

export function diff(previous: AppliedSnapshot | null, next: AppliedSnapshot, ledger: readonly LedgerEntry[], options: { cfg?: DomainesConfig; unplaced?: Map<string, string> } = {}): SnapshotDiff {
  return diffSnapshots({ previous, next, ledger, recordSets: (options.cfg ?? config()).dns!.recordSets, ...(options.unplaced ? { unplacedSubscriptions: options.unplaced } : {}) });
}

/** diff between two ledgers (and DKIM stores), snapshot taken as a stack would. */
export function step(before: readonly LedgerEntry[], after: readonly LedgerEntry[], dkimAfter: DkimStore = keysFor(after), dkimBefore: DkimStore = keysFor(before)): SnapshotDiff {
  return diff(snapshot(before, dkimBefore), snapshot(after, dkimAfter), after);
}

export function ownerOf(d: SnapshotDiff, label: string, status?: OwnerChange["status"]): OwnerChange {
  const found = d.owners.filter((o) => o.label === label && (status === undefined || o.status === status));
  if (found.length !== 1) throw new Error(`expected one owner ${label}${status ? ` (${status})` : ""}, found ${found.length}`);
  return found[0]!;
}

/** `purpose.TYPE [explanation or ✗ why]` for each deletion, sorted. */
export function deletions(o: OwnerChange): string[] {
  return o.deletes.map((d) => `${d.record.purpose}.${d.record.type} ${d.explainedBy ? `[${d.explainedBy}]` : `✗ ${d.why}`}`).sort();
}
