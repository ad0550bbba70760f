import type { DesiredRecord } from "../src/records/types.js";
import { InfraError } from "./errors.js";

/**
 * Pulumi logical names. A URN holds the type chain and the name but not the parent's
 * name, so a record's name must be unique in the whole stack: it is built from the
 * owner (commune key, label or "zone") and the record's identity within its owner
 * (purpose and type), never from a position in a list. The record's name (e.g. a DKIM
 * selector) is not part of it, so changing it updates the record in place.
 */

/** `insee:97501` → `insee-97501`; a SIREN or label stays as is. */
export function ownerSlug(owner: string): string {
  if (!/^[a-z0-9][a-z0-9:-]*$/.test(owner)) throw new InfraError(`record owner ${JSON.stringify(owner)} cannot form a Pulumi logical name (expected a SIREN, insee:<code>, a label or "zone")`);
  return owner.replace(":", "-");
}

/** Identity of a record within its owner, e.g. `mx1.MX`, `dkim.TXT`. */
export function recordId(record: Pick<DesiredRecord, "purpose" | "type">): string {
  if (!/^[a-z][a-z0-9-]*$/.test(record.purpose)) throw new InfraError(`record purpose ${JSON.stringify(record.purpose)} cannot form a Pulumi logical name (lowercase letters, digits, hyphens)`);
  return `${record.purpose}.${record.type}`;
}

/** Logical name of the component holding an owner's records. */
export function ownerResourceName(owner: string): string {
  return ownerSlug(owner);
}

/** Logical name of one ZoneRecord: `<owner>.<purpose>.<TYPE>`, e.g. `214800950.mx1.MX`. */
export function recordResourceName(record: Pick<DesiredRecord, "owner" | "purpose" | "type">): string {
  return `${ownerSlug(record.owner)}.${recordId(record)}`;
}
