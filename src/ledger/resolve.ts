import { bundledHistory, describeHistoryEvent, sameCommune, type CommuneHistory, type HistoryTrace } from "../communes/history.js";
import type { Commune } from "../communes/schema.js";
import { InputError, quoteInput, type Candidate } from "../errors.js";
import type { ComputedLabel } from "../naming/labels.js";
import { scanFinder, type CommuneFinder } from "../naming/lookup.js";
import { normalizeQuery, type NormalizedQuery } from "../naming/query.js";
import type { LedgerIndex } from "./entries.js";
import type { LedgerEntry } from "./schema.js";

/** How a query designates a current commune. */
export type DesignatedVia =
  | "siren"
  | "insee"
  | "key"
  | "label" // its computed label
  | "name" // its name's slug
  | "ledger-label" // the label it holds in the ledger (legacy, grandfathered, or its old label after a switch)
  | "rename-reservation" // the label reserved for it after a rename
  | "history"; // its old name or INSEE code (renamed or re-coded, same SIREN)

/** A former commune the query names, followed to today. */
export interface FormerDesignation {
  trace: HistoryTrace;
  /** The current commune it leads to, when the current data holds it. */
  successor: Commune | null;
}

/** Everything a query designates: current communes, former ones, and a ledger label that points elsewhere. */
export interface Designation {
  query: NormalizedQuery;
  communes: { commune: Commune; via: DesignatedVia }[];
  /** Former names and codes (history), consulted only when no current name or code matches. */
  former: FormerDesignation[];
  /** The ledger entry of the queried label when it designates no current commune by itself (a merged commune's alias, a tombstone). */
  elsewhere: LedgerEntry | null;
}

/**
 * Which communes a normalised query designates. An FQDN, a SIREN, an INSEE code or a
 * label nobody else's name gives designates one commune; a bare word that is at once a
 * label the ledger holds and the name of other communes designates all of them (so that
 * a grandfathered or legacy bare label never silently wins over its homonyms). The
 * history is read only when no current commune matches; an old name or code of a commune
 * renamed or re-coded since (same SIREN) designates it, one of a merged commune does not.
 */
export function designate(q: NormalizedQuery, finder: CommuneFinder, index: LedgerIndex, history: CommuneHistory): Designation {
  const out: Designation = { query: q, communes: [], former: [], elsewhere: null };
  const add = (commune: Commune | undefined, via: DesignatedVia): void => {
    if (commune && !out.communes.some((m) => m.commune.key === commune.key)) out.communes.push({ commune, via });
  };
  if (q.kind === "siren" || q.kind === "insee" || q.kind === "key") {
    add(finder.find(q.kind, q.value), q.kind);
  } else {
    const entry = index.byLabel.get(q.value);
    if (entry?.state === "allocated" && entry.key) add(finder.find("key", entry.key), "ledger-label");
    else if (entry?.state === "alias" && entry.aliasOf === entry.key) add(finder.find("key", entry.key!), "ledger-label");
    else if (entry?.state === "reserved" && entry.reservedReason === "rename" && entry.key) add(finder.find("key", entry.key), "rename-reservation");
    else if (entry && entry.state !== "reserved") out.elsewhere = entry;
    const heldExactly = q.kind === "fqdn" && out.communes.length > 0;
    if (!heldExactly) {
      const { byLabel, bySlug } = finder.byLabelOrSlug(q.value);
      add(byLabel, "label");
      for (const c of bySlug) add(c, "name");
    }
  }
  if (out.communes.length > 0) return out;
  const events = q.kind === "insee" ? history.byInsee(q.value) : q.kind === "siren" || q.kind === "key" ? history.byKey(q.value) : q.kind === "label-or-name" ? history.bySlug(q.value) : [];
  const isCurrent = (key: string): boolean => finder.find("key", key) !== undefined;
  for (const e of events) {
    const trace = history.trace(e, isCurrent);
    out.former.push({ trace, successor: trace.currentKey ? finder.find("key", trace.currentKey)! : null });
  }
  // Renamed or re-coded only (same SIREN): the old name or code still designates the commune.
  const successors = new Set(out.former.map((f) => f.successor?.key ?? null));
  if (out.former.length > 0 && successors.size === 1 && !successors.has(null) && out.former.every((f) => sameCommune(f.trace))) add(out.former[0]!.successor!, "history");
  return out;
}

/** A commune as a script sees it in an error's `candidates`: its ledger label, else its computed one. */
export function candidateOf(c: Commune, labels: ReadonlyMap<string, ComputedLabel>, index: LedgerIndex): Candidate {
  return { key: c.key, name: c.name, departement: c.departement, insee: c.insee, siren: c.siren, label: index.primaryByKey.get(c.key)?.label ?? labels.get(c.key)?.label ?? null };
}

function candidateLine(c: Candidate): string {
  return `  ${(c.label ?? "-").padEnd(28)} ${c.name} (${c.departement}), INSEE ${c.insee}, SIREN ${c.siren ?? "none"}`;
}

/**
 * The one current commune a query designates, for commands that change the ledger.
 * Refused, never guessed: several communes → `ambiguous` with every candidate; a former
 * commune merged into another → `not-found` naming its successor (acting on the
 * successor must be asked by its own name: an old code typed for `offboard` must not
 * offboard a whole commune nouvelle); nothing → `not-found` with a pointer to `check`.
 * A renamed or re-coded commune (same SIREN) is found by its old name or code.
 */
export function resolveCommune(
  input: string,
  zone: string,
  communes: readonly Commune[],
  labels: ReadonlyMap<string, ComputedLabel>,
  _reserved: ReadonlySet<string>, // kept for callers; label validity is the allocation rules' job
  index: LedgerIndex,
  history: CommuneHistory = bundledHistory(),
): Commune {
  const q = normalizeQuery(input, zone);
  const d = designate(q, scanFinder(communes, labels), index, history);
  const shown = quoteInput(input);
  if (d.communes.length === 1) return d.communes[0]!.commune;
  if (d.communes.length > 1) {
    const candidates = d.communes.map((m) => candidateOf(m.commune, labels, index));
    const holder = d.communes.find((m) => m.via === "ledger-label");
    const hint = holder ? ` (${q.value}.${zone} designates the holder of the label "${q.value}", ${holder.commune.name} (${holder.commune.departement}))` : "";
    throw new InputError(`${shown} designates ${candidates.length} communes; name one by its label, INSEE code or SIREN${hint}:\n${candidates.map(candidateLine).join("\n")}`, "ambiguous", { candidates });
  }
  const successors = [...new Map(d.former.filter((f) => f.successor).map((f) => [f.successor!.key, f.successor!])).values()];
  const check = `\`domaines check ${/^[\w.:-]+$/.test(input) ? input : JSON.stringify(input)}\``;
  if (d.former.length > 0) {
    const what = d.former.map((f) => `  ${f.trace.steps.map(describeHistoryEvent).join("; then ")}`).join("\n");
    const next = successors.length ? ` To act on the commune it is part of today, name it: ${successors.map((s) => `${s.name} (${s.departement}), INSEE ${s.insee}, SIREN ${s.siren ?? "none"}`).join(" or ")}.` : "";
    throw new InputError(`${shown} designates no current commune:\n${what}.${next}`, "not-found", { candidates: successors.map((s) => candidateOf(s, labels, index)) });
  }
  if (d.elsewhere) {
    const e = d.elsewhere;
    const target = e.state === "alias" && e.aliasOf ? communes.find((c) => c.key === e.aliasOf) : undefined;
    const why = target ? `an alias of ${target.name} (${target.departement}): it belonged to a commune merged into it. To act on ${target.name}, name it by its own label, INSEE code or SIREN.` : `a ${e.state} in the ledger: it designates no current commune. ${check} tells its story.`;
    throw new InputError(`${shown}: ${q.value}.${zone} is ${why}`, "not-found", target ? { candidates: [candidateOf(target, labels, index)] } : {});
  }
  throw new InputError(`no current or former commune matches ${shown}; ${check} says how the query was read (the name with its accents, the INSEE code or the SIREN find a commune).`, "not-found");
}
