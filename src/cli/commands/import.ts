import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { InputError } from "../../errors.js";
import { readInputText } from "../../input-file.js";
import { importLegacyLabels } from "../../operations/import-legacy.js";
import { importZone, type ZoneImportResult } from "../../operations/import-zone.js";
import { auditCommand } from "../audit-command.js";
import type { CommandSpec } from "../command.js";
import type { CommandContext } from "../context.js";
import { writeOutFile } from "../out-file.js";

export const command: CommandSpec = {
  name: "import",
  summary: "record legacy labels already live (siren|insee,label), kept as they are and flagged legacy",
  usage: "<file.csv> [--dry-run] [--json]  |  --zone FILE [--mapping CSV] [--ovh-records FILE] [--import-files DIR] [--apply] [--json]",
  description:
    "One row per commune: a SIREN or INSEE code, a comma (or ;), the label in use. An optional header\n" +
    "(siren,label) and # comments are allowed. All or nothing: an unreadable row exits 2, a conflict\n" +
    "(label held or reserved, commune already holding another label, duplicates) exits 1; nothing is written.\n" +
    "A label that is another current commune's computed label (paris for Rodez) or a homonym group's bare\n" +
    "slug (saint-denis) is a conflict too, unless --allow-contested-labels: a real legacy domain is then\n" +
    "recorded, with a warning naming the commune or group it takes the label from.\n" +
    "\n" +
    "--zone FILE reads an RFC 1035 export of the live zone (OVH's or Scaleway's) and proposes, per name: the\n" +
    "legacy label of a commune (already in the ledger, named by --mapping, its computed label, or the people\n" +
    "plugin's spelling of its name such as uilly for Œuilly), delegated (NS there: the parent keeps only the\n" +
    "NS set) or with records to adopt as its desired records; the zone level; or a name to review. A report\n" +
    "first (exit 1 while a name is left to review or in conflict); --apply writes everything in one audited\n" +
    "transaction, or nothing. The mapping CSV has name,SIREN|INSEE rows, or name,- for a name to leave alone.\n" +
    "The report gives, per stack, the `pulumi import` file of the live records the model now publishes\n" +
    "(--import-files DIR writes them); record ids come from --ovh-records (the OVH API's record listing as\n" +
    "JSON), since a zone export carries none: without it each id is empty and the API call that gives it is listed.",
  examples: [
    "domaines import legacy-labels.csv",
    "domaines import legacy-labels.csv --dry-run --json",
    "domaines import --zone collectivite.fr.zone",
    "domaines import --zone collectivite.fr.zone --mapping names.csv --allow-contested-labels --apply --import-files build/pulumi-import",
  ],
  options: {
    "dry-run": { type: "boolean", description: "check the file against the ledger; write nothing" },
    "allow-contested-labels": { type: "boolean", description: "record a label that is another commune's computed label or a homonym group's bare slug, with a warning" },
    zone: { type: "string", valueName: "FILE", description: "an RFC 1035 export of the live zone, instead of a CSV of labels" },
    mapping: { type: "string", valueName: "CSV", description: "with --zone: name,SIREN|INSEE (or name,-) for names the rules cannot match" },
    "ovh-records": { type: "string", valueName: "FILE", description: "with --zone: the OVH API's records of the zone (JSON array with ids), to fill the pulumi import ids" },
    "import-files": { type: "string", valueName: "DIR", description: "with --zone: write the pulumi import file of each stack there (import-<stack>.json)" },
    apply: { type: "boolean", description: "with --zone: write the proposals (one transaction), only when nothing is left to review" },
  },
  positionals: { min: 0, max: 1, name: "file" },
  async run(ctx) {
    const zoneFile = ctx.string("zone");
    if (zoneFile !== undefined) return runZone(ctx, zoneFile);
    for (const o of ["mapping", "ovh-records", "import-files", "apply"]) if (ctx.values[o] !== undefined) throw new InputError(`--${o} goes with --zone FILE (an export of the live zone); a CSV of labels takes --dry-run instead.`);
    const file = ctx.positionals[0];
    if (file === undefined) throw new InputError("give a CSV of legacy labels (domaines import labels.csv) or an export of the live zone (domaines import --zone FILE).");
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

async function runZone(ctx: CommandContext, file: string): Promise<number> {
  if (ctx.positionals.length > 0) throw new InputError(`--zone ${file} and ${ctx.positionals[0]} both given: import either a zone export or a CSV of labels.`);
  if (ctx.flag("dry-run")) throw new InputError("--zone reports by default and writes only with --apply; drop --dry-run.");
  const mappingFile = ctx.string("mapping");
  const ovhFile = ctx.string("ovh-records");
  const r = await importZone(
    ctx.ws,
    { actor: ctx.actor(), command: auditCommand("import", ctx, ["zone", "mapping", "allow-contested-labels", "apply"]) },
    {
      file,
      text: readInputText(file, `--zone ${file}`),
      ...(mappingFile ? { mapping: { file: mappingFile, text: readInputText(mappingFile, `--mapping ${mappingFile}`) } } : {}),
      ...(ovhFile ? { ovhRecords: { file: ovhFile, text: readInputText(ovhFile, `--ovh-records ${ovhFile}`) } } : {}),
      apply: ctx.flag("apply"),
      allowContested: ctx.flag("allow-contested-labels"),
    },
  );
  const dir = ctx.string("import-files");
  const written: string[] = [];
  if (dir !== undefined && r.blocking === 0) {
    mkdirSync(dir, { recursive: true });
    for (const f of r.pulumiImport) {
      const path = join(dir, `import-${f.stack}.json`);
      writeOutFile(ctx, path, `${JSON.stringify(f.file, null, 2)}\n`);
      written.push(path);
    }
  }
  if (ctx.json) ctx.printJson({ ...r, importFiles: written });
  else printZoneReport(ctx, r, written);
  if (r.blocking > 0) {
    ctx.warn(`${r.blocking} name(s) to review or in conflict in ${file}; nothing was written. Resolve them (--mapping, the live zone, --allow-contested-labels) and run the import again.`);
    return 1;
  }
  return 0;
}

const TAG: Record<ZoneImportResult["items"][number]["status"], string> = { new: "NEW", existing: "IN LEDGER", "zone-level": "ZONE", ignored: "LEFT ALONE", review: "REVIEW", conflict: "CONFLICT" };

function printZoneReport(ctx: CommandContext, r: ZoneImportResult, importFiles: string[]): void {
  ctx.print(`Import of ${r.zone} from ${r.file}: ${r.recordsRead} records, ${r.items.length} names${r.mapping ? ` (mapping ${r.mapping})` : ""}`);
  ctx.print("");
  const width = Math.min(32, Math.max(...r.items.map((i) => i.label.length)));
  for (const i of r.items) {
    ctx.print(`  ${i.label.padEnd(width)}  ${TAG[i.status].padEnd(10)} ${i.sentence}`);
    for (const a of i.adopted) ctx.print(`  ${"".padEnd(width)}    adopt ${a.name === "" ? "@" : a.name} ${a.ttl} ${a.type} ${a.value.length > 80 ? `${a.value.slice(0, 77)}…` : a.value}`);
    for (const w of i.warnings) ctx.print(`  ${"".padEnd(width)}    ! ${w}`);
  }
  for (const w of r.warnings) ctx.print(`  ! ${w}`);
  ctx.print("");
  if (r.blocking > 0) {
    ctx.print(`${r.blocking} name(s) to review or in conflict: nothing ${r.applied ? "" : "would be "}written until every name is resolved (all or nothing).`);
    return;
  }
  for (const f of r.pulumiImport) {
    ctx.print(`pulumi import for stack ${f.stack}: ${f.file.resources.length} record(s); first \`pulumi up -s ${f.stack} ${f.targets.map((t) => `--target '${t}'`).join(" ")}\``);
    if (f.missingIds.length > 0) {
      ctx.print(`  ${f.missingIds.length} record id(s) unknown (a zone export carries none; give --ovh-records, or fill each "id" as <recordId>.${r.zone} from):`);
      for (const m of f.missingIds.slice(0, 20)) ctx.print(`    ${m.name}: ${m.lookup}`);
      if (f.missingIds.length > 20) ctx.print(`    … and ${f.missingIds.length - 20} more`);
    }
  }
  for (const p of importFiles) ctx.print(`  written: ${p}`);
  if (r.toCreate.length > 0) {
    ctx.print(`The first pulumi up after the import creates ${r.toCreate.length} record(s) the live zone lacks:`);
    for (const c of r.toCreate.slice(0, 30)) ctx.print(`    + ${c.stack}: ${c.name || "@"} ${c.type} ${c.value.length > 80 ? `${c.value.slice(0, 77)}…` : c.value}`);
  } else ctx.print("The first pulumi up after the import creates nothing at these names: every record the model publishes there is live.");
  ctx.print(r.applied ? `Applied: ${r.written.length} label(s) written (${r.written.join(", ") || "none changed"})${r.tx ? `, audit transaction ${r.tx}` : ""}.` : "Report only: nothing written (--apply writes it, in one transaction).");
}
