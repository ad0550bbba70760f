import type { DesiredRecord } from "../records/types.js";
import { txtText, type ExpectedRecord, type MailDomainDns } from "./messages.js";

/**
 * Messages is the authority on what a mail domain needs: its DNS listing gives, per domain,
 * the expected MX, SPF, DMARC and DKIM records (its MESSAGES_DNS_RECORDS template). Each
 * expected record is compared with what the record model publishes for that commune, so
 * that a change on Messages' side (another MX host, SPF include, DMARC policy) is a failure
 * naming both values instead of every commune's mail breaking silently. Pure.
 *
 * How each kind compares, as Messages' own DNS check judges it:
 * - MX: the whole set (Messages reports an extra MX as "conflicting");
 * - SPF (a `v=spf1` TXT): the record, spacing and case aside;
 * - DMARC: every tag Messages gives (p, sp, adkim, aspf, …) with the same value; tags it
 *   leaves out (rua, the model's reporting address) may be added;
 * - anything else (DKIM included): the same values.
 */
export interface MailDrift {
  /** The name relative to the mail domain, "@" for the domain itself (Messages' target). */
  name: string;
  type: string;
  /** What Messages expects there. */
  messages: string[];
  /** What the model publishes there (empty: nothing). */
  model: string[];
  /** The mail domains with exactly this drift. */
  domains: string[];
}

export interface DomainRecords {
  /** The commune's label (record names of the model are relative to the zone). */
  label: string;
  /** What the model publishes for the commune (for a delegated label: what its child zone should serve). */
  records: readonly DesiredRecord[];
}

export function mailDrift(listing: readonly MailDomainDns[], modelOf: (domain: string) => DomainRecords | null, skip: (domain: string, r: ExpectedRecord) => boolean = () => false): MailDrift[] {
  const groups = new Map<string, MailDrift>();
  for (const d of [...listing].sort((a, b) => (a.domain < b.domain ? -1 : 1))) {
    const model = modelOf(d.domain);
    if (!model) continue;
    const byRRset = new Map<string, ExpectedRecord[]>();
    for (const r of d.records) {
      if (skip(d.domain, r)) continue;
      const k = `${r.target}|${r.type}`;
      byRRset.set(k, [...(byRRset.get(k) ?? []), r]);
    }
    for (const expected of byRRset.values()) {
      const { target, type } = expected[0]!;
      const name = target === "" ? model.label : `${target}.${model.label}`;
      const published = model.records.filter((r) => r.name === name && r.type.toLowerCase() === type).map((r) => r.value);
      const wanted = expected.map((r) => (type === "txt" ? txtText(r.value) : r.value.trim()));
      const kind = type === "mx" ? "mx" : type === "txt" && wanted.every(isSpf) ? "spf" : type === "txt" && target === "_dmarc" ? "dmarc" : "other";
      const shown = kind === "spf" ? published.filter(isSpf) : published;
      if (agrees(kind, wanted, shown)) continue;
      const key = JSON.stringify([target, type, wanted, shown]);
      const g = groups.get(key);
      if (g) g.domains.push(d.domain);
      else groups.set(key, { name: target === "" ? "@" : target, type: type.toUpperCase(), messages: wanted, model: shown, domains: [d.domain] });
    }
  }
  return [...groups.values()];
}

function agrees(kind: "mx" | "spf" | "dmarc" | "other", wanted: string[], published: string[]): boolean {
  if (kind !== "dmarc") return sameSet(wanted.map(normal), published.map(normal));
  if (published.length !== 1 || wanted.length !== 1) return false;
  const have = dmarcTags(published[0]!);
  return [...dmarcTags(wanted[0]!)].every(([tag, value]) => have.get(tag) === value);
}

/** Case, repeated spaces and a final dot on host names do not make a difference. */
function normal(value: string): string {
  return value.trim().replace(/\s+/g, " ").replace(/\.$/, "").toLowerCase();
}

function sameSet(a: string[], b: string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

function isSpf(value: string): boolean {
  return /^v=spf1(\s|$)/i.test(value.trim());
}

function dmarcTags(value: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of value.split(";")) {
    const m = /^\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/.exec(part);
    if (m) tags.set(m[1]!.toLowerCase(), m[2]!.toLowerCase());
  }
  return tags;
}
