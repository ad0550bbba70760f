import { dkimKeySchema, type DkimStore } from "../records/dkim.js";
import { dkimOf, type MailDomainDns } from "./messages.js";

/**
 * Folds Messages' DNS listing into the DKIM store the record model reads. Pure: the
 * command does the I/O. A key that did not change keeps its fetchedAt, so a re-run
 * changes nothing (the zone serial derives from these dates).
 */
export type DkimStatus = "new" | "changed" | "unchanged" | "pending" | "invalid";

export interface DkimResult {
  domain: string;
  status: DkimStatus;
  selector?: string;
  /** Why a domain is pending or its key was refused. */
  reason?: string;
}

export interface DkimMerge {
  store: DkimStore;
  results: DkimResult[];
  changed: boolean;
}

/**
 * @param wanted the mail domains of communes enrolled in Messages: each is reported,
 *   pending when Messages does not list it (yet) or lists no key for it.
 * @param zone only domains under this zone are stored (Messages may host others).
 */
export function mergeDkim(store: DkimStore, listing: readonly MailDomainDns[], wanted: readonly string[], zone: string, selector: string, now: string): DkimMerge {
  const next: DkimStore = { ...store };
  const results = new Map<string, DkimResult>();
  for (const d of listing) {
    if (!d.domain.endsWith(`.${zone}`)) continue;
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
    const parsed = dkimKeySchema.safeParse({ ...key, fetchedAt: now });
    if (!parsed.success) {
      const reason = `Messages gave a DKIM record the store refuses (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")})${before ? "; the previous key is kept" : ""}`;
      results.set(d.domain, { domain: d.domain, status: "invalid", reason });
      continue;
    }
    next[d.domain] = parsed.data;
    results.set(d.domain, { domain: d.domain, status: before ? "changed" : "new", selector: key.selector });
  }
  for (const domain of wanted) {
    if (!results.has(domain)) results.set(domain, { domain, status: "pending", reason: "Messages does not list this mail domain yet (the subscription's webhook creates it)" });
  }
  const ordered = [...results.values()].sort((a, b) => a.domain.localeCompare(b.domain));
  return { store: sortStore(next), results: ordered, changed: ordered.some((r) => r.status === "new" || r.status === "changed") };
}

/** Pending for every wanted domain, when the listing cannot be had at all. */
export function allPending(wanted: readonly string[], reason: string): DkimResult[] {
  return [...wanted].sort().map((domain) => ({ domain, status: "pending" as const, reason }));
}

export function sortStore(store: DkimStore): DkimStore {
  return Object.fromEntries(Object.entries(store).sort(([a], [b]) => a.localeCompare(b)));
}
