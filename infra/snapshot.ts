import { createHash } from "node:crypto";
import { z } from "zod";
import type { ZoneRecordArgs } from "./ovh-record.js";

/**
 * What one run leaves in its stack outputs so the next run can tell what it would
 * delete: per owner (commune key, or a label / "zone" on the platform stack) its label,
 * the services the ledger enrolled it in, and one short digest per record.
 */
export const ownerSnapshotSchema = z.strictObject({
  owner: z.string().min(1),
  label: z.string(),
  services: z.array(z.string()),
  /** recordId (`mx1.MX`) → digest of the ZoneRecord arguments. */
  records: z.record(z.string(), z.string()),
});
export type OwnerSnapshot = z.infer<typeof ownerSnapshotSchema>;

export const SNAPSHOT_OUTPUT = "guardState";
export const SNAPSHOT_VERSION = 1;

export const stackSnapshotSchema = z.strictObject({
  version: z.literal(SNAPSHOT_VERSION),
  zone: z.string(),
  shard: z.string(),
  owners: z.array(ownerSnapshotSchema),
});
export type StackSnapshot = z.infer<typeof stackSnapshotSchema>;

/** 16 hex digits of SHA-256 over the fields OVH stores: enough to see any change. */
export function recordDigest(args: ZoneRecordArgs): string {
  const text = JSON.stringify([args.zone, args.subdomain, args.fieldtype, args.target, args.ttl]);
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

export function recordCount(owners: readonly OwnerSnapshot[]): number {
  let n = 0;
  for (const o of owners) n += Object.keys(o.records).length;
  return n;
}
