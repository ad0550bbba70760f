import { formatSize, type StorageSize } from "../units/size.js";
import { ORGANIZATION_ACCOUNT, SERVICE_NAMES, type ServiceName } from "./catalog.js";
import { partnershipFee, type FeeCommune, type FeeReport } from "./fee.js";
import { microsToCents } from "./money.js";
import type { Operator } from "./operators.js";
import type { YearPrices } from "./prices.js";
import type { DesiredSubscription } from "./subscriptions.js";
import { storageBySiren, type UsageFile } from "./usage.js";

/**
 * What a mutualisation structure pays for a year: the partnership fee, the storage
 * ceiling its provisioned quotas allow, and (given usage figures) the actual usage.
 * Pure: every amount in integer cents, each line rounded once from exact micro-euros,
 * totals the sum of their lines (so a reader can add them up).
 */
const BYTES_PER_GB = 1_000_000_000n;

/** A commune ANCT enrolled directly in the structure's territory (contract art. 3.3: listed for the structure, not billed to it). */
export interface DirectEnrolment {
  key: string;
  name: string;
  departement: string;
  label: string;
  services: ServiceName[];
  since: string;
}

export interface CostInputs {
  operator: Operator;
  year: number;
  prices: YearPrices;
  /** The communes the operator covers (directly or through its EPCIs) found in the commune data. */
  members: readonly FeeCommune[];
  /** Member keys of the configuration that are not current communes (merged, mistyped). */
  unknownMembers: readonly string[];
  /** The operator's desired subscriptions (enrolled members). */
  subscriptions: readonly DesiredSubscription[];
  /** Direct enrolments by ANCT in the départements the operator covers. */
  directEnrolments?: readonly DirectEnrolment[];
  usage?: UsageFile;
}

export interface CeilingLine {
  key: string;
  name: string;
  service: ServiceName;
  /** The organisation quota (decimal bytes), or "unlimited". */
  organizationQuota: StorageSize;
  /** null when the quota is unlimited: there is no ceiling to state. */
  monthlyCents: number | null;
}

export interface UsageLine {
  key: string;
  name: string;
  service: ServiceName;
  storageUsedBytes: number;
  /** The subscription's organisation quota, or null when the commune has no subscription to this service. */
  organizationQuota: StorageSize | null;
  /** Storage used beyond a bounded organisation quota. */
  overQuota: boolean;
  monthlyCents: number;
}

export interface CostReport {
  operator: { name: string; title: string; siren: string | null; example: boolean };
  year: number;
  source: string;
  fee: FeeReport;
  ceiling: {
    periodMonths: number;
    lines: CeilingLine[];
    /** Sum over lines with a ceiling; meaningful only when `unlimited` is empty. */
    monthlyCents: number;
    perPeriodCents: number;
    /** Subscriptions whose organisation quota is unlimited: no ceiling exists for them. */
    unlimited: { key: string; name: string; service: ServiceName }[];
    bounded: boolean;
  };
  usage: null | {
    month: string | null;
    lines: UsageLine[];
    monthlyCents: number;
    perPeriodAtThisLevelCents: number;
    /** Members enrolled in a service but absent from that service's figures. */
    missing: { key: string; name: string; service: ServiceName }[];
    /** SIRENs in the figures that are not members of this operator (not counted). */
    notMembers: { service: ServiceName; siren: string; storageUsedBytes: number }[];
    /** Services without figures in the file. */
    servicesWithoutFigures: ServiceName[];
  };
  unknownMembers: string[];
  directEnrolments: DirectEnrolment[];
}

function storageMonthlyCents(bytes: number, pricePerGbMonth: bigint): number {
  return microsToCents(BigInt(bytes) * pricePerGbMonth, BYTES_PER_GB);
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** The quota bounding a subscription's whole storage. */
export function organizationQuota(s: DesiredSubscription): StorageSize {
  return s.quotas.find((q) => q.accountType === ORGANIZATION_ACCOUNT)!.size;
}

export function computeCost(inputs: CostInputs): CostReport {
  const { prices, operator } = inputs;
  const ceilingLines: CeilingLine[] = [];
  const unlimited: CostReport["ceiling"]["unlimited"] = [];
  for (const s of inputs.subscriptions) {
    const quota = organizationQuota(s);
    const monthlyCents = quota === "unlimited" ? null : storageMonthlyCents(quota, prices.storagePerGbMonth[s.service]);
    ceilingLines.push({ key: s.communeKey, name: s.name, service: s.service, organizationQuota: quota, monthlyCents });
    if (monthlyCents === null) unlimited.push({ key: s.communeKey, name: s.name, service: s.service });
  }
  const ceilingMonthly = sum(ceilingLines.map((l) => l.monthlyCents ?? 0));

  return {
    operator: { name: operator.name, title: operator.title, siren: operator.siren, example: operator.example },
    year: inputs.year,
    source: prices.source,
    fee: partnershipFee(inputs.members, prices),
    ceiling: {
      periodMonths: prices.invoicePeriodMonths,
      lines: ceilingLines,
      monthlyCents: ceilingMonthly,
      perPeriodCents: ceilingMonthly * prices.invoicePeriodMonths,
      unlimited,
      bounded: unlimited.length === 0,
    },
    usage: inputs.usage ? usageCost(inputs, inputs.usage) : null,
    unknownMembers: [...inputs.unknownMembers],
    directEnrolments: [...(inputs.directEnrolments ?? [])],
  };
}

function usageCost(inputs: CostInputs, usage: UsageFile): NonNullable<CostReport["usage"]> {
  const figures = storageBySiren(usage);
  const memberByKey = new Map(inputs.members.map((m) => [m.key, m]));
  const lines: UsageLine[] = [];
  const notMembers: NonNullable<CostReport["usage"]>["notMembers"] = [];
  const quotaOf = new Map(inputs.subscriptions.map((s) => [`${s.service}:${s.siren}`, organizationQuota(s)]));
  for (const service of SERVICE_NAMES) {
    for (const [siren, bytes] of figures.get(service) ?? []) {
      const member = memberByKey.get(siren);
      if (!member) {
        notMembers.push({ service, siren, storageUsedBytes: bytes });
        continue;
      }
      const quota = quotaOf.get(`${service}:${siren}`) ?? null;
      const overQuota = typeof quota === "number" && bytes > quota;
      lines.push({ key: member.key, name: member.name, service, storageUsedBytes: bytes, organizationQuota: quota, overQuota, monthlyCents: storageMonthlyCents(bytes, inputs.prices.storagePerGbMonth[service]) });
    }
  }
  const missing = inputs.subscriptions
    .filter((s) => figures.has(s.service) && !figures.get(s.service)!.has(s.siren))
    .map((s) => ({ key: s.communeKey, name: s.name, service: s.service }));
  const monthlyCents = sum(lines.map((l) => l.monthlyCents));
  return {
    month: usage.month ?? null,
    lines,
    monthlyCents,
    perPeriodAtThisLevelCents: monthlyCents * inputs.prices.invoicePeriodMonths,
    missing,
    notMembers,
    servicesWithoutFigures: SERVICE_NAMES.filter((s) => !figures.has(s)),
  };
}

/** One line for people: "50 GB × 0.25 €/GB/month". */
export function describeQuota(quota: StorageSize): string {
  return quota === "unlimited" ? "unlimited (no ceiling)" : formatSize(quota);
}
