import type { z } from "zod";
import { InputError } from "../errors.js";
import { ledgerEntrySchema, type LedgerEntry } from "./schema.js";

/**
 * Ledger text <-> entries. One JSON object a line, sorted by label, keys in one fixed
 * order and default-valued fields left out, so that a change shows in git as the few
 * lines it touched.
 */
const KEY_ORDER = [
  "label", "state", "key", "aliasOf", "inheritedFrom", "reservedReason", "name", "departement",
  "inseeHistory", "nameHistory", "allocatedAt", "updatedAt", "tombstonedAt", "legacy", "grandfathered", "services",
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

export function serializeEntry(entry: LedgerEntry): string {
  return JSON.stringify(canonicalEntry(entry));
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
export function parseLedgerText(text: string, file: string): NumberedEntry[] {
  const out: NumberedEntry[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  let line = 0;
  for (const content of text.split("\n")) {
    line++;
    if (content.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (err) {
      problems.push(`${file}:${line}: not a JSON object (${(err as Error).message})`);
      continue;
    }
    // One parse per line (measured faster than one array parse, and names the line).
    const parsed = ledgerEntrySchema.safeParse(value);
    if (!parsed.success) {
      problems.push(`${file}:${line}: ${describeIssues(parsed.error)}`);
      continue;
    }
    const first = seen.get(parsed.data.label);
    if (first !== undefined) {
      problems.push(`${file}:${line}: label "${parsed.data.label}" already appears on line ${first} (one record per label: merge or remove the duplicate)`);
      continue;
    }
    seen.set(parsed.data.label, line);
    out.push({ entry: parsed.data, line });
  }
  if (problems.length === 0) return out;
  const shown = problems.slice(0, 20).join("\n  ");
  const more = problems.length > 20 ? `\n  … and ${problems.length - 20} more` : "";
  throw new InputError(`the ledger ${file} has ${problems.length} bad line(s); fix them by hand (git diff shows what changed) and run \`domaines validate\`:\n  ${shown}${more}`);
}
