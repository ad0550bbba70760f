import type { CommandContext } from "../cli/context.js";
import { InputError, quoteInput } from "../errors.js";
import { replaceDurably } from "../ledger/fsync.js";
import { departementOption, readRecordInputs, validatedZone } from "./inputs.js";
import { allRecords, pendingOwners } from "./model.js";
import { renderZone } from "./zonefile.js";

/** Options `export` takes for `--format zone` (merged into its CommandSpec). */
export const ZONE_EXPORT_OPTIONS = {
  departement: { type: "string", valueName: "D", description: "zone format: only this département's communes (zone-level records always included)" },
  serial: { type: "string", valueName: "N", description: "zone format: SOA serial (default: latest ledger/DKIM change, Unix seconds)" },
  dkim: { type: "string", valueName: "FILE", description: "zone format: DKIM keys instead of data/dkim.json (also DOMAINES_DKIM)" },
} as const;

/** `export --format zone`: the RFC 1035 zone file of the validated model, to stdout or atomically to --out. */
export async function exportZone(ctx: CommandContext): Promise<number> {
  const departement = departementOption(ctx);
  const rawSerial = ctx.string("serial");
  let serial: number | undefined;
  if (rawSerial !== undefined) {
    serial = Number(rawSerial);
    if (!/^\d{1,10}$/.test(rawSerial) || serial < 1 || serial > 4294967295) throw new InputError(`--serial ${quoteInput(rawSerial)} is not a SOA serial; use an integer from 1 to 4294967295.`);
  }
  const inputs = readRecordInputs(ctx);
  const desired = validatedZone(ctx, inputs, { ...(departement === undefined ? {} : { departement }), ...(serial === undefined ? {} : { serial }) });
  const text = renderZone(desired);
  const out = ctx.string("out");
  const pending = pendingOwners(desired).length;
  if (out === undefined) {
    // Under --json stdout holds JSON only: the zone text travels in it.
    if (ctx.json) ctx.printJson({ format: "zone", zone: desired.zone, departement: departement ?? null, serial: desired.soa.serial, labels: desired.owners.length, pendingDkim: pending, text });
    else process.stdout.write(text);
  } else {
    try {
      replaceDurably(out, text);
    } catch (err) {
      throw new InputError(`cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}; check that its directory exists and is writable.`);
    }
    const records = allRecords(desired).length + desired.authority.length + 1;
    if (ctx.json) ctx.printJson({ format: "zone", out, zone: desired.zone, departement: departement ?? null, serial: desired.soa.serial, labels: desired.owners.length, records, pendingDkim: pending });
    else ctx.warn(`${desired.owners.length} labels, ${records} records written to ${out} (zone ${desired.zone}, serial ${desired.soa.serial})`);
  }
  if (pending > 0) ctx.warn(`${pending} commune(s) have no DKIM key yet: their DKIM record is left out (see \`domaines plan\`).`);
  return 0;
}
