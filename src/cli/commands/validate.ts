import type { CommandSpec } from "../command.js";

export const command: CommandSpec = {
  name: "validate",
  summary: "check the ledger's invariants and that it equals its audit log replayed",
  usage: "[--json]",
  description:
    "Every line must parse (exit 2 naming file:line otherwise). Then: one holder per label, every label\n" +
    "valid, one allocated label per commune, aliases and rename reservations pointing to a live commune,\n" +
    "tombstones never reused (the audit log replayed must give the ledger). Exit 1 lists the offending lines.",
  examples: ["domaines validate", "DOMAINES_LEDGER=/tmp/trial domaines validate --json"],
  options: {},
  positionals: { min: 0, max: 0, name: "" },
  async run(ctx) {
    const report = await ctx.ws.store().validate(ctx.ws.reserved());
    if (ctx.json) {
      ctx.printJson(report);
    } else {
      const c = report.counts;
      ctx.print(`${report.ledger}: ${report.labels} labels (${c.allocated} allocated, ${c.alias} alias, ${c.reserved} reserved, ${c.tombstone} tombstone); audit log: ${report.audit.transactions} transactions, ${report.audit.changes} changes.`);
      if (report.note) ctx.print(`Note: ${report.note}`);
      if (report.ok) ctx.print("OK: every invariant holds and the ledger equals its audit log.");
      else ctx.print(`${report.problems.length} problem(s):\n  ${report.problems.join("\n  ")}`);
    }
    return report.ok ? 0 : 1;
  },
};
