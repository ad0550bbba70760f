import { existsSync } from "node:fs";
import type { LedgerEntry } from "../ledger/schema.js";
import { computeCost, type CostReport } from "../services/cost.js";
import { findOperator } from "../services/operators.js";
import { pricesFor } from "../services/prices.js";
import { desiredSubscriptions, type DesiredSubscription, type SubscriptionPlan, type UnplacedEnrolment } from "../services/subscriptions.js";
import { loadUsage } from "../services/usage.js";
import type { Workspace } from "../workspace.js";
import { checkedDepartement } from "./dns.js";

/** The ledger's entries, or null with a warning when the ledger directory does not exist yet. */
export async function entriesOrNull(ws: Workspace, warnings: string[]): Promise<LedgerEntry[] | null> {
  const store = ws.store();
  if (store.kind === "file" && !existsSync(store.location)) {
    warnings.push(`no ledger at ${store.location} (--ledger / DOMAINES_LEDGER): no commune is enrolled in any service yet.`);
    return null;
  }
  return store.read();
}

/** The desired subscriptions of the given entries, from the operators, the quota policy and commune populations. */
export function subscriptionPlan(ws: Workspace, entries: readonly LedgerEntry[]): SubscriptionPlan {
  return desiredSubscriptions({
    entries,
    operators: ws.operators(),
    policy: ws.quotaPolicy(),
    zone: ws.zone(),
    populationOf: (key) => ws.communeByKey(key)?.population ?? null,
  });
}

export interface QuotasOutcome {
  ledger: string;
  subscriptions: DesiredSubscription[];
  unplaced: UnplacedEnrolment[];
  warnings: string[];
}

/** The Espace Opérateur subscriptions the model wants, for one operator and/or département. */
export async function listQuotas(ws: Workspace, options: { operator?: string; departement?: string } = {}): Promise<QuotasOutcome> {
  const operator = options.operator === undefined ? undefined : findOperator(ws.operators(), options.operator);
  const dep = checkedDepartement(ws, options.departement);
  const warnings: string[] = [];
  const entries = (await entriesOrNull(ws, warnings)) ?? [];
  // Planning is per commune: filter first so that one département costs only its communes.
  const plan = subscriptionPlan(ws, entries.filter((e) => dep === undefined || e.departement === dep));
  const depOf = new Map(entries.map((e) => [e.label, e.departement]));
  const keep = (s: { label: string; operator?: string }) => (operator === undefined || s.operator === operator.name) && (dep === undefined || depOf.get(s.label) === dep);
  return {
    ledger: ws.store().location,
    subscriptions: plan.subscriptions.filter(keep),
    unplaced: operator === undefined ? plan.unplaced.filter(keep) : [],
    warnings,
  };
}

/** What a structure pays for a year: fee, ceiling of its quotas, and usage when figures are given. */
export async function operatorCost(ws: Workspace, options: { operator: string; year: number; usageFile?: string }): Promise<{ report: CostReport; warnings: string[] }> {
  const operators = ws.operators();
  const operator = findOperator(operators, options.operator);
  const prices = pricesFor(ws.prices(), options.year);
  const usage = options.usageFile === undefined ? undefined : loadUsage(options.usageFile);
  const warnings: string[] = [];
  if (operator.example) warnings.push(`operator ${operator.name} is an EXAMPLE configuration (its Espace Opérateur id is not real); check data/operators.json before relying on these figures.`);
  const members = operator.members.flatMap((k) => {
    const c = ws.communeByKey(k);
    return c ? [{ key: c.key, name: c.name, population: c.population }] : [];
  });
  const unknownMembers = operator.members.filter((k) => ws.communeByKey(k) === undefined);
  for (const k of unknownMembers) warnings.push(`member ${k} of operator ${operator.name} is not a current commune (merged or mistyped?): left out; fix data/operators.json.`);
  const entries = (await entriesOrNull(ws, warnings)) ?? [];
  const memberKeys = new Set(operator.members);
  const plan = subscriptionPlan(ws, entries.filter((e) => e.key !== null && memberKeys.has(e.key)));
  const subscriptions = plan.subscriptions.filter((s) => s.operator === operator.name);
  return { report: computeCost({ operator, year: options.year, prices, members, unknownMembers, subscriptions, usage }), warnings };
}
