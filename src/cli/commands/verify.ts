import { InputError, quoteInput } from "../../errors.js";
import { makeResolver, parseResolverOption, query, type Answer } from "../../dns/resolve.js";
import { compareAnswers, queriesFor, type VerifyInput, type VerifyReport } from "../../dns/verify.js";
import { normalizeQuery } from "../../naming/query.js";
import { DKIM_OPTION, readRecordInputs, validatedZone } from "../../records/inputs.js";
import type { DesiredZone } from "../../records/model.js";
import type { CommandSpec } from "../command.js";
import type { CommandContext } from "../context.js";

export const command: CommandSpec = {
  name: "verify",
  summary: "ask a DNS server for a commune's records and compare them with the model (RPNT mail criteria too)",
  usage: "<fqdn> [--resolver HOST:PORT] [--dkim FILE] [--json]",
  description:
    "Queries every RRset the model has for the label (and those RPNT 2.3–2.7 read) and reports each\n" +
    "record as correct, incorrect (other values served), missing, or unexpected (served, not in the model).\n" +
    "Labels that receive no mail (reserved, tombstoned, unallocated) must serve a null MX and v=spf1 -all.\n" +
    "Exits 1 on any record that is not correct or any failed RPNT criterion; a pending DKIM is reported, not failed.",
  examples: ["domaines verify mende.collectivite.fr", "domaines verify mende.collectivite.fr --resolver 127.0.0.1:5353 --json", "domaines verify saint-denis.collectivite.fr"],
  options: {
    resolver: { type: "string", valueName: "HOST:PORT", description: "the DNS server to ask (default: the system's resolvers)" },
    dkim: DKIM_OPTION,
  },
  positionals: { min: 1, max: 1, name: "fqdn" },
  async run(ctx) {
    const zone = ctx.config().zone;
    const label = labelOf(ctx.positionals[0]!, zone);
    const rawServer = ctx.string("resolver");
    const server = rawServer === undefined ? undefined : parseResolverOption(rawServer);
    const inputs = readRecordInputs(ctx);
    const desired = validatedZone(ctx, inputs);
    const { input, state } = expectation(desired, label);

    const resolver = makeResolver(server);
    const serverLabel = server ?? "(system resolver)";
    const queries = queriesFor(input);
    const answers = new Map<string, Answer>();
    await Promise.all(queries.map(async (q) => answers.set(`${q.fqdn}\t${q.type}`, await query(resolver, q, serverLabel))));
    const report = compareAnswers(input, answers);

    if (ctx.json) ctx.printJson({ label, state, resolver: serverLabel, ...report });
    else printReport(ctx, report, state, serverLabel);
    return report.ok ? 0 : 1;
  },
};

/** The commune label a typed name designates: <label>.<zone>, its IDN form, or the bare label. */
function labelOf(raw: string, zone: string): string {
  const q = normalizeQuery(raw, zone);
  if (q.kind === "fqdn" && !q.subLabels) return q.value;
  if (q.kind === "label-or-name" && q.ascii === q.unicode) return q.value;
  throw new InputError(`${quoteInput(raw)} is not a commune domain; give <label>.${zone} (e.g. mende.${zone}).`);
}

/** What the model says this label must serve; a label nobody holds must match the zone's wildcard. */
function expectation(desired: DesiredZone, label: string): { input: VerifyInput; state: string } {
  const fqdn = `${label}.${desired.zone}`;
  const owner = desired.owners.find((o) => o.label === label);
  if (owner) {
    return { input: { fqdn, zone: desired.zone, expected: owner.records, pending: owner.pending.map((p) => ({ purpose: p.purpose, type: p.type, reason: p.reason })) }, state: owner.state };
  }
  const wildcard = desired.zoneRecords.filter((r) => r.name === "*").map((r) => ({ ...r, name: label, purpose: r.purpose }));
  return { input: { fqdn, zone: desired.zone, expected: wildcard, pending: [] }, state: "unallocated" };
}

const ICON = { correct: "ok  ", incorrect: "BAD ", missing: "MISS", unexpected: "XTRA", error: "ERR ", pending: "wait" } as const;

function printReport(ctx: CommandContext, report: VerifyReport, state: string, server: string): void {
  ctx.print(`${report.fqdn} (${state}) asked to ${server}`);
  ctx.print("");
  ctx.print("Records:");
  for (const r of report.records) {
    ctx.print(`  ${ICON[r.status]} ${r.status.padEnd(10)} ${r.fqdn} ${r.type}${r.purpose ? ` (${r.purpose})` : ""}`);
    if (r.status !== "correct") {
      if (r.expected !== null) ctx.print(`       expected: ${r.expected}`);
      ctx.print(`       ${r.detail}`);
    }
  }
  ctx.print("");
  ctx.print("RPNT mail criteria:");
  for (const c of report.criteria) ctx.print(`  ${c.id} ${c.status.padEnd(14)} ${c.title}: ${c.detail}`);
  ctx.print("");
  ctx.print(report.ok ? "All records as the model says." : `${report.failures} failure(s).`);
}
