import { InputError, quoteInput } from "../../errors.js";
import { operatorCost } from "../../operations/services.js";
import { quadrimestreStatement } from "../../operations/statement.js";
import { describeQuota, type CostReport } from "../../services/cost.js";
import { formatCents, formatPrice } from "../../services/money.js";
import { statementCsv } from "../../services/statement-csv.js";
import { renderStatementPdf } from "../../services/statement-pdf.js";
import type { Statement } from "../../services/statement.js";
import { formatStorageUsed } from "../../services/usage.js";
import type { CommandSpec } from "../command.js";
import type { CommandContext } from "../context.js";
import { writeOutFile } from "../out-file.js";
import { SERVICE_FILE_OPTIONS } from "../options.js";

function parseYear(raw: string | undefined): number {
  if (raw === undefined) return new Date().getUTCFullYear();
  if (!/^20\d\d$/.test(raw.trim())) throw new InputError(`--year ${quoteInput(raw)} is not a year; write four digits such as 2026.`);
  return Number(raw.trim());
}

const int = (n: number): string => n.toLocaleString("fr-FR");

function printReport(ctx: CommandContext, r: CostReport): void {
  const fee = r.fee;
  ctx.print(`Operator ${r.operator.name}: ${r.operator.title}${r.operator.siren ? `, SIREN ${r.operator.siren}` : " (SIREN not configured)"}`);
  ctx.print(`Year ${r.year}; prices: ${r.source}`);
  ctx.print("");
  ctx.print(`Partnership fee: ${formatPrice(BigInt(fee.perInhabitantMicros))} per inhabitant of covered communes above ${int(fee.communeCountsAbove)} inhabitants (members directly, or through an EPCI of at least ${int(fee.epciCountsFrom)}), capped at ${formatCents(fee.capCents)} a year`);
  const width = Math.max(10, ...fee.members.map((m) => m.name.length));
  for (const m of fee.members) {
    const pop = m.population === null ? "population unknown" : `${int(m.population)} inh.`;
    ctx.print(`  ${m.name.padEnd(width)}  ${pop.padStart(18)}  ${(m.counted ? formatCents(m.cents) : m.population === null ? "not counted" : "exempt").padStart(12)}  ${m.reason}`);
  }
  ctx.print(`  Counted population ${int(fee.countedPopulation)}: ${formatCents(fee.uncappedCents)}${fee.capped ? `, capped: ${formatCents(fee.cents)}` : ` (under the cap): ${formatCents(fee.cents)}`} for ${r.year}`);
  ctx.print("");
  const c = r.ceiling;
  ctx.print("Storage ceiling implied by the provisioned organisation quotas:");
  if (c.lines.length === 0) ctx.print("  no member is enrolled in a service: no storage can be billed");
  for (const l of c.lines) ctx.print(`  ${l.name.padEnd(width)}  ${l.service.padEnd(8)}  ${describeQuota(l.organizationQuota).padEnd(22)}  ${l.monthlyCents === null ? "no ceiling" : `${formatCents(l.monthlyCents)} a month`}`);
  if (c.lines.length > 0) {
    ctx.print(`  ${c.bounded ? "Ceiling" : "Ceiling of the bounded quotas only"}: ${formatCents(c.monthlyCents)} a month, ${formatCents(c.perPeriodCents)} per ${c.periodMonths}-month invoice period`);
  }
  if (!c.bounded) ctx.print(`  No overall ceiling: unlimited quota for ${c.unlimited.map((u) => `${u.name} (${u.service})`).join(", ")}`);
  if (r.usage) {
    const u = r.usage;
    ctx.print("");
    ctx.print(`Actual usage${u.month ? ` (${u.month})` : ""}:`);
    for (const l of u.lines) {
      const over = l.overQuota ? `  OVER QUOTA (organisation quota ${describeQuota(l.organizationQuota!)})` : "";
      ctx.print(`  ${l.name.padEnd(width)}  ${l.service.padEnd(8)}  ${formatStorageUsed(l.storageUsedBytes).padEnd(22)}  ${formatCents(l.monthlyCents)} a month${over}`);
    }
    ctx.print(`  Usage cost: ${formatCents(u.monthlyCents)} a month, ${formatCents(u.perPeriodAtThisLevelCents)} per invoice period at this level`);
    for (const m of u.missing) ctx.print(`  no figure for ${m.name} in ${m.service} (enrolled): counted as nothing`);
    for (const n of u.notMembers) ctx.print(`  not a member, not counted: SIREN ${n.siren} in ${n.service} (${formatStorageUsed(n.storageUsedBytes)})`);
    if (u.servicesWithoutFigures.length > 0) ctx.print(`  no figures in the file for: ${u.servicesWithoutFigures.join(", ")}`);
  }
  if (r.directEnrolments.length > 0) {
    ctx.print("");
    ctx.print("Direct enrolments by ANCT in the structure's départements (contract art. 3.3: listed for the structure, not billed to it):");
    for (const d of r.directEnrolments) ctx.print(`  ${d.name} (${d.departement}), ${d.label}: ${d.services.join(", ")} since ${d.since}`);
  }
}

function printStatement(ctx: CommandContext, st: Statement): void {
  const m = st.mentions;
  ctx.print(`Avis des sommes à payer — ${st.issuer}`);
  ctx.print(`${st.operator.title}: quadrimestre ${st.period.quadrimestre} ${st.period.year} (${st.period.from} to ${st.period.to})`);
  ctx.print(`  date of issue ${m.dateOfIssue}; recipient: ${m.recipient}; code service exécutant ${m.codeServiceExecutant}`);
  ctx.print(`  contract ${m.contractNumber}; EJ ${m.ejNumber}; agreed payment date ${m.agreedPaymentDate}`);
  ctx.print(`  object: ${m.object}`);
  ctx.print("");
  if (st.fee.included) ctx.print(`Partnership fee ${st.fee.year}: ${st.fee.countedCommunes} commune(s) counted, ${int(st.fee.countedPopulation)} inhabitants: ${formatCents(st.fee.uncappedCents)}${st.fee.capped ? `, capped: ${formatCents(st.fee.cents)}` : ""}`);
  else ctx.print(`Partnership fee ${st.fee.year}: invoiced with quadrimestre 1 (art. 8.5), not on this statement`);
  ctx.print("Usage (mean of the month's daily samples × price per GB per month):");
  const width = Math.max(10, ...st.usage.lines.map((l) => l.name.length));
  for (const l of st.usage.lines) {
    const amount = l.cents === null ? "no sample" : formatCents(l.cents);
    const gaps = l.gaps.length === 0 ? "" : `  gaps: ${l.gaps.map((g) => (g.from === g.to ? g.from : `${g.from}..${g.to}`)).join(" ")}`;
    ctx.print(`  ${l.name.padEnd(width)}  ${l.service.padEnd(8)}  ${l.month}  ${`${l.sampledDays}/${l.expectedDays} days`.padStart(11)}  ${(l.meanGb === null ? "—" : `${l.meanGb} GB`).padStart(12)}  ${amount.padStart(12)}${gaps}`);
  }
  if (st.usage.lines.length === 0) ctx.print("  no commune was enrolled in a service during the period");
  ctx.print(`  Usage: ${formatCents(st.usage.cents)}${st.usage.complete ? "" : ` (${st.usage.linesWithGaps} line(s) with gaps, ${st.usage.linesWithoutSample} without sample)`}`);
  ctx.print("");
  ctx.print(`Amount: ${formatCents(st.totalCents)}`);
}

const FORMATS = ["text", "json", "csv", "pdf"] as const;


async function runStatement(ctx: CommandContext, operator: string, quadrimestre: string): Promise<number> {
  const raw = (ctx.string("format") ?? (ctx.json ? "json" : "text")).toLowerCase();
  if (!(FORMATS as readonly string[]).includes(raw)) throw new InputError(`--format ${quoteInput(raw)} is not a statement format; use one of: ${FORMATS.join(", ")}.`);
  const format = raw as (typeof FORMATS)[number];
  const out = ctx.string("out");
  if (format === "pdf" && out === undefined) throw new InputError("--format pdf writes a file: add --out FILE (e.g. --out avis-cdg48-2026-1.pdf).");
  const issued = ctx.string("issued");
  const { statement, warnings } = await quadrimestreStatement(ctx.ws, { operator, quadrimestre, ...(issued === undefined ? {} : { issuedOn: issued }) });
  for (const w of warnings) ctx.warn(w);
  if (format === "pdf" || (out !== undefined && format !== "text")) {
    const data = format === "pdf" ? await renderStatementPdf(statement) : format === "csv" ? statementCsv(statement) : `${JSON.stringify(statement, null, 2)}\n`;
    writeOutFile(ctx, out!, data);
    if (ctx.json) ctx.printJson({ format, out, totalCents: statement.totalCents, complete: statement.usage.complete });
    else ctx.warn(`statement written to ${out} (${format}): ${formatCents(statement.totalCents)}`);
    return 0;
  }
  if (format === "csv") process.stdout.write(statementCsv(statement));
  else if (format === "json" || ctx.json) ctx.printJson(statement);
  else printStatement(ctx, statement);
  return 0;
}

export const command: CommandSpec = {
  name: "cost",
  summary: "what a mutualisation structure pays: partnership fee, storage ceiling of its quotas, actual usage",
  usage: "--operator <name|SIREN> [--year YYYY] [--usage FILE] | --quadrimestre YYYY-N [--issued YYYY-MM-DD] [--format text|json|csv|pdf] [--out FILE] [--json]",
  description:
    "Fee (Annexe 2 art. 1): per inhabitant of each covered commune above 3,500 inhabitants that is a member directly,\n" +
    "or through a member EPCI of at least 15,000 inhabitants (counted once if both), capped per year (data/prices.json).\n" +
    "Ceiling: each enrolled member's organisation quota × the service's price per GB per month; an unlimited quota has no ceiling.\n" +
    "Usage: the services' usage-metric JSON, saved as {\"month\": \"2026-03\", \"messages\": <response>, \"fichiers\": <response>}.\n" +
    "--quadrimestre: the four-monthly statement (avis des sommes à payer, art. 8.5–8.6) from the usage history that\n" +
    "`domaines usage-sync` keeps: the fee on quadrimestre 1, usage per commune, service and month (mean of the daily\n" +
    "samples; days without a sample are listed as gaps, a month without any has no amount), the mentions from the\n" +
    "operator's \"billing\" configuration. --format pdf needs --out. Amounts are exact integer cents (JSON: *Cents fields).",
  examples: [
    "domaines cost --operator cdg48",
    "domaines cost --operator cdg48 --year 2026 --usage usage-2026-03.json --json",
    "domaines cost --operator cdg48 --quadrimestre 2026-1 --format pdf --out avis-cdg48-2026-1.pdf",
    "domaines cost --operator cdg48 --quadrimestre 2026-1 --format csv > avis-cdg48-2026-1.csv",
  ],
  options: {
    operator: { type: "string", valueName: "NAME|SIREN", description: "the mutualisation structure (data/operators.json)" },
    year: { type: "string", valueName: "YYYY", description: "the prices' year (default: the current year)" },
    usage: { type: "string", valueName: "FILE", description: "usage-metric figures to price" },
    quadrimestre: { type: "string", valueName: "YYYY-N", description: "the four-monthly statement of this period (1 Jan–Apr, 2 May–Aug, 3 Sep–Dec)" },
    issued: { type: "string", valueName: "YYYY-MM-DD", description: "statement: its date of issue (default: today, Paris)" },
    format: { type: "string", valueName: "FORMAT", description: "statement: text (default), json, csv or pdf" },
    out: { type: "string", valueName: "FILE", description: "statement: write it here (atomically) instead of stdout" },
    prices: { type: "string", valueName: "FILE", description: "prices instead of data/prices.json" },
    ...SERVICE_FILE_OPTIONS,
  },
  positionals: { min: 0, max: 0, name: "" },
  async run(ctx) {
    const query = ctx.string("operator");
    if (query === undefined) throw new InputError("--operator is required: name the structure by its name or SIREN, e.g. --operator cdg48.");
    const quadrimestre = ctx.string("quadrimestre");
    if (quadrimestre !== undefined) {
      for (const o of ["year", "usage"]) if (ctx.string(o) !== undefined) throw new InputError(`--${o} does not apply to --quadrimestre: the statement's year is the quadrimestre's and its usage comes from the usage history.`);
      return runStatement(ctx, query, quadrimestre);
    }
    for (const o of ["issued", "format", "out"]) if (ctx.string(o) !== undefined) throw new InputError(`--${o} applies to the statement only: add --quadrimestre YYYY-N.`);
    const year = parseYear(ctx.string("year"));
    const usageFile = ctx.string("usage");
    const { report, warnings } = await operatorCost(ctx.ws, { operator: query, year, ...(usageFile === undefined ? {} : { usageFile }) });
    for (const w of warnings) ctx.warn(w);
    if (ctx.json) ctx.printJson(report);
    else printReport(ctx, report);
    return 0;
  },
};
