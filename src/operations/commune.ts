import { InputError, quoteInput } from "../errors.js";
import { indexLedger } from "../ledger/entries.js";
import type { Enrolment } from "../ledger/schema.js";
import { communeKeySchema } from "../ledger/schema.js";
import { desiredZone, type PendingRecord } from "../records/model.js";
import type { DesiredRecord } from "../records/types.js";
import type { DesiredSubscription, UnplacedEnrolment } from "../services/subscriptions.js";
import type { Workspace } from "../workspace.js";
import { communeLedgerView, type CommuneLedgerView } from "./check.js";
import { communeLabelView, type CommuneLabelView } from "./commune-view.js";
import { coveringOperator } from "./coverage.js";
import { subscriptionPlan } from "./services.js";

/** One commune as the API's GET /communes/{key} and the support page show it. */
export interface CommuneDetail {
  commune: CommuneLabelView & { population: number | null };
  /** The structure that covers it (null: none; it can still be enrolled directly). */
  operator: string | null;
  ledger: CommuneLedgerView;
  services: Record<string, Enrolment>;
  /** The Espace Opérateur subscriptions the model wants for it, quotas resolved with their source. */
  subscriptions: Pick<DesiredSubscription, "service" | "operator" | "serviceId" | "domains" | "quotas">[];
  unplaced: Pick<UnplacedEnrolment, "service" | "reason">[];
  /** The DNS records its labels should have (primary first, then aliases and reservations). */
  records: (DesiredRecord & { fqdn: string })[];
  pending: PendingRecord[];
}

/** A key as the API takes it (SIREN or insee:<code>); anything else is a query, answered with a pointer to check. */
export function checkedKey(raw: string): string {
  const parsed = communeKeySchema.safeParse(raw.trim().toLowerCase());
  if (!parsed.success) {
    throw new InputError(`${quoteInput(raw)} is not a commune key (a SIREN of 9 digits, or insee:<code> for a commune without one); find a commune's key with GET /api/v1/check?q=<name or label>.`, "not-found");
  }
  return parsed.data;
}

export async function communeDetail(ws: Workspace, rawKey: string): Promise<CommuneDetail> {
  const key = checkedKey(rawKey);
  const commune = ws.communeByKey(key);
  if (!commune) throw new InputError(`no current commune has key ${key}; it may have merged into another (GET /api/v1/check?q=${encodeURIComponent(key)} tells).`, "not-found");
  const entries = await ws.store().readMentioning([key]);
  const mine = entries.filter((e) => e.key === key || e.aliasOf === key);
  const primary = indexLedger(mine).primaryByKey.get(key);
  const zone = ws.zone();
  const plan = subscriptionPlan(ws, primary ? [primary] : []);
  const desired = mine.length === 0 ? null : desiredZone(mine, ws.config(), ws.dkim());
  const owners = desired ? [...desired.owners].sort((a, b) => Number(b.label === primary?.label) - Number(a.label === primary?.label)) : [];
  return {
    commune: { ...communeLabelView(commune, ws.labels().get(key)!), population: commune.population },
    operator: coveringOperator(ws, key)?.name ?? null,
    ledger: communeLedgerView(key, mine, primary, zone),
    services: primary?.services ?? {},
    subscriptions: plan.subscriptions.map((s) => ({ service: s.service, operator: s.operator, serviceId: s.serviceId, domains: s.domains, quotas: s.quotas })),
    unplaced: plan.unplaced.map((u) => ({ service: u.service, reason: u.reason })),
    records: owners.flatMap((o) => o.records.map((r) => ({ ...r, fqdn: r.name === "" ? zone : `${r.name}.${zone}` }))),
    pending: owners.flatMap((o) => o.pending),
  };
}
