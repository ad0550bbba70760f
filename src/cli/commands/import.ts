import { readInputText } from "../../input-file.js";
import { importLegacyLabels } from "../../operations/import-legacy.js";
import { auditCommand } from "../audit-command.js";
import type { CommandSpec } from "../command.js";

export const command: CommandSpec = {
  name: "import",
  summary: "record legacy labels already live (siren|insee,label), kept as they are and flagged legacy",
  usage: "<file.csv> [--dry-run] [--json]",
  description:
    "One row per commune: a SIREN or INSEE code, a comma (or ;), the label in use. An optional header\n" +
    "(siren,label) and # comments are allowed. All or nothing: an unreadable row exits 2, a conflict\n" +
    "(label held or reserved, commune already holding another label, duplicates) exits 1; nothing is written.\n" +
    "A label that is another current commune's computed label (paris for Rodez) or a homonym group's bare\n" +
    "slug (saint-denis) is a conflict too, unless --allow-contested-labels: a real legacy domain is then\n" +
    "recorded, with a warning naming the commune or group it takes the label from.",
  examples: ["domaines import legacy-labels.csv", "domaines import legacy-labels.csv --dry-run --json"],
  options: {
    "dry-run": { type: "boolean", description: "check the file against the ledger; write nothing" },
    "allow-contested-labels": { type: "boolean", description: "record a label that is another commune's computed label or a homonym group's bare slug, with a warning" },
  },
  positionals: { min: 1, max: 1, name: "file" },
  async run(ctx) {
    const file = ctx.positionals[0]!;
    const text = readInputText(file, file);
    const dryRun = ctx.flag("dry-run");
    const allowContested = ctx.flag("allow-contested-labels");
    const r = await importLegacyLabels(ctx.ws, { actor: ctx.actor(), command: auditCommand("import", ctx, ["allow-contested-labels"]) }, { file, text, dryRun, allowContested });
    for (const w of r.warnings) ctx.warn(w);
    if (r.conflicts.length > 0) {
      if (ctx.json) ctx.printJson({ file, imported: 0, conflicts: r.conflicts });
      else ctx.print(`${file}: ${r.conflicts.length} conflict(s), nothing imported:\n  ${r.conflicts.join("\n  ")}`);
      ctx.warn(`${r.conflicts.length} conflict(s) in ${file}; nothing was written. Resolve them and run the import again.`);
      return 1;
    }
    if (ctx.json) ctx.printJson({ file, dryRun, imported: r.imported, existing: r.existing, rows: r.rows, warnings: r.warnings });
    else {
      for (const row of r.rows) ctx.print(`${row.status === "imported" ? (dryRun ? "would import" : "imported ") : "existing "}  ${row.label.padEnd(32)} ${row.name} (${row.departement}), INSEE ${row.insee}  [line ${row.line}]`);
      ctx.print(`${dryRun ? "Dry run, nothing written: " : ""}${r.imported} legacy label(s) ${dryRun ? "to import" : "imported"}, ${r.existing} already in the ledger.`);
    }
    return 0;
  },
};
