import { Resolver } from "node:dns/promises";
import { FailureError, InputError, quoteInput } from "../errors.js";
import type { RecordType } from "../records/types.js";

/**
 * Asks a DNS server (node's resolver, c-ares) for RRsets and returns them in the model's
 * presentation form, so that `verify` compares like with like.
 */

export type Answer =
  | { status: "ok"; values: string[] }
  | { status: "nodata" } // the name exists, not this type
  | { status: "nxdomain" } // the name does not exist
  | { status: "error"; code: string };

export interface Query {
  fqdn: string;
  type: RecordType;
}

/** `HOST:PORT`, `HOST` (port 53) or `[IPv6]:PORT` into what Resolver.setServers takes. */
export function parseResolverOption(raw: string, option = "--resolver"): string {
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(raw);
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(raw);
  const m = v4 ?? v6;
  const port = m?.[2] === undefined ? 53 : Number(m[2]);
  if (!m || port < 1 || port > 65535 || (v4 && m[1]!.split(".").some((o) => Number(o) > 255))) {
    throw new InputError(`${option} ${quoteInput(raw)} is not an address; use HOST:PORT with an IP address, e.g. 127.0.0.1:5353 or [::1]:53.`);
  }
  return v4 ? `${m[1]}:${port}` : `[${m[1]}]:${port}`;
}

export function makeResolver(server?: string, timeoutMs = 2000): Resolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (server) resolver.setServers([server]);
  return resolver;
}

/** Codes that mean "no server answered": nothing can be verified, so the whole command fails. */
const UNREACHABLE = new Set(["ECONNREFUSED", "ETIMEOUT", "ETIMEDOUT", "ECONNRESET", "ENOTINITIALIZED"]);

export async function query(resolver: Resolver, q: Query, serverLabel: string): Promise<Answer> {
  try {
    return { status: "ok", values: await ask(resolver, q) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "UNKNOWN";
    if (code === "ENODATA") return { status: "nodata" };
    if (code === "ENOTFOUND") return { status: "nxdomain" };
    if (UNREACHABLE.has(code)) throw new FailureError(`the DNS server ${serverLabel} did not answer for ${q.fqdn} ${q.type} (${code}); check that it runs and --resolver HOST:PORT.`);
    return { status: "error", code };
  }
}

async function ask(resolver: Resolver, q: Query): Promise<string[]> {
  switch (q.type) {
    case "A":
      return resolver.resolve4(q.fqdn);
    case "AAAA":
      return (await resolver.resolve6(q.fqdn)).map(compressIPv6);
    case "CNAME":
      return (await resolver.resolveCname(q.fqdn)).map(absolute);
    case "NS":
      return (await resolver.resolveNs(q.fqdn)).map(absolute);
    case "MX":
      // c-ares gives the null MX's "." as an empty exchange.
      return (await resolver.resolveMx(q.fqdn)).map((mx) => `${mx.priority} ${absolute(mx.exchange)}`);
    case "TXT":
      // One value per record: its character-strings joined, as the model keeps it.
      return (await resolver.resolveTxt(q.fqdn)).map((chunks) => chunks.join(""));
    case "DS":
      // c-ares has no DS resolver: verify asks the parent for a delegation's DS on the wire (src/dns/wire.ts).
      throw Object.assign(new Error("DS is not asked through the system resolver"), { code: "NOTIMP" });
    case "CAA":
      return (await resolver.resolveCaa(q.fqdn)).map((c) => {
        const [tag, value] = Object.entries(c).find(([k]) => k !== "critical") ?? ["?", ""];
        return `${c.critical} ${tag} "${String(value)}"`;
      });
  }
}

function absolute(host: string): string {
  return host === "" ? "." : `${host.toLowerCase().replace(/\.$/, "")}.`;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part counts as two); null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  let text = address.trim().toLowerCase();
  const v4 = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const o = v4.slice(2).map(Number);
    if (o.some((x) => x > 255)) return null;
    text = `${v4[1]}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const part = (h: string) => (h === "" ? [] : h.split(":"));
  const left = part(halves[0]!);
  const right = halves.length === 2 ? part(halves[1]!) : [];
  const fill = halves.length === 2 ? 8 - left.length - right.length : 0;
  if (fill < (halves.length === 2 ? 1 : 0) || left.length + right.length + fill !== 8) return null;
  const groups = [...left, ...new Array<string>(fill).fill("0"), ...right];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => parseInt(g, 16));
}

/** Full, lowercase form of an IPv6 address, for comparing: 2001:db8::10 equals 2001:0db8:0:0:0:0:0:0010. Not for display. */
export function canonicalIPv6(address: string): string {
  const groups = ipv6Groups(address);
  return groups ? groups.map((g) => g.toString(16).padStart(4, "0")).join(":") : address.toLowerCase();
}

/** RFC 5952 form, for display: lowercase, no leading zeros, the longest run of two or more zero groups as "::" (the first on a tie). */
export function compressIPv6(address: string): string {
  const groups = ipv6Groups(address);
  if (!groups) return address;
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.len < 2) return hex.join(":");
  return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.len).join(":")}`;
}
