import type { Candidate } from "../errors.js";
import type { LedgerEntry } from "./schema.js";
import type { LedgerIndex } from "./entries.js";

/** What the ledger says about one label, in a form `check` shows and scripts read. */
export interface LabelState {
  label: string;
  state: "free" | LedgerEntry["state"];
  key: string | null;
  holderName: string | null;
  aliasOf: string | null;
  reservedReason: string | null;
  since: string | null;
  legacy: boolean;
  grandfathered: boolean;
  services: string[];
  /** The name servers the label's zone is delegated to (its records live there); null when the parent holds them. */
  delegatedTo: string[] | null;
}

export function labelState(index: LedgerIndex, label: string): LabelState {
  const e = index.byLabel.get(label);
  if (!e) return { label, state: "free", key: null, holderName: null, aliasOf: null, reservedReason: null, since: null, legacy: false, grandfathered: false, services: [], delegatedTo: null };
  return {
    label,
    state: e.state,
    key: e.key,
    holderName: e.nameHistory.at(-1)?.name ?? e.name ?? null,
    aliasOf: e.aliasOf ?? null,
    reservedReason: e.reservedReason ?? null,
    since: e.state === "tombstone" ? (e.tombstonedAt ?? null) : e.state === "allocated" ? e.allocatedAt : e.updatedAt,
    legacy: e.legacy,
    grandfathered: e.grandfathered,
    services: Object.keys(e.services),
    delegatedTo: e.delegation?.nameservers ?? null,
  };
}

/** A commune as an answer names it: the shape of an error's candidates (its ledger label, else the label it would get). */
export type CommuneRef = Candidate;

/**
 * The state of a label, decided once from the ledger first and the naming rules second
 * (a label the ledger does not hold yet can still be unavailable by rule). Every
 * answer's headline comes from here; the reasons that follow never restate it.
 */
export type LabelStatus =
  | { state: "allocated"; label: string; holder: CommuneRef | null; holderName: string; since: string; legacy: boolean; grandfathered: boolean; services: string[]; delegatedTo: string[] | null }
  | { state: "alias"; label: string; of: CommuneRef | null; ofName: string; formerHolder: string; renamed: boolean; since: string; delegatedTo: string[] | null }
  | { state: "reserved"; label: string; reason: "homonym-group" | "rename" | "reserved-list"; inLedger: boolean; for: CommuneRef | null; problem: string | null }
  | { state: "tombstone"; label: string; formerHolder: string; since: string }
  | { state: "invalid"; label: string; problem: string }
  /** Not in the ledger and allowed by the rules; `computedFor`: the current commune whose label it will be. */
  | { state: "free"; label: string; computedFor: CommuneRef | null };

/** What the naming rules say of a label the ledger does not hold. */
export interface LabelRuleFacts {
  /** Why it cannot be a label at all (reserved list, `_`, `xn--`, not LDH), from labelProblem. */
  problem: { rule: string; message: string } | null;
  /** The bare slug of a homonym group: reserved by rule, allocated to nobody. */
  homonymGroupSlug: boolean;
  /** The current commune whose computed label it is. */
  computedFor: CommuneRef | null;
}

/** THE decision: the ledger's word first, then the rules. `ref` names a key as a current commune (null: not in the current data). */
export function decideLabelStatus(ledger: LabelState, rules: LabelRuleFacts, ref: (key: string) => CommuneRef | null): LabelStatus {
  const label = ledger.label;
  const nameOf = (key: string | null, fallback: string | null): string => (key ? (ref(key)?.name ?? fallback ?? key) : (fallback ?? "an unknown commune"));
  switch (ledger.state) {
    case "allocated":
      return { state: "allocated", label, holder: ledger.key ? ref(ledger.key) : null, holderName: nameOf(ledger.key, ledger.holderName), since: ledger.since ?? "", legacy: ledger.legacy, grandfathered: ledger.grandfathered, services: ledger.services, delegatedTo: ledger.delegatedTo };
    case "alias":
      return { state: "alias", label, of: ledger.aliasOf ? ref(ledger.aliasOf) : null, ofName: nameOf(ledger.aliasOf, null), formerHolder: ledger.holderName ?? ledger.key ?? "a former commune", renamed: ledger.key === ledger.aliasOf, since: ledger.since ?? "", delegatedTo: ledger.delegatedTo };
    case "reserved":
      return { state: "reserved", label, reason: ledger.reservedReason === "rename" ? "rename" : "homonym-group", inLedger: true, for: ledger.reservedReason === "rename" && ledger.key ? ref(ledger.key) : null, problem: null };
    case "tombstone":
      return { state: "tombstone", label, formerHolder: ledger.holderName ?? ledger.key ?? "a former commune", since: ledger.since ?? "" };
    case "free":
      if (rules.problem?.rule === "reserved") return { state: "reserved", label, reason: "reserved-list", inLedger: false, for: null, problem: rules.problem.message };
      if (rules.problem) return { state: "invalid", label, problem: rules.problem.message };
      if (rules.homonymGroupSlug) return { state: "reserved", label, reason: "homonym-group", inLedger: false, for: null, problem: null };
      return { state: "free", label, computedFor: rules.computedFor };
  }
}

const named = (c: CommuneRef | null, fallback: string): string => (c ? `${c.name} (${c.departement}, INSEE ${c.insee})` : fallback);

/** THE state sentence, in English, for support staff (the support page renders the same LabelStatus in French). */
export function labelStatusSentence(s: LabelStatus, zone: string): string {
  const fqdn = `${s.label}.${zone}`;
  const delegated = (s.state === "allocated" || s.state === "alias") && s.delegatedTo ? `; delegated to ${s.delegatedTo.join(", ")}` : "";
  switch (s.state) {
    case "allocated":
      return `${fqdn} is allocated to ${named(s.holder, s.holderName)} since ${s.since.slice(0, 10)}${s.legacy ? " (legacy label)" : ""}${s.grandfathered ? " (kept by its holder after a homonym appeared)" : ""}${s.services.length ? `; enrolled in ${s.services.join(", ")}` : ""}${delegated}.`;
    case "alias":
      return s.renamed
        ? `${fqdn} is an alias of ${named(s.of, s.ofName)}: its label before it switched to its new name's; mail for it still goes there${delegated}.`
        : `${fqdn} is an alias of ${named(s.of, s.ofName)}: it belonged to ${s.formerHolder}, merged into it; mail for it goes there${delegated}.`;
    case "reserved":
      if (s.reason === "rename") return `${fqdn} is reserved for ${named(s.for, "its holder")}, the label of its new name after a rename; it switches only on request.`;
      if (s.reason === "reserved-list") return `${fqdn} is reserved for the platform and never given to a commune.`;
      return `${fqdn} is reserved: it is the shared name of several communes (homonyms), so none of them gets it.`;
    case "tombstone":
      return `${fqdn} is a tombstone since ${s.since.slice(0, 10)}: it belonged to ${s.formerHolder}, which no longer exists; it is never reused.`;
    case "invalid":
      return `${fqdn} cannot be a commune's domain: ${s.problem}.`;
    case "free":
      return s.computedFor
        ? `${fqdn} is free: no commune holds it yet; it is the label ${named(s.computedFor, "a commune")} will get when allocated.`
        : `${fqdn} is free: no commune holds it, and no current commune's name gives it.`;
  }
}
