import { MESSAGES_API_KEY_ENV, MESSAGES_CHANNEL_ENV } from "../../services/operators.js";
import { dkimSync } from "../../operations/dkim-sync.js";
import type { DkimResult } from "../../services/dkim-sync.js";
import type { CommandSpec } from "../command.js";
import { DKIM_OPTION, SERVICE_FILE_OPTIONS } from "../options.js";

const quoted = (values: readonly string[]): string => values.map((v) => `"${v.length > 90 ? `${v.slice(0, 87)}…` : v}"`).join(", ");

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
    "without the listing endpoint makes every DKIM pending (exit 0); a refused key or an unreachable service is exit 1.\n" +
    "Messages is the authority on what mail needs: every record of its listing (MX, SPF, DMARC, DKIM) is compared\n" +
    "with what the record model publishes for the commune; a difference (another MX host, SPF include, DMARC policy)\n" +
    "is exit 1, naming both values (the MX set as a whole, DMARC tag by tag: tags Messages omits, such as rua, may be added).",
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
      for (const d of r.drift) {
        const more = d.domains.length > 1 ? ` and ${d.domains.length - 1} other domain(s)` : "";
        ctx.print(`DRIFT     ${d.type} at ${d.name === "@" ? d.domains[0] : `${d.name}.${d.domains[0]}`}${more}: Messages expects ${quoted(d.messages)}, the model publishes ${d.model.length > 0 ? quoted(d.model) : "nothing there"}`);
      }
      ctx.print(`${count("new")} new, ${count("changed")} changed, ${count("unchanged")} unchanged, ${count("pending")} pending, ${count("invalid")} refused, ${count("ignored")} ignored${outside}. ${r.written ? `Written: ${r.store}` : `Nothing written${r.dryRun ? " (dry run)" : ""}: ${r.store}`}`);
    }
    if (r.drift.length > 0) ctx.warn(`${r.drift.length} mail record(s) differ from what Messages expects (${r.drift.reduce((n, d) => n + d.domains.length, 0)} domain case(s)): change the record sets in the configuration (or Messages' MESSAGES_DNS_RECORDS) until they agree.`);
    return count("invalid") > 0 || r.drift.length > 0 ? 1 : 0;
  },
};
