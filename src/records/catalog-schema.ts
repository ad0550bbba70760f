import { z } from "zod";

/**
 * The `dns` section of the deployment configuration: SOA/NS, TTLs, the values the
 * templates use (mail platform, report addresses, web addresses) and the record sets
 * each service publishes. Adding a service's records is a new entry in `recordSets`,
 * not new code: the model only expands templates.
 */

const hostSchema = z
  .string()
  .transform((s) => s.toLowerCase().replace(/\.$/, ""))
  .pipe(z.string().regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a host name such as ns1.example.net"));

export const recordTypeSchema = z.enum(["A", "AAAA", "CNAME", "MX", "TXT", "CAA", "NS", "DS"]);

/** Placeholders a template may use besides the configured variables. */
export const BUILTIN_PLACEHOLDERS = ["label", "fqdn", "zone", "dkim.selector", "dkim.value"] as const;
const PLACEHOLDER = /\{([^{}]*)\}/g;

export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

export const recordTemplateSchema = z.strictObject({
  /** Stable identity of the record within its owner (Pulumi logical names derive from it). */
  purpose: z.string().regex(/^[a-z][a-z0-9-]*$/, "lowercase letters, digits and hyphens, e.g. mx1, dkim, web-a"),
  /** Owner name relative to the label ("" = the label itself, "_dmarc", "{dkim.selector}._domainkey", "www"); relative to the apex for zone records. */
  name: z.string().max(200),
  type: recordTypeSchema,
  /** Presentation value with {placeholders}; TXT without quotes, whole (splitting is the renderer's job). */
  value: z.string().min(1).max(4000),
  ttl: z.number().int().min(60).max(604800).optional(),
  /** Which labels get it: the service's enrolled commune ("member") and/or labels that alias to it. */
  for: z.array(z.enum(["member", "alias"])).min(1).default(["member"]),
});
export type RecordTemplate = z.infer<typeof recordTemplateSchema>;

export const recordSetSchema = z.strictObject({
  /** "active": every allocated commune enrolled in at least one service; or enrolment in one named service. */
  when: z.union([z.literal("active"), z.strictObject({ enrolledIn: z.string().regex(/^[a-z][a-z0-9-]*$/) })]),
  records: z.array(recordTemplateSchema),
});
export type RecordSet = z.infer<typeof recordSetSchema>;

export const dnsConfigSchema = z
  .strictObject({
    soa: z.strictObject({
      /** Primary name server (MNAME). */
      primary: hostSchema,
      /** Hostmaster mailbox in DNS form (RNAME): hostmaster.example.net for hostmaster@example.net. */
      hostmaster: hostSchema,
      refresh: z.number().int().min(60),
      retry: z.number().int().min(60),
      expire: z.number().int().min(60),
      /** Negative-caching TTL (RFC 2308). */
      minimum: z.number().int().min(60).max(86400),
    }),
    nameservers: z.array(hostSchema).min(2, "at least two name servers"),
    /** Default TTL of every record without its own. */
    ttl: z.number().int().min(60).max(604800),
    /** How names nobody holds refuse mail: a wildcard null MX + SPF -all, or nothing (NXDOMAIN). */
    unallocated: z.enum(["wildcard", "nxdomain"]).default("wildcard"),
    /**
     * How an allocated commune enrolled in no service refuses mail: its own no-mail pair
     * ("explicit": 2 records each, about 70,000 for France, 3 OVH API calls apiece), or
     * nothing of its own, the zone's wildcard answering exactly the same for a name that
     * holds no record ("wildcard"; needs `unallocated: "wildcard"`). Reserved, tombstoned
     * and alias labels keep their explicit records either way.
     */
    allocatedWithoutService: z.enum(["explicit", "wildcard"]).default("explicit"),
    /** Values templates use as {name}; a list expands a template into one record per item (purpose-1, purpose-2, …). */
    variables: z.record(
      z.string().regex(/^[a-zA-Z][a-zA-Z0-9.-]*$/, "letters, digits, dots and hyphens"),
      z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    ),
    /** Records published once for the zone (the platform stack): _dmarc with sp=reject, CAA, … */
    zoneRecords: z.array(recordTemplateSchema.omit({ for: true })),
    /** Records of a label that neither sends nor receives mail (null MX, SPF -all). */
    noMail: z.array(recordTemplateSchema.omit({ for: true })).min(1),
    /** Service record sets; a service without an entry publishes no DNS (Fichiers by default). */
    recordSets: z.record(
      z.string().regex(/^[a-z][a-z0-9-]*$/).refine((k) => !["no-mail", "zone", "authority", "delegation", "adopted"].includes(k), "no-mail, zone, authority, delegation and adopted name the model's own sets; choose another name"),
      recordSetSchema,
    ),
  })
  .superRefine((dns, ctx) => {
    if (dns.allocatedWithoutService === "wildcard" && dns.unallocated !== "wildcard") {
      ctx.addIssue({ code: "custom", path: ["allocatedWithoutService"], message: 'wildcard coverage needs the zone\'s wildcard: set "unallocated": "wildcard" too, or use "explicit"' });
    }
    const known = new Set<string>([...BUILTIN_PLACEHOLDERS, ...Object.keys(dns.variables)]);
    const check = (t: { name: string; value: string }, path: (string | number)[], zoneLevel: boolean) => {
      for (const field of ["name", "value"] as const) {
        const lists: string[] = [];
        for (const p of placeholdersOf(t[field])) {
          const usable = zoneLevel ? known.has(p) && !["label", "fqdn", "dkim.selector", "dkim.value"].includes(p) : known.has(p);
          if (!usable) {
            ctx.addIssue({ code: "custom", path: [...path, field], message: `unknown placeholder {${p}}; define it in dns.variables or use one of ${[...BUILTIN_PLACEHOLDERS].map((b) => `{${b}}`).join(", ")}` });
          }
          if (Array.isArray(dns.variables[p])) lists.push(p);
        }
        if (field === "name" && lists.length > 0) ctx.addIssue({ code: "custom", path: [...path, field], message: `a list variable ({${lists[0]}}) cannot be used in a record name` });
        if (lists.length > 1) ctx.addIssue({ code: "custom", path: [...path, field], message: `at most one list variable per template (found ${lists.map((l) => `{${l}}`).join(", ")})` });
      }
    };
    dns.zoneRecords.forEach((t, i) => check(t, ["zoneRecords", i], true));
    dns.noMail.forEach((t, i) => check(t, ["noMail", i], true));
    for (const [set, def] of Object.entries(dns.recordSets)) def.records.forEach((t, i) => check(t, ["recordSets", set, "records", i], false));
  });

export type DnsConfig = z.infer<typeof dnsConfigSchema>;
