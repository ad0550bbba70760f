import type { Commune } from "../communes/schema.js";
import type { LedgerEntry } from "./schema.js";

/** Lookups over a set of entries: by label, and each key's allocated (primary) label. */
export interface LedgerIndex {
  byLabel: Map<string, LedgerEntry>;
  primaryByKey: Map<string, LedgerEntry>;
}

/** Indexes of frozen entry arrays (what a transaction's function is given): built once however many plans ask. */
const indexes = new WeakMap<readonly LedgerEntry[], LedgerIndex>();

export function indexLedger(entries: readonly LedgerEntry[]): LedgerIndex {
  const known = indexes.get(entries);
  if (known) return known;
  const index = buildIndex(entries);
  if (Object.isFrozen(entries)) indexes.set(entries, index);
  return index;
}

function buildIndex(entries: readonly LedgerEntry[]): LedgerIndex {
  const byLabel = new Map<string, LedgerEntry>();
  const primaryByKey = new Map<string, LedgerEntry>();
  for (const e of entries) {
    byLabel.set(e.label, e);
    if (e.state === "allocated" && e.key !== null) primaryByKey.set(e.key, e);
  }
  return { byLabel, primaryByKey };
}

/** Allocated labels, each with its commune key and enrolled services: what DNS and Pulumi publish. */
export function primaryEntries(entries: readonly LedgerEntry[]): (LedgerEntry & { state: "allocated"; key: string })[] {
  return entries.filter((e): e is LedgerEntry & { state: "allocated"; key: string } => e.state === "allocated" && e.key !== null);
}

/** Alias labels (merged communes), each pointing to the key whose mail it carries. */
export function aliasEntries(entries: readonly LedgerEntry[]): (LedgerEntry & { state: "alias"; aliasOf: string })[] {
  return entries.filter((e): e is LedgerEntry & { state: "alias"; aliasOf: string } => e.state === "alias" && e.aliasOf !== undefined);
}

function blankEntry(label: string, now: string): LedgerEntry {
  return { label, state: "allocated", key: null, inseeHistory: [], nameHistory: [], allocatedAt: now, updatedAt: now, legacy: false, grandfathered: false, services: {} };
}

/** A fresh allocated entry for `commune` (one literal: allocate --all makes 35,000). */
export function newAllocatedEntry(commune: Commune, label: string, now: string): LedgerEntry {
  return {
    label,
    state: "allocated",
    key: commune.key,
    name: commune.name,
    departement: commune.departement,
    inseeHistory: [{ insee: commune.insee, since: now }],
    nameHistory: [],
    allocatedAt: now,
    updatedAt: now,
    legacy: false,
    grandfathered: false,
    services: {},
  };
}

/** The bare slug of a homonym group: reserved for nobody, forever. */
export function homonymReservation(slug: string, now: string): LedgerEntry {
  return { ...blankEntry(slug, now), state: "reserved", reservedReason: "homonym-group" };
}

/** The label a renamed commune's new name gives, held for it until it asks to switch. */
export function renameReservation(commune: Commune, label: string, now: string): LedgerEntry {
  return { ...newAllocatedEntry(commune, label, now), state: "reserved", reservedReason: "rename" };
}

/** The INSEE code the ledger last saw for an entry's holder. */
export function lastInsee(e: LedgerEntry): string | undefined {
  return e.inseeHistory.at(-1)?.insee;
}

/** The name the ledger last saw for an entry's holder (nameHistory lists renames after `name`). */
export function lastName(e: LedgerEntry): string | undefined {
  return e.nameHistory.at(-1)?.name ?? e.name;
}
