import type { LedgerEntry } from "../ledger/schema.js";
import { recordCount, type AppliedSnapshot, type SnapshotOwner, type SnapshotRecord, type SnapshotSubscription } from "./applied.js";
import type { RecordSet } from "./catalog-schema.js";
import { Transitions, type Verdict } from "./transitions.js";
import { NO_MAIL_SET, type RecordHolder } from "./types.js";

/**
 * The one diff between what a stack applied and what it would apply now (octoDNS's
 * Plan): per owner, the records created, updated (same identity, other name, type,
 * TTL or value) and deleted, each deletion with the ledger transition that explains it
 * or the reason none does; and the subscriptions created and deleted. `plan` prints it,
 * the deletion guard judges it, the stack outputs summarise it.
 */

export type OwnerStatus = "added" | "changed" | "removed" | "unchanged";

export interface RecordUpdate {
  before: SnapshotRecord;
  after: SnapshotRecord;
  explainedBy: string | null;
}

export interface RecordDeletion extends Verdict {
  record: SnapshotRecord;
  /**
   * The name keeps what this record served: the same record is published again (by the
   * alias of a merged commune, the commune after a switch), or a no-mail record gives way
   * to mail records. DNS loses nothing, so it does not count toward the deletion share.
   */
  replaced: boolean;
}

export interface OwnerChange {
  owner: string;
  holder: RecordHolder;
  label: string;
  /** The label at the last run when it changed (allocate --switch). */
  previousLabel: string | null;
  departement: string | null;
  /** Ledger state now; null when the owner is gone from this stack. */
  state: SnapshotOwner["state"] | null;
  services: string[];
  status: OwnerStatus;
  /** The owner's records now (empty when removed). */
  records: SnapshotRecord[];
  creates: SnapshotRecord[];
  updates: RecordUpdate[];
  deletes: RecordDeletion[];
}

export interface SubscriptionDeletion extends Verdict {
  subscription: SnapshotSubscription;
}

export interface SnapshotDiff {
  zone: string;
  shard: string;
  /** The zone of the previous run when it differs (every previous record then leaves that zone); null otherwise. */
  zoneChangedFrom: string | null;
  /** Nothing was applied before: every record is a creation. */
  firstRun: boolean;
  owners: OwnerChange[];
  counts: { previous: number; next: number; creates: number; updates: number; deletes: number; unchanged: number };
  subscriptions: { previous: number; next: number; creates: SnapshotSubscription[]; deletes: SubscriptionDeletion[] };
}

export interface DiffInput {
  previous: AppliedSnapshot | null;
  next: AppliedSnapshot;
  /** The ledger as it is now: what explains each deletion. */
  ledger: readonly LedgerEntry[];
  /** The configuration's dns.recordSets: which service each record set depends on. */
  recordSets: Readonly<Record<string, RecordSet>>;
  /** Why the model does not place a commune's subscription now (operator coverage, …), keyed `commune/service`. */
  unplacedSubscriptions?: ReadonlyMap<string, string>;
}

/** Same DNS content (what OVH stores); the record set that published it is bookkeeping. */
function sameRecord(a: SnapshotRecord, b: SnapshotRecord): boolean {
  return a.name === b.name && a.type === b.type && a.ttl === b.ttl && a.value === b.value;
}

const recordKey = (r: SnapshotRecord) => `${r.purpose}.${r.type}`;
export const subscriptionKey = (s: Pick<SnapshotSubscription, "commune" | "service">) => `${s.commune}/${s.service}`;

export function diffSnapshots(input: DiffInput): SnapshotDiff {
  const { next } = input;
  const zoneChangedFrom = input.previous && input.previous.zone !== next.zone ? input.previous.zone : null;
  const transitions = new Transitions(input.ledger, input.recordSets);
  const previousOwners = input.previous?.owners ?? [];
  const before = new Map((zoneChangedFrom === null ? previousOwners : []).map((o) => [o.owner, o]));
  const owners: OwnerChange[] = [];

  for (const after of next.owners) {
    const prev = before.get(after.owner);
    before.delete(after.owner);
    owners.push(compareOwner(prev ?? null, after, transitions));
  }
  const gone = zoneChangedFrom === null ? [...before.values()] : previousOwners;
  for (const prev of gone) {
    const verdict: Verdict = zoneChangedFrom === null ? transitions.ownerGone(prev) : { explainedBy: null, why: `the zone changed from ${zoneChangedFrom} to ${next.zone}` };
    owners.push({
      owner: prev.owner,
      holder: prev.holder,
      label: prev.label,
      previousLabel: null,
      departement: prev.departement,
      state: null,
      services: [],
      status: "removed",
      records: [],
      creates: [],
      updates: [],
      deletes: prev.records.map((record) => ({ record, ...verdict, replaced: false })),
    });
  }
  if (zoneChangedFrom === null) markReplaced(owners, next);
  owners.sort((a, b) => (a.owner === "zone" ? -1 : b.owner === "zone" ? 1 : a.label < b.label ? -1 : a.label > b.label ? 1 : a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));

  const counts = { previous: recordCount(previousOwners), next: recordCount(next.owners), creates: 0, updates: 0, deletes: 0, unchanged: 0 };
  for (const o of owners) {
    counts.creates += o.creates.length;
    counts.updates += o.updates.length;
    counts.deletes += o.deletes.length;
    counts.unchanged += o.records.length - o.creates.length - o.updates.length;
  }
  return { zone: next.zone, shard: next.shard, zoneChangedFrom, firstRun: input.previous === null, owners, counts, subscriptions: diffSubscriptions(input, transitions) };
}

function compareOwner(prev: SnapshotOwner | null, after: SnapshotOwner, transitions: Transitions): OwnerChange {
  const old = new Map((prev?.records ?? []).map((r) => [recordKey(r), r]));
  const creates: SnapshotRecord[] = [];
  const updates: RecordUpdate[] = [];
  for (const r of after.records) {
    const k = recordKey(r);
    const was = old.get(k);
    old.delete(k);
    if (!was) creates.push(r);
    else if (!sameRecord(was, r)) updates.push({ before: was, after: r, explainedBy: transitions.recordChanged(prev!, after) });
  }
  const deletes = prev ? [...old.values()].map((record) => ({ record, ...transitions.recordGone(prev, after, record), replaced: false })) : [];
  const status: OwnerStatus = !prev ? "added" : creates.length + updates.length + deletes.length > 0 ? "changed" : "unchanged";
  return {
    owner: after.owner,
    holder: after.holder,
    label: after.label,
    previousLabel: prev && prev.label !== after.label ? prev.label : null,
    departement: after.departement,
    state: after.state,
    services: after.services,
    status,
    records: after.records,
    creates,
    updates,
    deletes,
  };
}

/** Sets `replaced` on deletions whose name keeps serving the same thing (see RecordDeletion). */
function markReplaced(owners: OwnerChange[], next: AppliedSnapshot): void {
  const content = (r: SnapshotRecord) => JSON.stringify([r.name, r.type, r.ttl, r.value]);
  const published = new Set<string>();
  const receivesMail = new Set<string>();
  for (const o of next.owners) {
    for (const r of o.records) {
      published.add(content(r));
      if (r.type === "MX" && r.value !== "0 .") receivesMail.add(r.name);
    }
  }
  for (const o of owners) {
    for (const d of o.deletes) d.replaced = published.has(content(d.record)) || (d.record.set === NO_MAIL_SET && receivesMail.has(d.record.name));
  }
}

function diffSubscriptions(input: DiffInput, transitions: Transitions): SnapshotDiff["subscriptions"] {
  const previous = input.previous?.subscriptions ?? [];
  const now = new Set(input.next.subscriptions.map(subscriptionKey));
  const was = new Set(previous.map(subscriptionKey));
  const deletes = previous
    .filter((s) => !now.has(subscriptionKey(s)))
    .map((subscription) => ({ subscription, ...transitions.subscriptionGone(subscription, input.unplacedSubscriptions?.get(subscriptionKey(subscription))) }));
  return { previous: previous.length, next: input.next.subscriptions.length, creates: input.next.subscriptions.filter((s) => !was.has(subscriptionKey(s))), deletes };
}
