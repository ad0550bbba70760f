import { labelProblem } from "../naming/label.js";
import { delegationTransitionProblem, dnsFactProblems, holdsDnsFacts } from "./delegation.js";
import { ENROLLABLE_SERVICES, isServiceName, quotaAccountProblem } from "./services.js";
import type { LedgerEntry } from "./schema.js";

export interface LedgerProblem {
  label: string;
  /** The file line, when the entries were read from a file. */
  line?: number;
  message: string;
}

/**
 * The ledger's invariants over the whole set: each label valid; state fields coherent;
 * each key at most one allocated label; aliases and rename reservations point to a
 * live key (one with an allocated label); services only on allocated labels.
 * (One holder per label is structural: one record per label, duplicates refused on read.)
 */
export function ledgerProblems(entries: readonly LedgerEntry[], reserved: ReadonlySet<string>, lines?: readonly number[]): LedgerProblem[] {
  const problems: LedgerProblem[] = [];
  const primary = new Map<string, number>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.state !== "allocated" || e.key === null) continue;
    const other = primary.get(e.key);
    if (other !== undefined) {
      problems.push({ label: e.label, line: lines?.[i], message: `key ${e.key} already holds the allocated label "${entries[other]!.label}"${lines ? ` (line ${lines[other]})` : ""}; a commune has one primary label` });
    } else primary.set(e.key, i);
  }
  // One pass, no closure per entry: this runs on every write over the whole ledger.
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const found = entryProblems(e, reserved, primary);
    if (found === null) continue;
    for (const message of found) problems.push({ label: e.label, line: lines?.[i], message: `label "${e.label}": ${message}` });
  }
  return problems;
}

/** What is wrong with one entry given the set of keys holding a primary label; null when nothing (the common case, allocation-free). */
export function entryProblems(e: LedgerEntry, reserved: ReadonlySet<string>, primary: { has(key: string): boolean }): string[] | null {
  let out: string[] | null = null;
  const invalid = labelProblem(e.label, reserved);
  if (invalid) out = push(out, invalid.message);
  if (e.key === null && !(e.state === "reserved" && e.reservedReason === "homonym-group")) out = push(out, "only a homonym group's reserved slug may have no key");
  if (e.state !== "alias" && e.aliasOf !== undefined) out = push(out, `aliasOf is set but the state is ${e.state}`);
  if (e.state !== "reserved" && e.reservedReason !== undefined) out = push(out, `reservedReason is set but the state is ${e.state}`);
  if ((e.state === "tombstone") !== (e.tombstonedAt !== undefined)) out = push(out, e.state === "tombstone" ? "a tombstone needs tombstonedAt" : `tombstonedAt is set but the state is ${e.state}`);
  if (e.state !== "allocated" && e.inheritedFrom !== undefined) out = push(out, `inheritedFrom is set but the state is ${e.state}`);
  let hasServices = false;
  for (const _ in e.services) {
    hasServices = true;
    break;
  }
  if (e.state !== "allocated" && hasServices) out = push(out, `services are enrolled on a label in state ${e.state}; enrolment belongs on the commune's allocated label`);
  if (holdsDnsFacts(e)) for (const m of dnsFactProblems(e)) out = push(out, m);
  switch (e.state) {
    case "alias": // of a merged commune's successor, or of the same commune after it switched to its new name's label
      if (e.aliasOf === undefined) out = push(out, "an alias needs aliasOf (the key mail goes to)");
      else if (!primary.has(e.aliasOf)) out = push(out, `alias of ${e.aliasOf}, which holds no allocated label (aliases must point to a live commune)`);
      break;
    case "reserved":
      if (e.reservedReason === undefined) out = push(out, "a reserved label needs reservedReason");
      else if (e.reservedReason === "rename" && (e.key === null || !primary.has(e.key))) out = push(out, `reserved for the rename of ${e.key ?? "nobody"}, which holds no allocated label`);
      else if (e.reservedReason === "homonym-group" && e.key !== null) out = push(out, "a homonym group's slug is reserved for nobody (key must be null)");
      break;
    default:
      break;
  }
  if (hasServices) {
    for (const [service, enrolment] of Object.entries(e.services)) {
      for (const account of Object.keys(enrolment.quotas)) {
        const p = quotaAccountProblem(service, account);
        if (p) out = push(out, p);
      }
      if (!isServiceName(service)) out = push(out, `unknown service "${service}" (services: ${Object.keys(ENROLLABLE_SERVICES).join(", ")})`);
    }
  }
  return out;
}

function push(out: string[] | null, message: string): string[] {
  if (out === null) return [message];
  out.push(message);
  return out;
}

/**
 * Whether one label may go from `before` to `after` in a transaction: labels are never
 * deleted, tombstones never come back, and a label passes to another key only to the
 * legal successor recorded in `inheritedFrom`.
 */
export function transitionProblem(before: LedgerEntry | null, after: LedgerEntry | null): string | null {
  if (before === null) return null;
  if (after === null) return `label "${before.label}" would be deleted; labels are kept forever (tombstone instead)`;
  if (before.state === "tombstone" && after.state !== "tombstone") return `label "${before.label}" is a tombstone since ${before.tombstonedAt}; tombstones are never reused`;
  if (before.key !== after.key) {
    if (!(after.state === "allocated" && after.inheritedFrom === before.key)) {
      return `label "${before.label}" would pass from ${before.key ?? "nobody"} to ${after.key ?? "nobody"}; a label passes only to its holder's legal successor`;
    }
  }
  if (before.state === "reserved" && before.reservedReason === "homonym-group" && after.state !== "reserved") {
    return `label "${before.label}" is the reserved slug of a homonym group; it is never allocated`;
  }
  return before.delegation === undefined ? null : delegationTransitionProblem(before, after);
}
