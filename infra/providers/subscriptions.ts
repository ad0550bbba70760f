import * as pulumi from "@pulumi/pulumi";
import { loadCommunes } from "../../src/communes/load.js";
import type { LedgerEntry } from "../../src/ledger/schema.js";
import type { OperatorsFile } from "../../src/services/operators.js";
import type { QuotaPolicy } from "../../src/services/quota-policy.js";
import { Workspace } from "../../src/workspace.js";
import { desiredSubscriptions, type SubscriptionPlan } from "../../src/services/subscriptions.js";
import { formatSize } from "../../src/units/size.js";
import { asInfraError } from "../errors.js";
import { EspaceOperateurSubscription, subscriptionResourceArgs } from "./subscription.js";

/**
 * The département stack's Espace Opérateur subscriptions: one resource per enrolled
 * commune of the shard and service, from the same desired-subscription model as
 * `domaines quotas` and `domaines cost`.
 */
export interface StackSubscriptionSources {
  operators: OperatorsFile;
  policy: QuotaPolicy;
  populationOf: (communeKey: string) => number | null;
}

/**
 * The operators and quota policy the workspace designates (data/operators.json and
 * data/quota-policy.json unless domaines:operatorsFile / quotaPolicyFile say otherwise) and
 * the commune populations (bundled COG); bad files fail the run before any resource.
 */
export function loadStackSubscriptionSources(ws: Workspace = new Workspace()): StackSubscriptionSources {
  return asInfraError("Espace Opérateur subscriptions", () => {
    const population = new Map(loadCommunes().communes.map((c) => [c.key, c.population]));
    return { operators: ws.operators(), policy: ws.quotaPolicy(), populationOf: (key: string) => population.get(key) ?? null };
  });
}

/** Pure: the subscriptions of the communes of one département. */
export function stackSubscriptionPlan(zone: string, departement: string, entries: readonly LedgerEntry[], src: StackSubscriptionSources): SubscriptionPlan {
  const mine = entries.filter((e) => e.departement === departement);
  return asInfraError("Espace Opérateur subscriptions", () => desiredSubscriptions({ entries: mine, operators: src.operators, policy: src.policy, zone, populationOf: src.populationOf }));
}

/** Registers the resources (children of `parent` when given); nothing here decides what exists. */
export function declareSubscriptions(plan: SubscriptionPlan, src: StackSubscriptionSources, opts: pulumi.CustomResourceOptions = {}): EspaceOperateurSubscription[] {
  if (plan.unplaced.length > 0) {
    const shown = plan.unplaced.slice(0, 5).map((u) => `${u.label} (${u.service}): ${u.reason}`).join("; ");
    pulumi.log.warn(`${plan.unplaced.length} enrolment(s) get no Espace Opérateur subscription (stack output subscriptionsNotPlaced lists them): ${shown}${plan.unplaced.length > 5 ? "; …" : ""}`);
  }
  return plan.subscriptions.map((s) => {
    const { name, inputs } = subscriptionResourceArgs(s, src.operators.espaceOperateur);
    return new EspaceOperateurSubscription(name, inputs, opts);
  });
}

/** What a reviewer reads in the stack outputs: each subscription's domains and quotas, and what could not be placed. */
export function subscriptionOutputs(plan: SubscriptionPlan): Record<string, unknown> {
  return {
    subscriptions: plan.subscriptions.map((s) => ({
      commune: s.communeKey,
      label: s.label,
      service: s.service,
      operator: s.operator,
      domains: s.domains,
      quotas: Object.fromEntries(s.quotas.map((q) => [q.accountType, formatSize(q.size)])),
    })),
    subscriptionsNotPlaced: plan.unplaced,
  };
}
