import type { Change } from "./audit.js";
import { freezeEntry, sameEntry } from "./codec.js";
import { transitionProblem } from "./invariants.js";
import type { LedgerEntry } from "./schema.js";

/**
 * What a transaction's `put` changes, each label's transition checked (the rules of
 * invariants.ts): entries identical to the current ones are left out. Both stores run it.
 */
export function reviewPut(byLabel: ReadonlyMap<string, LedgerEntry>, put: readonly LedgerEntry[]): { changes: Change[]; refused: string[] } {
  const changes: Change[] = [];
  const refused: string[] = [];
  const seen = new Set<string>();
  for (const after of put) {
    if (seen.has(after.label)) throw new Error(`internal: label ${after.label} put twice in one transaction`);
    seen.add(after.label);
    const before = byLabel.get(after.label) ?? null;
    if (sameEntry(before ?? undefined, after)) continue;
    const problem = transitionProblem(before, after);
    if (problem) refused.push(problem);
    changes.push({ label: after.label, before, after: freezeEntry(after) });
  }
  return { changes, refused };
}
