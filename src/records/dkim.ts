import { z } from "zod";

/**
 * DKIM public keys per mail domain, as Messages publishes them (data/dkim.json, filled by
 * the Messages client). A commune without an entry is "pending": its DKIM record is not
 * published yet, everything else is.
 */

/** Printable ASCII without quote or backslash: nothing that could break out of a TXT string. */
const safeText = /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/;

export const dkimKeySchema = z.strictObject({
  /** DNS label(s) before `._domainkey`: stmessages by default in Messages. */
  selector: z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, "a DNS label such as stmessages")),
  /** The whole TXT value: `v=DKIM1; k=rsa; p=<base64>`. */
  value: z
    .string()
    .max(4000)
    .regex(safeText, "printable ASCII without quotes, backslashes or control characters")
    .refine((v) => /^v=DKIM1\s*;/.test(v), "must start with v=DKIM1;")
    .refine((v) => /(^|;)\s*p=[A-Za-z0-9+/=\s]*[A-Za-z0-9+/=]\s*(;|$)/.test(v), "must carry a non-empty base64 public key p=…"),
  fetchedAt: z.iso.datetime({ offset: true }),
});
export type DkimKey = z.infer<typeof dkimKeySchema>;

/** Keyed by mail domain (the commune's fqdn), lowercase, no trailing dot. */
export const dkimStoreSchema = z.record(
  z.string().regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a lowercase mail domain such as mende.collectivite.fr"),
  dkimKeySchema,
);
export type DkimStore = z.infer<typeof dkimStoreSchema>;
