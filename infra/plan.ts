import { desiredRecordOf, type AppliedSnapshot } from "../src/records/applied.js";
import type { RecordHolder } from "../src/records/types.js";
import { InfraError } from "./errors.js";
import { ownerResourceName, recordId, recordResourceName } from "./names.js";
import { hasUnderscoreLabel, zoneRecordArgs, type ZoneRecordArgs } from "./ovh-record.js";

/**
 * The stack's resources as plain values, before any Pulumi resource exists: the
 * snapshot this run would leave (the records the guard judged), each record with its
 * logical name and ZoneRecord arguments. The components only instantiate this.
 */
export interface PlannedRecord {
  id: string;
  resourceName: string;
  args: ZoneRecordArgs;
}

export interface OwnerPlan {
  owner: string;
  holder: RecordHolder;
  resourceName: string;
  label: string;
  records: PlannedRecord[];
}

export interface StackPlan {
  owners: OwnerPlan[];
  byType: Record<string, number>;
  underscore: number;
  total: number;
}

export class PlanError extends InfraError {}

/** One OwnerPlan per snapshot owner (in the snapshot's order); identities and logical names are checked unique. */
export function planStack(snapshot: AppliedSnapshot): StackPlan {
  const owners: OwnerPlan[] = [];
  const byType: Record<string, number> = {};
  let underscore = 0;
  let total = 0;
  const names = new Map<string, string>();
  for (const o of snapshot.owners) {
    const planned: PlannedRecord[] = [];
    const seen = new Map<string, string>();
    for (const s of o.records) {
      const r = desiredRecordOf(o.owner, s);
      const id = recordId(r);
      const dup = seen.get(id);
      if (dup !== undefined) {
        throw new PlanError(`the record model gave owner ${o.owner} two records with identity ${id} (${dup} and ${r.name || "@"} ${JSON.stringify(r.value)}): logical names would collide`);
      }
      seen.set(id, `${r.name || "@"} ${JSON.stringify(r.value)}`);
      planned.push({ id, resourceName: recordResourceName(r), args: zoneRecordArgs(snapshot.zone, r) });
      byType[r.type] = (byType[r.type] ?? 0) + 1;
      if (hasUnderscoreLabel(r.name)) underscore += 1;
      total += 1;
    }
    const resourceName = ownerResourceName(o.owner);
    const clash = names.get(resourceName);
    if (clash !== undefined) throw new PlanError(`owners ${clash} and ${o.owner} map to the same logical name ${resourceName}`);
    names.set(resourceName, o.owner);
    owners.push({ owner: o.owner, holder: o.holder, resourceName, label: o.label, records: planned });
  }
  const sortedTypes: Record<string, number> = {};
  for (const t of Object.keys(byType).sort()) sortedTypes[t] = byType[t]!;
  return { owners, byType: sortedTypes, underscore, total };
}
