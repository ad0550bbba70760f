import type { OwnerSnapshot } from "./snapshot.js";

/**
 * The stack outputs a reviewer reads after `pulumi preview` / `pulumi up`: how many
 * records of each type, which owners were added, changed or removed since the last run,
 * and which communes still wait for their DKIM key. Derived from the same snapshots the
 * guard compares, never counted separately.
 */
export interface ReviewOutputs {
  recordCounts: Record<string, number>;
  owners: number;
  added: string[];
  changed: string[];
  removed: string[];
  dkimPending: string[];
  underscoreRecords: number;
}

export function reviewOutputs(
  previous: readonly OwnerSnapshot[] | null,
  next: readonly OwnerSnapshot[],
  counts: { byType: Record<string, number>; underscore: number },
  dkimPending: readonly string[],
): ReviewOutputs {
  const before = new Map((previous ?? []).map((o) => [o.owner, o]));
  const after = new Map(next.map((o) => [o.owner, o]));
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [owner, o] of after) {
    const b = before.get(owner);
    if (!b) added.push(o.label);
    else if (!sameRecords(b.records, o.records)) changed.push(o.label);
  }
  for (const [owner, b] of before) if (!after.has(owner)) removed.push(b.label);
  const sortedCounts: Record<string, number> = {};
  for (const t of Object.keys(counts.byType).sort()) sortedCounts[t] = counts.byType[t]!;
  return {
    recordCounts: sortedCounts,
    owners: next.length,
    added: added.sort(),
    changed: changed.sort(),
    removed: removed.sort(),
    dkimPending: [...dkimPending].sort(),
    underscoreRecords: counts.underscore,
  };
}

function sameRecords(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}
