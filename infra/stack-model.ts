import { appliedSnapshotOf, PLATFORM, type AppliedSnapshot, type SnapshotSubscription } from "../src/records/applied.js";
import { diffSnapshots, type SnapshotDiff } from "../src/records/diff.js";
import { desiredZone, requireDnsConfig, type DesiredZone } from "../src/records/model.js";
import { assertValidZone } from "../src/records/validate.js";
import type { SubscriptionPlan } from "../src/services/subscriptions.js";
import type { StackConfig } from "./config.js";
import { asInfraError, InfraError } from "./errors.js";
import { decideGuard, type GuardDecision } from "./guard.js";
import { planStack, type StackPlan } from "./plan.js";
import { reviewOutputs, type ReviewOutputs } from "./review.js";
import { assertStackMatchesDeployment, type ProgramSources } from "./sources.js";

/**
 * Everything a stack run decides, as plain values and without Pulumi: the desired
 * records (the record model), the snapshot this run would leave, the one diff against
 * the previous run's snapshot, the guard's judgement of it, the resources and the
 * outputs a reviewer reads. The Pulumi program only turns this into resources.
 */
export interface StackModel {
  desired: DesiredZone;
  /** What this run leaves in its guardState output once applied. */
  snapshot: AppliedSnapshot;
  diff: SnapshotDiff;
  decision: GuardDecision;
  plan: StackPlan;
  review: ReviewOutputs;
}

/** How a desired subscription is recorded in the snapshot. */
export function subscriptionSnapshot(plan: SubscriptionPlan | null): SnapshotSubscription[] {
  return (plan?.subscriptions ?? []).map((s) => ({ commune: s.communeKey, label: s.label, service: s.service, operator: s.operator }));
}

/**
 * `subscriptions` is the département stack's desired subscription plan, or null when the
 * stack declares none (the platform stack, or domaines:subscriptions=false).
 */
export function buildStackModel(config: StackConfig, sources: ProgramSources, previous: AppliedSnapshot | null, subscriptions: SubscriptionPlan | null = null): StackModel {
  assertStackMatchesDeployment(config, sources.deployment);
  if (previous && previous.shard !== config.shard) {
    throw new InfraError(`the previous run's applied snapshot is for shard ${previous.shard}, but this stack holds ${config.shard}: domaines:previousStateStack must name this stack's own previous run.`);
  }
  const platform = config.shard === PLATFORM;
  const desired = desiredZone(sources.entries, sources.deployment, sources.dkim, platform ? {} : { departement: config.shard });
  // The model's own validation (MX count, SPF/DMARC syntax, CNAME rules, …) before anything reaches OVH.
  asInfraError("record model", () => assertValidZone(desired));
  const snapshot = appliedSnapshotOf(desired, config.shard, subscriptionSnapshot(subscriptions));
  const plan = planStack(snapshot);

  const unplaced = new Map<string, string>();
  for (const u of subscriptions?.unplaced ?? []) unplaced.set(`${u.communeKey}/${u.service}`, u.reason);
  if (subscriptions === null) {
    for (const s of previous?.subscriptions ?? []) unplaced.set(`${s.commune}/${s.service}`, "this run declares no subscription (domaines:subscriptions is false)");
  }
  const diff = diffSnapshots({ previous, next: snapshot, ledger: sources.entries, recordSets: requireDnsConfig(sources.deployment).recordSets, unplacedSubscriptions: unplaced });
  const decision = decideGuard({ diff, maxDeletionShare: config.maxDeletionShare, maxUpdateShare: config.maxUpdateShare, allowDeletions: config.allowDeletions });
  const scoped = platform ? desired.owners.filter((o) => o.departement === null) : desired.owners;
  const dkimPending = scoped.filter((o) => o.pending.length > 0).map((o) => o.label);
  return { desired, snapshot, diff, decision, plan, review: reviewOutputs(diff, plan, dkimPending) };
}
