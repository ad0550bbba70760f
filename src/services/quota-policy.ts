import { z } from "zod";
import { InputError } from "../errors.js";
import type { Enrolment } from "../ledger/schema.js";
import { dataPath } from "../paths.js";
import { quotaAccountProblem } from "../ledger/services.js";
import { parseSize, type StorageSize } from "../units/size.js";
import { SERVICE_CATALOG, type ServiceName } from "./catalog.js";
import { readJsonFile } from "../json-file.js";

/** A size written as people write quotas ("5GB", "unlimited"), parsed strictly into decimal bytes. */
const sizeText = z.string().transform((text, ctx): StorageSize => {
  try {
    return parseSize(text, "quota");
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

function quotasFor(service: ServiceName, partial: boolean) {
  const shape = Object.fromEntries(SERVICE_CATALOG[service].accountTypes.map((a) => [a, partial ? sizeText.optional() : sizeText]));
  return z.strictObject(shape as Record<string, typeof sizeText>);
}

function servicePolicy(service: ServiceName) {
  return z.strictObject({
    /** Quotas every enrolled commune gets unless a tier or an override says otherwise. */
    defaults: quotasFor(service, false),
    /** Population tiers: the highest tier whose minPopulation the commune reaches applies. */
    tiers: z
      .array(z.strictObject({ minPopulation: z.number().int().positive(), quotas: quotasFor(service, true) }))
      .default([])
      .refine((tiers) => tiers.every((t, i) => i === 0 || t.minPopulation > tiers[i - 1]!.minPopulation), "tiers must be listed by strictly increasing minPopulation"),
    /**
     * The minimal tier: quotas of a commune ANCT enrols directly because no structure covers
     * it (contract art. 3.3: "des quotas d'utilisation minimaux"); population tiers do not apply.
     */
    minimal: quotasFor(service, false),
  });
}

export const quotaPolicySchema = z.strictObject({
  $comment: z.string().optional(),
  services: z.strictObject({ messages: servicePolicy("messages"), fichiers: servicePolicy("fichiers") }),
});
export type QuotaPolicy = z.output<typeof quotaPolicySchema>;

export function loadQuotaPolicy(path = dataPath("quota-policy.json")): QuotaPolicy {
  return readJsonFile(path, quotaPolicySchema, `quota policy ${path}`);
}

/** Where a commune's quota for one account type came from, for people reading a plan. */
export type QuotaSource = "default" | `tier>=${number}` | "minimal" | "override";

export interface ResolvedQuota {
  accountType: string;
  size: StorageSize;
  source: QuotaSource;
}

/**
 * The quotas of one commune in one service: policy defaults, then the population tier,
 * then the overrides recorded at onboarding (ledger enrolment). Unknown population
 * means no tier. A direct enrolment gets the minimal tier instead of defaults and tiers
 * (overrides still apply: they are a recorded decision). An override for an account type
 * the service does not have is refused (onboarding's parseQuota in src/ledger/services.ts
 * checks the flag; this checks the data).
 */
export function resolveQuotas(policy: QuotaPolicy, service: ServiceName, population: number | null, overrides: Enrolment["quotas"] = {}, who = "commune", direct = false): ResolvedQuota[] {
  const { defaults, tiers, minimal } = policy.services[service];
  const tier = population === null ? undefined : tiers.filter((t) => t.minPopulation <= population).at(-1);
  const accountTypes: readonly string[] = SERVICE_CATALOG[service].accountTypes;
  for (const key of Object.keys(overrides)) {
    const problem = quotaAccountProblem(service, key);
    if (problem) throw new InputError(`${who}: quota override ${service}.${key} in the ledger: ${problem}.`);
  }
  return accountTypes.map((accountType) => {
    const override = overrides[accountType];
    if (override !== undefined) return { accountType, size: override, source: "override" as const };
    if (direct) return { accountType, size: minimal[accountType]!, source: "minimal" as const };
    const fromTier = tier?.quotas[accountType];
    if (fromTier !== undefined && tier) return { accountType, size: fromTier, source: `tier>=${tier.minPopulation}` as const };
    return { accountType, size: defaults[accountType]!, source: "default" as const };
  });
}

/** One entitlement as the Espace Opérateur's PATCH takes it; "unlimited" is max_storage 0. */
export interface Entitlement {
  type: string;
  account_type: string;
  config: { max_storage: number };
}

export function toEntitlements(service: ServiceName, quotas: readonly ResolvedQuota[]): Entitlement[] {
  const type = SERVICE_CATALOG[service].entitlementType;
  return quotas.map((q) => ({ type, account_type: q.accountType, config: { max_storage: q.size === "unlimited" ? 0 : q.size } }));
}
