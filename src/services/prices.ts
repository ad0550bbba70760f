import { z } from "zod";
import { InputError } from "../errors.js";
import { dataPath } from "../paths.js";
import { readJsonFile } from "../json-file.js";
import { parseEuros } from "./money.js";

/** A price as decimal text in euros ("0.25"), kept exact as integer micro-euros. */
const euros = z.string().transform((text, ctx) => {
  const micros = parseEuros(text);
  if (micros === null) {
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(text)} is not an amount in euros; write it as decimal text with a dot and at most 6 decimals, such as "0.25"` });
    return z.NEVER;
  }
  return micros;
});

const yearPrices = z.strictObject({
  /** Where the figures come from (contract and annex), for whoever checks an invoice. */
  source: z.string().min(1),
  /** Storage used or provisioned, per GB (10^9 bytes) per month. */
  storagePerGbMonth: z.strictObject({ messages: euros, fichiers: euros }),
  /**
   * Annexe 2 art. 1: "0,02 € par habitant de toutes les communes adhérentes …, soit directement
   * soit via leur intercommunalité, dont la population est supérieure à 3500 habitants";
   * exempt: communes under 3,500 and EPCIs à fiscalité propre under 15,000 inhabitants.
   */
  partnershipFee: z.strictObject({
    perInhabitant: euros,
    /** A commune counts only when its population is strictly above this ("supérieure à 3500"). */
    communeCountsAbove: z.number().int().positive(),
    /** A commune reached only through an EPCI counts only when the EPCI has at least this many inhabitants. */
    epciCountsFrom: z.number().int().positive(),
    capPerYear: euros,
  }),
  /** Usage is invoiced every this many months (a quadrimestre: 4). */
  invoicePeriodMonths: z.number().int().min(1).max(12),
});
export type YearPrices = z.output<typeof yearPrices>;

export const pricesFileSchema = z.strictObject({
  $comment: z.string().optional(),
  years: z.record(z.string().regex(/^20\d\d$/, "a year such as 2026"), yearPrices),
});
export type PricesFile = z.output<typeof pricesFileSchema>;

export function loadPrices(path = dataPath("prices.json")): PricesFile {
  return readJsonFile(path, pricesFileSchema, `prices ${path}`);
}

export function pricesFor(file: PricesFile, year: number): YearPrices {
  const prices = file.years[String(year)];
  if (!prices) {
    throw new InputError(`no prices configured for ${year}; configured years: ${Object.keys(file.years).sort().join(", ") || "none"}. Pass --year with one of them, or add the year to data/prices.json.`);
  }
  return prices;
}
