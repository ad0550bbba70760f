/**
 * The one model of desired DNS state. Everything that publishes or checks records
 * (zone file, plan, Pulumi ZoneRecords, verify) consumes DesiredRecord values and
 * never builds records of its own.
 */
export type RecordType = "A" | "AAAA" | "CNAME" | "MX" | "TXT" | "CAA" | "NS";

export interface DesiredRecord {
  /**
   * Who the record is for: the commune key (SIREN or insee:<code>) for a commune's
   * allocated label; the label itself for every other ledger label (alias, reserved,
   * tombstone: a commune may hold several, each its own owner); "zone" for zone-level
   * records. (owner, purpose) is unique.
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
}
