/** CSV as RFC 4180 writes it: comma-separated, a cell quoted when it holds a comma, quote or line break; null is empty. */
export type CsvValue = string | number | boolean | null | undefined;

export function csvLine(values: readonly CsvValue[]): string {
  return values
    .map((v) => {
      if (v === null || v === undefined) return "";
      const s = String(v);
      return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(",");
}

/** A header line and one line per row, each row read in the header's order; ends with a newline. */
export function csvTable<C extends string>(columns: readonly C[], rows: readonly Partial<Record<C, CsvValue>>[]): string {
  return `${[csvLine(columns), ...rows.map((r) => csvLine(columns.map((c) => r[c])))].join("\n")}\n`;
}
