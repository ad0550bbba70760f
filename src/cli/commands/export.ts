import { InputError } from "../../errors.js";
import { renderExport, parseExportFormat, EXPORT_FORMATS } from "../../ledger/export.js";
import { replaceDurably } from "../../ledger/fsync.js";
import { ledgerDir, readLedger } from "../../ledger/store.js";
import type { CommandSpec } from "../command.js";

export const command: CommandSpec = {
  name: "export",
  summary: "the whole ledger as JSON or CSV, for reversibility",
  usage: `[--format ${EXPORT_FORMATS.join("|")}] [--out FILE]`,
  description: "Writes to stdout, or atomically to --out FILE. Every label in every state is included.",
  examples: ["domaines export --format csv --out ledger.csv", "domaines export --format json > ledger.json"],
  options: {
    format: { type: "string", valueName: "FORMAT", description: `${EXPORT_FORMATS.join(", ")} (default json)` },
    out: { type: "string", valueName: "FILE", description: "write here instead of stdout" },
  },
  positionals: { min: 0, max: 0, name: "" },
  async run(ctx) {
    const format = parseExportFormat(ctx.string("format"));
    const entries = readLedger(ledgerDir(ctx));
    const text = renderExport(entries, format);
    const out = ctx.string("out");
    if (out === undefined) {
      process.stdout.write(text);
      return 0;
    }
    try {
      replaceDurably(out, text);
    } catch (err) {
      throw new InputError(`cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (ctx.json) ctx.printJson({ format, out, labels: entries.length });
    else ctx.warn(`${entries.length} labels written to ${out} (${format})`);
    return 0;
  },
};
