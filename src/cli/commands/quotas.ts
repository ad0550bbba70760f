import { listQuotas } from "../../operations/services.js";
import { formatSize } from "../../units/size.js";
import type { CommandSpec } from "../command.js";
import { SERVICE_FILE_OPTIONS } from "../options.js";

export const command: CommandSpec = {
  name: "quotas",
  summary: "the Espace Opérateur subscriptions the model wants: domains and quotas per enrolled commune and service",
  usage: "[--operator NAME|SIREN] [--departement D] [--json]",
  description:
    "Derived from the ledger's enrolments, data/operators.json and data/quota-policy.json: what the Pulumi\n" +
    "département stacks declare. Each quota says where it comes from (default, population tier, minimal, override)\n" +
    "and each subscription how its operator holds it: member, epci, member+epci, or direct (ANCT's direct\n" +
    "enrolment of a commune no structure covers, contract art. 3.3, with the policy's minimal quotas).\n" +
    "Enrolments that cannot become a subscription (no operator, no SIREN) are listed and make the exit code 1.",
  examples: ["domaines quotas --operator cdg48", "domaines quotas --operator anct", "domaines quotas --departement 48 --json"],
  options: {
    operator: { type: "string", valueName: "NAME|SIREN", description: "only this operator's members" },
    departement: { type: "string", valueName: "D", description: "only communes of this département" },
    ...SERVICE_FILE_OPTIONS,
  },
  positionals: { min: 0, max: 0, name: "" },
  async run(ctx) {
    const operator = ctx.string("operator");
    const departement = ctx.string("departement");
    const { ledger: dir, subscriptions, unplaced, warnings } = await listQuotas(ctx.ws, { ...(operator === undefined ? {} : { operator }), ...(departement === undefined ? {} : { departement }) });
    for (const w of warnings) ctx.warn(w);
    if (ctx.json) {
      ctx.printJson({ ledger: dir, subscriptions, unplaced });
    } else {
      for (const s of subscriptions) {
        const quotas = s.quotas.map((q) => `${q.accountType} ${formatSize(q.size)} (${q.source})`).join(", ");
        const how = s.reach === "direct" ? "direct enrolment by ANCT, contract art. 3.3" : s.reach;
        ctx.print(`${s.domains.join(",").padEnd(40)} ${s.service.padEnd(8)} operator ${s.operator} (${how}), service ${s.serviceId}: ${quotas}`);
      }
      for (const u of unplaced) ctx.print(`NOT PLACED ${u.label} ${u.service}: ${u.reason}`);
      ctx.print(`${subscriptions.length} subscription(s), ${unplaced.length} enrolment(s) not placed. Ledger: ${dir}`);
    }
    return unplaced.length > 0 ? 1 : 0;
  },
};
