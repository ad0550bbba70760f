import { MESSAGES_API_KEY_ENV, MESSAGES_CHANNEL_ENV } from "../../services/operators.js";
import { dkimSync } from "../../operations/dkim-sync.js";
import type { DkimResult } from "../../services/dkim-sync.js";
import type { CommandSpec } from "../command.js";
import { DKIM_OPTION, SERVICE_FILE_OPTIONS } from "../options.js";

export const command: CommandSpec = {
  name: "dkim-sync",
  summary: "read the DKIM keys Messages generated for the communes' mail domains into the DKIM store",
  usage: "[--dkim FILE] [--dry-run] [--json]",
  description:
    "Reads Messages' provisioning DNS listing (GET provisioning/maildomains/dns/) with the channel in\n" +
    `${MESSAGES_CHANNEL_ENV} (or messages.channelId in data/operators.json) and its key in ${MESSAGES_API_KEY_ENV},\n` +
    "and writes each mail domain's DKIM key to the store atomically. Communes enrolled in Messages without a key\n" +
    "yet are reported pending: their DKIM record waits, the rest of their records are published. Only the domains\n" +
    "of communes enrolled in Messages are stored (others Messages lists are reported ignored), and only keys the\n" +
    "record model can publish (a refused key is reported for its domain, the others are stored). A deployment\n" +
    "without the listing endpoint makes every DKIM pending (exit 0); a refused key or an unreachable service is exit 1.",
  examples: ["domaines dkim-sync", "domaines dkim-sync --dry-run --json"],
  options: {
    dkim: DKIM_OPTION,
    "dry-run": { type: "boolean", description: "show what would change; write nothing" },
    operators: SERVICE_FILE_OPTIONS.operators!,
  },
  positionals: { min: 0, max: 0, name: "" },
  async run(ctx) {
    const r = await dkimSync(ctx.ws, { dryRun: ctx.flag("dry-run") });
    const { warnings, ...json } = r;
    for (const w of warnings) ctx.warn(w);
    const results = r.domains;
    const count = (s: DkimResult["status"]) => results.filter((x) => x.status === s).length;
    if (ctx.json) {
      ctx.printJson(json);
    } else {
      if (!r.available) ctx.print(`DKIM PENDING for every commune: ${r.reason}. The other records are published without it.`);
      for (const x of results) if (x.status !== "unchanged") ctx.print(`${x.status.padEnd(9)} ${x.domain}${x.selector ? ` (selector ${x.selector})` : ""}${x.reason ? `: ${x.reason}` : ""}`);
      const outside = r.outsideZone > 0 ? ` (${r.outsideZone} other domain(s) outside the zone not considered)` : "";
      ctx.print(`${count("new")} new, ${count("changed")} changed, ${count("unchanged")} unchanged, ${count("pending")} pending, ${count("invalid")} refused, ${count("ignored")} ignored${outside}. ${r.written ? `Written: ${r.store}` : `Nothing written${r.dryRun ? " (dry run)" : ""}: ${r.store}`}`);
    }
    return count("invalid") > 0 ? 1 : 0;
  },
};
