import type { Commune } from "../communes/schema.js";
import type { ComputedLabel } from "./labels.js";

/** How lookups find communes: by scanning (one query) or through indexes (many queries). */
export interface CommuneFinder {
  find(field: "siren" | "insee" | "key", value: string): Commune | undefined;
  /** The commune whose computed label is `value`, and every commune whose slug is `value`, in data order. */
  byLabelOrSlug(value: string): { byLabel: Commune | undefined; bySlug: Commune[] };
}

/**
 * One linear pass per query: a CLI call answers one query, and building indexes over
 * 35,000 communes costs more than scanning them once.
 */
export function scanFinder(communes: readonly Commune[], labels: ReadonlyMap<string, ComputedLabel>): CommuneFinder {
  return {
    find: (field, value) => communes.find((c) => c[field] === value),
    byLabelOrSlug(value) {
      let byLabel: Commune | undefined;
      const bySlug: Commune[] = [];
      for (const c of communes) {
        const computed = labels.get(c.key)!;
        if (computed.label === value) byLabel = c;
        if (computed.slug === value) bySlug.push(c);
      }
      return { byLabel, bySlug };
    },
  };
}

/** Indexes built once, for a batch of queries (check --stdin). */
export function indexedFinder(communes: readonly Commune[], labels: ReadonlyMap<string, ComputedLabel>): CommuneFinder {
  const maps = { siren: new Map<string, Commune>(), insee: new Map<string, Commune>(), key: new Map<string, Commune>() };
  const byLabel = new Map<string, Commune>();
  const bySlug = new Map<string, Commune[]>();
  for (const c of communes) {
    if (c.siren) maps.siren.set(c.siren, c);
    maps.insee.set(c.insee, c);
    maps.key.set(c.key, c);
    const computed = labels.get(c.key)!;
    if (computed.label) byLabel.set(computed.label, c);
    const group = bySlug.get(computed.slug);
    if (group) group.push(c);
    else bySlug.set(computed.slug, [c]);
  }
  return {
    find: (field, value) => maps[field].get(value),
    byLabelOrSlug: (value) => ({ byLabel: byLabel.get(value), bySlug: bySlug.get(value) ?? [] }),
  };
}
