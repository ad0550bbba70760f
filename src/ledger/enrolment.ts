import type { Commune } from "../communes/schema.js";
import { InputError } from "../errors.js";
import type { ComputedLabel } from "../naming/labels.js";
import { planAllocation, type AllocationResult } from "./allocation.js";
import { indexLedger } from "./entries.js";
import type { Enrolment, LedgerEntry } from "./schema.js";
import type { QuotaOverride, ServiceName } from "./services.js";

export interface EnrolmentResult {
  allocation: AllocationResult;
  services: Record<string, Enrolment>;
  /** Services added, or whose quotas changed, or removed, by this call. */
  changed: string[];
}

/**
 * Enrols a commune in services (allocating its label first if needed, same transaction).
 * Re-enrolling keeps the first enrolment date; given quotas replace those accounts' overrides.
 */
export function planOnboard(
  entries: readonly LedgerEntry[],
  commune: Commune,
  labels: ReadonlyMap<string, ComputedLabel>,
  reserved: ReadonlySet<string>,
  services: readonly ServiceName[],
  quotas: readonly QuotaOverride[],
  now: string,
  /** A direct enrolment by ANCT (contract art. 3.3): recorded on each service enrolled now. */
  direct = false,
): { put: LedgerEntry[]; result: EnrolmentResult } {
  for (const q of quotas) {
    if (!services.includes(q.service)) throw new InputError(`--quota ${q.service}.${q.account}: ${q.service} is not in --services (${services.join(",")}); add it there.`);
  }
  const alloc = planAllocation(entries, [commune], labels, reserved, now);
  const failure = alloc.failures[0];
  if (failure) throw new InputError(`cannot allocate a label for ${commune.name} (${commune.departement}): ${failure.message}`);
  const allocation = alloc.results[0]!;
  const primary = alloc.put.find((e) => e.key === commune.key) ?? indexLedger(entries).primaryByKey.get(commune.key)!;
  const nextServices: Record<string, Enrolment> = { ...primary.services };
  const changed: string[] = [];
  for (const s of services) {
    const before = primary.services[s];
    const merged: Record<string, number | "unlimited"> = { ...before?.quotas };
    for (const q of quotas.filter((q) => q.service === s)) {
      if (q.size === "default") delete merged[q.account];
      else merged[q.account] = q.size;
    }
    const after: Enrolment = { enrolledAt: before?.enrolledAt ?? now, quotas: sortKeys(merged), ...(direct ? { direct: true as const } : {}) };
    if (JSON.stringify(before) !== JSON.stringify(after)) changed.push(s);
    nextServices[s] = after;
  }
  const updated: LedgerEntry = { ...primary, services: sortKeys(nextServices), updatedAt: changed.length > 0 ? now : primary.updatedAt };
  const put = [...alloc.put.filter((e) => e.label !== primary.label), updated];
  return { put, result: { allocation, services: updated.services, changed } };
}

/** Removes enrolment (all services, or those named); the label stays the commune's. */
export function planOffboard(
  entries: readonly LedgerEntry[],
  commune: Commune,
  services: readonly ServiceName[] | null,
  now: string,
): { put: LedgerEntry[]; result: { label: string; removed: string[]; services: Record<string, Enrolment> } } {
  const primary = indexLedger(entries).primaryByKey.get(commune.key);
  if (!primary) throw new InputError(`${commune.name} (${commune.departement}, INSEE ${commune.insee}) holds no label in the ledger; there is nothing to offboard.`);
  const toRemove = services ?? Object.keys(primary.services);
  const removed = toRemove.filter((s) => primary.services[s] !== undefined);
  const kept = Object.fromEntries(Object.entries(primary.services).filter(([s]) => !removed.includes(s)));
  if (removed.length === 0) return { put: [], result: { label: primary.label, removed, services: primary.services } };
  return { put: [{ ...primary, services: kept, updatedAt: now }], result: { label: primary.label, removed, services: kept } };
}

function sortKeys<V>(o: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * A renamed commune asks for the label of its new name (reserved for it by cog-sync):
 * that label becomes its primary, with its enrolments, and the old label an alias of the
 * same commune (mail to old addresses keeps arriving). Nothing else ever moves a label.
 */
export function planSwitchToReserved(
  entries: readonly LedgerEntry[],
  commune: Commune,
  now: string,
): { put: LedgerEntry[]; result: { from: string; to: string; status: "switched" | "existing" } } {
  const primary = indexLedger(entries).primaryByKey.get(commune.key);
  if (!primary) throw new InputError(`${commune.name} (${commune.insee}) holds no label in the ledger; allocate it first.`, "not-found");
  const waiting = entries.filter((e) => e.state === "reserved" && e.reservedReason === "rename" && e.key === commune.key);
  const target = waiting.at(-1);
  if (!target) {
    // Asked again after it switched (a retry after a crash, a script run twice): the same answer, nothing to write.
    const previous = entries.filter((e) => e.state === "alias" && e.aliasOf === commune.key && e.key === commune.key).sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : 1)).at(-1);
    if (previous) return { put: [], result: { from: previous.label, to: primary.label, status: "existing" } };
    throw new InputError(`no label is reserved for ${commune.name} (${commune.insee}): it switches only to the label of a new name, reserved by \`domaines cog-sync --apply\` after a rename.`, "not-found");
  }
  return {
    put: [
      { ...primary, state: "alias", aliasOf: commune.key, inheritedFrom: undefined, services: {}, grandfathered: false, updatedAt: now },
      { ...target, state: "allocated", reservedReason: undefined, name: commune.name, departement: commune.departement, services: primary.services, updatedAt: now },
    ],
    result: { from: primary.label, to: target.label, status: "switched" },
  };
}
