import type { LedgerEntry } from "./schema.js";
import { indexLedger, type LedgerIndex } from "./entries.js";

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
}

export function labelState(index: LedgerIndex, label: string): LabelState {
  const e = index.byLabel.get(label);
  if (!e) return { label, state: "free", key: null, holderName: null, aliasOf: null, reservedReason: null, since: null, legacy: false, grandfathered: false, services: [] };
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
  };
}

/** Plain words for support staff. `nameOf` names a key (current commune name, else the key). */
export function describeLabelState(s: LabelState, zone: string, nameOf: (key: string) => string): string {
  const fqdn = `${s.label}.${zone}`;
  const day = s.since?.slice(0, 10);
  switch (s.state) {
    case "free":
      return `${fqdn} is free: no commune holds it in the ledger.`;
    case "allocated":
      return `${fqdn} is allocated to ${nameOf(s.key!)} since ${day}${s.legacy ? " (legacy label, imported as already live)" : ""}${s.grandfathered ? " (kept by its holder after a homonym appeared)" : ""}${s.services.length ? `; enrolled in ${s.services.join(", ")}` : ""}.`;
    case "alias":
      if (s.key === s.aliasOf) return `${fqdn} is an alias of ${nameOf(s.aliasOf!)}: its label before it switched to its new name's; mail for it still goes there. It is never given to anyone else.`;
      return `${fqdn} is an alias of ${nameOf(s.aliasOf!)}: it belonged to ${s.holderName ?? s.key}, merged into it; mail for it goes there. It is never given to anyone else.`;
    case "reserved":
      return s.reservedReason === "homonym-group"
        ? `${fqdn} is reserved: it is the shared name of several communes (homonyms), so none of them gets it.`
        : `${fqdn} is reserved for ${nameOf(s.key!)} (the label of its new name after a rename); it switches only on request.`;
    case "tombstone":
      return `${fqdn} is a tombstone since ${day}: it belonged to ${s.holderName ?? s.key}, which no longer exists; it is never reused.`;
  }
}

/** What `check` learns from the ledger about one query: the queried label's state and the entries about the communes. */
export interface LedgerFacts<C extends { key: string }> {
  /** The state of the queried label (label, name and FQDN queries), else null. */
  queried: LabelState | null;
  /** The matches, plus the label's holder when only the ledger knows it (a legacy or grandfathered label). */
  found: { commune: C; via: string }[];
  index: LedgerIndex;
  entries: LedgerEntry[];
}

/**
 * Reads only the ledger lines about `label` and the matched communes (a store's
 * readMentioning), so that a `check` stays fast on a full ledger.
 */
export async function ledgerFacts<C extends { key: string }>(
  read: (values: string[]) => Promise<LedgerEntry[]>,
  label: string | null,
  matches: readonly { commune: C; via: string }[],
  communeByKey: (key: string) => C | undefined,
): Promise<LedgerFacts<C>> {
  const found = [...matches];
  let entries = await read([...(label ? [label] : []), ...found.map((m) => m.commune.key)]);
  const queried = label ? labelState(indexLedger(entries), label) : null;
  const holderKey = queried?.state === "allocated" ? queried.key : queried?.state === "alias" ? queried.aliasOf : null;
  if (holderKey && !found.some((m) => m.commune.key === holderKey)) {
    const holder = communeByKey(holderKey);
    if (holder) {
      found.unshift({ commune: holder, via: "ledger" });
      entries = await read([label!, ...found.map((m) => m.commune.key)]);
    }
  }
  return { queried, found, index: indexLedger(entries), entries };
}
