import type { z } from "zod";
import { InputError } from "../errors.js";
import { adoptedRecordSchema, delegationSchema, enrolmentSchema, ledgerEntrySchema, type LedgerEntry } from "./schema.js";

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

// A field the schema has but the canonical order lacks would be dropped on every write: refuse to start.
{
  const missing = Object.keys(ledgerEntrySchema.shape).filter((k) => !(KEY_ORDER as readonly string[]).includes(k));
  if (missing.length > 0) throw new Error(`internal: ledger fields ${missing.join(", ")} are not in codec.ts KEY_ORDER (they would not be written)`);
}

function isDefault(key: string, value: unknown): boolean {
  if (value === undefined) return true;
  if (value === false && (key === "legacy" || key === "grandfathered")) return true;
  if (Array.isArray(value) && value.length === 0) return true;
  if (key === "services") {
    for (const _ in value as object) return false;
    return true;
  }
  return false;
}

/** `"label":`, `"state":`, …: each key's JSON once. */
const KEY_JSON = KEY_ORDER.map((k) => `${JSON.stringify(k)}:`);

/**
 * The maps inside an entry (services, each enrolment's quotas) in one order too: their keys
 * sorted, each enrolment's fields in the schema's order. Without it an entry's text would
 * depend on the order a request listed services in, or on a store that keeps no key order
 * (PostgreSQL's jsonb), and a copy between stores would not give the same bytes.
 */
const ENROLMENT_ORDER = Object.keys(enrolmentSchema.shape) as (keyof z.output<typeof enrolmentSchema>)[];

function sortedRecordJson(record: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(record).sort();
  let text = "{";
  for (let i = 0; i < keys.length; i++) text += `${i > 0 ? "," : ""}${JSON.stringify(keys[i])}:${JSON.stringify(record[keys[i]!])}`;
  return `${text}}`;
}

function servicesJson(services: LedgerEntry["services"]): string {
  const names = Object.keys(services).sort();
  let text = "{";
  for (let i = 0; i < names.length; i++) {
    const enrolment = services[names[i]!]!;
    let inner = "";
    for (const field of ENROLMENT_ORDER) {
      const value = enrolment[field];
      if (value === undefined) continue;
      inner += `${inner === "" ? "" : ","}${JSON.stringify(field)}:${field === "quotas" ? sortedRecordJson(value as Record<string, unknown>) : JSON.stringify(value)}`;
    }
    text += `${i > 0 ? "," : ""}${JSON.stringify(names[i])}:{${inner}}`;
  }
  return `${text}}`;
}

/** The delegation and each adopted record in their schema's field order too, for the same reason. */
const DELEGATION_ORDER = Object.keys(delegationSchema.shape);
const ADOPTED_ORDER = Object.keys(adoptedRecordSchema.shape);

function orderedJson(value: Readonly<Record<string, unknown>>, order: readonly string[]): string {
  let text = "";
  for (const field of order) if (value[field] !== undefined) text += `${text === "" ? "" : ","}${JSON.stringify(field)}:${JSON.stringify(value[field])}`;
  return `{${text}}`;
}

/** Fields whose text is not plain JSON.stringify: maps and nested objects written in a fixed order. */
const ORDERED_FIELDS: ReadonlySet<string> = new Set(["services", "delegation", "adopted"]);

function valueJson(key: (typeof KEY_ORDER)[number], value: unknown): string {
  switch (key) {
    case "services":
      return servicesJson(value as LedgerEntry["services"]);
    case "delegation":
      return orderedJson(value as Record<string, unknown>, DELEGATION_ORDER);
    case "adopted":
      return `[${(value as Record<string, unknown>[]).map((r) => orderedJson(r, ADOPTED_ORDER)).join(",")}]`;
    default:
      return JSON.stringify(value);
  }
}

/** The entry as a plain object in canonical order (what is written and what the audit log shows). */
export function canonicalEntry(entry: LedgerEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of KEY_ORDER) if (!isDefault(k, entry[k])) out[k] = ORDERED_FIELDS.has(k) ? JSON.parse(valueJson(k, entry[k])) : entry[k];
  return out;
}

/** Serialised text of frozen entries (read from the file or already written): they cannot change. */
const serialized = new WeakMap<LedgerEntry, string>();

export function serializeEntry(entry: LedgerEntry): string {
  const known = serialized.get(entry);
  if (known !== undefined) return known;
  // The text of JSON.stringify(canonicalEntry(entry)), built without the intermediate object (35,000 a full write).
  let text = "{";
  for (let i = 0; i < KEY_ORDER.length; i++) {
    const value = entry[KEY_ORDER[i]!];
    if (isDefault(KEY_ORDER[i]!, value)) continue;
    text += `${text.length > 1 ? "," : ""}${KEY_JSON[i]}${valueJson(KEY_ORDER[i]!, value)}`;
  }
  text += "}";
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
  if (a === b) return true; // the same validated object (validate's replay reuses the ledger's)
  if (a === undefined || b === undefined) return false;
  return serializeEntry(a) === serializeEntry(b);
}

/** An entry with the file line it was read from (validate and error messages name it). */
export interface NumberedEntry {
  entry: LedgerEntry;
  line: number;
  /** The line's text as read. */
  text: string;
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

/** Freezes an entry and what it holds (histories, enrolments, quotas): the shape is known, so no generic walk. */
function deepFreeze<T>(value: T): T {
  const e = value as unknown as LedgerEntry;
  for (const h of e.inseeHistory) Object.freeze(h);
  Object.freeze(e.inseeHistory);
  for (const h of e.nameHistory) Object.freeze(h);
  Object.freeze(e.nameHistory);
  for (const key in e.services) {
    const enrolment = e.services[key]!;
    Object.freeze(enrolment.quotas);
    Object.freeze(enrolment);
  }
  Object.freeze(e.services);
  if (e.delegation) {
    Object.freeze(e.delegation.nameservers);
    if (e.delegation.ds) Object.freeze(e.delegation.ds);
    Object.freeze(e.delegation);
  }
  if (e.adopted) {
    for (const r of e.adopted) Object.freeze(r);
    Object.freeze(e.adopted);
  }
  return Object.freeze(value);
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
    out.push({ entry, line, text: content });
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
function defaultsOf(schema: { shape: Record<string, unknown> }): [string, () => unknown][] {
  const out: [string, () => unknown][] = [];
  for (const [key, field] of Object.entries(schema.shape)) {
    const def = (field as { _zod: { def: { type: string; defaultValue?: unknown } } })._zod.def;
    if (def.type !== "default") continue;
    const v = def.defaultValue;
    // A fresh value per entry ([] and {} by literal: cheaper than a clone 70,000 times a read).
    const make = Array.isArray(v) && v.length === 0 ? () => [] : v !== null && typeof v === "object" && Object.keys(v).length === 0 ? () => ({}) : typeof v === "object" && v !== null ? () => structuredClone(v) : () => v;
    out.push([key, make]);
  }
  return out;
}
const ENTRY_DEFAULTS = defaultsOf(ledgerEntrySchema);
const ENROLMENT_DEFAULTS = defaultsOf(enrolmentSchema);

function fillDefaults(target: Record<string, unknown>, defaults: readonly [string, () => unknown][]): void {
  for (const [key, make] of defaults) if (target[key] === undefined) target[key] = make();
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
  // One parse of the whole array: 36,000 calls of JSON.parse cost about three times as much.
  const parsed = JSON.parse(`[${lines.join(",")}]`) as Record<string, unknown>[];
  const entries = parsed.map((e, i) => {
    fillDefaults(e, ENTRY_DEFAULTS);
    for (const key in e.services as Record<string, Record<string, unknown>>) fillDefaults((e.services as Record<string, Record<string, unknown>>)[key]!, ENROLMENT_DEFAULTS);
    const entry = deepFreeze(e) as unknown as LedgerEntry;
    serialized.set(entry, lines[i]!);
    return entry;
  });
  return { entries, lines };
}

/** Freezes an entry (and what it holds) so that a caller mutating a shared entry fails loudly. */
export function freezeEntry(entry: LedgerEntry): LedgerEntry {
  return deepFreeze(entry);
}
