import { InputError } from "../../errors.js";
import { renderExport, parseExportFormat, EXPORT_FORMATS } from "../../ledger/export.js";
import { replaceDurably } from "../../ledger/fsync.js";
import { ledgerDir, readLedger } from "../../ledger/store.js";
import { ZONE_EXPORT_OPTIONS, exportZone } from "../../records/export-zone.js";
import type { CommandSpec } from "../command.js";

export const command: CommandSpec = {
  name: "export",
  summary: "the whole ledger as JSON or CSV (reversibility), or the DNS zone file of the desired records",
  usage: `[--format ${EXPORT_FORMATS.join("|")}|zone] [--departement D] [--out FILE]`,
  description: "Writes to stdout, or atomically to --out FILE. Every label in every state is included.",
  examples: ["domaines export --format csv --out ledger.csv", "domaines export --format json > ledger.json", "domaines export --format zone --departement 48 --out build/lozere.zone"],
  options: {
    format: { type: "string", valueName: "FORMAT", description: `${EXPORT_FORMATS.join(", ")} (default json), or zone: the DNS zone file of the desired records` },
    out: { type: "string", valueName: "FILE", description: "write here instead of stdout" },
    ...ZONE_EXPORT_OPTIONS,
  },
  positionals: { min: 0, max: 0, name: "" },
  async run(ctx) {
    // The RFC 1035 zone file of the desired DNS records (src/records), not of the ledger.
    if (ctx.string("format")?.toLowerCase() === "zone") return exportZone(ctx);
    const format = parseExportFormat(ctx.string("format"));
    // The ledger formats export every label; options of the zone format would be silently ignored.
    for (const option of Object.keys(ZONE_EXPORT_OPTIONS)) {
      if (ctx.string(option) !== undefined) throw new InputError(`--${option} applies to --format zone only; --format ${format} exports the whole ledger.`);
    }
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
