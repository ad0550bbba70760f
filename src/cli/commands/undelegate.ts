import { undelegate } from "../../operations/undelegate.js";
import { auditCommand } from "../audit-command.js";
import type { CommandSpec } from "../command.js";

export const command: CommandSpec = {
  name: "undelegate",
  summary: "move a delegated label's records back into the parent zone (a report first, --apply to write)",
  usage: "<fqdn|label> [--apply] [--accept-no-mail] [--json]",
  description:
    "A label delegated to another zone (the people plugin's sub-zones at Scaleway) gets its records in the parent\n" +
    "again: the NS set (and DS) goes, the model's records for the commune come. Whatever the child zone served stops\n" +
    "being seen, so this is planned and guarded like a deletion: the report lists what goes and what comes, --apply\n" +
    "records the undelegation in the ledger (what lets `pulumi up` delete the NS records past the deletion guard).\n" +
    "A commune enrolled in no mail service would be left with the no-mail set: refused unless --accept-no-mail.",
  examples: ["domaines undelegate uilly.collectivite.fr", "domaines undelegate uilly --apply --json"],
  options: {
    apply: { type: "boolean", description: "write the undelegation to the ledger (one audited transaction)" },
    "accept-no-mail": { type: "boolean", description: "with --apply: undelegate even though the label would then receive no mail" },
  },
  positionals: { min: 1, max: 1, name: "label" },
  async run(ctx) {
    const r = await undelegate(ctx.ws, { actor: ctx.actor(), command: auditCommand("undelegate", ctx, ["apply", "accept-no-mail"]) }, { domain: ctx.positionals[0]!, apply: ctx.flag("apply"), acceptNoMail: ctx.flag("accept-no-mail") });
    for (const w of r.warnings) ctx.warn(w);
    if (ctx.json) {
      const { warnings: _w, ...json } = r;
      ctx.printJson(json);
      return 0;
    }
    ctx.print(`${r.fqdn}${r.holder ? ` (${r.holder})` : ""} is delegated to ${r.nameservers.join(", ")}. Undelegating it:`);
    for (const x of r.removes) ctx.print(`  - ${x.name} ${x.type} ${x.value}`);
    for (const x of r.adds) ctx.print(`  + ${x.name} ${x.type} ${x.value.length > 80 ? `${x.value.slice(0, 77)}…` : x.value}`);
    ctx.print(r.applied ? `Applied${r.tx ? ` (audit transaction ${r.tx})` : ""}: the next \`pulumi up\` of its stack makes these changes.` : "Report only: nothing written (--apply writes it).");
    return 0;
  },
};
