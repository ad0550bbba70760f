import { planCogSync, type CogSyncReport } from "../ledger/cog-sync.js";
import type { TransactionMeta } from "../ledger/ledger-store.js";
import type { Workspace } from "../workspace.js";

export interface CogSyncOutcome extends CogSyncReport {
  applied: boolean;
  labelsChanged: number;
  summary: Record<string, number>;
}

/** Compares the ledger with the current commune data; with `apply`, applies the naming spec's rules in one transaction. */
export async function cogSync(ws: Workspace, meta: TransactionMeta, options: { apply: boolean }): Promise<CogSyncOutcome> {
  const now = new Date().toISOString();
  const plan = (entries: Parameters<typeof planCogSync>[0]) => planCogSync(entries, ws.communeData(), ws.labels(), ws.reserved(), now);
  let report: CogSyncReport;
  let written = 0;
  if (options.apply) {
    const u = await ws.store().transact(meta, (entries) => {
      const p = plan(entries);
      return { put: p.put, result: p.report };
    });
    report = u.result;
    written = u.changes.length;
  } else {
    report = plan(await ws.store().read()).report;
  }
  return { applied: options.apply, labelsChanged: written, summary: summarizeCogSync(report), ...report };
}

export function summarizeCogSync(r: CogSyncReport): Record<string, number> {
  return {
    inseeChanges: r.inseeChanges.length,
    renames: r.renames.length,
    renameReservations: r.renames.filter((x) => x.reservedLabel !== null && x.note.includes("until it asks")).length,
    mergers: r.mergers.length,
    inherited: r.mergers.filter((m) => m.outcome === "inherited").length,
    aliases: r.mergers.filter((m) => m.outcome === "alias").length,
    viaSameInsee: r.mergers.filter((m) => m.via === "same-insee").length,
    viaChefLieu: r.mergers.filter((m) => m.via === "chef-lieu").length,
    successorsAllocated: r.successorsAllocated.length,
    tombstones: r.tombstones.length,
    repointedAliases: r.repointedAliases.length,
    newHomonyms: r.newHomonyms.length,
    problems: r.problems.length,
  };
}
