import punycode from "punycode/punycode.js";
import { InputError, quoteInput } from "../errors.js";
import { slugify } from "./slug.js";

/** What a typed query was recognised as. */
export type QueryKind = "siren" | "insee" | "key" | "fqdn" | "label-or-name";

export interface NormalizedQuery {
  input: string;
  kind: QueryKind;
  /** The query in Unicode NFC, lowercased (for FQDNs and A-labels: decoded). */
  unicode: string;
  /** ASCII form: the slug of a name or label, the A-label form of an FQDN. */
  ascii: string;
  /** For siren/insee/key: the identifier; for names, labels and FQDNs: the label to look up. */
  value: string;
  /** For an FQDN with labels below the commune's (www.mende.collectivite.fr): those labels. */
  subLabels?: string[];
}

const MAX_QUERY_LENGTH = 253; // the longest possible domain name
// Letters of the Latin script (French names), digits, combining marks, and the punctuation
// found in commune names and domain names. Everything else is refused by name.
const ALLOWED_CHAR_RE = /^[\p{Script=Latin}\p{M}0-9 '’\-().,_:]$/u;

function describeChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) return `control character ${hex}`;
  if (/\p{Extended_Pictographic}/u.test(ch)) return `emoji ${hex}`;
  for (const script of ["Cyrillic", "Greek", "Arabic", "Hebrew", "Han", "Hiragana", "Katakana", "Hangul", "Armenian", "Georgian"]) {
    if (new RegExp(`\\p{Script=${script}}`, "u").test(ch)) return `${script} character "${ch}" ${hex} (a look-alike of a Latin letter?)`;
  }
  return `character ${JSON.stringify(ch)} ${hex}`;
}

function checkCharacters(input: string, text: string): void {
  for (const ch of text) {
    if (!ALLOWED_CHAR_RE.test(ch)) {
      throw new InputError(
        `query ${quoteInput(input)} contains a ${describeChar(ch)}; type a commune name in Latin letters, a SIREN (9 digits), an INSEE code (5 characters), a label or a domain under the zone.`,
      );
    }
  }
}

function decodeALabel(input: string, label: string): string {
  if (!label.startsWith("xn--")) return label;
  try {
    const decoded = punycode.toUnicode(label);
    // A valid A-label decodes to a non-empty name that encodes back to exactly itself.
    if (decoded === label || decoded.length === 0 || punycode.toASCII(decoded) !== label) throw new Error("not canonical");
    return decoded;
  } catch {
    throw new InputError(`query ${quoteInput(input)}: "${label}" is not valid punycode (an A-label starts with xn-- followed by a valid encoding).`);
  }
}

/**
 * Normalises what support staff and scripts type: names with or without accents,
 * SIREN, INSEE codes, labels, FQDNs under `zone`, IDN and A-label forms.
 */
export function normalizeQuery(input: string, zone: string): NormalizedQuery {
  const trimmed = input.trim();
  if (trimmed.length === 0) throw new InputError("the query is empty; type a commune name, a SIREN, an INSEE code, a label or a domain name.");
  if (trimmed.length > MAX_QUERY_LENGTH) {
    throw new InputError(`query ${quoteInput(trimmed)} is too long (at most ${MAX_QUERY_LENGTH} characters, the length of a domain name).`);
  }
  const nfc = trimmed.normalize("NFC");
  checkCharacters(input, nfc);
  const lower = nfc.toLowerCase();

  if (/^\d{9}$/.test(lower)) return { input, kind: "siren", unicode: lower, ascii: lower, value: lower };
  if (/^(\d{5}|2[ab]\d{3})$/.test(lower)) {
    const code = lower.toUpperCase();
    return { input, kind: "insee", unicode: code, ascii: code, value: code };
  }
  const key = /^insee:(\d{5})$/.exec(lower);
  if (key) return { input, kind: "key", unicode: lower, ascii: lower, value: lower };

  if (lower.includes(".")) return normalizeFqdn(input, lower, zone);

  const unicode = decodeALabel(input, lower);
  if (unicode !== lower) checkCharacters(input, unicode);
  const ascii = slugify(unicode);
  if (ascii.length === 0) throw new InputError(`query ${quoteInput(input)} has no letter or digit to look up.`);
  return { input, kind: "label-or-name", unicode, ascii, value: ascii };
}

function normalizeFqdn(input: string, lower: string, zone: string): NormalizedQuery {
  const name = lower.replace(/\.$/, "");
  const labels = name.split(".");
  if (labels.some((l) => l.length === 0)) throw new InputError(`query ${quoteInput(input)} is not a domain name (empty label between dots).`);
  const unicodeLabels = labels.map((l) => decodeALabel(input, l));
  unicodeLabels.forEach((l) => checkCharacters(input, l));
  let asciiLabels: string[];
  try {
    asciiLabels = unicodeLabels.map((l) => punycode.toASCII(l));
  } catch {
    throw new InputError(`query ${quoteInput(input)} cannot be encoded as an IDN domain name.`);
  }
  const zoneLabels = zone.toLowerCase().replace(/\.$/, "").split(".");
  const under = asciiLabels.length > zoneLabels.length && zoneLabels.every((z, i) => asciiLabels[asciiLabels.length - zoneLabels.length + i] === z);
  if (!under) throw new InputError(`query ${quoteInput(input)} is not a name under ${zone}; type <label>.${zone}, a label, a name, a SIREN or an INSEE code.`);
  const communeIndex = asciiLabels.length - zoneLabels.length - 1;
  const label = unicodeLabels[communeIndex]!;
  // An IDN label (saint-rémy) designates the commune whose slug it gives.
  const value = /^[a-z0-9-]+$/.test(label) ? label : slugify(label);
  return {
    input,
    kind: "fqdn",
    unicode: unicodeLabels.join("."),
    ascii: asciiLabels.join("."),
    value,
    ...(communeIndex > 0 ? { subLabels: asciiLabels.slice(0, communeIndex) } : {}),
  };
}
