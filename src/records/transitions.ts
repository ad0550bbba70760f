import { indexLedger } from "../ledger/entries.js";
import type { LedgerEntry } from "../ledger/schema.js";
import type { SnapshotOwner, SnapshotRecord, SnapshotSubscription } from "./applied.js";
import type { RecordSet } from "./catalog-schema.js";
import { ADOPTED_SET, AUTHORITY_SET, DELEGATION_SET, NO_MAIL_SET, ZONE_SET } from "./types.js";

/**
 * Which ledger transition explains that a record or a subscription goes away. Labels
 * never move and a ledger line is never removed, so the label a deleted record was
 * published for always finds its line: what that line says now (tombstone, alias,
 * offboarded, inherited, switched) is the explanation, and anything else — a line that
 * vanished, a record lost while its commune is still enrolled, a zone-level record — is
 * not explained and stops the run. Each verdict says why, in words a reviewer can check.
 */

export interface Verdict {
  /** The ledger transition that explains the change, or null. */
  explainedBy: string | null;
  /** Why it is not explained (null when it is). */
  why: string | null;
}

const explained = (by: string): Verdict => ({ explainedBy: by, why: null });
const refused = (why: string): Verdict => ({ explainedBy: null, why });

export class Transitions {
  private readonly byLabel: Map<string, LedgerEntry>;
  private readonly primaryByKey: Map<string, LedgerEntry>;

  constructor(
    ledger: readonly LedgerEntry[],
    private readonly recordSets: Readonly<Record<string, RecordSet>>,
  ) {
    const index = indexLedger(ledger);
    this.byLabel = index.byLabel;
    this.primaryByKey = index.primaryByKey;
  }

  /** Every record of `previous` goes: its owner is not published by this stack any more. */
  ownerGone(previous: SnapshotOwner): Verdict {
    if (previous.holder.kind === "zone") return refused("zone-level records are never deleted by a ledger change");
    const entry = this.byLabel.get(previous.label);
    if (!entry) return refused(`the ledger has no line for "${previous.label}" any more (labels are never removed: a hand-cut or truncated ledger?)`);
    switch (entry.state) {
      case "tombstone":
        return explained(`tombstone${entry.tombstonedAt ? ` since ${entry.tombstonedAt.slice(0, 10)}` : ""}`);
      case "alias":
        return explained(entry.aliasOf === previous.key ? `now an alias of its own commune ${entry.aliasOf} (switched to its new name's label)` : `now an alias of ${entry.aliasOf ?? "another commune"} (merged)`);
      case "reserved":
        return refused(`its label is now reserved (${entry.reservedReason ?? "reserved"}), which no ledger rule does to a label that had records`);
      case "allocated": {
        if (previous.key !== null && entry.inheritedFrom === previous.key) return explained(`inherited by ${entry.key} (merger)`);
        if (entry.key !== previous.key) return refused(`its label is now held by ${entry.key}, which only a merger (inheritedFrom ${previous.key}) may do`);
        if (previous.holder.kind === "label") return explained(`now the label of its commune ${entry.key} (allocate --switch)`);
        return refused(`still allocated to ${entry.key}, now in département ${entry.departement}: apply that stack first, then allow this one`);
      }
    }
  }

  /** One record of an owner still published goes (`next` is the same owner now). */
  recordGone(previous: SnapshotOwner, next: SnapshotOwner, record: SnapshotRecord): Verdict {
    if (record.set === ZONE_SET || record.set === AUTHORITY_SET || previous.holder.kind === "zone") return refused("zone-level records are never deleted by a ledger change");
    if (previous.label !== next.label) return explained(`switched from ${previous.label} to ${next.label} (allocate --switch)`);
    if (next.state === "tombstone" && previous.state !== "tombstone") return explained(`tombstone${this.tombstoneDate(next.label)}`);
    const whose = next.state === "alias" ? "its commune " : "";
    const entry = this.byLabel.get(next.label);
    if (record.set === DELEGATION_SET) {
      if (entry?.delegation) return explained(`delegated to ${entry.delegation.nameservers.join(", ")} since ${entry.delegation.since.slice(0, 10)} (its delegation changed)`);
      if (entry?.undelegatedAt) return explained(`undelegated on ${entry.undelegatedAt.slice(0, 10)} (domaines undelegate): its records are in this zone again`);
      return refused("its delegation went without `domaines undelegate`");
    }
    if (entry?.delegation && next.records.some((r) => r.set === DELEGATION_SET)) {
      return explained(`delegated to ${entry.delegation.nameservers.join(", ")} since ${entry.delegation.since.slice(0, 10)}: the parent holds only its NS set`);
    }
    const replacedBy = (set: (r: SnapshotRecord) => boolean) => next.records.some((r) => r.name === record.name && (r.type === record.type || r.type === "CNAME" || record.type === "CNAME") && set(r));
    if (record.set === ADOPTED_SET) {
      if (next.services.length > 0 && replacedBy((r) => r.set !== ADOPTED_SET && r.set !== NO_MAIL_SET)) return explained(`${whose}enrolled in ${next.services.join(", ")}: the service's records replace the ones adopted from the live zone`);
      return refused("a record adopted from the live zone goes although nothing replaces it");
    }
    if (record.set === NO_MAIL_SET && replacedBy((r) => r.set === ADOPTED_SET)) return explained("records adopted from the live zone (import --zone) replace the no-mail ones");
    if (record.set === NO_MAIL_SET) {
      const receives = next.records.some((r) => r.type === "MX" && r.name === next.label && r.value !== "0 .");
      if (receives) return explained(`${whose}enrolled in ${next.services.join(", ")}: its mail records replace the no-mail ones`);
      return refused("its no-mail records go although it receives no mail");
    }
    const set = this.recordSets[record.set];
    if (!set) return refused(`its record set "${record.set}" is no longer in the configuration's dns.recordSets`);
    if (set.when === "active") {
      if (next.services.length === 0 && previous.services.length > 0) return explained(`${whose}offboarded from ${previous.services.join(", ")}`);
      return refused(next.services.length > 0 ? `still enrolled in ${next.services.join(", ")}` : `it had no service at the last run either`);
    }
    const service = set.when.enrolledIn;
    if (next.services.includes(service)) return refused(`still enrolled in ${service}`);
    if (previous.services.includes(service)) return explained(`${whose}offboarded from ${service}`);
    return refused(`a ${service} record of a label that was not enrolled in ${service}`);
  }

  /** A changed record of an owner still published: only a label switch explains it (the rest is configuration or DKIM). */
  recordChanged(previous: SnapshotOwner, next: SnapshotOwner): string | null {
    return previous.label !== next.label ? `switched from ${previous.label} to ${next.label} (allocate --switch)` : null;
  }

  /** A subscription the stack declared last time and not now. `reasonNow` says why the model no longer places it, when it knows. */
  subscriptionGone(previous: SnapshotSubscription, reasonNow: string | undefined): Verdict {
    const primary = this.primaryByKey.get(previous.commune);
    if (primary) {
      if (primary.services[previous.service] === undefined) return explained(`offboarded from ${previous.service}`);
      return refused(`still enrolled in ${previous.service}${reasonNow ? `, but ${reasonNow}` : ", but this run declares no subscription for it"}`);
    }
    const entry = this.byLabel.get(previous.label);
    if (!entry) return refused(`the ledger has no line for "${previous.label}" any more (labels are never removed: a hand-cut or truncated ledger?)`);
    if (entry.state === "tombstone") return explained(`tombstone${entry.tombstonedAt ? ` since ${entry.tombstonedAt.slice(0, 10)}` : ""}`);
    if (entry.state === "alias") return explained(`merged: its label is now an alias of ${entry.aliasOf ?? "another commune"}, whose own subscription carries the service`);
    if (entry.inheritedFrom === previous.commune) return explained(`inherited by ${entry.key} (merger)`);
    return refused(`the commune ${previous.commune} holds no label in the ledger any more`);
  }

  private tombstoneDate(label: string): string {
    const at = this.byLabel.get(label)?.tombstonedAt;
    return at ? ` since ${at.slice(0, 10)}` : "";
  }
}
