import { readFileSync } from "node:fs";
import { FailureError, InputError } from "../../errors.js";
import { auditCommand } from "../../ledger/cli-support.js";
import { parseLegacyCsv, planImport, type ImportPlan } from "../../ledger/import.js";
import { ledgerDir, updateLedger } from "../../ledger/store.js";
import type { CommandSpec } from "../command.js";

export const command: CommandSpec = {
  name: "import",
  summary: "record legacy labels already live (siren|insee,label), kept as they are and flagged legacy",
  usage: "<file.csv> [--dry-run] [--json]",
  description:
    "One row per commune: a SIREN or INSEE code, a comma (or ;), the label in use. An optional header\n" +
    "(siren,label) and # comments are allowed. All or nothing: an unreadable row exits 2, a conflict\n" +
    "(label held or reserved, commune already holding another label, duplicates) exits 1; nothing is written.",
  examples: ["domaines import legacy-labels.csv", "domaines import legacy-labels.csv --dry-run --json"],
  options: {
    "dry-run": { type: "boolean", description: "check the file against the ledger; write nothing" },
  },
  positionals: { min: 1, max: 1, name: "file" },
  async run(ctx) {
    const file = ctx.positionals[0]!;
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new InputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const rows = parseLegacyCsv(text, file, ctx.reserved());
    const now = new Date().toISOString();
    const dir = ledgerDir(ctx);
    let plan: ImportPlan | undefined;
    const dryRun = ctx.flag("dry-run");
    await updateLedger(dir, ctx.actor(), auditCommand("import", ctx, []), (entries) => {
      plan = planImport(entries, rows, ctx.communeData().communes, file, now);
      return { put: plan.conflicts.length > 0 || dryRun ? [] : plan.put, result: null };
    });
    if (!plan) throw new FailureError("internal: the import plan was not computed");
    if (plan.conflicts.length > 0) {
      if (ctx.json) ctx.printJson({ file, imported: 0, conflicts: plan.conflicts });
      else ctx.print(`${file}: ${plan.conflicts.length} conflict(s), nothing imported:\n  ${plan.conflicts.join("\n  ")}`);
      ctx.warn(`${plan.conflicts.length} conflict(s) in ${file}; nothing was written. Resolve them and run the import again.`);
      return 1;
    }
    const imported = plan.imported.filter((r) => r.status === "imported").length;
    if (ctx.json) ctx.printJson({ file, dryRun, imported, existing: plan.imported.length - imported, rows: plan.imported });
    else {
      for (const r of plan.imported) ctx.print(`${r.status === "imported" ? (dryRun ? "would import" : "imported ") : "existing "}  ${r.label.padEnd(32)} ${r.name} (${r.departement}), INSEE ${r.insee}  [line ${r.line}]`);
      ctx.print(`${dryRun ? "Dry run, nothing written: " : ""}${imported} legacy label(s) ${dryRun ? "to import" : "imported"}, ${plan.imported.length - imported} already in the ledger.`);
    }
    return 0;
  },
};
