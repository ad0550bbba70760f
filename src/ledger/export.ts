import { InputError, quoteInput } from "../errors.js";
import { canonicalEntry, compareLabels } from "./codec.js";
import { lastInsee, lastName } from "./entries.js";
import type { LedgerEntry } from "./schema.js";

/** Formats `domaines export` writes. Adding one = one case below and one name here. */
export const EXPORT_FORMATS = ["json", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** `elsewhere`: formats the command serves by other means (zone, opendata), named in the error too. */
export function parseExportFormat(raw: string | undefined, elsewhere: readonly string[] = []): ExportFormat {
  const f = (raw ?? "json").toLowerCase();
  if ((EXPORT_FORMATS as readonly string[]).includes(f)) return f as ExportFormat;
  throw new InputError(`--format ${quoteInput(raw ?? "")} is not an export format; use one of: ${[...EXPORT_FORMATS, ...elsewhere].join(", ")}.`);
}

export function renderExport(entries: readonly LedgerEntry[], format: ExportFormat): string {
  const sorted = [...entries].sort(compareLabels);
  switch (format) {
    case "json":
      return `${JSON.stringify(sorted.map(canonicalEntry), null, 2)}\n`;
    case "csv":
      return ledgerCsv(sorted);
  }
}

const CSV_COLUMNS = [
  "label", "state", "key", "alias_of", "inherited_from", "reserved_reason", "name", "departement", "insee", "current_name",
  "insee_history", "allocated_at", "updated_at", "tombstoned_at", "legacy", "grandfathered", "services", "quotas",
] as const;

/**
 * One RFC 4180 cell. A cell a spreadsheet would read as a formula (=, +, -, @, or a tab or
 * CR before one) gets a leading apostrophe, as OWASP advises: names come from data files,
 * and "=HYPERLINK(…)" in a commune's name must stay text in the reviewer's spreadsheet.
 */
export function csvCell(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per label; lists inside a cell are `;`-separated (services, quotas as service.account=bytes); formula-like cells neutralised (csvCell). */
function ledgerCsv(entries: readonly LedgerEntry[]): string {
  const rows = entries.map((e) => {
    const quotas = Object.entries(e.services).flatMap(([s, en]) => Object.entries(en.quotas).map(([a, v]) => `${s}.${a}=${v}`));
    const row: Record<(typeof CSV_COLUMNS)[number], string> = {
      label: e.label,
      state: e.state,
      key: e.key ?? "",
      alias_of: e.aliasOf ?? "",
      inherited_from: e.inheritedFrom ?? "",
      reserved_reason: e.reservedReason ?? "",
      name: e.name ?? "",
      departement: e.departement ?? "",
      insee: lastInsee(e) ?? "",
      current_name: lastName(e) ?? "",
      insee_history: e.inseeHistory.map((h) => h.insee).join(";"),
      allocated_at: e.allocatedAt,
      updated_at: e.updatedAt,
      tombstoned_at: e.tombstonedAt ?? "",
      legacy: String(e.legacy),
      grandfathered: String(e.grandfathered),
      services: Object.keys(e.services).join(";"),
      quotas: quotas.join(";"),
    };
    return CSV_COLUMNS.map((c) => csvCell(row[c])).join(",");
  });
  return `${[CSV_COLUMNS.join(","), ...rows].join("\n")}\n`;
}
