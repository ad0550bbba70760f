import { entryProblems, type LedgerProblem } from "./invariants.js";
import type { LedgerEntry } from "./schema.js";

/**
 * The ledger's invariants checked on a change alone, for a ledger known to hold them (one
 * the digest chain vouches for, or one just checked whole): what a change can break is in
 * the changed entries, in the keys whose allocated label it adds or removes, and in the
 * aliases and rename reservations that point to those keys. An onboarding into a ledger of
 * 35,000 labels then checks a handful of entries instead of every one (ledgerProblems
 * stays the rule for a whole ledger; test/ledger/incremental.test.ts holds the two equal).
 */
export interface KeyIndex {
  byLabel: Map<string, LedgerEntry>;
  /** key → the labels allocated to it (one, in a ledger that holds its invariants). */
  primary: Map<string, string[]>;
  /** key → labels whose own check asks whether the key holds an allocated label (its aliases, its rename reservation). */
  refs: Map<string, string[]>;
}

const isPrimary = (e: LedgerEntry | null | undefined): e is LedgerEntry & { key: string } => !!e && e.state === "allocated" && e.key !== null;

/** The key an entry's check looks up in the allocated keys, if any. */
function referencedKey(e: LedgerEntry): string | null {
  if (e.state === "alias") return e.aliasOf ?? null;
  if (e.state === "reserved" && e.reservedReason === "rename") return e.key;
  return null;
}

function add(map: Map<string, string[]>, key: string, label: string): void {
  const list = map.get(key);
  if (list) list.push(label);
  else map.set(key, [label]);
}

function remove(map: Map<string, string[]>, key: string, label: string): void {
  const list = map.get(key);
  if (!list) return;
  const i = list.indexOf(label);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) map.delete(key);
}

export function buildKeyIndex(entries: readonly LedgerEntry[]): KeyIndex {
  const index: KeyIndex = { byLabel: new Map(), primary: new Map(), refs: new Map() };
  for (const e of entries) {
    index.byLabel.set(e.label, e);
    if (isPrimary(e)) add(index.primary, e.key, e.label);
    const ref = referencedKey(e);
    if (ref !== null) add(index.refs, ref, e.label);
  }
  return index;
}

export interface IndexedChange {
  label: string;
  before: LedgerEntry | null;
  after: LedgerEntry | null;
}

/**
 * The problems the ledger would have after `changes` (one per label), given that it has
 * none now: the same messages ledgerProblems gives on the whole changed ledger.
 */
export function changeProblems(index: KeyIndex, changes: readonly IndexedChange[], reserved: ReadonlySet<string>): LedgerProblem[] {
  const changed = new Map(changes.map((c) => [c.label, c.after]));
  const entryAfter = (label: string): LedgerEntry | undefined => (changed.has(label) ? (changed.get(label) ?? undefined) : index.byLabel.get(label));
  // Keys whose allocated labels change, with their labels after the change (sorted: ledgerProblems names the first as the holder).
  const touched = new Map<string, string[]>();
  const labelsAfter = (key: string): string[] => {
    let list = touched.get(key);
    if (list === undefined) {
      list = (index.primary.get(key) ?? []).filter((l) => !changed.has(l));
      touched.set(key, list);
    }
    return list;
  };
  for (const c of changes) {
    if (isPrimary(c.before)) labelsAfter(c.before.key);
    if (isPrimary(c.after)) labelsAfter(c.after.key).push(c.label);
  }
  for (const list of touched.values()) list.sort();
  const primaryAfter = { has: (key: string): boolean => (touched.has(key) ? touched.get(key)!.length > 0 : index.primary.has(key)) };

  // In ledgerProblems' order: every second holder of a key first, by label; then each entry's own problems, by label.
  const problems: LedgerProblem[] = [];
  for (const [key, labels] of touched) {
    for (const label of labels.slice(1)) problems.push({ label, message: `key ${key} already holds the allocated label "${labels[0]}"; a commune has one primary label` });
  }
  problems.sort((x, y) => (x.label < y.label ? -1 : x.label > y.label ? 1 : 0));
  // The changed entries, and the unchanged ones whose check reads a key whose allocated label changed.
  const recheck = new Set<string>(changed.keys());
  for (const key of touched.keys()) for (const label of index.refs.get(key) ?? []) recheck.add(label);
  for (const label of [...recheck].sort()) {
    const e = entryAfter(label);
    if (e === undefined) continue;
    for (const message of entryProblems(e, reserved, primaryAfter) ?? []) problems.push({ label, message: `label "${label}": ${message}` });
  }
  return problems;
}

/** The index brought to the state after `changes` (in place: the caller's index is the one superseded). */
export function applyToIndex(index: KeyIndex, changes: readonly IndexedChange[]): void {
  for (const c of changes) {
    if (c.before) {
      if (isPrimary(c.before)) remove(index.primary, c.before.key, c.label);
      const ref = referencedKey(c.before);
      if (ref !== null) remove(index.refs, ref, c.label);
    }
    if (c.after) {
      index.byLabel.set(c.label, c.after);
      if (isPrimary(c.after)) add(index.primary, c.after.key, c.label);
      const ref = referencedKey(c.after);
      if (ref !== null) add(index.refs, ref, c.label);
    } else index.byLabel.delete(c.label);
  }
}
