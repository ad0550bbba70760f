import { isIPv4, isIPv6 } from "node:net";
import { InputError } from "../errors.js";
import { compressIPv6 } from "../dns/resolve.js";

/**
 * Reads an RFC 1035 master file (what OVH's and Scaleway's zone exports give) into
 * records in the record model's presentation form (TXT as one whole unquoted text, host
 * names absolute with their dot, AAAA compressed). Written here rather than taken from
 * npm: measured on a real-world export, dns-zonefile 0.3.2 gives a record with no owner
 * to the apex (an SPF moves from its label to the zone) and loses a TXT split across
 * parentheses, zone-file 1.0.0 takes `IN` for an owner, and dnsz 4.5.2 reads
 * `a IN 300 TXT` (class before TTL, which RFC 1035 allows) as type "IN", an unquoted
 * `TXT hello world` as class TXT, and decodes no escape. This parser handles what those
 * exports contain: `$ORIGIN` and `$TTL` (with units: 1h, 1d2h), `@`, relative and
 * absolute names, an omitted owner (the previous one), TTL and class in either order or
 * omitted, parentheses across lines, `;` comments (not inside quotes), quoted and
 * unquoted character-strings with `\"`, `\\` and `\DDD` escapes, several strings in one
 * TXT record. `$INCLUDE` and `$GENERATE` are refused (an export never has them).
 */

export interface ZoneFileRecord {
  /** Line where the record starts. */
  line: number;
  /** Owner, absolute, lowercase, without the trailing dot ("collectivite.fr", "mx.bonnil.collectivite.fr"). */
  name: string;
  ttl: number;
  /** Uppercase mnemonic (A, NS, TXT, …; TYPE65 as written for unknown ones). */
  type: string;
  /** Presentation value as the record model keeps it; for types the model does not know, the RDATA as written. */
  value: string;
  /** Why the record cannot be taken as it is (a name with characters outside letters, digits, `-`, `_`, `*`; a TXT with non-ASCII). */
  problem: string | null;
}

export interface ParsedZone {
  /** The origin the file starts with ($ORIGIN, or the one given). */
  origin: string;
  records: ZoneFileRecord[];
}

interface Token {
  text: string;
  quoted: boolean;
}

interface LogicalLine {
  line: number;
  /** The line starts with blank space: its owner is the previous record's. */
  continues: boolean;
  tokens: Token[];
}

class ZoneSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** Splits the text into logical lines: comments dropped, parentheses joined, quoted strings kept whole. */
function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  let line = 1;
  let current: LogicalLine | null = null;
  let depth = 0;
  let openedAt = 0;
  let atLineStart = true;
  let i = 0;
  const push = (t: Token) => {
    current ??= { line, continues: false, tokens: [] };
    current.tokens.push(t);
  };
  const endLine = () => {
    if (current && current.tokens.length > 0) out.push(current);
    current = null;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      i++;
      if (depth === 0) {
        endLine();
        atLineStart = true;
      }
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      if (atLineStart && depth === 0 && c !== "\r") current = { line, continues: true, tokens: [] };
      atLineStart = false;
      i++;
      continue;
    }
    atLineStart = false;
    if (c === ";") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (c === "(") {
      if (depth === 0) openedAt = line;
      depth++;
      i++;
      continue;
    }
    if (c === ")") {
      if (depth === 0) throw new ZoneSyntaxError(line, "a closing parenthesis without an opening one");
      depth--;
      i++;
      continue;
    }
    if (c === '"') {
      const start = line;
      let s = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new ZoneSyntaxError(start, "a quoted string is not closed");
        const d = text[i]!;
        if (d === "\n") throw new ZoneSyntaxError(start, "a quoted string runs past the end of its line (close it with \")");
        if (d === "\\") {
          s += text.slice(i, i + (/^\\\d{3}/.test(text.slice(i, i + 4)) ? 4 : 2));
          i += /^\\\d{3}/.test(text.slice(i, i + 4)) ? 4 : 2;
          continue;
        }
        if (d === '"') break;
        s += d;
        i++;
      }
      i++;
      push({ text: s, quoted: true });
      continue;
    }
    let s = "";
    while (i < text.length && !/[\s;()"]/.test(text[i]!)) {
      if (text[i] === "\\") {
        const esc = /^\\\d{3}/.test(text.slice(i, i + 4)) ? 4 : 2;
        s += text.slice(i, i + esc);
        i += esc;
      } else s += text[i++];
    }
    push({ text: s, quoted: false });
  }
  if (depth > 0) throw new ZoneSyntaxError(openedAt, "an opening parenthesis is never closed");
  endLine();
  return out;
}

/** `\DDD` and `\X` escapes into bytes (for character-strings). */
function unescapeBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== "\\") {
      bytes.push(...Buffer.from(c, "utf8"));
      continue;
    }
    const ddd = /^\d{3}/.exec(text.slice(i + 1, i + 4));
    if (ddd) {
      const v = Number(ddd[0]);
      if (v > 255) throw new Error(`\\${ddd[0]} is not an octet (000 to 255)`);
      bytes.push(v);
      i += 3;
    } else if (i + 1 < text.length) {
      bytes.push(...Buffer.from(text[i + 1]!, "utf8"));
      i++;
    }
  }
  return Buffer.from(bytes);
}

const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** A TTL: seconds, or BIND units (1h, 1d12h); null when the token is not one. */
export function parseTtl(token: string): number | null {
  if (/^\d+$/.test(token)) return Number(token);
  if (!/^(\d+[smhdw])+$/i.test(token)) return null;
  let total = 0;
  for (const m of token.toLowerCase().matchAll(/(\d+)([smhdw])/g)) total += Number(m[1]) * TTL_UNITS[m[2]!]!;
  return total;
}

const CLASSES = new Set(["IN", "CH", "HS", "CS"]);

/** A name token as an absolute lowercase name (no trailing dot), and a problem when a label is not LDH/underscore/wildcard. */
function absoluteName(token: string, origin: string): { name: string; problem: string | null } {
  if (token === "@") return { name: origin, problem: null };
  const absolute = /(^|[^\\])\.$/.test(token) || token === ".";
  const body = absolute ? token.slice(0, -1) : token;
  // Labels split on unescaped dots; escapes decoded inside each label.
  const labels: string[] = [];
  let current = "";
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "\\") {
      const esc = /^\\\d{3}/.test(body.slice(i, i + 4)) ? 4 : 2;
      current += body.slice(i, i + esc);
      i += esc - 1;
    } else if (body[i] === ".") {
      labels.push(current);
      current = "";
    } else current += body[i];
  }
  if (body !== "") labels.push(current);
  let problem: string | null = null;
  const decoded = labels.map((l) => {
    const text = unescapeBytes(l).toString("latin1").toLowerCase();
    if (!/^(\*|[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)$/.test(text)) problem ??= `the label ${JSON.stringify(text)} holds characters outside letters, digits, "-" and "_"`;
    return text.includes(".") ? text.replace(/\./g, "\\.") : text;
  });
  const relative = decoded.join(".");
  if (absolute) return { name: relative, problem };
  return { name: relative === "" ? origin : origin === "" ? relative : `${relative}.${origin}`, problem };
}

function hostValue(token: Token | undefined, origin: string, what: string): string {
  if (!token || token.quoted) throw new Error(`${what} needs a host name`);
  if (token.text === ".") return ".";
  const { name, problem } = absoluteName(token.text, origin);
  if (problem) throw new Error(`${what} ${token.text}: ${problem}`);
  return `${name}.`;
}

function uint(token: Token | undefined, max: number, what: string): number {
  if (!token || !/^\d+$/.test(token.text) || Number(token.text) > max) throw new Error(`${what} must be an integer from 0 to ${max} (found ${token ? JSON.stringify(token.text) : "nothing"})`);
  return Number(token.text);
}

/** The RDATA of one record in the model's presentation form. */
function rdata(type: string, tokens: Token[], origin: string): { value: string; problem: string | null } {
  const one = () => {
    if (tokens.length !== 1) throw new Error(`${type} takes one value (found ${tokens.length})`);
    return tokens[0]!;
  };
  switch (type) {
    case "A": {
      const t = one();
      if (!isIPv4(t.text)) throw new Error(`${JSON.stringify(t.text)} is not an IPv4 address`);
      return { value: t.text, problem: null };
    }
    case "AAAA": {
      const t = one();
      if (!isIPv6(t.text)) throw new Error(`${JSON.stringify(t.text)} is not an IPv6 address`);
      return { value: compressIPv6(t.text), problem: null };
    }
    case "NS":
    case "CNAME":
      return { value: hostValue(one(), origin, type), problem: null };
    case "MX": {
      if (tokens.length !== 2) throw new Error(`MX takes a preference and a host (found ${tokens.length} values)`);
      return { value: `${uint(tokens[0], 65535, "the MX preference")} ${hostValue(tokens[1], origin, "MX")}`, problem: null };
    }
    case "TXT": {
      if (tokens.length === 0) throw new Error("TXT needs at least one character-string");
      const chunks = tokens.map((t) => unescapeBytes(t.text));
      const long = chunks.find((c) => c.length > 255);
      if (long) throw new Error(`a character-string of ${long.length} octets; each is at most 255 (split it into several quoted strings)`);
      const whole = Buffer.concat(chunks);
      const ascii = whole.every((b) => b >= 0x20 && b <= 0x7e);
      return { value: whole.toString(ascii ? "latin1" : "utf8"), problem: ascii ? null : "the TXT value holds control or non-ASCII octets" };
    }
    case "CAA": {
      if (tokens.length !== 3) throw new Error(`CAA takes flags, a tag and a value (found ${tokens.length} values)`);
      const value = unescapeBytes(tokens[2]!.text).toString("latin1");
      return { value: `${uint(tokens[0], 255, "the CAA flags")} ${tokens[1]!.text.toLowerCase()} "${value}"`, problem: /["\\]/.test(value) ? "the CAA value holds a quote or backslash" : null };
    }
    case "DS": {
      if (tokens.length < 4) throw new Error(`DS takes a key tag, an algorithm, a digest type and a digest (found ${tokens.length} values)`);
      const digest = tokens.slice(3).map((t) => t.text).join("").toUpperCase();
      if (!/^[0-9A-F]+$/.test(digest)) throw new Error("the DS digest is not hexadecimal");
      return { value: `${uint(tokens[0], 65535, "the DS key tag")} ${uint(tokens[1], 255, "the DS algorithm")} ${uint(tokens[2], 255, "the DS digest type")} ${digest}`, problem: null };
    }
    case "SOA": {
      if (tokens.length !== 7) throw new Error(`SOA takes 7 values (found ${tokens.length})`);
      const times = tokens.slice(2).map((t, i) => {
        const v = i === 0 ? (/^\d+$/.test(t.text) ? Number(t.text) : null) : parseTtl(t.text);
        if (v === null) throw new Error(`SOA value ${JSON.stringify(t.text)} is not a number`);
        return v;
      });
      return { value: `${hostValue(tokens[0], origin, "SOA MNAME")} ${hostValue(tokens[1], origin, "SOA RNAME")} ${times.join(" ")}`, problem: null };
    }
    default:
      return { value: tokens.map((t) => (t.quoted ? `"${t.text}"` : t.text)).join(" "), problem: null };
  }
}

/**
 * Parses a zone file. `origin` is the zone the file is for (OVH's export has no $ORIGIN).
 * Every syntax error is an InputError naming `file:line` and what is wrong; nothing is
 * returned unless the whole file reads.
 */
export function parseZoneFile(text: string, file: string, origin: string): ParsedZone {
  const startOrigin = origin.toLowerCase().replace(/\.$/, "");
  let currentOrigin = startOrigin;
  let defaultTtl: number | null = null;
  let lastTtl: number | null = null;
  let lastOwner: string | null = null;
  let lastOwnerProblem: string | null = null;
  const records: ZoneFileRecord[] = [];
  const problems: string[] = [];
  let lines: LogicalLine[];
  try {
    lines = logicalLines(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    if (err instanceof ZoneSyntaxError) throw new InputError(`${file}:${err.line}: ${err.message}; nothing imported.`);
    throw err;
  }
  let firstOrigin: string | null = null;
  for (const l of lines) {
    const at = `${file}:${l.line}`;
    try {
      const [head, ...rest] = l.tokens;
      if (!l.continues && head && !head.quoted && head.text.startsWith("$")) {
        const directive = head.text.toUpperCase();
        if (directive === "$ORIGIN") {
          if (rest.length !== 1) throw new Error("$ORIGIN takes one name");
          const o = absoluteName(rest[0]!.text.endsWith(".") ? rest[0]!.text : `${rest[0]!.text}`, currentOrigin);
          currentOrigin = o.name;
          firstOrigin ??= currentOrigin;
        } else if (directive === "$TTL") {
          const ttl = rest.length === 1 ? parseTtl(rest[0]!.text) : null;
          if (ttl === null) throw new Error("$TTL takes one TTL (3600, 1h, 1d)");
          defaultTtl = ttl;
        } else if (directive === "$INCLUDE" || directive === "$GENERATE") {
          throw new Error(`${directive} is not supported: give the export as one file with every record written out`);
        } else throw new Error(`unknown directive ${head.text}`);
        continue;
      }
      let tokens = l.tokens;
      let owner: string;
      let ownerProblem: string | null;
      if (l.continues) {
        if (lastOwner === null) throw new Error("the first record has no owner name");
        owner = lastOwner;
        ownerProblem = lastOwnerProblem;
      } else {
        const n = absoluteName(tokens[0]!.text, currentOrigin);
        owner = n.name;
        ownerProblem = n.problem;
        tokens = tokens.slice(1);
      }
      let ttl: number | null = null;
      let cls: string | null = null;
      for (let k = 0; k < 2 && tokens.length > 0; k++) {
        const t = tokens[0]!;
        if (t.quoted) break;
        const asTtl: number | null = ttl === null ? parseTtl(t.text) : null;
        if (asTtl !== null) {
          ttl = asTtl;
          tokens = tokens.slice(1);
        } else if (cls === null && CLASSES.has(t.text.toUpperCase())) {
          cls = t.text.toUpperCase();
          tokens = tokens.slice(1);
        } else break;
      }
      if (cls !== null && cls !== "IN") throw new Error(`class ${cls}: only IN records belong in a zone export`);
      const typeToken = tokens[0];
      if (!typeToken || typeToken.quoted || !/^[A-Za-z][A-Za-z0-9]*$/.test(typeToken.text)) throw new Error(`no record type after the owner ${owner}`);
      const type = typeToken.text.toUpperCase();
      const value = rdata(type, tokens.slice(1), currentOrigin);
      const effectiveTtl = ttl ?? defaultTtl ?? lastTtl;
      if (effectiveTtl === null) throw new Error("no TTL: give one on the record or a $TTL line before it");
      if (ttl !== null) lastTtl = ttl;
      lastOwner = owner;
      lastOwnerProblem = ownerProblem;
      records.push({ line: l.line, name: owner, ttl: effectiveTtl, type, value: value.value, problem: ownerProblem ?? value.problem });
    } catch (err) {
      if (err instanceof InputError) throw err;
      problems.push(`${at}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) {
    throw new InputError(`${file}: ${problems.length} unreadable record(s), nothing imported:\n  ${problems.slice(0, 30).join("\n  ")}${problems.length > 30 ? `\n  … and ${problems.length - 30} more` : ""}`);
  }
  return { origin: firstOrigin ?? startOrigin, records };
}
