import type { Commune } from "../communes/schema.js";
import { labelProblem } from "./label.js";
import type { ComputedLabel } from "./labels.js";
import type { NormalizedQuery } from "./query.js";

export interface LabelIndex {
  communes: readonly Commune[];
  labels: ReadonlyMap<string, ComputedLabel>;
  byKey: Map<string, Commune>;
  bySiren: Map<string, Commune>;
  byInsee: Map<string, Commune>;
  byLabel: Map<string, Commune>;
  bySlug: Map<string, Commune[]>;
}

export function buildIndex(communes: readonly Commune[], labels: ReadonlyMap<string, ComputedLabel>): LabelIndex {
  const index: LabelIndex = { communes, labels, byKey: new Map(), bySiren: new Map(), byInsee: new Map(), byLabel: new Map(), bySlug: new Map() };
  for (const c of communes) {
    const computed = labels.get(c.key)!;
    index.byKey.set(c.key, c);
    if (c.siren) index.bySiren.set(c.siren, c);
    index.byInsee.set(c.insee, c);
    if (computed.label) index.byLabel.set(computed.label, c);
    const group = index.bySlug.get(computed.slug);
    if (group) group.push(c);
    else index.bySlug.set(computed.slug, [c]);
  }
  return index;
}

export type LookupVia = "siren" | "insee" | "key" | "label" | "name";

export interface LookupResult {
  matches: { commune: Commune; via: LookupVia }[];
  /** For name, label and FQDN queries: what the looked-up label is, as a DNS label. */
  labelFacts?: {
    label: string;
    problem: string | null;
    /** The bare slug of a homonym group: reserved, allocated to nobody. */
    homonymGroupSlug: boolean;
    computedFor: string | null;
  };
}

/** Which communes a normalised query designates: by identifier, by computed label, or by name (slug). */
export function lookup(index: LabelIndex, query: NormalizedQuery, reserved: ReadonlySet<string>): LookupResult {
  switch (query.kind) {
    case "siren": {
      const c = index.bySiren.get(query.value);
      return { matches: c ? [{ commune: c, via: "siren" }] : [] };
    }
    case "insee": {
      const c = index.byInsee.get(query.value);
      return { matches: c ? [{ commune: c, via: "insee" }] : [] };
    }
    case "key": {
      const c = index.byKey.get(query.value);
      return { matches: c ? [{ commune: c, via: "key" }] : [] };
    }
    case "fqdn":
    case "label-or-name": {
      const value = query.value;
      const matches: LookupResult["matches"] = [];
      const byLabel = index.byLabel.get(value);
      if (byLabel) matches.push({ commune: byLabel, via: "label" });
      for (const c of index.bySlug.get(value) ?? []) if (c !== byLabel) matches.push({ commune: c, via: "name" });
      const group = index.bySlug.get(value);
      return {
        matches,
        labelFacts: {
          label: value,
          problem: labelProblem(value, reserved)?.message ?? null,
          homonymGroupSlug: (group?.length ?? 0) > 1,
          computedFor: byLabel?.key ?? null,
        },
      };
    }
  }
}
