import type { Commune } from "../communes/schema.js";
import { labelProblem } from "./label.js";
import type { ComputedLabel } from "./labels.js";
import type { NormalizedQuery } from "./query.js";

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
/**
 * One linear pass: a CLI call answers one query, and building indexes over 35,000
 * communes costs more than scanning them once.
 */
export function lookup(
  communes: readonly Commune[],
  labels: ReadonlyMap<string, ComputedLabel>,
  query: NormalizedQuery,
  reserved: ReadonlySet<string>,
): LookupResult {
  const value = query.value;
  switch (query.kind) {
    case "siren":
    case "insee":
    case "key": {
      const field = query.kind === "siren" ? "siren" : query.kind === "insee" ? "insee" : "key";
      const c = communes.find((x) => x[field] === value);
      return { matches: c ? [{ commune: c, via: query.kind }] : [] };
    }
    case "fqdn":
    case "label-or-name": {
      const matches: LookupResult["matches"] = [];
      let groupSize = 0;
      let byLabel: Commune | undefined;
      for (const c of communes) {
        const computed = labels.get(c.key)!;
        if (computed.slug === value) groupSize++;
        if (computed.label === value) {
          byLabel = c;
          matches.unshift({ commune: c, via: "label" });
        } else if (computed.slug === value) {
          matches.push({ commune: c, via: "name" });
        }
      }
      return {
        matches,
        labelFacts: {
          label: value,
          problem: labelProblem(value, reserved)?.message ?? null,
          homonymGroupSlug: groupSize > 1,
          computedFor: byLabel?.key ?? null,
        },
      };
    }
  }
}
