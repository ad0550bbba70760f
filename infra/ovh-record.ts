import { txtRdata } from "../src/records/txt.js";
import { InfraError } from "./errors.js";
import type { DesiredRecord } from "../src/records/types.js";

/**
 * DesiredRecord → the arguments of one `ovh.domain.ZoneRecord` ({ zone, subdomain,
 * fieldtype, target, ttl }). The only place that knows how OVH wants a value.
 *
 * What the OVH API does with TXT targets (see README "TXT values on OVH"):
 * - it stores and returns TXT targets as zone-file character-strings: a short value
 *   sent unquoted comes back as `"value"` (lexicon#65, terraform-provider-ovh#1193);
 * - a value longer than 255 octets comes back as consecutive quoted strings of at
 *   most 255 octets separated by one space, `"…255…" "…rest"` (terraform-provider-ovh#1225,
 *   a 2048-bit DKIM key);
 * - values with `"` or `\` are not handled faithfully (DNSControl refuses them for OVH).
 * So the target is sent exactly in the stored form: the provider then reads back what
 * it wrote and a second `pulumi up` shows no diff (the provider's own diff suppression,
 * v2.13+, only covers the short unquoted case).
 */
export interface ZoneRecordArgs {
  zone: string;
  subdomain: string;
  fieldtype: DesiredRecord["type"];
  target: string;
  ttl: number;
}

/** OVH refuses a TTL below 60 (the provider validates it too). */
export const OVH_MIN_TTL = 60;

export class OvhRecordError extends InfraError {}

export function zoneRecordArgs(zone: string, record: DesiredRecord): ZoneRecordArgs {
  const where = `${record.owner} ${record.purpose} (${record.type} ${record.name || "@"})`;
  if (!Number.isInteger(record.ttl) || record.ttl < OVH_MIN_TTL) {
    throw new OvhRecordError(`record ${where}: TTL ${record.ttl} is below OVH's minimum of ${OVH_MIN_TTL} seconds`);
  }
  if (record.name !== record.name.toLowerCase() || record.name.endsWith(".") || record.name.startsWith(".")) {
    throw new OvhRecordError(`record ${where}: name ${JSON.stringify(record.name)} must be lowercase and relative to the zone, without leading or trailing dot`);
  }
  return {
    zone,
    subdomain: record.name,
    fieldtype: record.type,
    target: record.type === "TXT" ? ovhTxtTarget(record.value, where) : record.value,
    ttl: record.ttl,
  };
}

/**
 * A TXT value in the form OVH stores it: quoted strings of ≤ 255 octets joined by one
 * space (the zone-file presentation the record model's txtRdata gives). Values OVH
 * cannot take faithfully are refused here rather than mangled there.
 */
export function ovhTxtTarget(value: string, where = "TXT value"): string {
  if (/["\\]/.test(value)) throw new OvhRecordError(`${where}: a TXT value with a double quote or backslash cannot be sent to OVH faithfully`);
  if (!/^[\x20-\x7e]*$/.test(value)) throw new OvhRecordError(`${where}: a TXT value for OVH must be printable ASCII (no control or non-ASCII characters)`);
  return txtRdata(value);
}

/**
 * Names with an underscore label (_dmarc, _domainkey, _smtp._tls). Some OVH endpoints
 * have refused them in the past: the program reports them as a stack output so a
 * reviewer sees which records depend on OVH accepting them.
 */
export function hasUnderscoreLabel(name: string): boolean {
  return name.split(".").some((l) => l.startsWith("_"));
}
