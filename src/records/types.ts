/**
 * The one model of desired DNS state. Everything that publishes or checks records
 * (zone file, plan, Pulumi ZoneRecords, verify) consumes DesiredRecord values and
 * never builds records of its own.
 */
export type RecordType = "A" | "AAAA" | "CNAME" | "MX" | "TXT" | "CAA" | "NS" | "DS";

/**
 * Whose records these are, typed: a commune (its allocated label, keyed by SIREN or
 * insee:<code>), a ledger label no commune holds as its primary (alias, reserved,
 * tombstone), or the zone itself. Nothing guesses the kind from the id's spelling.
 */
export type RecordHolder = { kind: "commune"; key: string } | { kind: "label"; label: string } | { kind: "zone" };

/** The id every output keys an owner by (records' `owner`, Pulumi logical names): the key, the label, or "zone". */
export function holderId(holder: RecordHolder): string {
  switch (holder.kind) {
    case "commune":
      return holder.key;
    case "label":
      return holder.label;
    case "zone":
      return "zone";
  }
}

/**
 * Which part of the configuration published a record: a service's record set (its
 * `dns.recordSets` key: `messages`, `web`), the no-mail set, the zone level, or the
 * apex authority. The guard reads it to tell an offboarding from a loss.
 */
export type RecordSetName = string;
export const NO_MAIL_SET = "no-mail";
export const ZONE_SET = "zone";
export const AUTHORITY_SET = "authority";
/** The NS (and DS) records of a label whose zone lives elsewhere: the only records the parent holds at or below it. */
export const DELEGATION_SET = "delegation";
/** Records found in the live zone and kept as they are (`import --zone --apply`). */
export const ADOPTED_SET = "adopted";

export interface DesiredRecord {
  /**
   * Who the record is for: holderId of its owner's holder, i.e. the commune key (SIREN
   * or insee:<code>) for a commune's allocated label; the label itself for every other
   * ledger label (alias, reserved, tombstone: a commune may hold several, each its own
   * owner); "zone" for zone-level records. (owner, purpose) is unique.
   */
  owner: string;
  /** Owner name relative to the zone, lowercase, no trailing dot; "" for the apex. */
  name: string;
  type: RecordType;
  ttl: number;
  /**
   * Presentation value without zone-file quoting: MX "10 mx1.example.net.", CNAME
   * "mende.collectivite.fr.", TXT the whole text as one string (splitting into
   * 255-octet strings is the renderers' job).
   */
  value: string;
  /** Stable identity of the record within its owner: mx1, mx2, spf, dkim, dmarc, tls-rpt, web-a-1, null-mx, … (Pulumi logical names derive from it). */
  purpose: string;
  /** The record set that published it (see RecordSetName). */
  set: RecordSetName;
}
