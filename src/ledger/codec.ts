import type { z } from "zod";
import { InputError } from "../errors.js";
import { enrolmentSchema, ledgerEntrySchema, type LedgerEntry } from "./schema.js";

/**
 * Ledger text <-> entries. One JSON object a line, sorted by label, keys in one fixed
 * order and default-valued fields left out, so that a change shows in git as the few
 * lines it touched.
 */
const KEY_ORDER = [
  "label", "state", "key", "aliasOf", "inheritedFrom", "reservedReason", "name", "departement",
  "inseeHistory", "nameHistory", "allocatedAt", "updatedAt", "tombstonedAt", "legacy", "grandfathered", "services",
  "delegation", "undelegatedAt", "adopted",
] as const satisfies readonly (keyof LedgerEntry)[];

function isDefault(key: string, value: unknown): boolean {
  if (value === undefined) return true;
  if (value === false && (key === "legacy" || key === "grandfathered")) return true;
  if (Array.isArray(value) && value.length === 0) return true;
  if (key === "services" && Object.keys(value as object).length === 0) return true;
  return false;
}

/** The entry as a plain object in canonical key order (what is written and what the audit log shows). */
export function canonicalEntry(entry: LedgerEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of KEY_ORDER) if (!isDefault(k, entry[k])) out[k] = entry[k];
  return out;
}

/** Serialised text of frozen entries (read from the file or already written): they cannot change. */
const serialized = new WeakMap<LedgerEntry, string>();

export function serializeEntry(entry: LedgerEntry): string {
  const known = serialized.get(entry);
  if (known !== undefined) return known;
  const text = JSON.stringify(canonicalEntry(entry));
  if (Object.isFrozen(entry)) serialized.set(entry, text);
  return text;
}

export function compareLabels(a: { label: string }, b: { label: string }): number {
  return a.label < b.label ? -1 : a.label > b.label ? 1 : 0;
}

export function serializeLedger(entries: readonly LedgerEntry[]): string {
  const sorted = [...entries].sort(compareLabels);
  return sorted.length === 0 ? "" : `${sorted.map(serializeEntry).join("\n")}\n`;
}

export function sameEntry(a: LedgerEntry | undefined, b: LedgerEntry | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return serializeEntry(a) === serializeEntry(b);
}

/** An entry with the file line it was read from (validate and error messages name it). */
export interface NumberedEntry {
  entry: LedgerEntry;
  line: number;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "line"}: ${i.message}`).join("; ");
}

/**
 * Parses and validates ledger text. Blank lines are allowed (a trailing newline);
 * any other bad line, and any label that appears twice, is an InputError naming
 * `file:line` and the rule it breaks.
 */
/**
 * Lines this process has already validated, from its last read: zod is deterministic, so
 * a line of identical text needs no second check. A loop of transactions (an onboarding
 * script) then validates only the lines that changed since its previous read. Cached
 * entries are frozen, so that a caller mutating one fails loudly instead of corrupting
 * the next read.
 */
let validatedLines = new Map<string, LedgerEntry>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export function parseLedgerText(text: string, file: string): NumberedEntry[] {
  const previous = validatedLines;
  const current = new Map<string, LedgerEntry>();
  const out: NumberedEntry[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  let line = 0;
  for (const content of text.split("\n")) {
    line++;
    if (content.trim() === "") continue;
    const entry = previous.get(content) ?? validateLine(content, `${file}:${line}`, problems);
    if (entry === null) continue;
    const first = seen.get(entry.label);
    if (first !== undefined) {
      problems.push(`${file}:${line}: label "${entry.label}" already appears on line ${first} (one record per label: merge or remove the duplicate)`);
      continue;
    }
    seen.set(entry.label, line);
    current.set(content, entry);
    out.push({ entry, line });
  }
  if (problems.length === 0) {
    validatedLines = current;
    return out;
  }
  const shown = problems.slice(0, 20).join("\n  ");
  const more = problems.length > 20 ? `\n  … and ${problems.length - 20} more` : "";
  throw new InputError(`the ledger ${file} has ${problems.length} bad line(s); fix them by hand (git diff shows what changed) and run \`domaines validate\`:\n  ${shown}${more}`);
}

/** One line through JSON.parse and zod (one parse per line: measured faster than an array parse, and names the line). */
function validateLine(content: string, where: string, problems: string[]): LedgerEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (err) {
    problems.push(`${where}: not a JSON object (${(err as Error).message})`);
    return null;
  }
  const parsed = ledgerEntrySchema.safeParse(value);
  if (!parsed.success) {
    problems.push(`${where}: ${describeIssues(parsed.error)}`);
    return null;
  }
  return deepFreeze(parsed.data);
}

/**
 * The defaults zod fills in (fields the canonical text leaves out), read from the
 * schemas themselves so that the trusted reader below never drifts from them.
 */
function defaultsOf(schema: { shape: Record<string, unknown> }): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [key, field] of Object.entries(schema.shape)) {
    const def = (field as { _zod: { def: { type: string; defaultValue?: unknown } } })._zod.def;
    if (def.type === "default") out.push([key, def.defaultValue]);
  }
  return out;
}
const ENTRY_DEFAULTS = defaultsOf(ledgerEntrySchema);
const ENROLMENT_DEFAULTS = defaultsOf(enrolmentSchema);

function fillDefaults(target: Record<string, unknown>, defaults: readonly [string, unknown][]): void {
  for (const [key, value] of defaults) {
    if (target[key] === undefined) target[key] = typeof value === "object" && value !== null ? structuredClone(value) : value;
  }
}

/**
 * Parses ledger text this store wrote itself, as proven by the audit log's digest chain
 * (the text's SHA-256 is the one the last committed transaction recorded): JSON and the
 * schema's defaults, without zod, since every line was validated before it was written.
 * Any other text goes through parseLedgerText. Entries are frozen (they are shared with
 * the store's cache) and keep their line text (unchanged lines are written back as is).
 */
export function parseTrustedLedger(text: string): { entries: LedgerEntry[]; lines: string[] } {
  const lines = text === "" ? [] : text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const entries = lines.map((line) => {
    const e = JSON.parse(line) as Record<string, unknown>;
    fillDefaults(e, ENTRY_DEFAULTS);
    for (const enrolment of Object.values(e.services as Record<string, Record<string, unknown>>)) fillDefaults(enrolment, ENROLMENT_DEFAULTS);
    const entry = deepFreeze(e) as unknown as LedgerEntry;
    serialized.set(entry, line);
    return entry;
  });
  return { entries, lines };
}

/** Freezes an entry (and what it holds) so that a caller mutating a shared entry fails loudly. */
export function freezeEntry(entry: LedgerEntry): LedgerEntry {
  return deepFreeze(entry);
}
