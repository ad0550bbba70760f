import type { DomainesConfig } from "../config/schema.js";
import { InputError } from "../errors.js";
import { lastName } from "../ledger/entries.js";
import type { AdoptedRecord, LedgerEntry, LedgerState } from "../ledger/schema.js";
import type { DnsConfig, RecordSet, RecordTemplate } from "./catalog-schema.js";
import type { DkimStore } from "./dkim.js";
import { ADOPTED_SET, AUTHORITY_SET, DELEGATION_SET, holderId, NO_MAIL_SET, ZONE_SET, type DesiredRecord, type RecordHolder } from "./types.js";

/**
 * The one model of desired DNS state: pure functions from ledger entries, the `dns`
 * configuration and the DKIM keys to records. Every output (zone file, plan, Pulumi,
 * verify) derives from `desiredZone`.
 */

/** What a label is for mail and web: a service member, an alias of one, or nothing (no mail). */
export type LabelRole = "member" | "alias" | "no-mail";

/** A record the model would publish but cannot yet, because an input is missing. */
export interface PendingRecord {
  owner: string;
  purpose: string;
  type: DesiredRecord["type"];
  /** What is missing: today only the DKIM key Messages gives for the mail domain. */
  missing: "dkim";
  reason: string;
}

/** The records of one ledger label (one owner). */
export interface OwnerRecords {
  /** holderId(holder): what records and logical names key this owner by. */
  owner: string;
  holder: RecordHolder;
  label: string;
  fqdn: string;
  state: LedgerState;
  /** Commune key holding the label (null for a homonym group's bare slug). */
  key: string | null;
  /** For aliases: the live commune the mail goes to. */
  aliasOf: string | null;
  /** The holder's current name as the ledger last saw it (after a rename, the new one); null when unknown. */
  name: string | null;
  /** Département of the holder (its Pulumi stack); null for labels of no département (platform stack). */
  departement: string | null;
  role: LabelRole;
  /** Services whose record sets apply (the commune's own, or its successor's for an alias). */
  services: string[];
  records: DesiredRecord[];
  pending: PendingRecord[];
  /** The label's zone lives elsewhere: `records` are its NS (and DS) set only. Null for a label whose records the parent holds. */
  delegation: OwnerDelegation | null;
  /** Adopted records a service's own records replace (same name and type, or a CNAME beside them): kept in the ledger, not published. */
  shadowed: DesiredRecord[];
}

export interface OwnerDelegation {
  nameservers: string[];
  ds: string[];
  /**
   * What the child zone should serve for the commune's services (the records the model
   * would publish here were the label not delegated, without the no-mail set): `verify`
   * asks the child's servers for them. Names relative to this zone.
   */
  child: DesiredRecord[];
}

export interface SoaValues {
  primary: string;
  hostmaster: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export interface DesiredZone {
  zone: string;
  soa: SoaValues;
  /** Apex NS records (the zone file needs them; OVH manages its own, the Pulumi program must skip them). */
  authority: DesiredRecord[];
  /** Records published once for the zone (the platform stack): _dmarc with sp=reject, CAA, wildcard no-mail. */
  zoneRecords: DesiredRecord[];
  /** Per ledger label, sorted by label; filtered to one département when asked. */
  owners: OwnerRecords[];
}

export interface DesiredZoneOptions {
  /** Only the owners of this département (01, 2A, 974); zone-level records are always returned. */
  departement?: string;
  /** SOA serial; default: the latest ledger or DKIM change, in Unix seconds (same input, same serial). */
  serial?: number;
}

export const ZONE_OWNER = "zone";

/** The `dns` section, or a clear error saying that the configuration lacks it. */
export function requireDnsConfig(config: DomainesConfig): DnsConfig {
  if (!config.dns) {
    throw new InputError('the configuration has no "dns" section (SOA, name servers, TTLs, record sets); add one as in data/config.json, or pass --config FILE.');
  }
  return config.dns;
}

/** Normalised département code as the ledger and commune data spell it (48, 2A, 974). */
export function normalizeDepartement(raw: string): string {
  return raw.trim().toUpperCase();
}

export function desiredZone(
  entries: readonly LedgerEntry[],
  config: DomainesConfig,
  dkim: DkimStore,
  options: DesiredZoneOptions = {},
): DesiredZone {
  const dns = requireDnsConfig(config);
  const zone = config.zone;
  const allocatedByKey = new Map<string, LedgerEntry>();
  for (const e of entries) if (e.state === "allocated" && e.key) allocatedByKey.set(e.key, e);

  const wanted = options.departement === undefined ? undefined : normalizeDepartement(options.departement);
  const owners: OwnerRecords[] = [];
  for (const entry of [...entries].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0))) {
    const departement = entry.departement ? normalizeDepartement(entry.departement) : null;
    if (wanted !== undefined && departement !== wanted) continue;
    owners.push(ownerRecords(entry, departement, allocatedByKey, dns, zone, dkim));
  }

  return {
    zone,
    soa: { ...dns.soa, serial: options.serial ?? defaultSerial(entries, dkim) },
    authority: dns.nameservers.map((ns, i) => ({ owner: ZONE_OWNER, name: "", type: "NS", ttl: dns.ttl, value: `${ns}.`, purpose: `ns-${i + 1}`, set: AUTHORITY_SET })),
    zoneRecords: zoneLevelRecords(dns, zone),
    owners,
  };
}

/** Every record the zone holds besides SOA/NS: zone level first, then owners by label. */
export function allRecords(desired: DesiredZone): DesiredRecord[] {
  return [...desired.zoneRecords, ...desired.owners.flatMap((o) => o.records)];
}

/**
 * The records of one Pulumi stack: "platform" = zone-level records plus labels of no
 * département (homonym groups' bare slugs); a département code = its communes' labels.
 */
export function stackRecords(desired: DesiredZone, stack: "platform" | string): DesiredRecord[] {
  if (stack === "platform") return [...desired.zoneRecords, ...desired.owners.filter((o) => o.departement === null).flatMap((o) => o.records)];
  const dep = normalizeDepartement(stack);
  return desired.owners.filter((o) => o.departement === dep).flatMap((o) => o.records);
}

/** Owners still waiting for an input (DKIM), for the plan. */
export function pendingOwners(desired: DesiredZone): OwnerRecords[] {
  return desired.owners.filter((o) => o.pending.length > 0);
}

function zoneLevelRecords(dns: DnsConfig, zone: string): DesiredRecord[] {
  const lookup: Lookup = (p) => (p === "zone" ? zone : dns.variables[p]);
  const out: DesiredRecord[] = [];
  for (const t of dns.zoneRecords) expand(out, t, ZONE_SET, "", ZONE_OWNER, lookup, dns.ttl);
  if (dns.unallocated === "wildcard") {
    // Names nobody holds refuse mail too; a wildcard never matches a name that exists, so it cannot shadow a commune.
    for (const t of dns.noMail) expand(out, { ...t, purpose: `wildcard-${t.purpose}` }, ZONE_SET, "*", ZONE_OWNER, lookup, dns.ttl);
  }
  return out;
}

function ownerRecords(
  entry: LedgerEntry,
  departement: string | null,
  allocatedByKey: ReadonlyMap<string, LedgerEntry>,
  dns: DnsConfig,
  zone: string,
  dkim: DkimStore,
): OwnerRecords {
  const holder: RecordHolder = entry.state === "allocated" && entry.key ? { kind: "commune", key: entry.key } : { kind: "label", label: entry.label };
  const owner = holderId(holder);
  const fqdn = `${entry.label}.${zone}`;
  let role: LabelRole = "no-mail";
  let services: string[] = [];
  if (entry.state === "allocated") {
    services = Object.keys(entry.services).sort();
    role = "member";
  } else if (entry.state === "alias" && entry.aliasOf) {
    // An alias receives for its successor, and only for the services the successor has.
    services = Object.keys(allocatedByKey.get(entry.aliasOf)?.services ?? {}).sort();
    role = "alias";
  }

  const service: DesiredRecord[] = [];
  const pending: PendingRecord[] = [];
  const key = dkim[fqdn];
  const lookup: Lookup = (p) => {
    switch (p) {
      case "label":
        return entry.label;
      case "fqdn":
        return fqdn;
      case "zone":
        return zone;
      case "dkim.selector":
        return key?.selector;
      case "dkim.value":
        return key?.value;
      default:
        return dns.variables[p];
    }
  };
  if (role !== "no-mail") {
    for (const [setName, set] of Object.entries(dns.recordSets)) {
      if (!applies(set, services)) continue;
      for (const t of set.records) {
        if (!t.for.includes(role)) continue;
        if (!key && (usesDkim(t.name) || usesDkim(t.value))) {
          pending.push({ owner, purpose: t.purpose, type: t.type, missing: "dkim", reason: `no DKIM key for ${fqdn} in the DKIM store yet (Messages gives it once the mail domain exists)` });
          continue;
        }
        expand(service, t, setName, entry.label, owner, lookup, dns.ttl);
      }
    }
  }
  let records: DesiredRecord[];
  let shadowed: DesiredRecord[] = [];
  let delegation: OwnerDelegation | null = null;
  if (entry.delegation) {
    // Below a zone cut the parent holds nothing but the NS set (and DS): no no-mail records, no wildcard effect.
    const ttl = entry.delegation.ttl ?? dns.ttl;
    const ds = entry.delegation.ds ?? [];
    records = [
      ...entry.delegation.nameservers.map((ns, i) => ({ owner, name: entry.label, type: "NS" as const, ttl, value: `${ns}.`, purpose: `ns-${i + 1}`, set: DELEGATION_SET })),
      ...ds.map((value, i) => ({ owner, name: entry.label, type: "DS" as const, ttl, value, purpose: `ds-${i + 1}`, set: DELEGATION_SET })),
    ];
    delegation = { nameservers: [...entry.delegation.nameservers], ds: [...ds], child: service };
  } else {
    const merged = withAdopted(service, (entry.adopted ?? []).map((a) => adoptedRecord(a, entry.label, owner)));
    records = merged.records;
    shadowed = merged.shadowed;
    // An allocated commune with no service and nothing published (no adopted records either): the zone's wildcard says "no mail" for it, if configured so.
    const coveredByWildcard = dns.allocatedWithoutService === "wildcard" && entry.state === "allocated" && services.length === 0 && records.length === 0 && pending.length === 0;
    // A name without MX would receive mail through its A/AAAA (RFC 5321 §5.1): say "no mail" explicitly, unless adopted records speak for the name.
    if (!coveredByWildcard && !records.some((r) => r.type === "MX" && r.name === entry.label)) {
      const taken = rrsetsOf(records);
      const noMail: DesiredRecord[] = [];
      for (const t of dns.noMail) {
        if (records.some((r) => r.purpose === t.purpose)) continue;
        expand(noMail, t, NO_MAIL_SET, entry.label, owner, lookup, dns.ttl);
      }
      records.push(...noMail.filter((r) => !taken.keys.has(`${r.name}|${r.type}`) && !taken.cnames.has(r.name)));
    }
  }
  return {
    owner,
    holder,
    label: entry.label,
    fqdn,
    state: entry.state,
    key: entry.key,
    aliasOf: entry.aliasOf ?? null,
    name: lastName(entry) ?? null,
    departement,
    role,
    services,
    records,
    pending,
    delegation,
    shadowed,
  };
}

/** An adopted record as the model's record: names relative to the label, identity its stored purpose. */
function adoptedRecord(a: AdoptedRecord, label: string, owner: string): DesiredRecord {
  return { owner, name: a.name === "" ? label : `${a.name}.${label}`, type: a.type, ttl: a.ttl, value: a.value, purpose: a.purpose, set: ADOPTED_SET };
}

function rrsetsOf(records: readonly DesiredRecord[]): { keys: Set<string>; names: Set<string>; cnames: Set<string> } {
  const keys = new Set<string>();
  const names = new Set<string>();
  const cnames = new Set<string>();
  for (const r of records) {
    keys.add(`${r.name}|${r.type}`);
    names.add(r.name);
    if (r.type === "CNAME") cnames.add(r.name);
  }
  return { keys, names, cnames };
}

/**
 * The service's records and the adopted ones, RRset by RRset: a service's records (an
 * enrolment, an explicit ledger change) replace adopted RRsets of the same name and type,
 * and a CNAME on either side excludes the other side's records at its name; the adopted
 * records left are published as found. (The no-mail set, added after, gives way to both.)
 */
function withAdopted(service: DesiredRecord[], adopted: DesiredRecord[]): { records: DesiredRecord[]; shadowed: DesiredRecord[] } {
  if (adopted.length === 0) return { records: service, shadowed: [] };
  const s = rrsetsOf(service);
  const kept: DesiredRecord[] = [];
  const shadowed: DesiredRecord[] = [];
  for (const a of adopted) {
    const replaced = s.keys.has(`${a.name}|${a.type}`) || s.cnames.has(a.name) || (a.type === "CNAME" && s.names.has(a.name));
    (replaced ? shadowed : kept).push(a);
  }
  return { records: [...service, ...kept], shadowed };
}

function applies(set: RecordSet, services: readonly string[]): boolean {
  return set.when === "active" ? services.length > 0 : services.includes(set.when.enrolledIn);
}

type Lookup = (placeholder: string) => string | string[] | undefined;

/** Template texts split once into literal (even indexes) and placeholder (odd indexes) parts: 10,000 communes reuse them. */
const splitCache = new Map<string, string[]>();
function parts(text: string): string[] {
  let p = splitCache.get(text);
  if (!p) {
    p = text.split(/\{([^{}]*)\}/);
    splitCache.set(text, p);
  }
  return p;
}

function usesDkim(text: string): boolean {
  const p = parts(text);
  for (let i = 1; i < p.length; i += 2) if (p[i]!.startsWith("dkim.")) return true;
  return false;
}

/** One template into records appended to `out`: placeholders substituted, a list variable giving one record per item. */
function expand(out: DesiredRecord[], t: Omit<RecordTemplate, "for">, set: string, label: string, owner: string, lookup: Lookup, defaultTtl: number): void {
  const relative = substitute(t.name, lookup).toLowerCase();
  const name = relative === "" ? label : label === "" ? relative : `${relative}.${label}`;
  const ttl = t.ttl ?? defaultTtl;
  const p = parts(t.value);
  let list: string[] | undefined;
  for (let i = 1; i < p.length && !list; i += 2) {
    const v = lookup(p[i]!);
    if (Array.isArray(v)) list = v;
  }
  if (list === undefined) {
    out.push({ owner, name, type: t.type, ttl, value: substitute(t.value, lookup), purpose: t.purpose, set });
    return;
  }
  list.forEach((item, i) => out.push({ owner, name, type: t.type, ttl, value: substitute(t.value, lookup, item), purpose: `${t.purpose}-${i + 1}`, set }));
}

function substitute(text: string, lookup: Lookup, listItem = ""): string {
  const p = parts(text);
  if (p.length === 1) return text;
  let out = p[0]!;
  for (let i = 1; i < p.length; i += 2) {
    const v = lookup(p[i]!);
    out += (Array.isArray(v) ? listItem : (v ?? "")) + p[i + 1]!;
  }
  return out;
}

function defaultSerial(entries: readonly LedgerEntry[], dkim: DkimStore): number {
  let latest = 0;
  const see = (iso: string | undefined) => {
    if (!iso) return;
    const t = Date.parse(iso);
    if (t > latest) latest = t;
  };
  for (const e of entries) {
    see(e.allocatedAt);
    see(e.updatedAt);
    see(e.tombstonedAt);
    see(e.delegation?.since);
    see(e.undelegatedAt);
  }
  for (const k of Object.values(dkim)) see(k.fetchedAt);
  return latest === 0 ? 1 : Math.floor(latest / 1000);
}
