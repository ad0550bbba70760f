/**
 * Public surface of the desired-records model, used by the CLI and by the Pulumi
 * program (infra/). Names here are stable.
 */
export { holderId, NO_MAIL_SET, ZONE_SET, AUTHORITY_SET, type DesiredRecord, type RecordType, type RecordHolder } from "./types.js";
export {
  appliedSnapshotOf,
  parseAppliedSnapshot,
  readAppliedSnapshotFile,
  scopeOwners,
  SNAPSHOT_OUTPUT,
  SNAPSHOT_VERSION,
  type AppliedSnapshot,
  type SnapshotOwner,
  type SnapshotRecord,
  type SnapshotSubscription,
} from "./applied.js";
export { diffSnapshots, type SnapshotDiff, type OwnerChange, type RecordDeletion, type RecordUpdate, type SubscriptionDeletion } from "./diff.js";
export { planZone, type ZonePlan, type PlanOwner } from "./plan.js";
export { dnsConfigSchema, recordTemplateSchema, type DnsConfig, type RecordTemplate, type RecordSet } from "./catalog-schema.js";
export { dkimStoreSchema, dkimKeySchema, type DkimStore, type DkimKey } from "./dkim.js";
export {
  desiredZone,
  allRecords,
  stackRecords,
  pendingOwners,
  requireDnsConfig,
  normalizeDepartement,
  ZONE_OWNER,
  type DesiredZone,
  type DesiredZoneOptions,
  type OwnerRecords,
  type PendingRecord,
  type LabelRole,
  type SoaValues,
} from "./model.js";
export { validateZone, validateRecords, assertValidZone, fqdnOf, type RecordProblem, type RecordRule } from "./validate.js";
export { checkSpf, checkDmarc, checkDkim, checkTlsRpt, checkMtaSts, parseDmarc } from "./mail-policies.js";
export { txtChunks, txtRdata, quoteTxtString } from "./txt.js";
export { renderZone, sortRecords } from "./zonefile.js";
