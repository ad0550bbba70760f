import { snapshotOwners, type AppliedSnapshot, type SnapshotOwner, type SnapshotRecord } from "./applied.js";
import { ZONE_OWNER, normalizeDepartement, type DesiredZone, type OwnerRecords } from "./model.js";

/**
 * What a reviewer reads before an apply: the desired records compared with the last
 * applied snapshot, per owner (commune or label), with counts. A plain value: the CLI
 * prints it, `--json` serialises it.
 */

export type ChangeStatus = "added" | "changed" | "removed" | "unchanged";

export interface RecordChange {
  purpose: string;
  before: SnapshotRecord | null;
  after: SnapshotRecord | null;
}

export interface OwnerPlan {
  owner: string;
  label: string;
  /** null for the zone-level owner and labels of no département. */
  departement: string | null;
  state: OwnerRecords["state"] | "zone" | null;
  name: string | null;
  services: string[];
  status: ChangeStatus;
  records: SnapshotRecord[];
  added: SnapshotRecord[];
  changed: RecordChange[];
  removed: SnapshotRecord[];
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
  departement: string | null;
  /** When the compared snapshot was saved; null when nothing was applied yet. */
  appliedAt: string | null;
  owners: Counts;
  records: Counts;
  byType: Record<string, number>;
  /** Labels whose DKIM record waits for Messages. */
  pendingDkim: { label: string; fqdn: string; owner: string }[];
  changes: OwnerPlan[];
  unchanged: OwnerPlan[];
}

export function planZone(desired: DesiredZone, applied: AppliedSnapshot | null, options: { departement?: string } = {}): ZonePlan {
  const dep = options.departement === undefined ? null : normalizeDepartement(options.departement);
  const inScope = (o: SnapshotOwner) => (dep === null ? true : o.departement === dep && o.owner !== ZONE_OWNER);
  const after = snapshotOwners(desired, dep === null);
  const before = new Map((applied && applied.zone === desired.zone ? applied.owners.filter(inScope) : []).map((o) => [o.owner, o]));
  const info = new Map(desired.owners.map((o) => [o.owner, o]));

  const plans: OwnerPlan[] = [];
  for (const o of after) {
    plans.push(compareOwner(o, before.get(o.owner) ?? null, info.get(o.owner) ?? null));
    before.delete(o.owner);
  }
  for (const gone of before.values()) plans.push(compareOwner({ ...gone, records: [] }, gone, null, true));

  const owners: Counts = { total: 0, added: 0, changed: 0, removed: 0, unchanged: 0 };
  const records: Counts = { total: 0, added: 0, changed: 0, removed: 0, unchanged: 0 };
  const byType: Record<string, number> = {};
  for (const p of plans) {
    if (p.status !== "removed") owners.total++;
    owners[p.status]++;
    records.total += p.records.length;
    records.added += p.added.length;
    records.changed += p.changed.length;
    records.removed += p.removed.length;
    records.unchanged += p.records.length - p.added.length - p.changed.length;
    for (const r of p.records) byType[r.type] = (byType[r.type] ?? 0) + 1;
  }
  const sorted = Object.fromEntries(Object.entries(byType).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    zone: desired.zone,
    departement: dep,
    appliedAt: applied && applied.zone === desired.zone ? applied.savedAt : null,
    owners,
    records,
    byType: sorted,
    pendingDkim: desired.owners.filter((o) => o.pending.some((p) => p.missing === "dkim")).map((o) => ({ label: o.label, fqdn: o.fqdn, owner: o.owner })),
    changes: plans.filter((p) => p.status !== "unchanged"),
    unchanged: plans.filter((p) => p.status === "unchanged"),
  };
}

function compareOwner(after: SnapshotOwner, before: SnapshotOwner | null, info: OwnerRecords | null, removedOwner = false): OwnerPlan {
  const old = new Map((before?.records ?? []).map((r) => [r.purpose, r]));
  const added: SnapshotRecord[] = [];
  const changed: RecordChange[] = [];
  for (const r of after.records) {
    const prev = old.get(r.purpose);
    old.delete(r.purpose);
    if (!prev) added.push(r);
    else if (prev.name !== r.name || prev.type !== r.type || prev.ttl !== r.ttl || prev.value !== r.value) changed.push({ purpose: r.purpose, before: prev, after: r });
  }
  const removed = [...old.values()];
  const status: ChangeStatus = removedOwner ? "removed" : !before ? "added" : added.length + changed.length + removed.length > 0 ? "changed" : "unchanged";
  return {
    owner: after.owner,
    label: after.label,
    departement: after.departement,
    state: after.owner === ZONE_OWNER ? "zone" : (info?.state ?? null),
    name: info?.name ?? null,
    services: info?.services ?? [],
    status,
    records: after.records,
    added,
    changed,
    removed,
    pending: info?.pending.map((p) => p.purpose) ?? [],
  };
}
