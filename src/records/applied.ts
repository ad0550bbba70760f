import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { InputError } from "../errors.js";
import { replaceDurably } from "../ledger/fsync.js";
import { recordTypeSchema } from "./catalog-schema.js";
import { ZONE_OWNER, type DesiredZone } from "./model.js";

/**
 * The last applied DNS state, for `plan` to diff against: what the zone held after the
 * last successful apply. Lives beside the ledger (<ledger dir>/dns-applied.json) so that
 * a test ledger has its own; written by `plan --save` (run it right after a successful
 * `pulumi up`) or by the apply step calling `saveAppliedSnapshot`.
 */

export const APPLIED_FILE = "dns-applied.json";

const snapshotRecordSchema = z.strictObject({
  purpose: z.string().min(1),
  name: z.string(),
  type: recordTypeSchema,
  ttl: z.number().int(),
  value: z.string(),
});
export type SnapshotRecord = z.infer<typeof snapshotRecordSchema>;

const snapshotOwnerSchema = z.strictObject({
  owner: z.string().min(1),
  label: z.string(),
  departement: z.string().nullable(),
  records: z.array(snapshotRecordSchema),
});
export type SnapshotOwner = z.infer<typeof snapshotOwnerSchema>;

export const appliedSnapshotSchema = z.strictObject({
  version: z.literal(1),
  zone: z.string(),
  savedAt: z.iso.datetime({ offset: true }),
  owners: z.array(snapshotOwnerSchema),
});
export type AppliedSnapshot = z.infer<typeof appliedSnapshotSchema>;

export function appliedSnapshotPath(ledgerDir: string, explicit?: string): string {
  return explicit ?? join(ledgerDir, APPLIED_FILE);
}

/** The snapshot, or null when nothing was applied yet. */
export function readAppliedSnapshot(path: string): AppliedSnapshot | null {
  if (!existsSync(path)) return null;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new InputError(`cannot read the applied DNS snapshot ${path}: ${(err as Error).message}. Restore it from backup, or delete it to compare with an empty zone.`);
  }
  const parsed = appliedSnapshotSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new InputError(`the applied DNS snapshot ${path} is invalid:\n${problems.join("\n")}`);
  }
  return parsed.data;
}

/** The desired zone in snapshot form: zone-level records as owner "zone" (no département). */
export function snapshotOwners(desired: DesiredZone, withZoneLevel: boolean): SnapshotOwner[] {
  const strip = (r: { purpose: string; name: string; type: SnapshotRecord["type"]; ttl: number; value: string }): SnapshotRecord => ({
    purpose: r.purpose,
    name: r.name,
    type: r.type,
    ttl: r.ttl,
    value: r.value,
  });
  const owners: SnapshotOwner[] = desired.owners.map((o) => ({ owner: o.owner, label: o.label, departement: o.departement, records: o.records.map(strip) }));
  if (withZoneLevel) owners.unshift({ owner: ZONE_OWNER, label: "@", departement: null, records: desired.zoneRecords.map(strip) });
  return owners;
}

/**
 * Records `desired` as applied. With a département, only that département's owners are
 * replaced and the rest of the previous snapshot is kept. Atomic: a crash leaves the old file.
 */
export function saveAppliedSnapshot(path: string, desired: DesiredZone, options: { departement?: string; now?: Date } = {}): AppliedSnapshot {
  const previous = readAppliedSnapshot(path);
  const whole = options.departement === undefined;
  const fresh = snapshotOwners(desired, whole);
  const kept = whole || !previous || previous.zone !== desired.zone ? [] : previous.owners.filter((o) => o.departement !== normalize(options.departement));
  const owners = [...kept, ...fresh].sort((a, b) => (a.owner === ZONE_OWNER ? -1 : b.owner === ZONE_OWNER ? 1 : a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  const snapshot: AppliedSnapshot = { version: 1, zone: desired.zone, savedAt: (options.now ?? new Date()).toISOString(), owners };
  replaceDurably(path, `${JSON.stringify(snapshot)}\n`);
  return snapshot;
}

function normalize(dep: string | undefined): string | undefined {
  return dep?.trim().toUpperCase();
}
