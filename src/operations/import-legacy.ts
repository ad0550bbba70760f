import { contestedLabels, parseLegacyCsv, planImport, type ImportOutcome } from "../ledger/import.js";
import type { TransactionMeta } from "../ledger/ledger-store.js";
import type { Workspace } from "../workspace.js";

export interface ImportResult {
  file: string;
  dryRun: boolean;
  /** Conflicts found against the ledger: nothing was written when there is one. */
  conflicts: string[];
  imported: number;
  existing: number;
  rows: ImportOutcome[];
  /** Contested labels recorded on request (allowContested). */
  warnings: string[];
}

/**
 * Records legacy labels already live (`siren|insee,label` rows), all or nothing. A label
 * that is another commune's computed label or a homonym group's bare slug is refused
 * unless `allowContested` (then recorded with a warning).
 */
export async function importLegacyLabels(ws: Workspace, meta: TransactionMeta, input: { file: string; text: string; dryRun?: boolean; allowContested?: boolean }): Promise<ImportResult> {
  const rows = parseLegacyCsv(input.text, input.file, ws.reserved());
  const now = new Date().toISOString();
  const dryRun = input.dryRun === true;
  const contested = contestedLabels(ws.labels().values(), ws.communes());
  const { result: plan } = await ws.store().transact(meta, (entries) => {
    const p = planImport(entries, rows, ws.communes(), input.file, now, contested, input.allowContested === true);
    return { put: p.conflicts.length > 0 || dryRun ? [] : p.put, result: p };
  });
  const imported = plan.conflicts.length > 0 ? 0 : plan.imported.filter((r) => r.status === "imported").length;
  return {
    file: input.file,
    dryRun,
    conflicts: plan.conflicts,
    imported,
    existing: plan.conflicts.length > 0 ? 0 : plan.imported.length - imported,
    rows: plan.conflicts.length > 0 ? [] : plan.imported,
    warnings: plan.conflicts.length > 0 ? [] : plan.warnings,
  };
}
