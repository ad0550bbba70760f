import { parseResolverOption } from "../../dns/resolve.js";
import type { VerifyReport } from "../../dns/verify.js";
import { verifyDomain, type VerifyOutcome } from "../../operations/verify.js";
import { DKIM_OPTION } from "../options.js";
import type { CommandSpec } from "../command.js";
import type { CommandContext } from "../context.js";

export const command: CommandSpec = {
  name: "verify",
  summary: "ask a DNS server for a commune's records and compare them with the model (RPNT mail criteria too)",
  usage: "<fqdn> [--resolver HOST:PORT] [--child-resolver HOST:PORT] [--dkim FILE] [--json]",
  description:
    "Queries every RRset the model has for the label (and those RPNT 2.3–2.7 read) and reports each\n" +
    "record as correct, incorrect (other values served), missing, or unexpected (served, not in the model).\n" +
    "Labels that receive no mail (reserved, tombstoned, unallocated) must serve a null MX and v=spf1 -all.\n" +
    "Exits 1 on any record that is not correct or any failed RPNT criterion; a pending DKIM is reported, not failed.\n" +
    "A delegated label is checked on both sides of the zone cut, each failure saying which side is wrong: the\n" +
    "parent (--resolver, else the zone's name servers) must refer to the ledger's NS set (and DS); the child zone\n" +
    "(--child-resolver, else the first of its name servers that resolves) must serve the commune's records; the mail\n" +
    "records it serves where the model expects nothing (no service enrolled) are listed as observed.",
  examples: ["domaines verify mende.collectivite.fr", "domaines verify mende.collectivite.fr --resolver 127.0.0.1:5353 --json", "domaines verify saint-denis.collectivite.fr"],
  options: {
    resolver: { type: "string", valueName: "HOST:PORT", description: "the DNS server to ask (default: the system's resolvers)" },
    "child-resolver": { type: "string", valueName: "HOST:PORT", description: "for a delegated label: the server of its child zone (default: the first of its name servers that resolves)" },
    dkim: DKIM_OPTION,
  },
  positionals: { min: 1, max: 1, name: "fqdn" },
  async run(ctx) {
    const rawServer = ctx.string("resolver");
    const server = rawServer === undefined ? undefined : parseResolverOption(rawServer);
    const rawChild = ctx.string("child-resolver");
    const report = await verifyDomain(ctx.ws, ctx.positionals[0]!, server, rawChild === undefined ? undefined : parseResolverOption(rawChild, "--child-resolver"));
    if (ctx.json) ctx.printJson(report);
    else printReport(ctx, report, report.state, report.resolver);
    return report.ok ? 0 : 1;
  },
};

const ICON = { correct: "ok  ", incorrect: "BAD ", missing: "MISS", unexpected: "XTRA", error: "ERR ", pending: "wait", observed: "seen" } as const;

function printReport(ctx: CommandContext, report: VerifyReport & { delegation: VerifyOutcome["delegation"] }, state: string, server: string): void {
  const d = report.delegation;
  ctx.print(d ? `${report.fqdn} (${state}, delegated to ${d.nameservers.join(", ")}): parent asked to ${d.parent}, child zone to ${d.child}` : `${report.fqdn} (${state}) asked to ${server}`);
  ctx.print("");
  ctx.print("Records:");
  for (const r of report.records) {
    ctx.print(`  ${ICON[r.status]} ${r.status.padEnd(10)} ${r.side ? `[${r.side}] ` : ""}${r.fqdn} ${r.type}${r.purpose ? ` (${r.purpose})` : ""}${r.status === "observed" ? `: ${r.found.join(" | ")}` : ""}`);
    if (r.status !== "correct" && r.status !== "observed") {
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
