import type { LedgerEntry } from "../ledger/schema.js";
import { scopeOwners, SNAPSHOT_VERSION, type AppliedSnapshot, type SnapshotSubscription } from "./applied.js";
import { diffSnapshots, type OwnerChange, type SnapshotDiff, type SubscriptionDeletion } from "./diff.js";
import { requireDnsConfig, type DesiredZone } from "./model.js";
import type { DomainesConfig } from "../config/schema.js";

/**
 * What a reviewer reads before an apply: the one diff (src/records/diff.ts) between a
 * stack's applied snapshot (its `guardState` output) and the desired records now, with
 * counts, each deletion's ledger explanation, and the communes whose DKIM key is still
 * pending. A plain value: the CLI prints it, `--json` serialises it.
 */

export interface PlanOwner extends OwnerChange {
  /** The holder's current name (after a rename, the new one); null when unknown or gone. */
  name: string | null;
  /** Purposes waiting for an input (DKIM). */
  pending: string[];
}

export interface Counts {
  total: number;
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
}

export interface ZonePlan {
  zone: string;
  /** `platform`, a département code, or null for the whole zone. */
  scope: string | null;
  /** The département compared, when the scope is one. */
  departement: string | null;
  /** The applied snapshot compared with (its stack scope and zone); null when none was given: every record is new. */
  against: { shard: string; zone: string } | null;
  /** The applied snapshot's zone when it differs from the configuration's: every record would leave it. */
  zoneChangedFrom: string | null;
  owners: Counts;
  records: { total: number; previous: number; creates: number; updates: number; deletes: number; unchanged: number; unexplainedDeletes: number };
  byType: Record<string, number>;
  /** Labels whose DKIM record waits for Messages. */
  pendingDkim: { label: string; fqdn: string; owner: string }[];
  /** Subscriptions compared with the snapshot's (département scopes with a snapshot only). */
  subscriptions: { previous: number; next: number; creates: SnapshotSubscription[]; deletes: SubscriptionDeletion[] } | null;
  changes: PlanOwner[];
  /** Labels with no change. */
  unchanged: string[];
}

export interface PlanInput {
  desired: DesiredZone;
  config: DomainesConfig;
  ledger: readonly LedgerEntry[];
  /** `platform`, a département code, or null for the whole zone. */
  scope: string | null;
  against: AppliedSnapshot | null;
  /** The desired subscriptions of a département scope (compared only when `against` is given). */
  subscriptions?: { subscriptions: SnapshotSubscription[]; unplaced: ReadonlyMap<string, string> };
}

export function planZone(input: PlanInput): ZonePlan {
  const { desired, against, scope } = input;
  const subs = input.subscriptions;
  const next: AppliedSnapshot = { version: SNAPSHOT_VERSION, zone: desired.zone, shard: scope ?? "zone", owners: scopeOwners(desired, scope), subscriptions: subs?.subscriptions ?? [] };
  const diff: SnapshotDiff = diffSnapshots({
    previous: against,
    next,
    ledger: input.ledger,
    recordSets: requireDnsConfig(input.config).recordSets,
    ...(subs ? { unplacedSubscriptions: subs.unplaced } : {}),
  });
  const info = new Map(desired.owners.map((o) => [o.owner, o]));
  const owners: Counts = { total: 0, added: 0, changed: 0, removed: 0, unchanged: 0 };
  const byType: Record<string, number> = {};
  const changes: PlanOwner[] = [];
  const unchanged: string[] = [];
  for (const o of diff.owners) {
    if (o.status !== "removed") owners.total++;
    owners[o.status]++;
    for (const r of o.records) byType[r.type] = (byType[r.type] ?? 0) + 1;
    if (o.status === "unchanged") unchanged.push(o.label);
    else {
      const d = info.get(o.owner);
      changes.push({ ...o, name: o.status === "removed" ? null : (d?.name ?? null), pending: d?.pending.map((p) => p.purpose) ?? [] });
    }
  }
  const unexplainedDeletes = diff.owners.reduce((n, o) => n + o.deletes.filter((d) => d.explainedBy === null).length, 0);
  return {
    zone: desired.zone,
    scope,
    departement: scope === null || scope === "platform" ? null : scope,
    against: against ? { shard: against.shard, zone: against.zone } : null,
    zoneChangedFrom: diff.zoneChangedFrom,
    owners,
    records: { total: diff.counts.next, previous: diff.counts.previous, creates: diff.counts.creates, updates: diff.counts.updates, deletes: diff.counts.deletes, unchanged: diff.counts.unchanged, unexplainedDeletes },
    byType: Object.fromEntries(Object.entries(byType).sort(([a], [b]) => (a < b ? -1 : 1))),
    pendingDkim: desired.owners.filter((o) => o.pending.some((p) => p.missing === "dkim") && inScope(o.departement, scope)).map((o) => ({ label: o.label, fqdn: o.fqdn, owner: o.owner })),
    subscriptions: against && subs ? diff.subscriptions : null,
    changes,
    unchanged,
  };
}

function inScope(departement: string | null, scope: string | null): boolean {
  return scope === null || (scope === "platform" ? departement === null : departement === scope);
}
