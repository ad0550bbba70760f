import { auditCommand } from "../../ledger/cli-support.js";
import { planOffboard } from "../../ledger/enrolment.js";
import { indexLedger } from "../../ledger/entries.js";
import { resolveCommune } from "../../ledger/resolve.js";
import { parseServiceList } from "../../ledger/services.js";
import { ledgerDir, updateLedger } from "../../ledger/store.js";
import type { CommandSpec } from "../command.js";

export const command: CommandSpec = {
  name: "offboard",
  summary: "end a commune's enrolment in services; its label stays its own (never back to the pool)",
  usage: "<query> [--services LIST] [--json]",
  description: "Without --services, every enrolment is removed. The label is kept: it carries mail and is never reassigned.",
  examples: ["domaines offboard Mende", "domaines offboard 214800957 --services fichiers --json"],
  options: {
    services: { type: "string", valueName: "LIST", description: "only these services (comma-separated)" },
  },
  positionals: { min: 1, max: 1, name: "query" },
  async run(ctx) {
    const raw = ctx.string("services");
    const services = raw === undefined ? null : parseServiceList(raw);
    const zone = ctx.config().zone;
    const now = new Date().toISOString();
    let name = "";
    const { result } = await updateLedger(ledgerDir(ctx), ctx.actor(), auditCommand("offboard", ctx, ["services"]), (entries) => {
      const commune = resolveCommune(ctx.positionals[0]!, zone, ctx.communeData().communes, ctx.computedLabels(), ctx.reserved(), indexLedger(entries));
      name = `${commune.name} (${commune.departement})`;
      return planOffboard(entries, commune, services, now);
    });
    if (ctx.json) ctx.printJson({ ...result, fqdn: `${result.label}.${zone}` });
    else {
      ctx.print(`${name} — ${result.label}.${zone} stays its label.`);
      ctx.print(result.removed.length ? `  offboarded from: ${result.removed.join(", ")}` : "  it was enrolled in none of these services; nothing changed");
      ctx.print(`  still enrolled in: ${Object.keys(result.services).join(", ") || "nothing"}`);
    }
    return 0;
  },
};
