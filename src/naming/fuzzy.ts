import { slugify } from "./slug.js";

/**
 * Closest commune names to a query that matches none: typos, missing hyphens or
 * apostrophes, `St`/`Ste` for Saint/Sainte, a département written after the name
 * (`Florac (48)`, `Mende 48`), a leading article left out (`Havre`).
 *
 * Names are compared in a compact form: the slug's words without separators, so that
 * "Lhay les roses" and "L'Haÿ-les-Roses" are the same string. Candidates come from a
 * trigram index (a name within k edits of the query shares at least |grams| − 3k of its
 * padded trigrams), and are ranked by optimal-string-alignment distance (Damerau:
 * insertions, deletions, substitutions, adjacent transpositions). No I/O: the index is
 * built from plain values.
 */

/** What the index needs of a commune. */
export interface FuzzyItem {
  key: string;
  name: string;
  departement: string;
  population: number | null;
}

/** A query as the index reads it. */
export interface FuzzyQuery {
  /** The slug's words (abbreviations spelled out, département removed), joined without separators. */
  compact: string;
  /** A département code written after the name (`(48)`, ` 2a`), upper-cased; null when none. */
  departement: string | null;
}

/** How a suggested name relates to the query. */
export type FuzzyMatch =
  | "spelling" // within a few edits of the whole name (0: only accents, case, spaces or punctuation differ)
  | "without-article" // within a few edits of the name without its leading article (Havre → Le Havre)
  | "beginning"; // the query is the name's first words (Florac → Florac-Trois-Rivières)

/** One suggestion: a name (the communes sharing its compact form) and how close it is. */
export interface FuzzyHit<T extends FuzzyItem = FuzzyItem> {
  name: string;
  match: FuzzyMatch;
  /** Letters to add, remove, change or swap between the query and the name (for "beginning": the words missing). */
  edits: number;
  /** The ranking score: weighted edits (OMISSION_COST), plus penalties for the article, a completion or another département. */
  score: number;
  /** The communes of that name: the one in the queried département first, then by population. */
  communes: T[];
}

const ABBREVIATIONS: Record<string, string> = { st: "saint", ste: "sainte", sts: "saints", stes: "saintes" };
const ARTICLES = new Set(["le", "la", "les", "l"]);
const DEPARTEMENT_RE = /^(\d{2}|2a|2b|97\d)$/;
/** A completion ranks like one edit: "Florac" is as close to Florac-Trois-Rivières as to Floirac. */
const BEGINNING_SCORE = 1;
const ARTICLE_PENALTY = 0.5;
/** A name outside the département the query named ranks one edit farther. */
const OTHER_DEPARTEMENT_PENALTY = 1;
/** Shortest query completed to a longer name (shorter ones would begin too many names). */
const MIN_BEGINNING_LENGTH = 4;

function words(text: string): string[] {
  return slugify(text)
    .split("-")
    .filter((w) => w.length > 0)
    .map((w) => ABBREVIATIONS[w] ?? w);
}

/** How the index reads a typed query. */
export function fuzzyQuery(text: string): FuzzyQuery {
  const ws = words(text);
  let departement: string | null = null;
  if (ws.length > 1 && DEPARTEMENT_RE.test(ws.at(-1)!)) departement = ws.pop()!.toUpperCase();
  return { compact: ws.join(""), departement };
}

/** Largest number of edits a suggestion may be from a query of this length. */
export function maxEdits(length: number): number {
  return length <= 4 ? 1 : length <= 8 ? 2 : 3;
}

/** Whether a sorted list holds `id` (binary search). */
function contains(list: Int32Array, id: number): boolean {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = list[mid]!;
    if (v === id) return true;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Padded trigrams of a compact form, each once. */
function trigrams(s: string): string[] {
  const padded = `##${s}$$`;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return [...out];
}

/** One string the index compares with: a name's compact form, or the same without its article. */
interface Form {
  text: string;
  group: number;
  withoutArticle: boolean;
  /** Number of distinct padded trigrams of text. */
  grams: number;
}

/** The communes of one compact form. */
interface Group<T> {
  name: string;
  communes: T[];
  population: number;
}

export interface FuzzyIndex<T extends FuzzyItem = FuzzyItem> {
  /** The closest names, best first; at most `limit`; none farther than maxEdits of the query's length. */
  search(query: string | FuzzyQuery, limit?: number): FuzzyHit<T>[];
  /** Number of compact forms indexed (names, and names without their article). */
  readonly forms: number;
}

export interface FuzzyOptions {
  /** Cost of a letter missing from the query (OMISSION_COST); 1 ranks by the plain edit distance. */
  omission?: number;
}

/** Builds the index once (about 35,000 communes); searches are then independent of each other. */
export function buildFuzzyIndex<T extends FuzzyItem>(items: readonly T[], options: FuzzyOptions = {}): FuzzyIndex<T> {
  const groups: Group<T>[] = [];
  const groupOf = new Map<string, number>();
  const forms: Form[] = [];
  // First words of every name of two words or more, compact: "florac" → Florac-Trois-Rivières.
  const beginnings = new Map<string, { group: number; missingWords: number }[]>();
  for (const item of items) {
    const ws = words(item.name);
    const compact = ws.join("");
    let g = groupOf.get(compact);
    if (g === undefined) {
      g = groups.length;
      groupOf.set(compact, g);
      groups.push({ name: item.name, communes: [], population: 0 });
      if (compact.length > 0) forms.push({ text: compact, group: g, withoutArticle: false, grams: 0 });
      if (ws.length > 1 && ARTICLES.has(ws[0]!)) forms.push({ text: ws.slice(1).join(""), group: g, withoutArticle: true, grams: 0 });
      for (let n = 1; n < ws.length; n++) {
        const start = ws.slice(0, n).join("");
        const entry = { group: g, missingWords: ws.length - n };
        const list = beginnings.get(start);
        if (list) list.push(entry);
        else beginnings.set(start, [entry]);
      }
    }
    const group = groups[g]!;
    group.communes.push(item);
    group.population = Math.max(group.population, item.population ?? 0);
  }
  for (const group of groups) {
    group.communes.sort((a, b) => (b.population ?? 0) - (a.population ?? 0) || a.departement.localeCompare(b.departement));
    // The name most of its communes bear (Saint-Rémy over Saint-Remy when they share a form).
    const counts = new Map<string, number>();
    for (const c of group.communes) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
    group.name = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  }

  const postingLists = new Map<string, number[]>();
  forms.forEach((form, id) => {
    const grams = trigrams(form.text);
    form.grams = grams.length;
    for (const gram of grams) {
      const list = postingLists.get(gram);
      if (list) list.push(id);
      else postingLists.set(gram, [id]);
    }
  });
  const postings = new Map<string, Int32Array>([...postingLists].map(([gram, ids]) => [gram, Int32Array.from(ids)]));
  const shared = new Uint16Array(forms.length);
  const touched = new Int32Array(forms.length);
  const EMPTY = new Int32Array(0);
  const omission = options.omission ?? OMISSION_COST;
  const weighted = weightedOsa(omission);
  const plain = weightedOsa(1);

  /**
   * Forms that may be within k edits of q, as buckets by a lower bound of their edits: an
   * edit changes at most 3 distinct trigrams of either string, so a form within e edits
   * shares at least T = max(|grams of q|, |grams of form|) − 3e of them. Only the
   * |grams of q| − T + 1 rarest lists can propose such a form (it lacks at most 3e grams);
   * its count in the frequent lists is found by binary search.
   */
  function candidates(q: string, k: number): number[][] {
    const lists = trigrams(q)
      .map((gram) => postings.get(gram) ?? EMPTY)
      .sort((x, y) => x.length - y.length);
    const buckets: number[][] = Array.from({ length: k + 1 }, () => []);
    const minShared = lists.length - 3 * k;
    if (minShared < 1) {
      // Very short queries: a form may share no trigram at all; every form is a candidate.
      for (let id = 0; id < forms.length; id++) {
        const lengths = Math.abs(forms[id]!.text.length - q.length);
        if (lengths <= k) buckets[lengths]!.push(id);
      }
      return buckets;
    }
    const rare = lists.length - minShared + 1;
    let touchedCount = 0;
    for (let l = 0; l < rare; l++) {
      const list = lists[l]!;
      for (let p = 0; p < list.length; p++) {
        const id = list[p]!;
        const count = shared[id]!;
        if (count === 0) touched[touchedCount++] = id;
        shared[id] = count + 1;
      }
    }
    const frequent = lists.slice(rare);
    for (let t = 0; t < touchedCount; t++) {
      const id = touched[t]!;
      let count = shared[id]!;
      shared[id] = 0;
      const form = forms[id]!;
      const lengths = Math.abs(form.text.length - q.length);
      const needed = Math.max(lists.length, form.grams) - 3 * k;
      // Cheap refusals first: too long or short, or too few trigrams even if it held every frequent one.
      if (lengths > k || count + frequent.length < needed) continue;
      for (const list of frequent) if (contains(list, id)) count++;
      const minEdits = Math.max(lengths, Math.ceil((Math.max(lists.length, form.grams) - count) / 3));
      if (minEdits <= k) buckets[minEdits]!.push(id);
    }
    return buckets;
  }

  function search(raw: string | FuzzyQuery, limit = 5): FuzzyHit<T>[] {
    const query = typeof raw === "string" ? fuzzyQuery(raw) : raw;
    const q = query.compact;
    if (q.length === 0 || limit <= 0) return [];
    const k = maxEdits(q.length);
    const best = new Map<number, { match: FuzzyMatch; weighted: number; edits: () => number }>();
    const offer = (g: number, match: FuzzyMatch, w: number, edits: () => number): void => {
      const seen = best.get(g);
      if (!seen || w < seen.weighted) best.set(g, { match, weighted: w, edits });
    };
    if (q.length >= MIN_BEGINNING_LENGTH) for (const b of beginnings.get(q) ?? []) offer(b.group, "beginning", BEGINNING_SCORE, () => b.missingWords);
    // The `limit` best weighted distances so far (ascending): a form farther than the last cannot enter.
    const top: number[] = [];
    const keep = (w: number): void => {
      if (top.length === limit && w >= top[limit - 1]!) return;
      top.splice(top.findIndex((t) => t > w) === -1 ? top.length : top.findIndex((t) => t > w), 0, w);
      if (top.length > limit) top.pop();
    };
    for (const b of best.values()) keep(b.weighted);
    const buckets = candidates(q, k);
    for (let minEdits = 0; minEdits < buckets.length; minEdits++) for (const id of buckets[minEdits]!) {
      const bound = top.length === limit ? Math.min(k, top[limit - 1]!) : k;
      if (minEdits * omission > bound) break; // no form of this bucket or a later one can come closer
      const form = forms[id]!;
      const w = weighted(q, form.text, bound);
      if (w > bound) continue;
      const score = w + (form.withoutArticle ? ARTICLE_PENALTY : 0);
      offer(form.group, form.withoutArticle ? "without-article" : "spelling", score, () => plain(q, form.text, Infinity));
      // The other-département penalty only moves names down: pruning on distances without it keeps every name that can rank.
      if (query.departement === null) keep(score);
    }
    return rank(best, query.departement)
      .slice(0, limit)
      .map(({ group, match, score, edits }) => ({
        name: group.name,
        match,
        edits: edits(),
        score: Math.round(score * 100) / 100,
        communes: orderedFor(group, query.departement),
      }));
  }

  /** Hits best first: score (with the other-département penalty), then weighted edits, population, name. */
  function rank<H extends { weighted: number }>(best: ReadonlyMap<number, H>, dep: string | null) {
    const ranked = [...best].map(([g, hit]) => {
      const group = groups[g]!;
      const elsewhere = dep !== null && !group.communes.some((c) => c.departement === dep);
      return { group, ...hit, score: hit.weighted + (elsewhere ? OTHER_DEPARTEMENT_PENALTY : 0) };
    });
    return ranked.sort((a, b) => a.score - b.score || a.weighted - b.weighted || b.group.population - a.group.population || a.group.name.localeCompare(b.group.name, "fr"));
  }

  function orderedFor(group: Group<T>, dep: string | null): T[] {
    if (dep === null) return [...group.communes];
    return [...group.communes.filter((c) => c.departement === dep), ...group.communes.filter((c) => c.departement !== dep)];
  }

  return { search, forms: forms.length };
}

/**
 * Cost of a letter of the name missing from the query. Omission is the commonest typo,
 * so among names one edit away, those the query is a letter short of rank first: on the
 * whole COG this takes "one letter dropped" from 95.5 % to 99.2 % of communes found in the
 * first 3, for 0.2 point fewer found after a wrong letter (test/naming/fuzzy.test.ts).
 * It stays above k / (k + 1) for k ≤ 3, so k + 1 omissions still cost more than k edits.
 */
export const OMISSION_COST = 0.85;

/**
 * Weighted optimal string alignment distance from query `a` to name `b` (insertion into
 * the query costs `omission`, every other edit 1), giving up (returning Infinity) once
 * every cell of a row exceeds `bound`. Rows are reused between calls: the returned
 * function is not reentrant.
 */
export function weightedOsa(omission: number = OMISSION_COST): (a: string, b: string, bound: number) => number {
  let prev2 = new Float64Array(64);
  let prev = new Float64Array(64);
  let row = new Float64Array(64);
  return (a, b, bound) => {
    if (a === b) return 0;
    const n = b.length;
    if (prev.length <= n) {
      prev2 = new Float64Array(n + 1);
      prev = new Float64Array(n + 1);
      row = new Float64Array(n + 1);
    }
    for (let j = 0; j <= n; j++) prev[j] = j * omission;
    for (let i = 1; i <= a.length; i++) {
      row[0] = i;
      let rowMin = i;
      const ca = a.charCodeAt(i - 1);
      for (let j = 1; j <= n; j++) {
        const cb = b.charCodeAt(j - 1);
        let v = Math.min(prev[j]! + 1, row[j - 1]! + omission, prev[j - 1]! + (ca === cb ? 0 : 1));
        if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) v = Math.min(v, prev2[j - 2]! + 1);
        row[j] = v;
        if (v < rowMin) rowMin = v;
      }
      // Later rows cost at least this row's minimum (a transposition costs what the diagonal it skips would).
      if (rowMin > bound) return Infinity;
      const t = prev2;
      prev2 = prev;
      prev = row;
      row = t;
    }
    return prev[n]!;
  };
}
