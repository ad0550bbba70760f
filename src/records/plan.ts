import type { LedgerEntry } from "../ledger/schema.js";
import { scopeOwners, SNAPSHOT_VERSION, UNPUBLISHED_TYPES, type AppliedSnapshot, type SnapshotRecord, type SnapshotSubscription } from "./applied.js";
import { adoptedFindings } from "./validate.js";
import { ADOPTED_SET } from "./types.js";
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
  /**
   * Communes whose SPF record is not published yet (created by this plan): Messages refuses
   * to send while its SPF check is not "correct", so these come before any other mail record.
   */
  spfNotPublished: { label: string; fqdn: string; owner: string; value: string }[];
  /** Labels whose zone lives elsewhere: the parent holds only their NS set. */
  delegated: { label: string; nameservers: string[]; ds: number }[];
  /** Records the model has but no stack can publish (DS: OVH's zone records have no such type); the zone file keeps them. */
  unpublished: { label: string; type: string; value: string }[];
  /** Records adopted from the live zone that fall short of the model's mail policies: kept as found, listed here. */
  adoptedFindings: string[];
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
      changes.push({ ...o, creates: spfFirst(o.creates), name: o.status === "removed" ? null : (d?.name ?? null), pending: d?.pending.map((p) => p.purpose) ?? [] });
    }
  }
  const scoped = desired.owners.filter((o) => inScope(o.departement, scope));
  const spfNotPublished = diff.owners.flatMap((o) => o.creates.filter(isMailSpf).map((r) => ({ label: o.label, fqdn: info.get(o.owner)?.fqdn ?? o.label, owner: o.owner, value: r.value })));
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
    pendingDkim: scoped.filter((o) => o.pending.some((p) => p.missing === "dkim")).map((o) => ({ label: o.label, fqdn: o.fqdn, owner: o.owner })),
    spfNotPublished,
    delegated: scoped.filter((o) => o.delegation !== null).map((o) => ({ label: o.label, nameservers: o.delegation!.nameservers, ds: o.delegation!.ds.length })),
    unpublished: scoped.flatMap((o) => o.records.filter((r) => UNPUBLISHED_TYPES.has(r.type)).map((r) => ({ label: o.label, type: r.type, value: r.value }))),
    // Only owners with adopted records can have findings: the rest was validated strictly already.
    adoptedFindings: adoptedFindings({ ...desired, authority: [], zoneRecords: [], owners: scoped.filter((o) => o.records.some((r) => r.set === ADOPTED_SET)) }).map((p) => p.message),
    subscriptions: against && subs ? diff.subscriptions : null,
    changes,
    unchanged,
  };
}

/** An SPF that authorises senders (the mail set's), not the no-mail `v=spf1 -all`. */
function isMailSpf(r: SnapshotRecord): boolean {
  return r.type === "TXT" && /^v=spf1 /i.test(r.value) && !/^v=spf1 -all$/i.test(r.value.trim());
}

/** SPF records first: the order a reviewer (and an operator publishing by hand) should follow. */
function spfFirst(records: SnapshotRecord[]): SnapshotRecord[] {
  return [...records.filter(isMailSpf), ...records.filter((r) => !isMailSpf(r))];
}

function inScope(departement: string | null, scope: string | null): boolean {
  return scope === null || (scope === "platform" ? departement === null : departement === scope);
}
