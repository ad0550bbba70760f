import { InputError } from "../../errors.js";
import { renderExport, parseExportFormat, EXPORT_FORMATS } from "../../ledger/export.js";
import { exportZoneFile, parseSerial } from "../../operations/dns.js";
import { exportOpendataCommand } from "./export-opendata.js";
import type { CommandSpec } from "../command.js";
import type { CommandContext } from "../context.js";
import { DKIM_OPTION, SERVICE_FILE_OPTIONS } from "../options.js";
import { writeOutFile } from "../out-file.js";

/** Options `export` takes for `--format zone`. */
const ZONE_EXPORT_OPTIONS = {
  departement: { type: "string", valueName: "D", description: "zone format: only this département's communes (zone-level records always included)" },
  serial: { type: "string", valueName: "N", description: "zone format: SOA serial (default: latest ledger/DKIM change, Unix seconds)" },
  dkim: { ...DKIM_OPTION, description: `zone format: ${DKIM_OPTION.description}` },
} as const;

export const command: CommandSpec = {
  name: "export",
  summary: "the whole ledger as JSON or CSV (reversibility), or the DNS zone file of the desired records",
  usage: `[--format ${EXPORT_FORMATS.join("|")}|zone|opendata] [--departement D] [--out FILE|DIR]`,
  description:
    "Writes to stdout, or atomically to --out FILE (never onto the ledger's own files). Every label in every state\n" +
    "is included. In CSV, a cell starting with =, +, -, @, a tab or a CR gets a leading ' so that a spreadsheet\n" +
    "shows it as text instead of running it as a formula. --format opendata writes the public dataset into --out DIR.",
  examples: ["domaines export --format csv --out ledger.csv", "domaines export --format json > ledger.json", "domaines export --format zone --departement 48 --out build/lozere.zone"],
  options: {
    format: { type: "string", valueName: "FORMAT", description: `${EXPORT_FORMATS.join(", ")} (default json), zone: the DNS zone file of the desired records, or opendata: the public dataset (Frictionless data package) into --out DIR` },
    out: { type: "string", valueName: "FILE", description: "write here instead of stdout" },
    ...ZONE_EXPORT_OPTIONS,
    ...SERVICE_FILE_OPTIONS,
  },
  positionals: { min: 0, max: 0, name: "" },
  async run(ctx) {
    // The RFC 1035 zone file of the desired DNS records (src/records), not of the ledger.
    if (ctx.string("format")?.toLowerCase() === "zone") return exportZone(ctx);
    if (ctx.string("format")?.toLowerCase() === "opendata") return exportOpendataCommand(ctx);
    const format = parseExportFormat(ctx.string("format"), ["zone", "opendata"]);
    // The ledger formats export every label; options of the zone format would be silently ignored.
    for (const option of Object.keys(ZONE_EXPORT_OPTIONS)) {
      if (ctx.string(option) !== undefined) throw new InputError(`--${option} applies to --format zone only; --format ${format} exports the whole ledger.`);
    }
    const entries = await ctx.ws.store().read();
    const text = renderExport(entries, format);
    const out = ctx.string("out");
    if (out === undefined) {
      process.stdout.write(text);
      return 0;
    }
    writeOutFile(ctx, out, text);
    if (ctx.json) ctx.printJson({ format, out, labels: entries.length });
    else ctx.warn(`${entries.length} labels written to ${out} (${format})`);
    return 0;
  },
};

/** `export --format zone`: the RFC 1035 zone file of the validated model, to stdout or atomically to --out. */
async function exportZone(ctx: CommandContext): Promise<number> {
  const dep = ctx.string("departement");
  const serial = parseSerial(ctx.string("serial"));
  const z = await exportZoneFile(ctx.ws, { ...(dep === undefined ? {} : { departement: dep }), ...(serial === undefined ? {} : { serial }) });
  const out = ctx.string("out");
  if (out === undefined) {
    // Under --json stdout holds JSON only: the zone text travels in it.
    if (ctx.json) ctx.printJson({ format: "zone", zone: z.zone, departement: z.departement, serial: z.serial, labels: z.labels, pendingDkim: z.pendingDkim, text: z.text });
    else process.stdout.write(z.text);
  } else {
    writeOutFile(ctx, out, z.text);
    if (ctx.json) ctx.printJson({ format: "zone", out, zone: z.zone, departement: z.departement, serial: z.serial, labels: z.labels, records: z.records, pendingDkim: z.pendingDkim });
    else ctx.warn(`${z.labels} labels, ${z.records} records written to ${out} (zone ${z.zone}, serial ${z.serial})`);
  }
  if (z.pendingDkim > 0) ctx.warn(`${z.pendingDkim} commune(s) have no DKIM key yet: their DKIM record is left out (see \`domaines plan\`).`);
  return 0;
}
