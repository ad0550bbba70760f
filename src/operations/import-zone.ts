import { contestedLabels } from "../ledger/import.js";
import type { TransactionMeta } from "../ledger/ledger-store.js";
import { desiredZone } from "../records/model.js";
import { parseOvhRecords } from "../records/ovh-records.js";
import { parseZoneFile } from "../records/zone-parse.js";
import { parseMappingCsv, planZoneImport, type ZoneImportPlan } from "../records/zone-import.js";
import type { Workspace } from "../workspace.js";

export interface ZoneImportResult extends Omit<ZoneImportPlan, "put"> {
  file: string;
  mapping: string | null;
  /** Records read from the export (SOA and apex NS included). */
  recordsRead: number;
  applied: boolean;
  /** Labels written (new or changed) when applied. */
  written: string[];
  /** The audit transaction, when something was written. */
  tx: string | null;
}

export interface ZoneImportRequest {
  file: string;
  text: string;
  mapping?: { file: string; text: string };
  ovhRecords?: { file: string; text: string };
  apply: boolean;
  allowContested: boolean;
}

/**
 * `import --zone FILE`: the live zone's export against the ledger, name by name (a report
 * first); with `apply`, and only when nothing is left to review, every proposal is
 * written through the store as one audited transaction.
 */
export async function importZone(ws: Workspace, meta: TransactionMeta, request: ZoneImportRequest): Promise<ZoneImportResult> {
  const zone = ws.zone();
  const parsed = parseZoneFile(request.text, request.file, zone);
  const mapping = request.mapping ? parseMappingCsv(request.mapping.text, request.mapping.file, ws.communes()) : [];
  const ovhIds = request.ovhRecords ? parseOvhRecords(request.ovhRecords.text, request.ovhRecords.file) : undefined;
  const contested = contestedLabels(ws.labels().values(), ws.communes());
  const config = ws.config();
  const dkim = ws.dkim();
  const now = new Date().toISOString();
  const update = await ws.store().transact(meta, (entries) => {
    const plan = planZoneImport({
      zone,
      records: parsed.records,
      entries,
      communes: ws.communes(),
      labels: ws.labels(),
      contested,
      reserved: ws.reserved(),
      mapping,
      allowContested: request.allowContested,
      now,
      model: (e) => desiredZone(e, config, dkim),
      ...(ovhIds ? { ovhIds } : {}),
    });
    return { put: request.apply && plan.blocking === 0 ? plan.put : [], result: plan };
  });
  const { put, ...plan } = update.result;
  return {
    ...plan,
    file: request.file,
    mapping: request.mapping?.file ?? null,
    recordsRead: parsed.records.length,
    applied: request.apply && plan.blocking === 0,
    written: update.changes.map((c) => c.label),
    tx: update.tx,
  };
}
