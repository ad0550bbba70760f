import type { CommandContext } from "../cli/context.js";
import { selectDepartement } from "../cli/views.js";
import { ledgerDir, readLedger } from "../ledger/store.js";
import type { LedgerEntry } from "../ledger/schema.js";
import type { DkimStore } from "./dkim.js";
import { dkimStorePath, loadDkimStore } from "./dkim-store.js";
import { desiredZone, type DesiredZone } from "./model.js";
import { assertValidZone } from "./validate.js";

/**
 * The edge where `plan`, `export --format zone` and `verify` read their inputs (ledger,
 * configuration, DKIM store) and get the one validated model.
 */

export const DKIM_OPTION = { type: "string", valueName: "FILE", description: "DKIM keys from Messages instead of data/dkim.json (also DOMAINES_DKIM); absent file = every DKIM pending" } as const;

export interface RecordInputs {
  dir: string;
  entries: LedgerEntry[];
  dkim: DkimStore;
}

export function readRecordInputs(ctx: CommandContext): RecordInputs {
  const dir = ledgerDir(ctx);
  return { dir, entries: readLedger(dir), dkim: loadDkimStore(dkimStorePath(ctx.string("dkim"))) };
}

/** `--departement D` checked the way `names` checks it: a code that current communes have. */
export function departementOption(ctx: CommandContext): string | undefined {
  const raw = ctx.string("departement");
  if (raw === undefined) return undefined;
  return selectDepartement(ctx.communeData().communes, raw)[0]!.departement;
}

/** The desired zone for the command's scope, refused (exit 2, every problem listed) when invalid. */
export function validatedZone(ctx: CommandContext, inputs: RecordInputs, options: { departement?: string; serial?: number } = {}): DesiredZone {
  const desired = desiredZone(inputs.entries, ctx.config(), inputs.dkim, options);
  assertValidZone(desired);
  return desired;
}
