import { z } from "zod";
import { DomainesError } from "../errors.js";
import { communeKeySchema } from "../ledger/schema.js";
import { ENROLLABLE_SERVICES, quotaAccountProblem, type QuotaOverride, type ServiceName } from "../ledger/services.js";
import { parseSize } from "../units/size.js";

/**
 * The inputs of the operations as zod schemas: the HTTP API validates requests with
 * them (and documents them in its OpenAPI), and the CLI's flags go through the same
 * rules (parseSize, quotaAccountProblem, the service list).
 */
export { communeKeySchema };

export const serviceNameSchema = z.enum(Object.keys(ENROLLABLE_SERVICES) as [ServiceName, ...ServiceName[]]);

/** A size as people write it ("50GB", "unlimited") or decimal bytes. */
export const quotaSizeSchema = z.union([z.string().max(40), z.number().int().positive().max(Number.MAX_SAFE_INTEGER)]).transform((v, ctx) => {
  if (typeof v === "number") return v;
  try {
    return parseSize(v, "quota");
  } catch (err) {
    ctx.addIssue({ code: "custom", message: err instanceof DomainesError ? err.message : String(err) });
    return z.NEVER;
  }
});

/** One service's quota overrides by account type: {"mailbox": "5GB", "organization": "unlimited"}. */
export const accountQuotasSchema = z.record(z.string().regex(/^[a-z_]{1,40}$/, "an account type such as mailbox, user or organization"), quotaSizeSchema);

export function quotaOverrides(service: ServiceName, quotas: Record<string, number | "unlimited"> | undefined, ctx?: z.RefinementCtx): QuotaOverride[] {
  const out: QuotaOverride[] = [];
  for (const [account, size] of Object.entries(quotas ?? {})) {
    const problem = quotaAccountProblem(service, account);
    if (problem) ctx?.addIssue({ code: "custom", path: [service, account], message: problem });
    else out.push({ service, account, size });
  }
  return out;
}

/** PUT /communes/{key}/services/{service} body: optional quota overrides of that service. */
export const enrolmentBodySchema = z.strictObject({ quotas: accountQuotasSchema.optional() });

/** One item of a batch of onboardings: a query (as `onboard` takes it), services, optional quotas per service. */
export const onboardingItemSchema = z
  .strictObject({
    query: z.string().min(1).max(253),
    services: z.array(serviceNameSchema).min(1).max(Object.keys(ENROLLABLE_SERVICES).length),
    quotas: z.partialRecord(serviceNameSchema, accountQuotasSchema).optional(),
  })
  .transform((item, ctx) => {
    const services = [...new Set(item.services)];
    const quotas = Object.entries(item.quotas ?? {}).flatMap(([service, q]) => {
      if (!services.includes(service as ServiceName)) {
        ctx.addIssue({ code: "custom", path: ["quotas", service], message: `${service} is not in services (${services.join(",")}); add it there` });
        return [];
      }
      return quotaOverrides(service as ServiceName, q, ctx);
    });
    return { query: item.query, services, quotas };
  });
export type OnboardingItem = z.output<typeof onboardingItemSchema>;

/** `--expires 90d` (s, m, h, d), an ISO 8601 date, or `never`. */
export const expirySchema = z.string().transform((raw, ctx) => {
  const text = raw.trim();
  if (text === "never") return null;
  const m = /^(\d{1,5})([smhd])$/.exec(text);
  if (m) {
    const seconds = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
    if (seconds > 0) return { seconds };
  }
  const at = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(text) ? Date.parse(text) : NaN;
  if (Number.isFinite(at)) return { at: new Date(at) };
  ctx.addIssue({ code: "custom", message: `${JSON.stringify(raw)} is not an expiry; write a duration such as 90d, 12h or 30m, an ISO date (2027-01-01), or never` });
  return z.NEVER;
});
