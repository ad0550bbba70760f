import type { DomainesConfig } from "../config/schema.js";
import { primaryEntries } from "../ledger/entries.js";
import type { LedgerEntry } from "../ledger/schema.js";
import { replaceDurably } from "../ledger/fsync.js";
import type { DkimStore } from "../records/dkim.js";
import { loadDkimStore } from "../records/dkim-store.js";
import { desiredZone } from "../records/model.js";
import { validateRecords } from "../records/validate.js";
import { InputError } from "../errors.js";
import { allPending, mergeDkim, type DkimResult } from "../services/dkim-sync.js";
import { mailDrift, type MailDrift } from "../services/mail-drift.js";
import { MessagesClient, type MailDomainDns } from "../services/messages.js";
import { MESSAGES_API_KEY_ENV, MESSAGES_CHANNEL_ENV, secretFromEnv } from "../services/operators.js";
import type { Workspace } from "../workspace.js";
import { entriesOrNull } from "./services.js";

export interface DkimSyncOutcome {
  store: string;
  available: boolean;
  reason: string | null;
  written: boolean;
  dryRun: boolean;
  domains: DkimResult[];
  /** Mail domains Messages listed outside the zone: not considered. */
  outsideZone: number;
  /** Where the model publishes other mail records than Messages expects (a failure): both values, grouped by domain. */
  drift: MailDrift[];
  warnings: string[];
}

/** Reads Messages' DNS listing into the DKIM store (atomically); communes without a key yet are pending. */
export async function dkimSync(ws: Workspace, options: { dryRun?: boolean } = {}): Promise<DkimSyncOutcome> {
  const settings = ws.operators().messages;
  const channelId = ws.env[MESSAGES_CHANNEL_ENV] || settings.channelId;
  if (!channelId) throw new InputError(`no Messages channel: set ${MESSAGES_CHANNEL_ENV} or messages.channelId in data/operators.json (a global channel with scope maildomains:read).`);
  const apiKey = secretFromEnv(MESSAGES_API_KEY_ENV, "reading DKIM keys from Messages", ws.env);
  const zone = ws.zone();
  const warnings: string[] = [];
  const entries = await entriesOrNull(ws, warnings);
  const enrolled = primaryEntries(entries ?? []).filter((e) => e.services.messages !== undefined);
  const wanted = enrolled.map((e) => `${e.label}.${zone}`);
  const path = ws.dkimPath();
  const store = loadDkimStore(path);
  const client = new MessagesClient({
    baseUrl: settings.url,
    channelId,
    apiKey,
    credentialHint: MESSAGES_API_KEY_ENV,
    timeoutMs: settings.timeoutMs,
    retries: settings.retries,
    budgetMs: settings.budgetMs,
    maxResponseBytes: settings.maxResponseBytes,
    maxTotalBytes: settings.maxTotalBytes,
    limitsHint: "the messages section of the operators file",
  });
  const listing = await client.listMailDomainDns();
  const dryRun = options.dryRun === true;
  let results: DkimResult[];
  let outsideZone = 0;
  let written = false;
  let drift: MailDrift[] = [];
  if (!listing.available) {
    results = allPending(wanted, listing.reason);
  } else {
    const merged = mergeDkim({
      store,
      listing: listing.domains,
      wanted,
      zone,
      selector: settings.dkimSelector,
      now: new Date().toISOString(),
      problemsWith: publishability(ws.config(), enrolled),
    });
    results = merged.results;
    outsideZone = merged.outsideZone;
    const refused = new Set(results.filter((r) => r.status === "invalid").map((r) => r.domain));
    drift = driftFromModel(ws.config(), enrolled, merged.store, listing.domains, refused);
    if (merged.changed && !dryRun) {
      replaceDurably(path, `${JSON.stringify(merged.store, null, 2)}\n`);
      written = true;
    }
  }
  return { store: path, available: listing.available, reason: listing.available ? null : listing.reason, written, dryRun, domains: results, outsideZone, drift, warnings };
}

/**
 * Messages' expected records against the model's for the enrolled communes Messages lists,
 * with the keys as they now are. A key refused above is not drift again; without a dns
 * section nothing is published, so nothing can drift.
 */
function driftFromModel(config: DomainesConfig, enrolled: readonly LedgerEntry[], keys: DkimStore, listing: readonly MailDomainDns[], refused: ReadonlySet<string>): MailDrift[] {
  if (!config.dns) return [];
  const owners = new Map(desiredZone([...enrolled], config, keys).owners.map((o) => [o.fqdn, { label: o.label, records: o.delegation ? o.delegation.child : o.records }]));
  return mailDrift(listing, (domain) => owners.get(domain) ?? null, (domain, r) => refused.has(domain) && /\._domainkey$/.test(r.target));
}

/**
 * The record model's own verdict on keys, in one pass: the communes' records are built
 * with the keys, and the records a key brings (those carrying its value or its selector)
 * go through `validateRecords` (a key too long for a TXT record, a p= that is not base64,
 * …). Without a dns section nothing is published, so nothing is refused.
 */
function publishability(config: DomainesConfig, enrolled: readonly LedgerEntry[]): (keys: DkimStore) => Map<string, string[]> {
  return (keys) => {
    const problems = new Map<string, string[]>();
    if (!config.dns) return problems;
    const entries = enrolled.filter((e) => keys[`${e.label}.${config.zone}`] !== undefined);
    const domainOf = new Map<string, string>();
    const brought = desiredZone(entries, config, keys).owners.flatMap((o) => {
      const key = keys[o.fqdn];
      if (!key) return [];
      domainOf.set(o.owner, o.fqdn);
      return o.records.filter((r) => r.value.includes(key.value) || r.name.split(".").includes(key.selector));
    });
    for (const p of validateRecords(brought, config.zone)) {
      const domain = domainOf.get(p.record.owner)!;
      problems.set(domain, [...(problems.get(domain) ?? []), p.message]);
    }
    return problems;
  };
}
