import * as names from "../src/records/logical-names.js";
import type { DesiredRecord } from "../src/records/types.js";
import { asInfraError } from "./errors.js";

/**
 * Pulumi logical names, from the record model's one definition
 * (src/records/logical-names.ts, which `import --zone` also writes its import file with);
 * a name that cannot be formed stops the run as an InfraError.
 */

export function ownerSlug(owner: string): string {
  return asInfraError("Pulumi logical name", () => names.ownerSlug(owner));
}

export function recordId(record: Pick<DesiredRecord, "purpose" | "type">): string {
  return asInfraError("Pulumi logical name", () => names.recordId(record));
}

export function ownerResourceName(owner: string): string {
  return ownerSlug(owner);
}

export function recordResourceName(record: Pick<DesiredRecord, "owner" | "purpose" | "type">): string {
  return `${ownerSlug(record.owner)}.${recordId(record)}`;
}
