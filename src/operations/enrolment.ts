import { planOffboard, planOnboard, type EnrolmentResult } from "../ledger/enrolment.js";
import { indexLedger } from "../ledger/entries.js";
import type { TransactionMeta } from "../ledger/ledger-store.js";
import { resolveCommune } from "../ledger/resolve.js";
import type { Enrolment } from "../ledger/schema.js";
import type { QuotaOverride, ServiceName } from "../ledger/services.js";
import { checkOnboardingCoverage, membership } from "../services/membership.js";
import type { Workspace } from "../workspace.js";

export interface OnboardRequest {
  query: string;
  services: readonly ServiceName[];
  quotas?: readonly QuotaOverride[];
  /** Enrol directly by ANCT: for a commune no structure covers (contract art. 3.3). */
  direct?: boolean;
}

export interface OnboardOutcome extends EnrolmentResult {
  fqdn: string;
}

/** Enrols a commune in services, allocating its label first if needed (one transaction). */
export async function onboard(ws: Workspace, meta: TransactionMeta, request: OnboardRequest): Promise<OnboardOutcome> {
  const now = new Date().toISOString();
  const { result } = await ws.store().transact(meta, (entries) => {
    const commune = resolveCommune(request.query, ws.zone(), ws.communes(), ws.labels(), ws.reserved(), indexLedger(entries));
    checkOnboardingCoverage(membership(ws), commune, request.direct === true);
    return planOnboard(entries, commune, ws.labels(), ws.reserved(), request.services, request.quotas ?? [], now, request.direct === true);
  });
  return { ...result, fqdn: `${result.allocation.label}.${ws.zone()}` };
}

export interface OffboardOutcome {
  commune: { key: string; name: string; departement: string };
  label: string;
  fqdn: string;
  removed: string[];
  services: Record<string, Enrolment>;
}

/** Ends enrolment in the services named (all when null); the label stays the commune's. */
export async function offboard(ws: Workspace, meta: TransactionMeta, request: { query: string; services: readonly ServiceName[] | null }): Promise<OffboardOutcome> {
  const now = new Date().toISOString();
  const { result } = await ws.store().transact(meta, (entries) => {
    const commune = resolveCommune(request.query, ws.zone(), ws.communes(), ws.labels(), ws.reserved(), indexLedger(entries));
    const plan = planOffboard(entries, commune, request.services, now);
    return { put: plan.put, result: { ...plan.result, commune: { key: commune.key, name: commune.name, departement: commune.departement } } };
  });
  return { ...result, fqdn: `${result.label}.${ws.zone()}` };
}
