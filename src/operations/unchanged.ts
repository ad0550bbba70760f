import type { Commune } from "../communes/schema.js";
import { planAllocation } from "../ledger/allocation.js";
import { planOnboard } from "../ledger/enrolment.js";
import { indexLedger } from "../ledger/entries.js";
import type { QuotaOverride, ServiceName } from "../ledger/services.js";
import type { Workspace } from "../workspace.js";
import { explainAllocation, type AllocatedCommune } from "./allocate.js";
import type { OnboardOutcome } from "./enrolment.js";

/**
 * Answers for requests that would change nothing, from the ledger lines about the commune
 * alone: once a commune holds its label, allocating it again or re-enrolling it as it is
 * depends on its own line only, so the same pure planners give the same answer as the
 * transaction would, without reading the whole ledger or taking the lock. null = it
 * would change something: run the operation.
 */
export async function heldAllocation(ws: Workspace, commune: Commune): Promise<AllocatedCommune | null> {
  const mine = await ws.store().readMentioning([commune.key]);
  if (!indexLedger(mine).primaryByKey.has(commune.key)) return null;
  const plan = planAllocation(mine, [commune], ws.labels(), ws.reserved(), new Date().toISOString());
  const result = plan.results[0];
  return plan.put.length === 0 && result?.status === "existing" ? explainAllocation(ws, result) : null;
}

export async function unchangedEnrolment(ws: Workspace, commune: Commune, services: readonly ServiceName[], quotas: readonly QuotaOverride[]): Promise<OnboardOutcome | null> {
  const mine = await ws.store().readMentioning([commune.key]);
  if (!indexLedger(mine).primaryByKey.has(commune.key)) return null;
  const plan = planOnboard(mine, commune, ws.labels(), ws.reserved(), services, quotas, new Date().toISOString());
  return plan.result.changed.length === 0 && plan.result.allocation.status === "existing" ? { ...plan.result, fqdn: `${plan.result.allocation.label}.${ws.zone()}` } : null;
}
