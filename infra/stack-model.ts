import type { LedgerEntry } from "../src/ledger/schema.js";
import { desiredZone, stackRecords, ZONE_OWNER, type OwnerRecords } from "../src/records/model.js";
import { assertValidZone } from "../src/records/validate.js";
import type { StackConfig } from "./config.js";
import { asInfraError } from "./errors.js";
import { decideDeletions, type GuardDecision } from "./guard.js";
import { planStack, snapshotOf, type OwnerInfo, type StackPlan } from "./plan.js";
import { reviewOutputs, type ReviewOutputs } from "./review.js";
import { SNAPSHOT_VERSION, type OwnerSnapshot, type StackSnapshot } from "./snapshot.js";
import type { ProgramSources } from "./sources.js";

/**
 * Everything a stack run decides, as plain values and without Pulumi: which records
 * (from the record model), their logical names, whether the deletions they imply are
 * allowed, and the outputs a reviewer reads. The Pulumi program only turns this into
 * resources.
 */
export interface StackModel {
  plan: StackPlan;
  snapshot: StackSnapshot;
  decision: GuardDecision;
  review: ReviewOutputs;
}

/** How the apex is shown where a label would be. */
export const APEX_LABEL = "@";

export function buildStackModel(config: StackConfig, sources: ProgramSources, previous: StackSnapshot | null): StackModel {
  const platform = config.shard === "platform";
  const desired = desiredZone(sources.entries, sources.deployment, sources.dkim, platform ? {} : { departement: config.shard });
  // The model's own validation (MX count, SPF/DMARC syntax, CNAME rules, …) before anything reaches OVH.
  asInfraError("record model", () => assertValidZone(desired));
  const owners: OwnerRecords[] = platform ? desired.owners.filter((o) => o.departement === null) : desired.owners;
  const byOwner = new Map(owners.map((o) => [o.owner, o]));
  const ownerInfo = (owner: string): OwnerInfo => {
    if (owner === ZONE_OWNER) return { label: APEX_LABEL, services: [] };
    const o = byOwner.get(owner);
    return { label: o?.label ?? owner, services: o?.services ?? [] };
  };
  const plan = planStack(config.zone, stackRecords(desired, platform ? "platform" : config.shard), ownerInfo);
  const snapshot: StackSnapshot = { version: SNAPSHOT_VERSION, zone: config.zone, shard: config.shard, owners: snapshotOf(plan) };

  const decision = decideDeletions({
    previous: previous?.owners ?? null,
    next: snapshot.owners,
    removalReason: removalReason(sources.entries, config.shard),
    maxDeletionShare: config.maxDeletionShare,
    allowDeletions: config.allowDeletions,
    ...(previous && previous.zone !== config.zone ? { zoneChange: { from: previous.zone, to: config.zone } } : {}),
  });
  const dkimPending = owners.filter((o) => o.pending.length > 0).map((o) => o.label);
  const review = reviewOutputs(previous?.owners ?? null, snapshot.owners, { byType: plan.byType, underscore: plan.underscore }, dkimPending);
  return { plan, snapshot, decision, review };
}

/**
 * Whether the ledger explains that an owner's records go. Labels never move, so the
 * previous owner's label finds its ledger line: a tombstone, an alias (the commune
 * merged: the alias records replace its own), a reservation, or a commune that the
 * ledger no longer enrols in a service it had at the last run (offboarding). Anything
 * else (a line that vanished, a commune that merely moved stack, the zone records) is
 * not explained and needs the override.
 */
export function removalReason(entries: readonly LedgerEntry[], shard: string): (previous: OwnerSnapshot) => string | null {
  const byLabel = new Map(entries.map((e) => [e.label, e]));
  return (previous) => {
    if (previous.owner === ZONE_OWNER) return null;
    const entry = byLabel.get(previous.label);
    if (!entry) return null;
    switch (entry.state) {
      case "tombstone":
        return `tombstone${entry.tombstonedAt ? ` since ${entry.tombstonedAt.slice(0, 10)}` : ""}`;
      case "alias":
        return `now an alias of ${entry.aliasOf ?? "another commune"}`;
      case "reserved":
        return `now reserved (${entry.reservedReason ?? "reserved"})`;
      case "allocated": {
        if (shard === "platform") return entry.key ? `now allocated to ${entry.key}` : null;
        const now = new Set(Object.keys(entry.services));
        const lost = previous.services.filter((s) => !now.has(s));
        return lost.length > 0 ? `offboarded from ${lost.join(", ")}` : null;
      }
    }
  };
}
