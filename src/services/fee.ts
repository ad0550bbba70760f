import type { Coverage, EpciRef, Reach } from "./membership.js";
import { describeReach, reachOf } from "./membership.js";
import { microsToCents } from "./money.js";
import type { YearPrices } from "./prices.js";

/**
 * The partnership fee of a mutualisation structure (contract Annexe 2, art. 1), in the
 * code's words: a commune covered by the structure counts, for its population times the
 * rate, when its population is above `communeCountsAbove` (3,500) AND it is a member
 * directly, or through a member EPCI of at least `epciCountsFrom` (15,000) inhabitants
 * (the EPCI's population municipale). A commune reached both ways counts once. The sum is
 * capped per year. Every line says how the commune was reached and why it counts or not.
 */
export interface FeeCommune {
  key: string;
  name: string;
  population: number | null;
  coverage: Coverage;
}

/** Why a line counts or not, as a code (renderers word it) and in English (`reason`). */
export type FeeBasis = "member" | "epci" | "exempt-commune" | "exempt-epci" | "population-unknown";

export interface FeeLine {
  key: string;
  name: string;
  population: number | null;
  reach: Reach;
  /** The member EPCI the commune belongs to, if it is reached through one. */
  epci: EpciRef | null;
  counted: boolean;
  basis: FeeBasis;
  reason: string;
  cents: number;
}

export interface FeeReport {
  perInhabitantMicros: number;
  communeCountsAbove: number;
  epciCountsFrom: number;
  members: FeeLine[];
  countedPopulation: number;
  uncappedCents: number;
  capCents: number;
  /** True only when the uncapped sum exceeds the cap (at exactly the cap, nothing is cut). */
  capped: boolean;
  cents: number;
}

const int = (n: number): string => n.toLocaleString("en-GB");

function basisOf(c: FeeCommune, rule: YearPrices["partnershipFee"]): { basis: FeeBasis; reason: string } {
  const epci = c.coverage.epcis[0] ?? null;
  const reach = describeReach(c.coverage);
  if (c.population === null) return { basis: "population-unknown", reason: `not counted: no INSEE population for this commune (${reach})` };
  if (c.population <= rule.communeCountsAbove) return { basis: "exempt-commune", reason: `exempt: ${int(c.population)} inhabitants, not above ${int(rule.communeCountsAbove)} (${reach})` };
  if (c.coverage.direct) {
    const both = epci ? ` (also through ${epci.name}: counted once)` : "";
    return { basis: "member", reason: `counted: ${int(c.population)} inhabitants, above ${int(rule.communeCountsAbove)}, member directly${both}` };
  }
  const big = c.coverage.epcis.find((e) => e.population >= rule.epciCountsFrom);
  if (big) return { basis: "epci", reason: `counted: ${int(c.population)} inhabitants, above ${int(rule.communeCountsAbove)}, member through ${big.name} (${int(big.population)} inhabitants, at least ${int(rule.epciCountsFrom)})` };
  return { basis: "exempt-epci", reason: `exempt: reached only through ${epci?.name ?? "an EPCI"} (${int(epci?.population ?? 0)} inhabitants, under ${int(rule.epciCountsFrom)})` };
}

export function partnershipFee(communes: readonly FeeCommune[], prices: YearPrices): FeeReport {
  const rule = prices.partnershipFee;
  const members: FeeLine[] = communes.map((c) => {
    const { basis, reason } = basisOf(c, rule);
    const counted = basis === "member" || basis === "epci";
    return {
      key: c.key,
      name: c.name,
      population: c.population,
      reach: reachOf(c.coverage),
      epci: c.coverage.epcis[0] ?? null,
      counted,
      basis,
      reason,
      cents: counted ? microsToCents(BigInt(c.population!) * rule.perInhabitant) : 0,
    };
  });
  const uncappedCents = members.reduce((a, l) => a + l.cents, 0);
  const capCents = microsToCents(rule.capPerYear);
  return {
    perInhabitantMicros: Number(rule.perInhabitant),
    communeCountsAbove: rule.communeCountsAbove,
    epciCountsFrom: rule.epciCountsFrom,
    members,
    countedPopulation: members.filter((l) => l.counted).reduce((a, l) => a + l.population!, 0),
    uncappedCents,
    capCents,
    capped: uncappedCents > capCents,
    cents: Math.min(uncappedCents, capCents),
  };
}
