/**
 * Commune name → slug, exactly as ../shared/spec/naming.md says:
 * NFC; œ/æ/ß spelled out; accents removed; lowercase; every run outside a-z0-9 → "-".
 * No library is used here: slugify 1.6.x merges `L'Épine` with `Lépine` and drops `œ`
 * (measured in the spec), so the eight lines below are the algorithm itself.
 */
const LIGATURES: Record<string, string> = { "œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ẞ": "ss" };
const LIGATURE_RE = /[œŒæÆßẞ]/g;
const COMBINING_MARKS_RE = /\p{M}+/gu;
const NON_LDH_RUN_RE = /[^a-z0-9]+/g;
const EDGE_HYPHENS_RE = /^-+|-+$/g;

const PLAIN_ASCII_RE = /^[\x20-\x7e]*$/;

export function slugify(name: string): string {
  if (PLAIN_ASCII_RE.test(name)) {
    // Fast path (most names): nothing to compose, spell out or strip.
    return name.toLowerCase().replace(NON_LDH_RUN_RE, "-").replace(EDGE_HYPHENS_RE, "");
  }
  return name
    .normalize("NFC")
    .replace(LIGATURE_RE, (c) => LIGATURES[c] ?? c)
    .normalize("NFD")
    .replace(COMBINING_MARKS_RE, "")
    .toLowerCase()
    .replace(NON_LDH_RUN_RE, "-")
    .replace(EDGE_HYPHENS_RE, "");
}
