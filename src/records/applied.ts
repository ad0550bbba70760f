import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { InputError, quoteInput } from "../errors.js";
import { recordTypeSchema } from "./catalog-schema.js";
import { normalizeDepartement, ZONE_OWNER, type DesiredZone, type OwnerRecords } from "./model.js";
import type { DesiredRecord } from "./types.js";

/**
 * The one record of "what was applied": the snapshot a Pulumi stack leaves in its
 * `guardState` output after each successful run, and reads back (StackReference) at the
 * next run. `plan --against FILE` reads the same value from
 * `pulumi stack output guardState --json`. It holds, for one stack's scope (the platform
 * or one département), every owner with its typed holder, ledger state, services and
 * records (values in the model's presentation form, so a plan can show before → after),
 * and the Espace Opérateur subscriptions the stack declared.
 */

export const SNAPSHOT_OUTPUT = "guardState";
export const SNAPSHOT_VERSION = 2;

/** The scope of one Pulumi stack: `platform`, or a département code (48, 2A, 974). */
export type StackScope = string;
export const PLATFORM = "platform";

export const snapshotRecordSchema = z.strictObject({
  purpose: z.string().min(1),
  set: z.string().min(1),
  name: z.string(),
  type: recordTypeSchema,
  ttl: z.number().int(),
  value: z.string(),
});
export type SnapshotRecord = z.infer<typeof snapshotRecordSchema>;

export const holderSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("commune"), key: z.string().min(1) }),
  z.strictObject({ kind: z.literal("label"), label: z.string().min(1) }),
  z.strictObject({ kind: z.literal("zone") }),
]);

export const snapshotOwnerSchema = z.strictObject({
  owner: z.string().min(1),
  holder: holderSchema,
  label: z.string(),
  /** The commune the label belongs to (for an alias: the absorbed or renamed commune's own key); null for the zone and homonym slugs. */
  key: z.string().nullable(),
  /** Ledger state of the label at that run; "zone" for the zone level. */
  state: z.enum(["allocated", "alias", "reserved", "tombstone", "zone"]),
  departement: z.string().nullable(),
  services: z.array(z.string()),
  records: z.array(snapshotRecordSchema),
});
export type SnapshotOwner = z.infer<typeof snapshotOwnerSchema>;

export const snapshotSubscriptionSchema = z.strictObject({
  commune: z.string().min(1),
  label: z.string(),
  service: z.string().min(1),
  operator: z.string().min(1),
});
export type SnapshotSubscription = z.infer<typeof snapshotSubscriptionSchema>;

export const appliedSnapshotSchema = z.strictObject({
  version: z.literal(SNAPSHOT_VERSION),
  zone: z.string().min(1),
  shard: z.string().min(1),
  owners: z.array(snapshotOwnerSchema),
  subscriptions: z.array(snapshotSubscriptionSchema),
});
export type AppliedSnapshot = z.infer<typeof appliedSnapshotSchema>;

/** A snapshot record in the model's form again (the owner comes from its snapshot owner). */
export function desiredRecordOf(owner: string, r: SnapshotRecord): DesiredRecord {
  return { owner, name: r.name, type: r.type, ttl: r.ttl, value: r.value, purpose: r.purpose, set: r.set };
}

function snapshotRecord(r: DesiredRecord): SnapshotRecord {
  return { purpose: r.purpose, set: r.set, name: r.name, type: r.type, ttl: r.ttl, value: r.value };
}

/** Purposes are unique within an owner (validation's identity rule). */
function byPurpose(a: SnapshotRecord, b: SnapshotRecord): number {
  return a.purpose < b.purpose ? -1 : 1;
}

/**
 * Record types a stack cannot publish: the OVH API's zone records have no DS field type
 * (zone.NamedResolutionFieldTypeEnum: A, AAAA, CAA, CNAME, DKIM, DMARC, DNAME, LOC, MX,
 * NAPTR, NS, PTR, SPF, SRV, SSHFP, TLSA, TXT). The zone file keeps them; the snapshot,
 * and so the diff, the guard and the Pulumi resources, leave them out (`plan` lists them).
 */
export const UNPUBLISHED_TYPES: ReadonlySet<DesiredRecord["type"]> = new Set(["DS"]);

function ownerSnapshot(o: OwnerRecords): SnapshotOwner {
  const records = o.records.filter((r) => !UNPUBLISHED_TYPES.has(r.type));
  return { owner: o.owner, holder: o.holder, label: o.label, key: o.key, state: o.state, departement: o.departement, services: [...o.services].sort(), records: records.map(snapshotRecord).sort(byPurpose) };
}

/** The zone level as an owner: its records, held by the zone, shown as "@". */
export function zoneOwnerSnapshot(desired: DesiredZone): SnapshotOwner {
  return { owner: ZONE_OWNER, holder: { kind: "zone" }, label: "@", key: null, state: "zone", departement: null, services: [], records: desired.zoneRecords.map(snapshotRecord).sort(byPurpose) };
}

/**
 * The owners a scope publishes, zone level first then by label: `platform` = the zone
 * level and labels of no département (homonym groups' bare slugs); a département = its
 * labels; null = the whole zone (a plan without a stack to compare with).
 */
export function scopeOwners(desired: DesiredZone, scope: StackScope | null): SnapshotOwner[] {
  const dep = scope === null || scope === PLATFORM ? null : normalizeDepartement(scope);
  const owners = desired.owners.filter((o) => (scope === null ? true : scope === PLATFORM ? o.departement === null : o.departement === dep)).map(ownerSnapshot);
  return scope === null || scope === PLATFORM ? [zoneOwnerSnapshot(desired), ...owners] : owners;
}

/** The snapshot of `desired` for one stack's scope, as the stack records it once applied. */
export function appliedSnapshotOf(desired: DesiredZone, shard: StackScope, subscriptions: readonly SnapshotSubscription[] = []): AppliedSnapshot {
  // (commune, service) is unique: one subscription per commune and service.
  const sorted = [...subscriptions].sort((a, b) => (a.commune < b.commune ? -1 : a.commune > b.commune ? 1 : a.service < b.service ? -1 : 1));
  return { version: SNAPSHOT_VERSION, zone: desired.zone, shard, owners: scopeOwners(desired, shard), subscriptions: sorted };
}

export function recordCount(owners: readonly SnapshotOwner[]): number {
  let n = 0;
  for (const o of owners) n += o.records.length;
  return n;
}

/**
 * Validates a snapshot from outside (a stack output, a file), naming where it came
 * from; `value` may also be the whole `pulumi stack output --json` object. Returns the
 * problem instead of throwing, so each caller says what to do in its own terms.
 */
export function parseAppliedSnapshot(value: unknown): { ok: true; snapshot: AppliedSnapshot } | { ok: false; problem: string } {
  const inner = typeof value === "object" && value !== null && SNAPSHOT_OUTPUT in value ? (value as Record<string, unknown>)[SNAPSHOT_OUTPUT] : value;
  const version = inner !== null && typeof inner === "object" ? (inner as { version?: unknown }).version : undefined;
  if (version === 1) {
    return { ok: false, problem: `it is a version 1 guardState (record digests only, written by an earlier domaines); version ${SNAPSHOT_VERSION} carries the records themselves` };
  }
  const parsed = appliedSnapshotSchema.safeParse(inner);
  if (parsed.success) return { ok: true, snapshot: parsed.data };
  const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
  return { ok: false, problem: problems.join("; ") };
}

/** `plan --against FILE`: the snapshot in a file written by `pulumi stack output guardState --json > FILE`. */
export function readAppliedSnapshotFile(path: string): AppliedSnapshot {
  if (!existsSync(path)) {
    throw new InputError(`--against ${quoteInput(path)}: no such file; write it with \`pulumi stack output guardState --json -s dep-48 > ${path}\`.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new InputError(`--against ${quoteInput(path)}: not JSON (${(err as Error).message}); write it with \`pulumi stack output guardState --json > ${path}\`.`);
  }
  const parsed = parseAppliedSnapshot(json);
  if (!parsed.ok) throw new InputError(`--against ${quoteInput(path)} is not a stack's applied snapshot: ${parsed.problem}. Write it with \`pulumi stack output guardState --json > ${path}\` after a run of this version.`);
  return parsed.snapshot;
}
