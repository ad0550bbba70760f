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
export function parseResolverOption(raw: string): string {
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(raw);
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(raw);
  const m = v4 ?? v6;
  const port = m?.[2] === undefined ? 53 : Number(m[2]);
  if (!m || port < 1 || port > 65535 || (v4 && m[1]!.split(".").some((o) => Number(o) > 255))) {
    throw new InputError(`--resolver ${quoteInput(raw)} is not an address; use HOST:PORT with an IP address, e.g. 127.0.0.1:5353 or [::1]:53.`);
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
      return (await resolver.resolve6(q.fqdn)).map(canonicalIPv6);
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

/** Full, lowercase form of an IPv6 address, so that 2001:db8::10 equals 2001:0db8:0:0:0:0:0:0010. */
export function canonicalIPv6(address: string): string {
  const [head, tail] = address.toLowerCase().split("::") as [string, string | undefined];
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const fill = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...fill, ...right].map((g) => g.padStart(4, "0")).join(":");
}
