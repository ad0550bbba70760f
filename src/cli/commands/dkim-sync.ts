import { replaceDurably } from "../../ledger/fsync.js";
import { dkimStorePath, loadDkimStore } from "../../records/dkim-store.js";
import { DKIM_OPTION } from "../../records/inputs.js";
import { SERVICE_FILE_OPTIONS, ledgerOrNull, operatorsOf } from "../../services/cli-support.js";
import { allPending, mergeDkim, type DkimResult } from "../../services/dkim-sync.js";
import { MessagesClient } from "../../services/messages.js";
import { MESSAGES_API_KEY_ENV, MESSAGES_CHANNEL_ENV, secretFromEnv } from "../../services/operators.js";
import { primaryEntries } from "../../ledger/entries.js";
import { InputError } from "../../errors.js";
import type { CommandSpec } from "../command.js";

export const command: CommandSpec = {
  name: "dkim-sync",
  summary: "read the DKIM keys Messages generated for the communes' mail domains into the DKIM store",
  usage: "[--dkim FILE] [--dry-run] [--json]",
  description:
    "Reads Messages' provisioning DNS listing (GET provisioning/maildomains/dns/) with the channel in\n" +
    `${MESSAGES_CHANNEL_ENV} (or messages.channelId in data/operators.json) and its key in ${MESSAGES_API_KEY_ENV},\n` +
    "and writes each mail domain's DKIM key to the store atomically. Communes enrolled in Messages without a key\n" +
    "yet are reported pending: their DKIM record waits, the rest of their records are published. A deployment\n" +
    "without the listing endpoint makes every DKIM pending (exit 0); a refused key or an unreachable service is exit 1.",
  examples: ["domaines dkim-sync", "domaines dkim-sync --dry-run --json"],
  options: {
    dkim: DKIM_OPTION,
    "dry-run": { type: "boolean", description: "show what would change; write nothing" },
    operators: SERVICE_FILE_OPTIONS.operators!,
  },
  positionals: { min: 0, max: 0, name: "" },
  async run(ctx) {
    const settings = operatorsOf(ctx).messages;
    const channelId = process.env[MESSAGES_CHANNEL_ENV] || settings.channelId;
    if (!channelId) throw new InputError(`no Messages channel: set ${MESSAGES_CHANNEL_ENV} or messages.channelId in data/operators.json (a global channel with scope maildomains:read).`);
    const apiKey = secretFromEnv(MESSAGES_API_KEY_ENV, "reading DKIM keys from Messages");
    const zone = ctx.config().zone;
    const { entries } = ledgerOrNull(ctx);
    const wanted = primaryEntries(entries ?? []).filter((e) => e.services.messages !== undefined).map((e) => `${e.label}.${zone}`);
    const path = dkimStorePath(ctx.string("dkim"));
    const store = loadDkimStore(path);

    const client = new MessagesClient({ baseUrl: settings.url, channelId, apiKey, credentialHint: MESSAGES_API_KEY_ENV, timeoutMs: settings.timeoutMs, retries: settings.retries });
    const listing = await client.listMailDomainDns();
    let results: DkimResult[];
    let written = false;
    if (!listing.available) {
      results = allPending(wanted, listing.reason);
    } else {
      const merged = mergeDkim(store, listing.domains, wanted, zone, settings.dkimSelector, new Date().toISOString());
      results = merged.results;
      if (merged.changed && !ctx.flag("dry-run")) {
        replaceDurably(path, `${JSON.stringify(merged.store, null, 2)}\n`);
        written = true;
      }
    }
    const count = (s: DkimResult["status"]) => results.filter((r) => r.status === s).length;
    if (ctx.json) {
      ctx.printJson({ store: path, available: listing.available, reason: listing.available ? null : listing.reason, written, dryRun: ctx.flag("dry-run"), domains: results });
    } else {
      if (!listing.available) ctx.print(`DKIM PENDING for every commune: ${listing.reason}. The other records are published without it.`);
      for (const r of results) if (r.status !== "unchanged") ctx.print(`${r.status.padEnd(9)} ${r.domain}${r.selector ? ` (selector ${r.selector})` : ""}${r.reason ? `: ${r.reason}` : ""}`);
      ctx.print(`${count("new")} new, ${count("changed")} changed, ${count("unchanged")} unchanged, ${count("pending")} pending, ${count("invalid")} refused. ${written ? `Written: ${path}` : `Nothing written${ctx.flag("dry-run") ? " (dry run)" : ""}: ${path}`}`);
    }
    return count("invalid") > 0 ? 1 : 0;
  },
};
