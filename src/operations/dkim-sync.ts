import { primaryEntries } from "../ledger/entries.js";
import { replaceDurably } from "../ledger/fsync.js";
import { loadDkimStore } from "../records/dkim-store.js";
import { InputError } from "../errors.js";
import { allPending, mergeDkim, type DkimResult } from "../services/dkim-sync.js";
import { MessagesClient } from "../services/messages.js";
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
  const wanted = primaryEntries(entries ?? []).filter((e) => e.services.messages !== undefined).map((e) => `${e.label}.${zone}`);
  const path = ws.dkimPath();
  const store = loadDkimStore(path);
  const client = new MessagesClient({ baseUrl: settings.url, channelId, apiKey, credentialHint: MESSAGES_API_KEY_ENV, timeoutMs: settings.timeoutMs, retries: settings.retries });
  const listing = await client.listMailDomainDns();
  const dryRun = options.dryRun === true;
  let results: DkimResult[];
  let written = false;
  if (!listing.available) {
    results = allPending(wanted, listing.reason);
  } else {
    const merged = mergeDkim(store, listing.domains, wanted, zone, settings.dkimSelector, new Date().toISOString());
    results = merged.results;
    if (merged.changed && !dryRun) {
      replaceDurably(path, `${JSON.stringify(merged.store, null, 2)}\n`);
      written = true;
    }
  }
  return { store: path, available: listing.available, reason: listing.available ? null : listing.reason, written, dryRun, domains: results, warnings };
}
