import { isIPv4, isIPv6 } from "node:net";

/**
 * Syntax and policy checks of mail TXT records (SPF, DMARC, DKIM, TLS-RPT, MTA-STS),
 * shared by the model's validation and by `verify` on what a DNS server answers.
 */

export interface PolicyProblem {
  rule: "spf" | "spf-lookups" | "spf-all" | "dmarc" | "dmarc-policy" | "dmarc-pct" | "dmarc-alignment";
  why: string;
}

/** SPF terms that cost a DNS look-up (RFC 7208 §4.6.4); at most 10 per evaluation. */
const LOOKUP_TERMS = new Set(["include", "a", "mx", "ptr", "exists", "redirect"]);
export const MAX_SPF_LOOKUPS = 10;
const DOMAIN_SPEC = /^[\x21-\x7e]+$/;

/** RFC 7208 syntax, the look-up budget (direct terms; nested includes live outside the zone) and a closing -all/~all. */
export function checkSpf(value: string): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const terms = value.trim().split(/ +/);
  if (terms[0]?.toLowerCase() !== "v=spf1") return [{ rule: "spf", why: "an SPF record starts with v=spf1" }];
  let lookups = 0;
  for (const term of terms.slice(1)) {
    const modifier = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(term);
    if (modifier) {
      const name = modifier[1]!.toLowerCase();
      if (!DOMAIN_SPEC.test(modifier[2]!)) problems.push({ rule: "spf", why: `modifier "${term}" has no value` });
      if (name === "redirect") lookups++;
      continue;
    }
    const m = /^([-+~?]?)([a-z0-9]+)(?::([^/]*))?(\/\d+)?(\/\/\d+)?$/i.exec(term);
    if (!m) {
      problems.push({ rule: "spf", why: `"${term}" is not an SPF mechanism or modifier` });
      continue;
    }
    const mech = m[2]!.toLowerCase();
    const arg = m[3];
    const ok =
      (mech === "all" && arg === undefined && !m[4]) ||
      ((mech === "include" || mech === "exists") && arg !== undefined && DOMAIN_SPEC.test(arg) && !m[4]) ||
      ((mech === "a" || mech === "mx") && (arg === undefined || DOMAIN_SPEC.test(arg))) ||
      (mech === "ptr" && (arg === undefined || DOMAIN_SPEC.test(arg)) && !m[4]) ||
      (mech === "ip4" && arg !== undefined && isIPv4(arg) && cidrOk(m[4], 32) && !m[5]) ||
      (mech === "ip6" && arg !== undefined && isIPv6(arg) && cidrOk(m[4], 128) && !m[5]);
    if (!ok) problems.push({ rule: "spf", why: `"${term}" is not a valid SPF mechanism` });
    if (LOOKUP_TERMS.has(mech)) lookups++;
  }
  if (lookups > MAX_SPF_LOOKUPS) problems.push({ rule: "spf-lookups", why: `${lookups} DNS look-ups, more than ${MAX_SPF_LOOKUPS} (receivers return permerror)` });
  const last = terms[terms.length - 1]!.toLowerCase();
  // Ending with all also means nothing follows it (terms after all are never evaluated).
  if (last !== "-all" && last !== "~all") problems.push({ rule: "spf-all", why: `ends with "${terms[terms.length - 1]}"; it must end with -all (or ~all)` });
  return problems;
}

function cidrOk(cidr: string | undefined, max: number): boolean {
  return cidr === undefined || Number(cidr.slice(1)) <= max;
}

const DMARC_TAGS = new Set(["v", "p", "sp", "np", "adkim", "aspf", "rua", "ruf", "pct", "fo", "rf", "ri", "psd", "t"]);

/** Parsed DMARC tags, or null when the value is not a DMARC record at all. */
export function parseDmarc(value: string): Map<string, string> | null {
  const tags = new Map<string, string>();
  const parts = value.split(";").map((p) => p.trim());
  if (parts[parts.length - 1] === "") parts.pop();
  for (const part of parts) {
    const m = /^([a-z]+)\s*=\s*(.*)$/i.exec(part);
    if (!m) return null;
    tags.set(m[1]!.toLowerCase(), m[2]!);
  }
  return tags.get("v") === "DMARC1" && value.trimStart().startsWith("v=") ? tags : null;
}

/** RFC 7489 syntax, the policy RPNT 2.7 asks for (p=quarantine|reject, also sp/np, no pct below 100) and strict alignment (adkim=s, aspf=s). */
export function checkDmarc(value: string): PolicyProblem[] {
  const tags = parseDmarc(value);
  if (!tags) return [{ rule: "dmarc", why: "not a DMARC record: tag=value pairs separated by ';', starting with v=DMARC1" }];
  const problems: PolicyProblem[] = [];
  const keys = [...tags.keys()];
  if (keys[1] !== "p") problems.push({ rule: "dmarc", why: "p= must come right after v=DMARC1" });
  for (const k of keys) if (!DMARC_TAGS.has(k)) problems.push({ rule: "dmarc", why: `unknown tag "${k}"` });
  const p = tags.get("p");
  if (p !== "reject" && p !== "quarantine") problems.push({ rule: "dmarc-policy", why: `p=${p ?? "(absent)"}; the policy must be reject or quarantine` });
  for (const k of ["sp", "np"]) {
    const v = tags.get(k);
    if (v !== undefined && v !== "reject" && v !== "quarantine") problems.push({ rule: "dmarc-policy", why: `${k}=${v}; must be reject or quarantine` });
  }
  const pct = tags.get("pct");
  if (pct !== undefined && pct !== "100") problems.push({ rule: "dmarc-pct", why: `pct=${pct}; a pct below 100 applies the policy to only part of the mail` });
  for (const k of ["adkim", "aspf"]) {
    const v = tags.get(k);
    if (v !== undefined && v !== "r" && v !== "s") problems.push({ rule: "dmarc", why: `${k}=${v}; must be r or s` });
    // collectivite.fr is not on the Public Suffix List: every commune shares one organisational domain, so relaxed alignment (the default) would let one commune's mail align for another's.
    else if (v !== "s") problems.push({ rule: "dmarc-alignment", why: `${v === undefined ? `${k} absent (relaxed by default)` : `${k}=r (relaxed)`}; the communes share the organisational domain, so alignment must be strict: ${k}=s` });
  }
  for (const k of ["rua", "ruf"]) {
    const v = tags.get(k);
    if (v !== undefined && !v.split(",").every((u) => /^mailto:[^\s@,;!]+@[a-z0-9.-]+\.[a-z]{2,}(!\d+[kmgt]?)?$/i.test(u.trim()))) {
      problems.push({ rule: "dmarc", why: `${k}=${v}; must be mailto: addresses separated by commas` });
    }
  }
  return problems;
}

/** RFC 6376 §3.6.1: v=DKIM1 first, a base64 p= (empty p= revokes the key, which we never publish). */
export function checkDkim(value: string): string[] {
  if (!/^v=DKIM1\s*(;|$)/.test(value)) return ["a DKIM key record starts with v=DKIM1;"];
  const p = /(?:^|;)\s*p=([^;]*)/.exec(value);
  if (!p || p[1]!.replace(/\s/g, "") === "") return ["the p= public key is missing or empty"];
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(p[1]!.replace(/\s/g, ""))) return ["p= is not base64"];
  return [];
}

/** RFC 8460 §3. */
export function checkTlsRpt(value: string): string[] {
  const m = /^v=TLSRPTv1\s*;\s*rua=([^;]+?)\s*;?\s*$/.exec(value);
  if (!m) return ["must be v=TLSRPTv1; rua=<mailto: or https: URI>"];
  return m[1]!.split(",").every((u) => /^(mailto:[^\s@]+@[a-z0-9.-]+|https:\/\/\S+)$/i.test(u.trim())) ? [] : [`rua=${m[1]} is not a list of mailto: or https: URIs`];
}

/** RFC 8461 §3.1. */
export function checkMtaSts(value: string): string[] {
  return /^v=STSv1\s*;\s*id=[A-Za-z0-9]{1,32}\s*;?\s*$/.test(value) ? [] : ["must be v=STSv1; id=<1 to 32 letters or digits>"];
}
