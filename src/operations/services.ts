import { existsSync } from "node:fs";
import { primaryEntries } from "../ledger/entries.js";
import type { LedgerEntry } from "../ledger/schema.js";
import { isServiceName, type ServiceName } from "../services/catalog.js";
import { computeCost, type CostReport, type DirectEnrolment } from "../services/cost.js";
import type { FeeCommune } from "../services/fee.js";
import { coveredCommunes, membership } from "../services/membership.js";
import { findOperator, type Operator } from "../services/operators.js";
import { pricesFor } from "../services/prices.js";
import { desiredSubscriptions, type DesiredSubscription, type SubscriptionPlan, type UnplacedEnrolment } from "../services/subscriptions.js";
import { loadUsage } from "../services/usage.js";
import type { Workspace } from "../workspace.js";
import { InputError } from "../errors.js";
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
    membership: membership(ws),
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

/** A mutualisation structure (not ANCT's direct-enrolment operator), for what is billed to it. */
export function billedOperator(ws: Workspace, query: string, warnings: string[]): Operator {
  const operator = findOperator(ws.operators(), query);
  if (operator.directEnrolments) {
    throw new InputError(`operator ${operator.name} holds ANCT's direct enrolments (contract art. 3.3): it is no mutualisation structure and pays no fee; \`domaines quotas --operator ${operator.name}\` lists its enrolments.`);
  }
  if (operator.example) warnings.push(`operator ${operator.name} is an EXAMPLE configuration (its Espace Opérateur id is not real); check data/operators.json before relying on these figures.`);
  return operator;
}

/** The communes an operator covers as the fee reads them, with a warning for each covered key the commune data lacks. */
export function feeCommunes(ws: Workspace, operator: Operator, warnings: string[]): { members: FeeCommune[]; unknown: string[] } {
  const { communes, unknown } = coveredCommunes(ws, operator.name);
  for (const k of unknown) warnings.push(`commune ${k}, covered by operator ${operator.name}, is not a current commune (merged or mistyped?): left out; fix data/operators.json (domaines members).`);
  return { members: communes.map(({ commune, coverage }) => ({ key: commune.key, name: commune.name, population: commune.population, coverage })), unknown };
}

/** Enrolments ANCT made directly (contract art. 3.3) in these départements: listed for the structure there. */
export function directEnrolmentsIn(entries: readonly LedgerEntry[], departements: ReadonlySet<string>): DirectEnrolment[] {
  const out: DirectEnrolment[] = [];
  for (const e of primaryEntries(entries)) {
    if (!departements.has(e.departement ?? "")) continue;
    const direct = Object.entries(e.services).filter(([s, en]) => en.direct === true && isServiceName(s));
    if (direct.length === 0) continue;
    out.push({
      key: e.key!,
      name: e.name ?? e.key!,
      departement: e.departement ?? "",
      label: e.label,
      services: direct.map(([s]) => s as ServiceName),
      since: direct.map(([, en]) => en.enrolledAt).sort()[0]!.slice(0, 10),
    });
  }
  return out;
}

/** What a structure pays for a year: fee, ceiling of its quotas, and usage when figures are given. */
export async function operatorCost(ws: Workspace, options: { operator: string; year: number; usageFile?: string }): Promise<{ report: CostReport; warnings: string[] }> {
  const warnings: string[] = [];
  const operator = billedOperator(ws, options.operator, warnings);
  const prices = pricesFor(ws.prices(), options.year);
  const usage = options.usageFile === undefined ? undefined : loadUsage(options.usageFile);
  const { members, unknown } = feeCommunes(ws, operator, warnings);
  const entries = (await entriesOrNull(ws, warnings)) ?? [];
  const memberKeys = new Set(members.map((m) => m.key));
  const plan = subscriptionPlan(ws, entries.filter((e) => e.key !== null && memberKeys.has(e.key)));
  const subscriptions = plan.subscriptions.filter((s) => s.operator === operator.name);
  const territory = new Set(members.map((m) => ws.communeByKey(m.key)!.departement));
  const directEnrolments = directEnrolmentsIn(entries, territory);
  return { report: computeCost({ operator, year: options.year, prices, members, unknownMembers: unknown, subscriptions, usage, directEnrolments }), warnings };
}
