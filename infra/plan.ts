import type { DesiredRecord } from "../src/records/types.js";
import { InfraError } from "./errors.js";
import { ownerResourceName, recordId, recordResourceName } from "./names.js";
import { hasUnderscoreLabel, zoneRecordArgs, type ZoneRecordArgs } from "./ovh-record.js";
import { recordDigest, type OwnerSnapshot } from "./snapshot.js";

/**
 * The stack's desired resources as plain values, before any Pulumi resource exists:
 * the model's records grouped by owner, each with its logical name, ZoneRecord
 * arguments and digest. The guard, the outputs and the components all read this.
 */
export interface PlannedRecord {
  id: string;
  resourceName: string;
  args: ZoneRecordArgs;
  digest: string;
}

export interface OwnerPlan {
  owner: string;
  resourceName: string;
  label: string;
  services: string[];
  records: PlannedRecord[];
}

export interface StackPlan {
  owners: OwnerPlan[];
  byType: Record<string, number>;
  underscore: number;
  total: number;
}

export interface OwnerInfo {
  label: string;
  services: string[];
}

export class PlanError extends InfraError {}

/** Groups records by owner (sorted, so the plan never depends on input order) and checks identities are unique. */
export function planStack(zone: string, records: readonly DesiredRecord[], ownerInfo: (owner: string) => OwnerInfo): StackPlan {
  const byOwner = new Map<string, DesiredRecord[]>();
  for (const r of records) {
    const list = byOwner.get(r.owner);
    if (list) list.push(r);
    else byOwner.set(r.owner, [r]);
  }
  const owners: OwnerPlan[] = [];
  const byType: Record<string, number> = {};
  let underscore = 0;
  let total = 0;
  const names = new Map<string, string>();
  for (const owner of [...byOwner.keys()].sort()) {
    const info = ownerInfo(owner);
    const planned: PlannedRecord[] = [];
    const seen = new Map<string, DesiredRecord>();
    for (const r of byOwner.get(owner)!) {
      const id = recordId(r);
      const dup = seen.get(id);
      if (dup) {
        throw new PlanError(`the record model gave owner ${owner} two records with identity ${id} (${dup.name || "@"} ${JSON.stringify(dup.value)} and ${r.name || "@"} ${JSON.stringify(r.value)}): logical names would collide`);
      }
      seen.set(id, r);
      const args = zoneRecordArgs(zone, r);
      planned.push({ id, resourceName: recordResourceName(r), args, digest: recordDigest(args) });
      byType[r.type] = (byType[r.type] ?? 0) + 1;
      if (hasUnderscoreLabel(r.name)) underscore += 1;
      total += 1;
    }
    planned.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const resourceName = ownerResourceName(owner);
    const clash = names.get(resourceName);
    if (clash !== undefined) throw new PlanError(`owners ${clash} and ${owner} map to the same logical name ${resourceName}`);
    names.set(resourceName, owner);
    owners.push({ owner, resourceName, label: info.label, services: [...info.services].sort(), records: planned });
  }
  return { owners, byType, underscore, total };
}

export function snapshotOf(plan: StackPlan): OwnerSnapshot[] {
  return plan.owners.map((o) => ({
    owner: o.owner,
    label: o.label,
    services: o.services,
    records: Object.fromEntries(o.records.map((r) => [r.id, r.digest])),
  }));
}
