import type { Commune } from "../communes/schema.js";
import { InputError } from "../errors.js";
import { planAllocation, type AllocationFailure, type AllocationPlan, type AllocationResult } from "../ledger/allocation.js";
import { planSwitchToReserved } from "../ledger/enrolment.js";
import { indexLedger } from "../ledger/entries.js";
import type { TransactionMeta } from "../ledger/ledger-store.js";
import { resolveCommune } from "../ledger/resolve.js";
import type { LedgerEntry } from "../ledger/schema.js";
import type { Workspace } from "../workspace.js";
import { selectDepartement } from "./commune-view.js";

/** Which communes to allocate: named by queries, a whole département, or all of France (exactly one). */
export interface AllocateRequest {
  queries?: readonly string[];
  departement?: string;
  all?: boolean;
  dryRun?: boolean;
}

const REASONS: Record<string, string> = {
  unique: "no other current commune has this name",
  homonym: "homonym: the département is added",
  "accent-collision": "a name differing only by accents exists: the département is added",
  fallback: "<slug>-<dep> was taken: the INSEE code is added",
  "taken-in-ledger": "its computed label is already in the ledger (never reused): suffixed",
  "already-allocated": "already in the ledger: it keeps its label",
};

export interface AllocatedCommune extends AllocationResult {
  fqdn: string;
  explanation: string;
}

export interface AllocateOutcome {
  dryRun: boolean;
  ledger: string;
  allocated: number;
  existing: number;
  reservedHomonymSlugs: string[];
  failures: AllocationFailure[];
  communes: AllocatedCommune[];
}

/** An allocation result with its FQDN and the reason in words. */
export function explainAllocation(ws: Workspace, r: AllocationResult, zone = ws.zone()): AllocatedCommune {
  return { ...r, fqdn: `${r.label}.${zone}`, explanation: REASONS[r.reason] ?? r.reason };
}

function targets(ws: Workspace, request: AllocateRequest, entries: readonly LedgerEntry[]): Commune[] {
  const communes = ws.communes();
  const queries = request.queries ?? [];
  const modes = [queries.length > 0, request.departement !== undefined, request.all === true].filter(Boolean).length;
  if (modes !== 1) throw new InputError("name the communes to allocate: one or more queries, or --departement D, or --all (exactly one of these).");
  if (request.all) return [...communes];
  if (request.departement !== undefined) return selectDepartement(communes, request.departement);
  const index = indexLedger(entries);
  return queries.map((q) => resolveCommune(q, ws.zone(), communes, ws.labels(), ws.reserved(), index));
}

/** Gives communes their label (idempotent: a commune keeps the label it holds). Named communes that fail refuse the whole request. */
export async function allocate(ws: Workspace, meta: TransactionMeta, request: AllocateRequest): Promise<AllocateOutcome> {
  const explicit = (request.queries ?? []).length > 0;
  const now = new Date().toISOString();
  const plan = (entries: readonly LedgerEntry[]): AllocationPlan => {
    const p = planAllocation(entries, targets(ws, request, entries), ws.labels(), ws.reserved(), now);
    if (explicit && p.failures.length > 0) {
      throw new InputError(`cannot allocate, nothing written:\n  ${p.failures.map((f) => `${f.name} (${f.insee}): ${f.message}`).join("\n  ")}`);
    }
    return p;
  };
  const store = ws.store();
  const result = request.dryRun
    ? plan(await store.read())
    : (
        await store.transact(meta, (entries) => {
          const p = plan(entries);
          return { put: p.put, result: p };
        })
      ).result;
  const zone = ws.zone();
  const communes = result.results.map((r) => explainAllocation(ws, r, zone));
  const created = communes.filter((c) => c.status === "allocated").length;
  return {
    dryRun: request.dryRun === true,
    ledger: store.location,
    allocated: created,
    existing: communes.length - created,
    reservedHomonymSlugs: result.reservedNow,
    failures: result.failures,
    communes,
  };
}

export interface SwitchOutcome {
  from: string;
  to: string;
  /** `existing` when the commune had already switched (nothing written). */
  status: "switched" | "existing";
  fqdn: string;
  aliasFqdn: string;
}

/** After a rename: the label reserved for the new name becomes the commune's, the old one its alias. */
export async function switchToReservedLabel(ws: Workspace, meta: TransactionMeta, query: string): Promise<SwitchOutcome> {
  const now = new Date().toISOString();
  const { result } = await ws.store().transact(meta, (entries) => {
    const commune = resolveCommune(query, ws.zone(), ws.communes(), ws.labels(), ws.reserved(), indexLedger(entries));
    return planSwitchToReserved(entries, commune, now);
  });
  return { ...result, fqdn: `${result.to}.${ws.zone()}`, aliasFqdn: `${result.from}.${ws.zone()}` };
}
