import { addDays, daysBetween, monthEnd, monthFr, type Quadrimestre } from "./calendar.js";
import type { ServiceName } from "./catalog.js";
import type { FeeReport } from "./fee.js";
import { divRound } from "./money.js";
import type { Billing, Operator } from "./operators.js";
import type { YearPrices } from "./prices.js";
import type { UsageSample } from "./usage-history.js";

/**
 * The four-monthly statement, "avis des sommes à payer" (contract art. 8.5–8.6): the
 * partnership fee (due after the first quadrimestre, so on statement 1 only) and the usage
 * fee per commune, service and month from the usage history. Basis of a month: the mean
 * of its daily samples, in decimal GB, times the price per GB per month, each line rounded
 * once to the cent. A day without a sample is a gap, listed; a month without any sample
 * has no amount (never zero usage). Pure: the operation gathers the inputs.
 */
export const ISSUER = "Agence nationale de la cohésion des territoires (ANCT)";

export interface StatementInputs {
  operator: Operator;
  billing: Billing;
  period: Quadrimestre;
  prices: YearPrices;
  /** Date of issue (YYYY-MM-DD): days from it on are not expected to have samples yet. */
  issuedOn: string;
  /** The year's partnership fee, for quadrimestre 1. */
  fee: FeeReport;
  /** The operator's current enrolments: each is expected to have a sample every day from its enrolment day. */
  enrolled: readonly { key: string; name: string; service: ServiceName; since: string }[];
  /** The history's samples of the period held by this operator. */
  samples: readonly UsageSample[];
  nameOf: (key: string) => string;
}

export interface Gap {
  from: string;
  to: string;
  days: number;
}

export interface UsageMonthLine {
  key: string;
  name: string;
  service: ServiceName;
  month: string;
  /** Days of the month the commune was expected to be sampled (enrolled, before the date of issue). */
  expectedDays: number;
  sampledDays: number;
  gaps: Gap[];
  /** Mean of the daily samples in bytes (rounded to the byte), null without any sample. */
  meanBytes: number | null;
  /** The same in decimal GB, 3 decimals, as printed. */
  meanGb: string | null;
  pricePerGbMonthMicros: number;
  /** Null when the month has no sample: it is not billed on this statement. */
  cents: number | null;
}

export interface Statement {
  issuer: string;
  operator: { name: string; title: string; siren: string | null; example: boolean };
  period: { year: number; quadrimestre: 1 | 2 | 3; from: string; to: string; months: string[] };
  /** The mentions of art. 8.6, in the contract's order. */
  mentions: {
    dateOfIssue: string;
    recipient: string;
    codeServiceExecutant: string;
    object: string;
    contractNumber: string;
    ejNumber: string;
    agreedPaymentDate: string;
    amountCents: number;
  };
  fee: {
    /** Only quadrimestre 1 carries the fee ("À l'issue du premier quadrimestre", art. 8.5). */
    included: boolean;
    year: number;
    perInhabitantMicros: number;
    communeCountsAbove: number;
    epciCountsFrom: number;
    countedCommunes: number;
    countedPopulation: number;
    uncappedCents: number;
    capCents: number;
    capped: boolean;
    cents: number;
    lines: FeeReport["members"];
  };
  usage: {
    basis: string;
    lines: UsageMonthLine[];
    cents: number;
    /** Lines with at least one gap, and lines without any sample (no amount). */
    linesWithGaps: number;
    linesWithoutSample: number;
    complete: boolean;
  };
  totalCents: number;
  warnings: string[];
}

const BYTES_PER_GB = 1_000_000_000n;

/** Consecutive runs of days as gaps. */
function gapsOf(days: readonly string[]): Gap[] {
  const gaps: Gap[] = [];
  for (const d of days) {
    const last = gaps.at(-1);
    if (last && addDays(last.to, 1) === d) {
      last.to = d;
      last.days++;
    } else gaps.push({ from: d, to: d, days: 1 });
  }
  return gaps;
}

function gbText(sum: bigint, n: bigint): string {
  const milli = divRound(sum * 1000n, n * BYTES_PER_GB);
  return `${milli / 1000n}.${String(milli % 1000n).padStart(3, "0")}`;
}

export function computeStatement(inputs: StatementInputs): Statement {
  const { period, prices, issuedOn, billing, operator } = inputs;
  const warnings: string[] = [];
  const lastExpected = addDays(issuedOn, -1);
  if (issuedOn <= period.to) warnings.push(`issued on ${issuedOn}, before the quadrimestre ended (${period.to}): usage is counted up to ${lastExpected < period.to ? lastExpected : period.to}, the rest of the period is not billed here (art. 8.5: "à quadrimestre échu").`);

  // What each (commune, service) is expected to have: from its enrolment day, or, for one
  // no longer enrolled (offboarded), from its first to its last sample of the period.
  type Track = { key: string; name: string; service: ServiceName; from: string; to: string; samples: Map<string, number> };
  const tracks = new Map<string, Track>();
  const track = (key: string, service: ServiceName, name: string, from: string, to: string): Track => {
    const id = `${service}|${key}`;
    const t = tracks.get(id) ?? { key, name, service, from, to, samples: new Map<string, number>() };
    tracks.set(id, t);
    return t;
  };
  for (const e of inputs.enrolled) {
    if (e.since > period.to) continue;
    track(e.key, e.service, e.name, e.since > period.from ? e.since : period.from, lastExpected < period.to ? lastExpected : period.to);
  }
  const enrolledIds = new Set(inputs.enrolled.map((e) => `${e.service}|${e.key}`));
  for (const s of inputs.samples) {
    if (s.day < period.from || s.day > period.to) continue;
    const id = `${s.service}|${s.commune}`;
    const t = tracks.get(id) ?? track(s.commune, s.service, inputs.nameOf(s.commune), s.day, s.day);
    if (!enrolledIds.has(id)) {
      if (s.day < t.from) t.from = s.day;
      if (s.day > t.to) t.to = s.day;
    }
    t.samples.set(s.day, s.bytes);
  }

  const lines: UsageMonthLine[] = [];
  const ordered = [...tracks.values()].sort((a, b) => a.name.localeCompare(b.name, "fr") || a.key.localeCompare(b.key) || a.service.localeCompare(b.service));
  for (const t of ordered) {
    const price = prices.storagePerGbMonth[t.service];
    for (const month of period.months) {
      const start = `${month}-01`;
      const end = monthEnd(month);
      const from = t.from > start ? t.from : start;
      const to = t.to < end ? t.to : end;
      const expected = from <= to ? daysBetween(from, to) : [];
      const sampled = [...t.samples].filter(([d]) => d >= start && d <= end);
      if (expected.length === 0 && sampled.length === 0) continue;
      const missing = expected.filter((d) => !t.samples.has(d));
      const n = BigInt(sampled.length);
      const sum = sampled.reduce((a, [, b]) => a + BigInt(b), 0n);
      lines.push({
        key: t.key,
        name: t.name,
        service: t.service,
        month,
        expectedDays: expected.length,
        sampledDays: sampled.length,
        gaps: gapsOf(missing),
        meanBytes: n === 0n ? null : Number(divRound(sum, n)),
        meanGb: n === 0n ? null : gbText(sum, n),
        pricePerGbMonthMicros: Number(price),
        cents: n === 0n ? null : Number(divRound(sum * price, n * BYTES_PER_GB * 10_000n)),
      });
    }
  }

  const usageCents = lines.reduce((a, l) => a + (l.cents ?? 0), 0);
  const linesWithGaps = lines.filter((l) => l.gaps.length > 0).length;
  const linesWithoutSample = lines.filter((l) => l.cents === null).length;
  if (linesWithoutSample > 0) warnings.push(`${linesWithoutSample} month line(s) have no sample at all: they carry no amount on this statement (run usage-sync daily; see the gaps).`);
  else if (linesWithGaps > 0) warnings.push(`${linesWithGaps} month line(s) have days without a sample: their mean rests on the days sampled (the gaps are listed).`);

  const feeIncluded = period.index === 1;
  const fee = inputs.fee;
  const feeCents = feeIncluded ? fee.cents : 0;
  const total = feeCents + usageCents;
  const monthsText = `${monthFr(period.months[0]!).split(" ")[0]}–${monthFr(period.months[3]!)}`;
  const object = `Contrat de partenariat La Suite territoriale : ${feeIncluded ? `contribution de partenariat ${period.year} et ` : ""}usage des services, quadrimestre ${period.index} ${period.year} (${monthsText})`;
  return {
    issuer: ISSUER,
    operator: { name: operator.name, title: operator.title, siren: operator.siren, example: operator.example },
    period: { year: period.year, quadrimestre: period.index, from: period.from, to: period.to, months: period.months },
    mentions: {
      dateOfIssue: issuedOn,
      recipient: billing.recipient,
      codeServiceExecutant: billing.codeServiceExecutant,
      object,
      contractNumber: billing.contractNumber,
      ejNumber: billing.ejNumber,
      agreedPaymentDate: addDays(issuedOn, billing.paymentDelayDays),
      amountCents: total,
    },
    fee: {
      included: feeIncluded,
      year: period.year,
      perInhabitantMicros: fee.perInhabitantMicros,
      communeCountsAbove: fee.communeCountsAbove,
      epciCountsFrom: fee.epciCountsFrom,
      countedCommunes: fee.members.filter((l) => l.counted).length,
      countedPopulation: fee.countedPopulation,
      uncappedCents: fee.uncappedCents,
      capCents: fee.capCents,
      capped: fee.capped,
      cents: feeCents,
      lines: fee.members,
    },
    usage: {
      basis: "Pour chaque commune, service et mois : moyenne des relevés quotidiens de stockage (Go décimaux : 1 Go = 1\u202f000\u202f000\u202f000 octets) × prix par Go et par mois ; chaque ligne arrondie une fois au centime. Un jour sans relevé est une lacune, signalée ; un mois sans aucun relevé n'a pas de montant.",
      lines,
      cents: usageCents,
      linesWithGaps,
      linesWithoutSample,
      complete: linesWithGaps === 0 && linesWithoutSample === 0,
    },
    totalCents: total,
    warnings,
  };
}
