import type { LedgerEntry } from "./schema.js";

/**
 * The ledger's rules for where a label's records live: a delegation (its zone elsewhere)
 * or records adopted from the live zone, each only on a label that serves a commune
 * (allocated or alias), never both (a delegated name holds nothing but its NS set), and
 * a delegation ends only through `domaines undelegate`, which records when.
 */

/** Whether an entry carries anything these rules look at (most do not: the check stays cheap). */
export function holdsDnsFacts(e: LedgerEntry): boolean {
  return e.delegation !== undefined || e.undelegatedAt !== undefined || e.adopted !== undefined;
}

/** Problems of one entry's delegation and adopted records (messages without the label prefix). */
export function dnsFactProblems(e: LedgerEntry): string[] {
  const problems: string[] = [];
  const serves = e.state === "allocated" || e.state === "alias";
  if (e.delegation !== undefined) {
    if (!serves) problems.push(`a ${e.state} label cannot be delegated (only a commune's allocated label or an alias is)`);
    const ns = e.delegation.nameservers;
    if (new Set(ns).size !== ns.length) problems.push(`delegation lists a name server twice (${ns.join(", ")})`);
    if (e.delegation.ds && new Set(e.delegation.ds).size !== e.delegation.ds.length) problems.push("delegation lists a DS record twice");
    if (e.adopted !== undefined) problems.push("a delegated label holds no records of its own in the parent zone (adopted records are below the zone cut)");
    if (e.undelegatedAt !== undefined) problems.push("undelegatedAt is set but the label is delegated");
  }
  if (e.adopted !== undefined) {
    if (!serves) problems.push(`a ${e.state} label cannot keep adopted records (only a commune's allocated label or an alias can)`);
    const purposes = e.adopted!.map((r) => r.purpose);
    if (new Set(purposes).size !== purposes.length) problems.push("two adopted records have the same purpose");
  }
  return problems;
}

/** A delegation ends only with `undelegate` (which sets undelegatedAt): refused otherwise. */
export function delegationTransitionProblem(before: LedgerEntry, after: LedgerEntry): string | null {
  if (before.delegation === undefined || after.delegation !== undefined || after.undelegatedAt !== undefined) return null;
  return `label "${before.label}" is delegated to ${before.delegation.nameservers.join(", ")}; only \`domaines undelegate\` ends a delegation (planned and guarded like a deletion)`;
}
