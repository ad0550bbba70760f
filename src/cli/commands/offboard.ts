import { parseServiceList } from "../../ledger/services.js";
import { offboard } from "../../operations/enrolment.js";
import { auditCommand } from "../audit-command.js";
import type { CommandSpec } from "../command.js";

export const command: CommandSpec = {
  name: "offboard",
  summary: "end a commune's enrolment in services; its label stays its own (never back to the pool)",
  usage: "<query> [--services LIST] [--json]",
  description: "Without --services, every enrolment is removed. The label is kept: it carries mail and is never reassigned.",
  examples: ["domaines offboard Mende", "domaines offboard 214800955 --services fichiers --json"],
  options: {
    services: { type: "string", valueName: "LIST", description: "only these services (comma-separated)" },
  },
  positionals: { min: 1, max: 1, name: "query" },
  async run(ctx) {
    const raw = ctx.string("services");
    const services = raw === undefined ? null : parseServiceList(raw);
    const outcome = await offboard(ctx.ws, { actor: ctx.actor(), command: auditCommand("offboard", ctx, ["services"]) }, { query: ctx.positionals[0]!, services });
    const { commune, ...result } = outcome;
    const name = `${commune.name} (${commune.departement})`;
    if (ctx.json) ctx.printJson(result);
    else {
      ctx.print(`${name} — ${result.fqdn} stays its label.`);
      ctx.print(result.removed.length ? `  offboarded from: ${result.removed.join(", ")}` : "  it was enrolled in none of these services; nothing changed");
      ctx.print(`  still enrolled in: ${Object.keys(result.services).join(", ") || "nothing"}`);
    }
    return 0;
  },
};
