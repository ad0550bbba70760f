import { z } from "zod";
import { dnsConfigSchema } from "../records/catalog-schema.js";

/** A DNS name without trailing dot: labels of a-z, 0-9 and inner hyphens. */
export const dnsNameSchema = z
  .string()
  .transform((s) => s.toLowerCase().replace(/\.$/, ""))
  .pipe(z.string().regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a domain name such as collectivite.fr"));

/**
 * Deployment configuration (data/config.json, or --config FILE). One file describes the
 * zone and the services; every output derives from it. Later modules add their sections.
 */
export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  /** The parent zone of every commune label. */
  zone: dnsNameSchema,
  /** SOA/NS, TTLs, template values and the record sets of each service (src/records/catalog-schema.ts); required by export, plan and verify. */
  dns: dnsConfigSchema.optional(),
});

export type DomainesConfig = z.infer<typeof configSchema>;
