import type { Commune } from "../communes/schema.js";
import type { Candidate } from "../errors.js";
import { buildFuzzyIndex, fuzzyQuery, type FuzzyIndex, type FuzzyMatch } from "../naming/fuzzy.js";
import { normalizeQuery } from "../naming/query.js";
import type { Workspace } from "../workspace.js";

/** A name close to the query, with every current commune that bears it. */
export interface Suggestion {
  name: string;
  /** spelling: a few letters away; without-article: "Havre" for Le Havre; beginning: "Florac" for Florac-Trois-Rivières. */
  match: FuzzyMatch;
  /** Letters added, removed, changed or swapped (for "beginning": words missing). */
  edits: number;
  communes: Candidate[];
}

export interface SuggestAnswer {
  query: string;
  /** A département code the query ended with (`Florac (48)`), used to rank its communes first. */
  departement: string | null;
  suggestions: Suggestion[];
}

/** Names have no spelling to correct in codes: a SIREN, an INSEE code or a key gets no suggestion. */
const CODE_KINDS = new Set(["siren", "insee", "key"]);
const DEFAULT_LIMIT = 5;

// One index per Workspace (its communes never change during its life), built on first use.
const indexes = new WeakMap<Workspace, FuzzyIndex<Commune>>();

function indexOf(ws: Workspace): FuzzyIndex<Commune> {
  let index = indexes.get(ws);
  if (!index) {
    index = buildFuzzyIndex(ws.communes());
    indexes.set(ws, index);
  }
  return index;
}

/**
 * The current communes whose names are closest to the query: what `check`, the API and
 * the support page offer when a query matches nothing. Refuses a malformed query the way
 * check does (normalizeQuery's errors).
 */
export function suggestCommunes(ws: Workspace, query: string, options: { limit?: number } = {}): SuggestAnswer {
  const normalized = normalizeQuery(query, ws.zone());
  if (CODE_KINDS.has(normalized.kind)) return { query: normalized.input, departement: null, suggestions: [] };
  // A name as typed (accents and spaces kept for the index to read), or the commune label of a domain.
  const fuzzy = fuzzyQuery(normalized.kind === "fqdn" ? normalized.value : normalized.unicode);
  const labels = ws.labels();
  const suggestions = indexOf(ws)
    .search(fuzzy, options.limit ?? DEFAULT_LIMIT)
    .map((hit) => ({
      name: hit.name,
      match: hit.match,
      edits: hit.edits,
      communes: hit.communes.map((c) => ({ key: c.key, name: c.name, departement: c.departement, insee: c.insee, siren: c.siren, label: labels.get(c.key)?.label ?? null })),
    }));
  return { query: normalized.input, departement: fuzzy.departement, suggestions };
}
