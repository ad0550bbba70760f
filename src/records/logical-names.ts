import { InputError } from "../errors.js";
import type { DesiredRecord, RecordHolder } from "./types.js";

/**
 * Pulumi logical names and types, derived from the record model: the Pulumi program
 * registers its resources under them and `import --zone` writes the `pulumi import` file
 * with them, so the two can never disagree. A URN holds the type chain and the name but
 * not the parent's name, so a record's name must be unique in the whole stack: it is built
 * from the owner (commune key, label or "zone") and the record's identity within its
 * owner (purpose and type), never from a position in a list. The record's name (e.g. a
 * DKIM selector) is not part of it, so changing it updates the record in place.
 */

export const PULUMI_PROJECT = "domaines";
export const ZONE_RECORD_TYPE = "ovh:Domain/zoneRecord:ZoneRecord";
export const COMMUNE_COMPONENT = "domaines:dns:CommuneDomain";
export const ZONE_NAMES_COMPONENT = "domaines:dns:ZoneNames";

/** `insee:97501` → `insee-97501`; a SIREN or label stays as is. */
export function ownerSlug(owner: string): string {
  if (!/^[a-z0-9][a-z0-9:-]*$/.test(owner)) throw new InputError(`record owner ${JSON.stringify(owner)} cannot form a Pulumi logical name (expected a SIREN, insee:<code>, a label or "zone")`);
  return owner.replace(":", "-");
}

/** Identity of a record within its owner, e.g. `mx1.MX`, `dkim.TXT`. */
export function recordId(record: Pick<DesiredRecord, "purpose" | "type">): string {
  if (!/^[a-z][a-z0-9-]*$/.test(record.purpose)) throw new InputError(`record purpose ${JSON.stringify(record.purpose)} cannot form a Pulumi logical name (lowercase letters, digits, hyphens)`);
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

/** The component type of an owner's records: a commune's domain, or names of the zone (zone level, labels no commune holds). */
export function componentType(holder: RecordHolder): string {
  return holder.kind === "commune" ? COMMUNE_COMPONENT : ZONE_NAMES_COMPONENT;
}

/** The URN of an owner's component in a stack (what `pulumi up --target` and an import file's nameTable take). */
export function componentUrn(stack: string, holder: RecordHolder, owner: string): string {
  return `urn:pulumi:${stack}::${PULUMI_PROJECT}::${componentType(holder)}::${ownerResourceName(owner)}`;
}
