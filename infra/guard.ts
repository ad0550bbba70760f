import { recordCount, type OwnerSnapshot } from "./snapshot.js";

/**
 * The deletion guard, a pure decision: a deleted MX is lost mail, so a run that would
 * delete records is refused unless every deletion is explained by the ledger and the
 * share of deleted records stays under the configured threshold. An explicit override
 * lets a refused run through, and the decision still lists what goes.
 */

export interface RemovedRecords {
  owner: string;
  label: string;
  /** recordIds (`mx1.MX`) that would be deleted. */
  records: string[];
  /** Every record of the owner goes (the commune leaves the stack). */
  whole: boolean;
  /** Why the ledger allows it, or null when it does not. */
  explainedBy: string | null;
}

export interface GuardInput {
  /** Owners at the last successful run; null on the first run (nothing to delete). */
  previous: readonly OwnerSnapshot[] | null;
  next: readonly OwnerSnapshot[];
  /** Why the ledger lets `previous`'s records go (offboarded, tombstone, …), or null. */
  removalReason: (previous: OwnerSnapshot, next: OwnerSnapshot | undefined) => string | null;
  maxDeletionShare: number;
  allowDeletions: boolean;
  /** Zone of the previous run when it differs: every record would be deleted from the old zone. */
  zoneChange?: { from: string; to: string };
}

export interface GuardDecision {
  allowed: boolean;
  overridden: boolean;
  removed: RemovedRecords[];
  removedCount: number;
  previousCount: number;
  /** Each reason for refusing (empty when nothing is wrong). */
  violations: string[];
  /** The text to show a person: what would be deleted and why it is refused or allowed. */
  message: string;
}

export function decideDeletions(input: GuardInput): GuardDecision {
  const previous = input.previous ?? [];
  const nextByOwner = new Map(input.next.map((o) => [o.owner, o]));
  const removed: RemovedRecords[] = [];
  for (const before of previous) {
    const after = nextByOwner.get(before.owner);
    const gone = Object.keys(before.records).filter((id) => after?.records[id] === undefined).sort();
    if (gone.length === 0) continue;
    removed.push({
      owner: before.owner,
      label: before.label,
      records: gone,
      whole: gone.length === Object.keys(before.records).length,
      explainedBy: input.removalReason(before, after),
    });
  }
  removed.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : a.owner < b.owner ? -1 : 1));

  const removedCount = removed.reduce((n, r) => n + r.records.length, 0);
  const previousCount = recordCount(previous);
  const violations: string[] = [];
  if (input.zoneChange && previousCount > 0) {
    violations.push(`the zone changed from ${input.zoneChange.from} to ${input.zoneChange.to}: all ${previousCount} records would be deleted from ${input.zoneChange.from} (ZoneRecord.zone forces a replacement)`);
  }
  const unexplained = removed.filter((r) => r.explainedBy === null);
  if (unexplained.length > 0) {
    violations.push(`${unexplained.length} owner(s) would lose records although the ledger has not offboarded them: ${unexplained.map(describe).slice(0, 20).join("; ")}${unexplained.length > 20 ? `; … and ${unexplained.length - 20} more` : ""}`);
  }
  const share = previousCount === 0 ? 0 : removedCount / previousCount;
  if (removedCount > 0 && share > input.maxDeletionShare) {
    violations.push(`${removedCount} of ${previousCount} records (${percent(share)}) would be deleted, more than domaines:maxDeletionShare = ${percent(input.maxDeletionShare)}`);
  }

  const allowed = violations.length === 0 || input.allowDeletions;
  const overridden = violations.length > 0 && input.allowDeletions;
  return { allowed, overridden, removed, removedCount, previousCount, violations, message: render(removed, violations, allowed, overridden) };
}

function describe(r: RemovedRecords): string {
  return `${r.label} (${r.owner}): ${r.whole ? "all records" : r.records.join(", ")}`;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`;
}

function render(removed: RemovedRecords[], violations: string[], allowed: boolean, overridden: boolean): string {
  if (removed.length === 0 && violations.length === 0) return "deletion guard: nothing would be deleted";
  const lines: string[] = [];
  if (!allowed) lines.push("deletion guard: refusing to run, this update would delete DNS records (a deleted MX is lost mail).");
  else if (overridden) lines.push("deletion guard: OVERRIDDEN by domaines:allowDeletions=true; these deletions go ahead although:");
  else lines.push("deletion guard: deletions explained by the ledger:");
  for (const v of violations) lines.push(`  - ${v}`);
  lines.push("  would delete:");
  const shown = removed.slice(0, 50);
  for (const r of shown) lines.push(`    ${describe(r)}${r.explainedBy ? ` [${r.explainedBy}]` : " [not offboarded]"}`);
  if (removed.length > shown.length) lines.push(`    … and ${removed.length - shown.length} more owner(s)`);
  if (!allowed) {
    lines.push("  If this is intended: offboard the communes in the ledger (domaines offboard), or set");
    lines.push("  `pulumi config set domaines:allowDeletions true` for this one run and remove it afterwards.");
  }
  return lines.join("\n");
}
