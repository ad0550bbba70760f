import { dkimKeySchema, type DkimKey, type DkimStore } from "../records/dkim.js";
import { dkimOf, type MailDomainDns } from "./messages.js";

/**
 * Folds Messages' DNS listing into the DKIM store the record model reads. Pure: the
 * command does the I/O. A key that did not change keeps its fetchedAt, so a re-run
 * changes nothing (the zone serial derives from these dates).
 *
 * Only the mail domains of communes enrolled in Messages are stored (Messages may list
 * domains the ledger does not know: they are reported, not stored), and only keys the
 * record model can publish: one unpublishable key would make every export and plan of
 * the zone fail, so it is refused for its domain alone.
 */
export type DkimStatus = "new" | "changed" | "unchanged" | "pending" | "invalid" | "ignored";

export interface DkimResult {
  domain: string;
  status: DkimStatus;
  selector?: string;
  /** Why a domain is pending, ignored, or its key was refused. */
  reason?: string;
}

export interface DkimMerge {
  store: DkimStore;
  results: DkimResult[];
  changed: boolean;
  /** Domains Messages listed outside the zone (other tenants'): neither stored nor listed. */
  outsideZone: number;
}

export interface DkimMergeInput {
  store: DkimStore;
  listing: readonly MailDomainDns[];
  /** The mail domains of communes enrolled in Messages: only these are stored; each is reported, pending when it has no key. */
  wanted: readonly string[];
  zone: string;
  selector: string;
  now: string;
  /** What the record model finds wrong with the records this key gives the domain (empty: publishable). */
  problemsWith?: (domain: string, key: DkimKey) => string[];
}

export function mergeDkim(input: DkimMergeInput): DkimMerge {
  const { store, listing, zone, selector, now } = input;
  const problemsWith = input.problemsWith ?? (() => []);
  const wanted = new Set(input.wanted);
  const next: DkimStore = { ...store };
  const results = new Map<string, DkimResult>();
  let outsideZone = 0;
  let removed = false;
  for (const d of listing) {
    if (!d.domain.endsWith(`.${zone}`)) {
      outsideZone++;
      continue;
    }
    if (!wanted.has(d.domain)) {
      results.set(d.domain, { domain: d.domain, status: "ignored", reason: "no commune enrolled in Messages holds this domain in the ledger; its key is not stored" });
      continue;
    }
    const key = dkimOf(d.records, selector);
    if (!key) {
      results.set(d.domain, { domain: d.domain, status: "pending", reason: "Messages lists the mail domain but no DKIM key for it yet" });
      continue;
    }
    const before = store[d.domain];
    if (before && before.selector === key.selector && before.value === key.value) {
      results.set(d.domain, { domain: d.domain, status: "unchanged", selector: key.selector });
      continue;
    }
    const kept = before ? "; the previous key is kept" : "";
    const parsed = dkimKeySchema.safeParse({ ...key, fetchedAt: now });
    if (!parsed.success) {
      const reason = `Messages gave a DKIM record the store refuses (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")})${kept}`;
      results.set(d.domain, { domain: d.domain, status: "invalid", reason });
      continue;
    }
    const problems = problemsWith(d.domain, parsed.data);
    if (problems.length > 0) {
      results.set(d.domain, { domain: d.domain, status: "invalid", reason: `the record model cannot publish the key Messages gave (${problems.join("; ")})${kept}` });
      continue;
    }
    next[d.domain] = parsed.data;
    results.set(d.domain, { domain: d.domain, status: before ? "changed" : "new", selector: key.selector });
  }
  // A key stored earlier (by hand, or before this check existed) that the model cannot publish breaks the whole zone: remove it.
  for (const domain of wanted) {
    const stored = next[domain];
    const status = results.get(domain)?.status;
    if (!stored || status === "new" || status === "changed") continue;
    const problems = problemsWith(domain, stored);
    if (problems.length === 0) continue;
    delete next[domain];
    removed = true;
    results.set(domain, { domain, status: "invalid", reason: `the stored key cannot be published (${problems.join("; ")}); removed from the store, the DKIM record is pending until Messages gives one that can` });
  }
  for (const domain of wanted) {
    if (!results.has(domain)) results.set(domain, { domain, status: "pending", reason: "Messages does not list this mail domain yet (the subscription's webhook creates it)" });
  }
  const ordered = [...results.values()].sort((a, b) => a.domain.localeCompare(b.domain));
  return { store: sortStore(next), results: ordered, changed: removed || ordered.some((r) => r.status === "new" || r.status === "changed"), outsideZone };
}

/** Pending for every wanted domain, when the listing cannot be had at all. */
export function allPending(wanted: readonly string[], reason: string): DkimResult[] {
  return [...wanted].sort().map((domain) => ({ domain, status: "pending" as const, reason }));
}

export function sortStore(store: DkimStore): DkimStore {
  return Object.fromEntries(Object.entries(store).sort(([a], [b]) => a.localeCompare(b)));
}
