import { csvTable, type CsvValue } from "./csv.js";
import type { Statement } from "./statement.js";

/**
 * The statement as CSV (RFC 4180, comma, UTF-8): the same figures as the JSON and the PDF,
 * one row per mention, fee line, usage line and total. Amounts in integer cents and in
 * euros with a dot (for spreadsheets in any locale).
 */
export const STATEMENT_CSV_COLUMNS = [
  "section", "key", "name", "service", "month", "population", "reach", "counted",
  "expected_days", "sampled_days", "missing_days", "mean_gb", "price_eur", "amount_cents", "amount_eur", "detail",
] as const;
type Row = Partial<Record<(typeof STATEMENT_CSV_COLUMNS)[number], CsvValue>>;

export function eurosText(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const a = Math.abs(cents);
  return `${sign}${Math.trunc(a / 100)}.${String(a % 100).padStart(2, "0")}`;
}

export function microsText(micros: number): string {
  return `${Math.trunc(micros / 1e6)}.${String(micros % 1e6).padStart(6, "0").replace(/0+$/, "").padEnd(2, "0")}`;
}

export const MENTION_NAMES: Record<keyof Statement["mentions"], string> = {
  dateOfIssue: "Date d'émission",
  recipient: "Destinataire du titre de recette",
  codeServiceExecutant: "Code service exécutant",
  object: "Objet de l'avis des sommes à payer",
  contractNumber: "Numéro du contrat",
  ejNumber: "Numéro d'EJ",
  agreedPaymentDate: "Date convenue de versement",
  amountCents: "Montant du versement",
};

export function statementCsv(st: Statement): string {
  const rows: Row[] = [];
  for (const [k, label] of Object.entries(MENTION_NAMES) as [keyof Statement["mentions"], string][]) {
    const v = st.mentions[k];
    rows.push(k === "amountCents" ? { section: "mention", name: label, amount_cents: v as number, amount_eur: eurosText(v as number) } : { section: "mention", name: label, detail: v as string });
  }
  if (st.fee.included) {
    for (const l of st.fee.lines) rows.push({ section: "fee", key: l.key, name: l.name, population: l.population, reach: l.reach, counted: l.counted, amount_cents: l.cents, amount_eur: eurosText(l.cents), detail: l.reason });
    rows.push({ section: "fee-total", name: `contribution de partenariat ${st.fee.year}`, population: st.fee.countedPopulation, counted: st.fee.capped ? "capped" : "", amount_cents: st.fee.cents, amount_eur: eurosText(st.fee.cents), detail: `uncapped ${eurosText(st.fee.uncappedCents)}, cap ${eurosText(st.fee.capCents)}` });
  } else {
    rows.push({ section: "fee-total", name: `contribution de partenariat ${st.fee.year}`, amount_cents: 0, amount_eur: eurosText(0), detail: "invoiced with quadrimestre 1 (art. 8.5)" });
  }
  for (const l of st.usage.lines) {
    rows.push({
      section: "usage",
      key: l.key,
      name: l.name,
      service: l.service,
      month: l.month,
      expected_days: l.expectedDays,
      sampled_days: l.sampledDays,
      missing_days: l.gaps.reduce((a, g) => a + g.days, 0),
      mean_gb: l.meanGb,
      price_eur: microsText(l.pricePerGbMonthMicros),
      amount_cents: l.cents,
      amount_eur: l.cents === null ? null : eurosText(l.cents),
      detail: l.gaps.length === 0 ? "" : `gaps: ${l.gaps.map((g) => (g.from === g.to ? g.from : `${g.from}..${g.to}`)).join(" ")}`,
    });
  }
  rows.push({ section: "usage-total", amount_cents: st.usage.cents, amount_eur: eurosText(st.usage.cents), detail: st.usage.complete ? "" : `${st.usage.linesWithGaps} line(s) with gaps, ${st.usage.linesWithoutSample} without sample` });
  rows.push({ section: "total", amount_cents: st.totalCents, amount_eur: eurosText(st.totalCents) });
  return csvTable(STATEMENT_CSV_COLUMNS, rows);
}
