import type { SnapshotDiff } from "../src/records/diff.js";

/**
 * The deletion guard, a pure judgement of the one diff (src/records/diff.ts): a deleted
 * MX is lost mail and a deleted subscription is a commune cut off its service, so a run
 * is refused when a deletion is not explained by the ledger, when it deletes or changes
 * more than the configured share of the stack (octoDNS's delete and update thresholds),
 * or when the zone itself changed. An explicit override lets a refused run through, and
 * the decision still lists what goes and why.
 */

export interface GuardInput {
  diff: SnapshotDiff;
  maxDeletionShare: number;
  maxUpdateShare: number;
  allowDeletions: boolean;
}

export interface OwnerDeletions {
  owner: string;
  label: string;
  /** Record identities (`mx1.MX`) that would be deleted. */
  records: string[];
  /** Every record of the owner goes. */
  whole: boolean;
  /** The ledger transition, or null when one of these deletions is not explained. */
  explainedBy: string | null;
  /** Why not, for the first unexplained deletion. */
  why: string | null;
}

export interface GuardDecision {
  allowed: boolean;
  overridden: boolean;
  removed: OwnerDeletions[];
  /** Records deleted, and of those the ones that count toward maxDeletionShare (a record its name keeps serving does not: see RecordDeletion.replaced). */
  removedCount: number;
  countedDeletions: number;
  /** Records changed in place that no ledger transition explains (configuration, DKIM): they count toward maxUpdateShare. */
  unexplainedUpdates: number;
  previousCount: number;
  /** Each reason for refusing (empty when nothing is wrong). */
  violations: string[];
  /** The text to show a person: what would be deleted and why it is refused or allowed. */
  message: string;
}

/** Below this many existing records (or subscriptions) the share thresholds are not applied, as in octoDNS (MIN_EXISTING_RECORDS): one offboarding of three would be 33%. */
export const MIN_FOR_SHARE = 10;

const LIST = 20;

export function decideGuard(input: GuardInput): GuardDecision {
  const { diff } = input;
  const removed: OwnerDeletions[] = [];
  for (const o of diff.owners) {
    if (o.deletes.length === 0) continue;
    const refused = o.deletes.find((d) => d.explainedBy === null);
    removed.push({
      owner: o.owner,
      label: o.label,
      records: o.deletes.map((d) => `${d.record.purpose}.${d.record.type}`).sort(),
      whole: o.status === "removed",
      explainedBy: refused ? null : o.deletes[0]!.explainedBy,
      why: refused ? refused.why : null,
    });
  }
  const previousCount = diff.counts.previous;
  const removedCount = diff.counts.deletes;
  const countedDeletions = diff.owners.reduce((n, o) => n + o.deletes.filter((d) => !d.replaced).length, 0);
  const updates = diff.owners.flatMap((o) => o.updates.filter((u) => u.explainedBy === null).map((u) => ({ label: o.label, owner: o.owner, id: `${u.after.purpose}.${u.after.type}` })));

  const violations: string[] = [];
  if (diff.zoneChangedFrom !== null && previousCount > 0) {
    violations.push(`the zone changed from ${diff.zoneChangedFrom} to ${diff.zone}: all ${previousCount} records would be deleted from ${diff.zoneChangedFrom} (ZoneRecord.zone forces a replacement)`);
  } else {
    const unexplained = removed.filter((r) => r.explainedBy === null);
    if (unexplained.length > 0) {
      violations.push(`${unexplained.length} owner(s) would lose records that the ledger does not explain: ${list(unexplained.map((r) => `${describe(r)} — ${r.why}`))}`);
    }
  }
  if (previousCount >= MIN_FOR_SHARE && countedDeletions / previousCount > input.maxDeletionShare) {
    violations.push(`${countedDeletions} of ${previousCount} records (${percent(countedDeletions / previousCount)}) would be deleted, more than domaines:maxDeletionShare = ${percent(input.maxDeletionShare)}`);
  }
  if (previousCount >= MIN_FOR_SHARE && updates.length / previousCount > input.maxUpdateShare) {
    const byOwner = new Map<string, string[]>();
    for (const u of updates) byOwner.set(`${u.label} (${u.owner})`, [...(byOwner.get(`${u.label} (${u.owner})`) ?? []), u.id]);
    violations.push(
      `${updates.length} of ${previousCount} records (${percent(updates.length / previousCount)}) would change in place with no ledger change to explain it, more than domaines:maxUpdateShare = ${percent(input.maxUpdateShare)}: ${list([...byOwner].map(([who, ids]) => `${who}: ${ids.join(", ")}`))}`,
    );
  }
  const subs = diff.subscriptions;
  const lostSubs = subs.deletes.filter((d) => d.explainedBy === null);
  if (lostSubs.length > 0) {
    violations.push(`${lostSubs.length} Espace Opérateur subscription(s) would be deleted although the ledger does not explain it: ${list(lostSubs.map((d) => `${d.subscription.label} (${d.subscription.commune}) ${d.subscription.service} via ${d.subscription.operator} — ${d.why}`))}`);
  }
  if (subs.previous >= MIN_FOR_SHARE && subs.deletes.length / subs.previous > input.maxDeletionShare) {
    violations.push(`${subs.deletes.length} of ${subs.previous} Espace Opérateur subscriptions (${percent(subs.deletes.length / subs.previous)}) would be deleted, more than domaines:maxDeletionShare = ${percent(input.maxDeletionShare)}`);
  }

  const allowed = violations.length === 0 || input.allowDeletions;
  const overridden = violations.length > 0 && input.allowDeletions;
  // `removed` follows the diff's order: zone level first, then by label.
  return {
    allowed,
    overridden,
    removed,
    removedCount,
    countedDeletions,
    unexplainedUpdates: updates.length,
    previousCount,
    violations,
    message: render(removed, subs.deletes, violations, allowed, overridden),
  };
}

function describe(r: OwnerDeletions): string {
  return `${r.label} (${r.owner}): ${r.whole ? "all records" : r.records.join(", ")}`;
}

function list(items: string[]): string {
  return `${items.slice(0, LIST).join("; ")}${items.length > LIST ? `; … and ${items.length - LIST} more` : ""}`;
}

/** A titled list of at most BLOCK lines, with the count of the rest. */
const BLOCK = 50;
function block(lines: string[], title: string, items: string[]): void {
  if (items.length === 0) return;
  lines.push(`  ${title}`);
  for (const item of items.slice(0, BLOCK)) lines.push(`    ${item}`);
  if (items.length > BLOCK) lines.push(`    … and ${items.length - BLOCK} more`);
}

function percent(x: number): string {
  return `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`;
}

function render(removed: OwnerDeletions[], subs: SnapshotDiff["subscriptions"]["deletes"], violations: string[], allowed: boolean, overridden: boolean): string {
  if (removed.length === 0 && subs.length === 0 && violations.length === 0) return "deletion guard: nothing would be deleted";
  const lines: string[] = [];
  if (!allowed) lines.push("deletion guard: refusing to run, this update would delete or rewrite what the ledger does not explain (a deleted MX is lost mail).");
  else if (overridden) lines.push("deletion guard: OVERRIDDEN by domaines:allowDeletions=true; this update goes ahead although:");
  else lines.push("deletion guard: deletions explained by the ledger:");
  for (const v of violations) lines.push(`  - ${v}`);
  block(lines, "would delete:", removed.map((r) => `${describe(r)} [${r.explainedBy ?? `not explained: ${r.why}`}]`));
  block(lines, "would delete Espace Opérateur subscriptions:", subs.map((d) => `${d.subscription.label} (${d.subscription.commune}) ${d.subscription.service} [${d.explainedBy ?? `not explained: ${d.why}`}]`));
  if (!allowed) {
    lines.push("  If this is intended: record it in the ledger (domaines offboard, cog-sync --apply), or set");
    lines.push("  `pulumi config set domaines:allowDeletions true` for this one run and remove it afterwards.");
  }
  return lines.join("\n");
}
