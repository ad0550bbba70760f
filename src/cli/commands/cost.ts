import { InputError, quoteInput } from "../../errors.js";
import { operatorCost } from "../../operations/services.js";
import { describeQuota, type CostReport } from "../../services/cost.js";
import { formatCents, formatPrice } from "../../services/money.js";
import { formatSize } from "../../units/size.js";
import type { CommandSpec } from "../command.js";
import type { CommandContext } from "../context.js";
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
  ctx.print(`Partnership fee: ${formatPrice(BigInt(fee.perInhabitantMicros))} per inhabitant of member communes of ${int(fee.exemptBelowPopulation)} inhabitants or more, capped at ${formatCents(fee.capCents)} a year`);
  const width = Math.max(10, ...fee.members.map((m) => m.name.length));
  for (const m of fee.members) {
    const pop = m.population === null ? "population unknown" : `${int(m.population)} inh.`;
    ctx.print(`  ${m.name.padEnd(width)}  ${pop.padStart(18)}  ${(m.counted ? formatCents(m.cents) : m.population === null ? "not counted" : "exempt").padStart(12)}`);
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
    for (const l of u.lines) ctx.print(`  ${l.name.padEnd(width)}  ${l.service.padEnd(8)}  ${formatSize(l.storageUsedBytes).padEnd(22)}  ${formatCents(l.monthlyCents)} a month`);
    ctx.print(`  Usage cost: ${formatCents(u.monthlyCents)} a month, ${formatCents(u.perPeriodAtThisLevelCents)} per invoice period at this level`);
    for (const m of u.missing) ctx.print(`  no figure for ${m.name} in ${m.service} (enrolled): counted as nothing`);
    for (const n of u.notMembers) ctx.print(`  not a member, not counted: SIREN ${n.siren} in ${n.service} (${formatSize(n.storageUsedBytes)})`);
    if (u.servicesWithoutFigures.length > 0) ctx.print(`  no figures in the file for: ${u.servicesWithoutFigures.join(", ")}`);
  }
}

export const command: CommandSpec = {
  name: "cost",
  summary: "what a mutualisation structure pays: partnership fee, storage ceiling of its quotas, actual usage",
  usage: "--operator <name|SIREN> [--year YYYY] [--usage FILE] [--json]",
  description:
    "Fee: per inhabitant of member communes at or above the exemption threshold, capped per year (data/prices.json).\n" +
    "Ceiling: each enrolled member's organisation quota × the service's price per GB per month; an unlimited quota has no ceiling.\n" +
    "Usage: the services' usage-metric JSON, saved as {\"month\": \"2026-03\", \"messages\": <response>, \"fichiers\": <response>}.\n" +
    "Amounts are exact integer cents (JSON: *Cents fields).",
  examples: ["domaines cost --operator cdg48", "domaines cost --operator cdg48 --year 2026 --usage usage-2026-03.json --json"],
  options: {
    operator: { type: "string", valueName: "NAME|SIREN", description: "the mutualisation structure (data/operators.json)" },
    year: { type: "string", valueName: "YYYY", description: "the prices' year (default: the current year)" },
    usage: { type: "string", valueName: "FILE", description: "usage-metric figures to price" },
    prices: { type: "string", valueName: "FILE", description: "prices instead of data/prices.json" },
    ...SERVICE_FILE_OPTIONS,
  },
  positionals: { min: 0, max: 0, name: "" },
  async run(ctx) {
    const query = ctx.string("operator");
    if (query === undefined) throw new InputError("--operator is required: name the structure by its name or SIREN, e.g. --operator cdg48.");
    const year = parseYear(ctx.string("year"));
    const usageFile = ctx.string("usage");
    const { report, warnings } = await operatorCost(ctx.ws, { operator: query, year, ...(usageFile === undefined ? {} : { usageFile }) });
    for (const w of warnings) ctx.warn(w);
    if (ctx.json) ctx.printJson(report);
    else printReport(ctx, report);
    return 0;
  },
};
