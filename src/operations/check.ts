import type { LedgerEntry } from "../ledger/schema.js";
import { describeLabelState, ledgerFacts, type LabelState } from "../ledger/state.js";
import { explainReason } from "../naming/labels.js";
import { indexedFinder, lookup, scanFinder, type CommuneFinder, type LookupResult } from "../naming/lookup.js";
import { normalizeQuery, type NormalizedQuery } from "../naming/query.js";
import type { Workspace } from "../workspace.js";
import { communeLabelView, type CommuneLabelView } from "./commune-view.js";

/** What the ledger says of one matched commune. */
export interface CommuneLedgerView {
  state: "allocated" | "not-allocated";
  label: string | null;
  fqdn: string | null;
  since: string | null;
  legacy: boolean;
  grandfathered: boolean;
  services: string[];
  aliases: string[];
  reserved: string[];
}

export interface CheckMatch extends CommuneLabelView {
  fqdn: string | null;
  matchedBy: string;
  explanation: string;
  ledger: CommuneLedgerView;
}

/** The answer to one query: the same for `check --json`, the API and the support page. */
export interface CheckAnswer {
  query: string;
  normalized: { kind: NormalizedQuery["kind"]; unicode: string; ascii: string; lookup: string };
  label: LookupResult["labelFacts"] | null;
  ledgerLabel: LabelState | null;
  matches: CheckMatch[];
  /** The ledger's state of the queried label in plain words (null for code queries). */
  ledgerSentence: string | null;
  /** False when the query designates no commune and the ledger does not know the label. */
  found: boolean;
}

/** How `check` finds communes and ledger lines: scanning for one query, indexes for a batch. */
export interface CheckReaders {
  finder: () => CommuneFinder;
  read: (values: readonly string[]) => Promise<LedgerEntry[]>;
}

/** For one query: a scan of the communes and only the ledger lines about it. */
export function singleQueryReaders(ws: Workspace): CheckReaders {
  return { finder: () => scanFinder(ws.communes(), ws.labels()), read: (values) => ws.store().readMentioning(values) };
}

/** For many queries: indexes and the whole validated ledger, built once. */
export async function batchReaders(ws: Workspace): Promise<CheckReaders> {
  const index = indexedFinder(ws.communes(), ws.labels());
  const byValue = entriesMentioning(await ws.store().read());
  return { finder: () => index, read: async (values) => byValue(values) };
}

/** What the ledger says of one commune: its primary label, and the aliases and reservations that point to it. */
export function communeLedgerView(key: string, entries: readonly LedgerEntry[], primary: LedgerEntry | undefined, zone: string): CommuneLedgerView {
  const others = entries.filter((e) => e !== primary && (e.key === key || e.aliasOf === key));
  return {
    state: primary ? "allocated" : "not-allocated",
    label: primary?.label ?? null,
    fqdn: primary ? `${primary.label}.${zone}` : null,
    since: primary?.allocatedAt ?? null,
    legacy: primary?.legacy ?? false,
    grandfathered: primary?.grandfathered ?? false,
    services: primary ? Object.keys(primary.services) : [],
    aliases: others.filter((e) => e.state === "alias" && e.aliasOf === key).map((e) => e.label),
    reserved: others.filter((e) => e.state === "reserved" && e.key === key).map((e) => e.label),
  };
}

/** A reader over entries already in memory, answering like readMentioning (by label, key, aliasOf, inheritedFrom). */
export function entriesMentioning(all: readonly LedgerEntry[]): (values: readonly string[]) => LedgerEntry[] {
  const byValue = new Map<string, LedgerEntry[]>();
  const add = (value: string | null | undefined, e: LedgerEntry): void => {
    if (!value) return;
    const list = byValue.get(value);
    if (list) {
      if (!list.includes(e)) list.push(e);
    } else byValue.set(value, [e]);
  };
  for (const e of all) {
    add(e.label, e);
    add(e.key, e);
    add(e.aliasOf, e);
    add(e.inheritedFrom, e);
  }
  return (values) => [...new Set(values.flatMap((v) => byValue.get(v) ?? []))];
}

/** Which communes a query designates and what the ledger says of them and of the label. */
export async function checkQuery(ws: Workspace, query: string, readers: CheckReaders = singleQueryReaders(ws)): Promise<CheckAnswer> {
  const zone = ws.zone();
  // Normalised before the data loads, so that a bad query fails without that work.
  const normalized = normalizeQuery(query, zone);
  const finder = readers.finder();
  const labels = ws.labels();
  const result = lookup(finder, normalized, ws.reserved());
  const isLabelQuery = normalized.kind === "label-or-name" || normalized.kind === "fqdn";
  const { queried, found, index, entries } = await ledgerFacts(
    (vs) => readers.read(vs),
    isLabelQuery ? normalized.value : null,
    result.matches,
    (key) => finder.find("key", key),
  );
  const nameOf = (key: string): string => {
    const c = finder.find("key", key);
    return c ? `${c.name} (${c.departement}, INSEE ${c.insee})` : `the former commune ${key}`;
  };
  const matches: CheckMatch[] = found.map(({ commune, via }) => {
    const computed = labels.get(commune.key)!;
    return {
      ...communeLabelView(commune, computed),
      fqdn: computed.label ? `${computed.label}.${zone}` : null,
      matchedBy: via,
      explanation: explainReason(computed, commune.departement),
      ledger: communeLedgerView(commune.key, entries, index.primaryByKey.get(commune.key), zone),
    };
  });
  return {
    query: normalized.input,
    normalized: { kind: normalized.kind, unicode: normalized.unicode, ascii: normalized.ascii, lookup: normalized.value },
    label: result.labelFacts ?? null,
    ledgerLabel: queried,
    matches,
    ledgerSentence: queried ? describeLabelState(queried, zone, nameOf) : null,
    found: !(matches.length === 0 && (queried === null || queried.state === "free")),
  };
}
