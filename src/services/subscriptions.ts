import { primaryEntries } from "../ledger/entries.js";
import type { LedgerEntry } from "../ledger/schema.js";
import { isServiceName, type ServiceName } from "./catalog.js";
import { buildMembership, subscriptionHolder, type MembershipIndex, type Reach } from "./membership.js";
import { tokenEnvVar, type OperatorsFile } from "./operators.js";
import { resolveQuotas, toEntitlements, type Entitlement, type QuotaPolicy, type ResolvedQuota } from "./quota-policy.js";

/**
 * The one model of what the Espace Opérateur should hold: one subscription per enrolled
 * commune and service, with its domains and quotas. The Pulumi resources, the quota
 * listing and the cost ceiling all derive from it.
 */
export interface DesiredSubscription {
  communeKey: string;
  siren: string;
  name: string;
  departement: string;
  label: string;
  service: ServiceName;
  operator: string;
  /** How the operator holds it: the commune is its member (directly, through an EPCI, both), or ANCT enrolled it directly (contract art. 3.3). */
  reach: Reach | "direct";
  operatorId: string;
  /** Environment variable holding the operator's key (its name only). */
  tokenEnv: string;
  serviceId: number;
  /** metadata.domains: the commune's domain (Messages creates its mail domain from it). */
  domains: string[];
  quotas: ResolvedQuota[];
  entitlements: Entitlement[];
}

/** An enrolment that cannot become a subscription, and why (reported, never silently dropped). */
export interface UnplacedEnrolment {
  communeKey: string;
  label: string;
  service: string;
  reason: string;
}

export interface SubscriptionPlan {
  subscriptions: DesiredSubscription[];
  unplaced: UnplacedEnrolment[];
}

export interface SubscriptionSources {
  entries: readonly LedgerEntry[];
  operators: OperatorsFile;
  policy: QuotaPolicy;
  zone: string;
  /** Latest INSEE population by commune key (null when unknown: no tier applies). */
  populationOf: (communeKey: string) => number | null;
  /** Who covers which commune (src/services/membership.ts); built from `operators` when absent. */
  membership?: MembershipIndex;
}

export function desiredSubscriptions(src: SubscriptionSources): SubscriptionPlan {
  const subscriptions: DesiredSubscription[] = [];
  const unplaced: UnplacedEnrolment[] = [];
  const members = src.membership ?? buildMembership(src.operators);
  const tokenEnvOf = new Map(src.operators.operators.map((o) => [o.name, tokenEnvVar(o)]));
  for (const entry of primaryEntries(src.entries)) {
    for (const [service, enrolment] of Object.entries(entry.services)) {
      const base = { communeKey: entry.key, label: entry.label, service };
      if (!isServiceName(service)) {
        unplaced.push({ ...base, reason: `no Espace Opérateur entitlement is known for service "${service}"` });
        continue;
      }
      const holder = subscriptionHolder(members, entry.key, enrolment);
      if (holder.operator === null) {
        unplaced.push({ ...base, reason: holder.reason });
        continue;
      }
      const { operator } = holder;
      if (!/^\d{9}$/.test(entry.key)) {
        unplaced.push({ ...base, reason: "the commune has no SIREN, and the Espace Opérateur finds organisations only by SIREN" });
        continue;
      }
      const quotas = resolveQuotas(src.policy, service, src.populationOf(entry.key), enrolment.quotas, `${entry.name ?? entry.key} (${entry.label})`, enrolment.direct === true);
      subscriptions.push({
        communeKey: entry.key,
        siren: entry.key,
        name: entry.name ?? entry.key,
        departement: entry.departement ?? "",
        label: entry.label,
        service,
        operator: operator.name,
        reach: holder.reach,
        operatorId: operator.espaceOperateurId,
        tokenEnv: tokenEnvOf.get(operator.name)!,
        serviceId: src.operators.espaceOperateur.serviceIds[service],
        domains: [`${entry.label}.${src.zone}`],
        quotas,
        entitlements: toEntitlements(service, quotas),
      });
    }
  }
  return { subscriptions, unplaced };
}
