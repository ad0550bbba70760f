import { dkimKeySchema, type DkimStore } from "../records/dkim.js";
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
  /**
   * What the record model finds wrong with the records each key gives its domain, in one
   * pass over all of them (domains without a problem may be left out).
   */
  problemsWith?: (keys: DkimStore) => Map<string, string[]>;
}

export function mergeDkim(input: DkimMergeInput): DkimMerge {
  const { store, listing, zone, selector, now } = input;
  const wanted = new Set(input.wanted);
  const results = new Map<string, DkimResult>();
  /** New or changed keys that pass the store's schema, still to be checked against the model. */
  const offered: DkimStore = {};
  let outsideZone = 0;
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
    const parsed = dkimKeySchema.safeParse({ ...key, fetchedAt: now });
    if (!parsed.success) {
      const reason = `Messages gave a DKIM record the store refuses (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")})${before ? "; the previous key is kept" : ""}`;
      results.set(d.domain, { domain: d.domain, status: "invalid", reason });
      continue;
    }
    offered[d.domain] = parsed.data;
  }

  // One pass of the record model over every key the store would hold for a wanted domain.
  const candidates: DkimStore = {};
  for (const domain of wanted) {
    const key = offered[domain] ?? store[domain];
    if (key) candidates[domain] = key;
  }
  const problems = input.problemsWith?.(candidates) ?? new Map<string, string[]>();
  const next: DkimStore = { ...store };
  let removed = false;
  /** Previous keys that stood aside for a refused new one: judged in a second, small pass. */
  const kept: DkimStore = {};
  for (const [domain, key] of Object.entries(candidates)) {
    const wrong = problems.get(domain) ?? [];
    const before = store[domain];
    if (offered[domain]) {
      if (wrong.length === 0) {
        next[domain] = key;
        results.set(domain, { domain, status: before ? "changed" : "new", selector: key.selector });
        continue;
      }
      results.set(domain, { domain, status: "invalid", reason: `the record model cannot publish the key Messages gave (${wrong.join("; ")})${before ? "; the previous key is kept" : ""}` });
      if (before) kept[domain] = before;
      continue;
    }
    if (wrong.length === 0) continue;
    // A key stored earlier (by hand, or before this check existed) that the model cannot publish breaks the whole zone: remove it.
    delete next[domain];
    removed = true;
    results.set(domain, { domain, status: "invalid", reason: `the stored key cannot be published (${wrong.join("; ")}); removed from the store, the DKIM record is pending until Messages gives one that can` });
  }
  if (Object.keys(kept).length > 0) {
    for (const [domain, wrong] of input.problemsWith?.(kept) ?? []) {
      if (wrong.length === 0) continue;
      delete next[domain];
      removed = true;
      const refused = results.get(domain)!.reason!.replace(/; the previous key is kept$/, "");
      results.set(domain, { domain, status: "invalid", reason: `${refused}; the stored key cannot be published either (${wrong.join("; ")}): removed from the store` });
    }
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
