/**
 * Public surface of the desired-records model, used by the CLI and by the Pulumi
 * program (infra/). Names here are stable.
 */
export type { DesiredRecord, RecordType } from "./types.js";
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
