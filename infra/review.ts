import type { SnapshotDiff } from "../src/records/diff.js";
import type { StackPlan } from "./plan.js";

/**
 * The stack outputs a reviewer reads after `pulumi preview` / `pulumi up`: how many
 * records of each type, which labels were added, changed or removed since the last run
 * (with the record counts of the diff), and which communes still wait for their DKIM
 * key. Read off the one diff the guard judged, never counted separately.
 */
export interface ReviewOutputs {
  recordCounts: Record<string, number>;
  owners: number;
  added: string[];
  changed: string[];
  removed: string[];
  changes: { creates: number; updates: number; deletes: number; subscriptionCreates: number; subscriptionDeletes: number };
  dkimPending: string[];
  underscoreRecords: number;
}

export function reviewOutputs(diff: SnapshotDiff, plan: StackPlan, dkimPending: readonly string[]): ReviewOutputs {
  const labels = (status: string) => diff.owners.filter((o) => o.status === status).map((o) => o.label).sort();
  return {
    recordCounts: plan.byType,
    owners: plan.owners.length,
    added: labels("added"),
    changed: labels("changed"),
    removed: labels("removed"),
    changes: {
      creates: diff.counts.creates,
      updates: diff.counts.updates,
      deletes: diff.counts.deletes,
      subscriptionCreates: diff.subscriptions.creates.length,
      subscriptionDeletes: diff.subscriptions.deletes.length,
    },
    dkimPending: [...dkimPending].sort(),
    underscoreRecords: plan.underscore,
  };
}
