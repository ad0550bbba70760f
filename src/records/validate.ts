import { isIPv4, isIPv6 } from "node:net";
import { InputError } from "../errors.js";
import { allRecords, type DesiredZone } from "./model.js";
import { checkDkim, checkDmarc, checkMtaSts, checkSpf, checkTlsRpt, type PolicyProblem } from "./mail-policies.js";
import { ADOPTED_SET, type DesiredRecord } from "./types.js";

/**
 * One pass over the desired records before anything leaves the model (octoDNS's and
 * DNSControl's habit): every problem names the record and the rule it breaks.
 */

export type RecordRule =
  | "name"
  | "ttl"
  | "value"
  | "txt-characters"
  | "txt-length"
  | "duplicate"
  | "identity"
  | "ttl-rrset"
  | "cname-exclusive"
  | "mx-count"
  | "null-mx"
  | "target-cname"
  | "spf"
  | "spf-lookups"
  | "spf-all"
  | "dmarc"
  | "dmarc-policy"
  | "dmarc-pct"
  | "dmarc-alignment"
  | "dkim"
  | "tls-rpt"
  | "mta-sts"
  | "delegation"
  | "web-both";

/**
 * The rules that say what mail records should be (policies), as opposed to what makes a
 * zone wrong or unsafe to publish. Records adopted from the live zone are kept as found:
 * a policy finding on one is reported (import, plan), not a refusal.
 */
export const POLICY_RULES: ReadonlySet<RecordRule> = new Set<RecordRule>(["mx-count", "spf", "spf-lookups", "spf-all", "dmarc", "dmarc-policy", "dmarc-pct", "dmarc-alignment", "dkim", "tls-rpt", "mta-sts"]);

export interface RecordProblem {
  rule: RecordRule;
  record: Pick<DesiredRecord, "owner" | "name" | "type" | "purpose" | "value" | "set">;
  /** `<fqdn> <TYPE> (<purpose>) breaks <rule>: <why>` */
  message: string;
}

/** Longest TXT value we publish, in octets: a 4096-bit DKIM key fits; a DNS answer over UDP stays reasonable. */
export const MAX_TXT_OCTETS = 2048;
const TXT_SAFE = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;
const HOST = /^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)+$/i;

export function validateZone(desired: DesiredZone): RecordProblem[] {
  return [...validateRecords([...desired.authority, ...allRecords(desired)], desired.zone), ...webProblems(desired)];
}

/** A policy finding on a record adopted from the live zone: kept as found, reported rather than refused. */
export function isAdoptedFinding(p: RecordProblem): boolean {
  return p.record.set === ADOPTED_SET && POLICY_RULES.has(p.rule);
}

/** Policy findings on adopted records (what `import --zone` and `plan` report). */
export function adoptedFindings(desired: DesiredZone): RecordProblem[] {
  return validateZone(desired).filter(isAdoptedFinding);
}

/**
 * RPNT 1.7: both the bare name and `www` of an enrolled commune answer over HTTPS, so
 * both must have an address (or a CNAME to one) in the model. A delegated label's web
 * records are the child zone's.
 */
function webProblems(desired: DesiredZone): RecordProblem[] {
  const problems: RecordProblem[] = [];
  for (const o of desired.owners) {
    if (o.services.length === 0 || o.delegation !== null || o.role === "no-mail") continue;
    for (const name of [o.label, `www.${o.label}`]) {
      if (o.records.some((r) => r.name === name && (r.type === "A" || r.type === "AAAA" || r.type === "CNAME"))) continue;
      problems.push({ rule: "web-both", record: { owner: o.owner, name, type: "A", purpose: name === o.label ? "web-a" : "www", value: "", set: "web" }, message: `${fqdnOf(name, desired.zone)} A (web) breaks web-both: ${o.fqdn} is enrolled in ${o.services.join(", ")} but ${name === o.label ? "its bare name" : "www"} has no A, AAAA or CNAME; RPNT 1.7 wants both the bare name and www to answer (check dns.recordSets.web)` });
    }
  }
  return problems;
}

/** Throws (exit 2: the fix is in the configuration, the DKIM store or the ledger) with every problem when the model is not publishable. */
export function assertValidZone(desired: DesiredZone): void {
  const problems = validateZone(desired).filter((p) => !isAdoptedFinding(p));
  if (problems.length === 0) return;
  const shown = problems.slice(0, 50).map((p) => `  ${p.message}`);
  if (problems.length > 50) shown.push(`  … and ${problems.length - 50} more`);
  throw new InputError(
    `the desired records are not publishable (${problems.length} problem${problems.length === 1 ? "" : "s"}); fix the configuration's dns section, the DKIM store or the ledger:\n${shown.join("\n")}`,
  );
}

export function validateRecords(records: readonly DesiredRecord[], zone: string): RecordProblem[] {
  const problems: RecordProblem[] = [];
  const report = (r: DesiredRecord, rule: RecordRule, why: string) =>
    problems.push({
      rule,
      record: { owner: r.owner, name: r.name, type: r.type, purpose: r.purpose, value: r.value, set: r.set },
      message: `${fqdnOf(r.name, zone)} ${r.type} (${r.purpose}) breaks ${rule}: ${why}`,
    });

  // Grouped by name once; RRsets, duplicates and CNAME rules are then checked within each small group.
  const byName = new Map<string, DesiredRecord[]>();
  const purposes = new Map<string, string[]>();
  const memo = new Memo();
  for (const r of records) {
    checkOne(r, zone, report, memo);
    const seen = purposes.get(r.owner);
    if (!seen) purposes.set(r.owner, [r.purpose]);
    else if (seen.includes(r.purpose)) report(r, "identity", `owner ${r.owner} has two records with purpose "${r.purpose}"`);
    else seen.push(r.purpose);
    push(byName, r.name, r);
  }

  const cnames = new Set<string>();
  for (const [name, set] of byName) if (set.some((r) => r.type === "CNAME")) cnames.add(name);
  checkZoneCuts(byName, zone, report);
  for (const [name, set] of byName) {
    const rrsets = splitByType(set);
    for (const rrset of rrsets) checkRRset(rrset, zone, cnames, report, memo);
    if (!cnames.has(name)) continue;
    const cname = rrsets.find((s) => s[0]!.type === "CNAME")!;
    if (name === "") report(cname[0]!, "cname-exclusive", "the apex holds SOA and NS, it cannot be a CNAME");
    if (cname.length > 1) report(cname[1]!, "cname-exclusive", "two CNAME records at one name");
    const other = set.find((r) => r.type !== "CNAME");
    if (other) report(cname[0]!, "cname-exclusive", `a CNAME cannot sit beside other data (${other.type} ${other.purpose})`);
  }
  return problems;
}

type Report = (r: DesiredRecord, rule: RecordRule, why: string) => void;

/**
 * Zone cuts (NS below the apex): the parent holds only NS and DS there and nothing below
 * it (data below a cut is occluded: resolvers ignore it and checkers flag it), its NS
 * targets are out of the delegated zone (in-zone targets would need glue, which the
 * model does not publish), and a DS only sits at a cut.
 */
function checkZoneCuts(byName: ReadonlyMap<string, DesiredRecord[]>, zone: string, report: Report): void {
  const cuts = [...byName].filter(([name, set]) => name !== "" && set.some((r) => r.type === "NS")).map(([name]) => name);
  const cutSet = new Set(cuts);
  for (const [name, set] of byName) {
    if (cutSet.has(name)) {
      for (const r of set) {
        if (r.type !== "NS" && r.type !== "DS") report(r, "delegation", `${fqdnOf(name, zone)} is delegated (NS); the parent holds only NS and DS there, a ${r.type} beside them is refused`);
        if (r.type === "NS" && (r.value.toLowerCase() === `${fqdnOf(name, zone)}.` || r.value.toLowerCase().endsWith(`.${fqdnOf(name, zone)}.`))) report(r, "delegation", `its target ${r.value} is inside the delegated zone and would need glue; name servers of a delegation must be outside it`);
      }
    } else {
      for (const r of set) if (r.type === "DS") report(r, "delegation", "a DS record belongs only at a delegated name (beside its NS records)");
    }
    if (name === "") continue;
    // Only names strictly below a cut: walk up the labels (a name holds a handful).
    for (let dot = name.indexOf("."); dot >= 0; dot = name.indexOf(".", dot + 1)) {
      const above = name.slice(dot + 1);
      if (cutSet.has(above)) {
        for (const r of set) report(r, "delegation", `${fqdnOf(name, zone)} is below the zone cut at ${fqdnOf(above, zone)} (delegated): occluded data that resolvers ignore; it belongs in the child zone`);
        break;
      }
    }
  }
}

/** Results already computed in this pass: 10,000 communes share their SPF, DMARC and TLS-RPT values. */
class Memo {
  readonly spf = new Map<string, PolicyProblem[]>();
  readonly dmarc = new Map<string, PolicyProblem[]>();
  readonly dkim = new Map<string, string[]>();
  readonly tlsRpt = new Map<string, string[]>();

  of<T>(cache: Map<string, T>, value: string, check: (v: string) => T): T {
    let hit = cache.get(value);
    if (hit === undefined) {
      hit = check(value);
      cache.set(value, hit);
    }
    return hit;
  }
}

function checkRRset(set: DesiredRecord[], zone: string, cnames: ReadonlySet<string>, report: Report, memo: Memo): void {
  const first = set[0]!;
  for (const [i, r] of set.entries()) {
    if (r.ttl !== first.ttl) report(r, "ttl-rrset", `TTL ${r.ttl} differs from ${first.ttl} of another ${r.type} record at the same name`);
    const value = comparable(r);
    if (set.slice(0, i).some((o) => comparable(o) === value)) report(r, "duplicate", "the same name, type and value appear twice");
  }
  if (first.type === "MX") checkMxSet(set, report);
  if (first.type === "TXT") checkTxtSet(set, report, memo);
  if (first.type === "MX" || first.type === "NS") {
    for (const r of set) {
      const target = hostOf(r);
      const rel = target === null ? null : relativeTo(target, zone);
      if (rel !== null && cnames.has(rel)) report(r, "target-cname", `its target ${target} is a CNAME; MX and NS targets must be the final name`);
    }
  }
}

function checkOne(r: DesiredRecord, zone: string, report: Report, memo: Memo): void {
  const nameWhy = nameProblem(r.name, zone);
  if (nameWhy) report(r, "name", nameWhy);
  if (!Number.isInteger(r.ttl) || r.ttl < 60 || r.ttl > 604800) report(r, "ttl", `TTL ${r.ttl} is outside 60…604800 seconds (OVH refuses under 60)`);
  switch (r.type) {
    case "A":
      if (!isIPv4(r.value)) report(r, "value", `"${r.value}" is not an IPv4 address`);
      break;
    case "AAAA":
      if (!isIPv6(r.value)) report(r, "value", `"${r.value}" is not an IPv6 address`);
      break;
    case "CNAME":
    case "NS":
      if (!HOST.test(r.value) || r.value.length > 254) report(r, "value", `"${r.value}" is not an absolute host name ending with a dot`);
      break;
    case "MX": {
      const m = /^(\d{1,5}) (\S+)$/.exec(r.value);
      if (!m || Number(m[1]) > 65535 || (m[2] !== "." && !HOST.test(m[2]!))) report(r, "value", `"${r.value}" is not "<preference> <host.>" (or "0 ." for a null MX)`);
      break;
    }
    case "DS": {
      const m = /^(\d{1,5}) (\d{1,3}) (\d{1,3}) ([0-9A-F]+)$/.exec(r.value);
      const digest = m ? { 1: 40, 2: 64, 4: 96 }[Number(m[3])] : undefined;
      if (!m || Number(m[1]) > 65535 || Number(m[2]) > 255 || (digest !== undefined && m[4]!.length !== digest) || (digest === undefined && Number(m[3]) > 255)) {
        report(r, "value", `"${r.value}" is not "<key tag> <algorithm> <digest type> <uppercase hex digest>" (SHA-1 40, SHA-256 64, SHA-384 96 hex digits)`);
      }
      break;
    }
    case "CAA":
      if (!/^(0|128) (issue|issuewild|iodef) "[\x20-\x21\x23-\x5b\x5d-\x7e]*"$/.test(r.value)) report(r, "value", `"${r.value}" is not "<flags> issue|issuewild|iodef \\"<value>\\""`);
      break;
    case "TXT":
      // ASCII only, so octets = characters; the renderers split into ≤ 255-octet strings (txtChunks).
      if (!TXT_SAFE.test(r.value)) report(r, "txt-characters", "TXT values are printable ASCII without quotes, backslashes or control characters");
      else if (r.value.length > MAX_TXT_OCTETS) report(r, "txt-length", `${r.value.length} octets, more than ${MAX_TXT_OCTETS}`);
      break;
  }
}

function checkMxSet(set: DesiredRecord[], report: Report): void {
  const isNull = (r: DesiredRecord) => /^0 \.$/.test(r.value);
  if (set.some(isNull)) {
    if (set.length > 1) report(set.find((r) => !isNull(r)) ?? set[1]!, "null-mx", "a null MX (0 .) must be the only MX of its name (RFC 7505)");
    return;
  }
  if (set.length < 2) report(set[0]!, "mx-count", `${set.length} MX record; at least 2 are required so that mail survives one host's outage`);
}

function checkTxtSet(set: DesiredRecord[], report: Report, memo: Memo): void {
  const name = set[0]!.name;
  const first = name.split(".")[0] ?? "";
  const spf = set.filter((r) => /^v=spf1( |$)/i.test(r.value));
  if (spf.length > 1) report(spf[1]!, "spf", "more than one SPF record at one name (receivers then fail SPF: permerror)");
  for (const r of spf) for (const p of memo.of(memo.spf, r.value, checkSpf)) report(r, p.rule, p.why);
  if (first === "_dmarc") {
    if (set.length > 1) report(set[1]!, "dmarc", "more than one TXT record at a _dmarc name");
    for (const r of set) for (const p of memo.of(memo.dmarc, r.value, checkDmarc)) report(r, p.rule, p.why);
  }
  if (/(^|\.)_domainkey(\.|$)/.test(name)) for (const r of set) for (const p of memo.of(memo.dkim, r.value, checkDkim)) report(r, "dkim", p);
  if (/^_smtp\._tls(\.|$)/.test(name)) for (const r of set) for (const p of memo.of(memo.tlsRpt, r.value, checkTlsRpt)) report(r, "tls-rpt", p);
  if (first === "_mta-sts") for (const r of set) for (const p of checkMtaSts(r.value)) report(r, "mta-sts", p);
}

/** A relative owner name: "" (apex), or labels of letters, digits, hyphens and underscores; "*" only first. */
const GOOD_NAME = /^(\*|(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)$/;

/** A relative owner name: "" (apex), or labels of letters, digits, hyphens and underscores; "*" only first. */
function nameProblem(name: string, zone: string): string | null {
  if (name === "") return null;
  const fits = name.length + 1 + zone.length <= 253;
  // One regex for the common case; the detailed reason only for a bad name.
  if (fits && GOOD_NAME.test(name) && !(name === zone || (name.endsWith(zone) && name[name.length - zone.length - 1] === "."))) return null;
  if (name.endsWith(".")) return `"${name}" ends with a dot; names are relative to ${zone}`;
  if (name === zone || name.endsWith(`.${zone}`)) return `"${name}" repeats the zone; names are relative to ${zone}`;
  for (const [i, l] of name.split(".").entries()) {
    if (l === "*" && i === 0) continue;
    if (!/^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/.test(l)) return `label "${l}" is not 1 to 63 lowercase letters, digits, hyphens or underscores`;
  }
  return fits ? null : "the full name exceeds 253 characters";
}

function hostOf(r: DesiredRecord): string | null {
  const target = r.type === "MX" ? r.value.split(" ")[1] : r.value;
  if (!target || target === ".") return null;
  return target.toLowerCase().replace(/\.$/, "");
}

function relativeTo(host: string, zone: string): string | null {
  if (host === zone) return "";
  return host.endsWith(`.${zone}`) ? host.slice(0, -zone.length - 1) : null;
}

/** Value as compared for duplicates: host names are case-insensitive, TXT is not. */
function comparable(r: DesiredRecord): string {
  return r.type === "TXT" || r.type === "CAA" ? r.value : r.value.toLowerCase();
}

export function fqdnOf(name: string, zone: string): string {
  return name === "" ? zone : `${name}.${zone}`;
}

/** A name's records as RRsets (a name holds a handful: a linear scan beats a Map). */
function splitByType(set: DesiredRecord[]): DesiredRecord[][] {
  const out: DesiredRecord[][] = [];
  for (const r of set) {
    const rrset = out.find((s) => s[0]!.type === r.type);
    if (rrset) rrset.push(r);
    else out.push([r]);
  }
  return out;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
