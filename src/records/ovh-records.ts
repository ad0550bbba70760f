import { z } from "zod";
import { InputError } from "../errors.js";
import { canonicalIPv6 } from "../dns/resolve.js";

/**
 * The OVH API's own listing of a zone's records (`GET /domain/zone/{zone}/record/{id}`
 * for each id of `GET /domain/zone/{zone}/record`, as a JSON array): the only place a
 * record's id is. A zone export (OVH's or Scaleway's) carries none, so `import --zone`
 * fills the `pulumi import` ids from this file when it is given, and lists the API call
 * for each id otherwise.
 */
const ovhRecordSchema = z.looseObject({
  id: z.number().int().positive(),
  fieldType: z.string().min(1),
  subDomain: z.string().nullable().optional(),
  target: z.string(),
});

/** `<subdomain>|<TYPE>|<value as compared>` → record id. OVH's own SPF/DKIM/DMARC types are TXT. */
export function parseOvhRecords(text: string, file: string): Map<string, number> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`--ovh-records ${file}: not JSON (${(err as Error).message}); give the array of GET /domain/zone/{zone}/record/{id} answers.`);
  }
  const parsed = z.array(ovhRecordSchema).safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new InputError(`--ovh-records ${file}: ${i.path.join(".") || "(root)"}: ${i.message}; each item is an OVH record {id, fieldType, subDomain, target, ttl}.`);
  }
  const out = new Map<string, number>();
  for (const r of parsed.data) {
    const type = ["SPF", "DKIM", "DMARC"].includes(r.fieldType.toUpperCase()) ? "TXT" : r.fieldType.toUpperCase();
    out.set(`${(r.subDomain ?? "").toLowerCase()}|${type}|${ovhComparable(type, r.target)}`, r.id);
  }
  return out;
}

/** An OVH target as the record model compares it: TXT strings joined, host names lowercase with their dot. */
function ovhComparable(type: string, target: string): string {
  const t = target.trim();
  switch (type) {
    case "TXT":
      return t.startsWith('"') ? [...t.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]).join("") : t;
    case "CAA":
      return t;
    case "AAAA":
      return canonicalIPv6(t);
    case "NS":
    case "CNAME":
      return `${t.toLowerCase().replace(/\.$/, "")}.`;
    case "MX": {
      const [pref, host] = t.split(/\s+/);
      return host === "." ? `${pref} .` : `${pref} ${(host ?? "").toLowerCase().replace(/\.$/, "")}.`;
    }
    default:
      return t.toLowerCase();
  }
}
