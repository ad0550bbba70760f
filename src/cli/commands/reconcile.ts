import { InputError } from "../../errors.js";
import { reconcile } from "../../operations/reconcile.js";
import { auditCommand } from "../audit-command.js";
import type { CommandSpec } from "../command.js";
import { SERVICE_FILE_OPTIONS } from "../options.js";

export const command: CommandSpec = {
  name: "reconcile",
  summary: "compare a structure's Espace Opérateur subscriptions with the ledger's enrolments (a missed webhook is never retried)",
  usage: "--operator NAME [--apply [--offboard-missing]] [--json]",
  description:
    "Reads the operator's organisations and subscriptions (DOMAINES_EO_TOKEN_<OPERATOR>) and lists, per member\n" +
    "commune and service: active subscriptions the ledger does not know (--apply onboards), inactive ones still\n" +
    "enrolled (--apply offboards), and enrolments without any subscription — not provisioned yet (pulumi up) or\n" +
    "deleted: offboarded only with --apply --offboard-missing. Exits 1 when differences remain.",
  examples: ["domaines reconcile --operator cdg48", "domaines reconcile --operator cdg48 --apply --json"],
  options: {
    operator: { type: "string", valueName: "NAME|SIREN", description: "the structure (data/operators.json)" },
    apply: { type: "boolean", description: "fix the ledger (onboard the subscribed, offboard the inactive)" },
    "offboard-missing": { type: "boolean", description: "with --apply: also offboard enrolments that have no subscription at all" },
    ...SERVICE_FILE_OPTIONS,
  },
  positionals: { min: 0, max: 0, name: "" },
  async run(ctx) {
    const operator = ctx.string("operator");
    if (operator === undefined) throw new InputError("--operator is required: the structure whose subscriptions to read, e.g. --operator cdg48.");
    const report = await reconcile(ctx.ws, { actor: ctx.actor(), command: auditCommand("reconcile", ctx, ["operator", "apply", "offboard-missing"]) }, { operator, apply: ctx.flag("apply"), offboardMissing: ctx.flag("offboard-missing") });
    for (const w of report.warnings) ctx.warn(w);
    if (ctx.json) ctx.printJson(report);
    else {
      ctx.print(`Operator ${report.operator}: ${report.members} member communes, ${report.organizations} organisations in the Espace Opérateur; ${report.inAgreement} enrolments agree.`);
      for (const d of report.differences) ctx.print(`  ${d.kind.padEnd(30)} ${d.name} (${d.siren}) ${d.service}: ${d.note}${d.applied ? ` — ${d.action} done` : d.action !== "none" ? ` — ${d.action} with --apply` : ""}`);
      if (report.differences.length === 0) ctx.print("  no difference");
    }
    return report.differences.some((d) => !d.applied) ? 1 : 0;
  },
};
