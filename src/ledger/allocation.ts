import type { Commune } from "../communes/schema.js";
import { departementSuffix, type ComputedLabel, type LabelReason } from "../naming/labels.js";
import { labelProblem } from "../naming/label.js";
import { homonymReservation, indexLedger, newAllocatedEntry } from "./entries.js";
import type { LedgerEntry } from "./schema.js";

export type AllocationReason = LabelReason | "taken-in-ledger" | "already-allocated";

export interface AllocationResult {
  key: string;
  siren: string | null;
  insee: string;
  name: string;
  departement: string;
  label: string;
  /** `allocated` when created by this call, `existing` when the ledger already had it. */
  status: "allocated" | "existing";
  reason: AllocationReason;
  legacy: boolean;
}

export interface AllocationFailure {
  key: string;
  insee: string;
  name: string;
  message: string;
}

export interface AllocationPlan {
  put: LedgerEntry[];
  results: AllocationResult[];
  failures: AllocationFailure[];
  /** Bare slugs of homonym groups reserved by this call. */
  reservedNow: string[];
}

/**
 * The label for a commune not yet in the ledger: its computed label, unless the ledger
 * already holds it (any state: a tombstone or a reserved slug is never reused); then
 * `<slug>-<dep>`, then `<slug>-<dep>-<insee>`. `computed` may come from computeLabels
 * with or without `taken`: the ledger is checked here again, under the lock.
 */
export function chooseLabel(
  commune: Commune,
  computed: ComputedLabel,
  taken: ReadonlySet<string>,
  reserved: ReadonlySet<string>,
): { label: string; reason: AllocationReason } | { problem: string } {
  if (computed.label === null) return { problem: computed.problem?.message ?? "no valid label can be computed" };
  // The common case, without building the candidate list (allocate --all asks 35,000 times).
  if (!taken.has(computed.label) && labelProblem(computed.label, reserved) === null) return { label: computed.label, reason: computed.reason };
  const suffixed = `${computed.slug}-${departementSuffix(commune.departement)}`;
  const candidates = [...new Set([computed.label, suffixed, `${suffixed}-${commune.insee.toLowerCase()}`])];
  for (const [i, label] of candidates.entries()) {
    if (taken.has(label) || labelProblem(label, reserved)) continue;
    return { label, reason: i === 0 ? computed.reason : "taken-in-ledger" };
  }
  return { problem: `every candidate label (${candidates.join(", ")}) is already in the ledger or invalid; allocate one by hand with \`domaines import\`` };
}

/**
 * Allocates `targets` (idempotent: a commune already holding a label keeps it, whatever
 * the algorithm says now). When a member of a homonym group is first allocated, the
 * group's bare slug is recorded as reserved for nobody.
 */
export function planAllocation(
  entries: readonly LedgerEntry[],
  targets: readonly Commune[],
  labels: ReadonlyMap<string, ComputedLabel>,
  reserved: ReadonlySet<string>,
  now: string,
): AllocationPlan {
  const index = indexLedger(entries);
  const taken = new Set(index.byLabel.keys());
  const plan: AllocationPlan = { put: [], results: [], failures: [], reservedNow: [] };
  const view = (c: Commune) => ({ key: c.key, siren: c.siren, insee: c.insee, name: c.name, departement: c.departement });
  const done = new Map<string, AllocationResult>();
  for (const commune of targets) {
    const again = done.get(commune.key);
    if (again) continue;
    const held = index.primaryByKey.get(commune.key);
    if (held) {
      const r: AllocationResult = { ...view(commune), label: held.label, status: "existing", reason: "already-allocated", legacy: held.legacy };
      plan.results.push(r);
      done.set(commune.key, r);
      continue;
    }
    const computed = labels.get(commune.key);
    if (!computed) {
      plan.failures.push({ ...view(commune), message: "not in the commune data the labels were computed from" });
      continue;
    }
    const choice = chooseLabel(commune, computed, taken, reserved);
    if ("problem" in choice) {
      plan.failures.push({ ...view(commune), message: choice.problem });
      continue;
    }
    plan.put.push(newAllocatedEntry(commune, choice.label, now));
    taken.add(choice.label);
    if (computed.homonyms.length > 0 && !taken.has(computed.slug) && labelProblem(computed.slug, reserved) === null) {
      plan.put.push(homonymReservation(computed.slug, now));
      taken.add(computed.slug);
      plan.reservedNow.push(computed.slug);
    }
    const r: AllocationResult = { ...view(commune), label: choice.label, status: "allocated", reason: choice.reason, legacy: false };
    plan.results.push(r);
    done.set(commune.key, r);
  }
  return plan;
}
