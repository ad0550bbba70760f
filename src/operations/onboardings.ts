import type { Commune } from "../communes/schema.js";
import { DomainesError } from "../errors.js";
import { planOnboard, type EnrolmentResult } from "../ledger/enrolment.js";
import { indexLedger } from "../ledger/entries.js";
import type { TransactionMeta } from "../ledger/ledger-store.js";
import { resolveCommune } from "../ledger/resolve.js";
import type { LedgerEntry } from "../ledger/schema.js";
import type { Workspace } from "../workspace.js";
import type { OnboardingItem } from "./schemas.js";

export type OnboardingItemOutcome =
  | { index: number; ok: true; key: string; fqdn: string; result: EnrolmentResult }
  | { index: number; ok: false; query: string; error: DomainesError };

/**
 * A batch of onboardings in ONE transaction (one lock, one read, one write): each item is
 * planned on the ledger as the items before it left it, and either applies whole or not at
 * all (its error is its result). `authorize` may refuse an item once its commune is known.
 */
export async function onboardBatch(
  ws: Workspace,
  meta: TransactionMeta,
  items: readonly OnboardingItem[],
  authorize: (commune: Commune) => DomainesError | null = () => null,
): Promise<OnboardingItemOutcome[]> {
  const now = new Date().toISOString();
  const zone = ws.zone();
  const { result } = await ws.store().transact(meta, (initial) => {
    const byLabel = new Map(initial.map((e) => [e.label, e]));
    const put = new Map<string, LedgerEntry>();
    const outcomes = items.map((item, index): OnboardingItemOutcome => {
      try {
        const entries = [...byLabel.values()];
        const commune = resolveCommune(item.query, zone, ws.communes(), ws.labels(), ws.reserved(), indexLedger(entries));
        const refused = authorize(commune);
        if (refused) throw refused;
        const plan = planOnboard(entries, commune, ws.labels(), ws.reserved(), item.services, item.quotas, now);
        for (const e of plan.put) {
          byLabel.set(e.label, e);
          put.set(e.label, e);
        }
        return { index, ok: true, key: commune.key, fqdn: `${plan.result.allocation.label}.${zone}`, result: plan.result };
      } catch (err) {
        if (!(err instanceof DomainesError)) throw err;
        return { index, ok: false, query: item.query, error: err };
      }
    });
    return { put: [...put.values()], result: outcomes };
  });
  return result;
}
