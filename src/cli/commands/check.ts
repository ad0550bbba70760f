import { readStdinText } from "../../input-file.js";
import { DomainesError, InputError, quoteInput } from "../../errors.js";
import { batchReaders, checkQuery, singleQueryReaders, type CheckAnswer, type CheckReaders } from "../../operations/check.js";
import { printSuggestions } from "../check-suggestions.js";
import type { CommandSpec } from "../command.js";
import type { CommandContext } from "../context.js";

export const command: CommandSpec = {
  name: "check",
  summary: "which communes a name, code, label or domain designates, and why its label is what it is",
  usage: "<query> [--json] | --stdin [--json]",
  description:
    "The query may be a commune name (with or without accents), a SIREN, an INSEE code, a label,\n" +
    "a domain under the zone, an IDN (saint-rémy.collectivite.fr) or an A-label (xn--…).\n" +
    "The answer starts with the state of the label (allocated, alias, reserved, tombstone, not\n" +
    "allocated yet, free), then why, then each commune matched. An old INSEE code, SIREN or name\n" +
    "of a merged, renamed or re-coded commune tells what happened, when, and where its mail goes.\n" +
    "Exits 1 when the query designates no current or former commune and the ledger does not know the label.\n" +
    "With --stdin, one query per line (the ledger and communes are read once): --json then prints\n" +
    "one JSON object per line, and the exit code is the worst of the queries' (2 > 1 > 0).",
  examples: ["domaines check Mende", "domaines check saint-denis", "domaines check \"Saint Denis\"", "domaines check saint-denis-93.collectivite.fr --json", "domaines check 214800955", "domaines check 93059", "cut -d, -f1 communes.csv | domaines check --stdin --json"],
  options: {
    stdin: { type: "boolean", description: "read many queries from standard input, one per line" },
  },
  positionals: { min: 0, max: 1, name: "query" },
  async run(ctx) {
    const stdin = ctx.flag("stdin");
    if (stdin === (ctx.positionals.length === 1)) {
      throw new InputError("`domaines check` takes one query argument, or --stdin with queries on standard input (not both).");
    }
    if (!stdin) return checkOne(ctx, ctx.positionals[0]!, singleQueryReaders(ctx.ws), (v) => ctx.printJson(v));
    // Batch: indexes and the whole ledger (validated) once, then each query looks up in memory.
    const readers = await batchReaders(ctx.ws);
    let worst = 0;
    for (const line of (await readStdinText("standard input (--stdin)")).split("\n")) {
      if (line.trim() === "") continue;
      let code: number;
      try {
        code = await checkOne(ctx, line, readers, (v) => process.stdout.write(`${JSON.stringify(v)}\n`));
      } catch (err) {
        if (!(err instanceof DomainesError)) throw err;
        ctx.warn(err.message);
        if (ctx.json) process.stdout.write(`${JSON.stringify({ query: line, error: err.toJSON() })}\n`);
        code = err.exitCode;
      }
      ctx.print("");
      worst = Math.max(worst, code);
    }
    return worst;
  },
};

/** One query: prints its answer (JSON through `emitJson`) and returns its exit code. */
async function checkOne(ctx: CommandContext, query: string, readers: CheckReaders, emitJson: (value: unknown) => void): Promise<number> {
  const answer = await checkQuery(ctx.ws, query, readers);
  if (ctx.json) emitJson(answer);
  else {
    printAnswer(ctx, answer);
    if (answer.suggestions) printSuggestions(ctx, answer.suggestions);
  }
  if (!answer.found) {
    ctx.warn(`no current or former commune matches ${quoteInput(answer.query)}; try the name with its accents, the INSEE code or the SIREN.`);
    return 1;
  }
  return 0;
}

/** The headline, then why, then the communes in detail: what a support agent reads out. */
function printAnswer(ctx: CommandContext, answer: CheckAnswer): void {
  const n = answer.normalized;
  const shown = n.unicode === n.ascii ? n.ascii : `${n.unicode} (ASCII: ${n.ascii})`;
  ctx.print(`Query: ${shown} — read as ${n.kind === "label-or-name" ? "a name or label" : n.kind === "insee" ? "an INSEE code" : n.kind === "fqdn" ? "a domain name" : `a ${n.kind.toUpperCase()}`}`);
  ctx.print(answer.status ? `Ledger: ${answer.sentence}` : answer.sentence);
  if (answer.story.length) {
    ctx.print("Why:");
    for (const fact of answer.story) ctx.print(`  - ${fact.text}`);
  }
  for (const m of answer.matches) {
    ctx.print("");
    ctx.print(`${m.name} (${m.departement}) — INSEE ${m.insee}, ${m.siren ? `SIREN ${m.siren}` : `no SIREN, key ${m.key}`}`);
    const l = m.ledger;
    if (l.label) {
      ctx.print(`  label: ${l.fqdn}, allocated since ${l.since?.slice(0, 10)}${l.legacy ? " (legacy)" : ""}${l.grandfathered ? " (kept after a homonym appeared)" : ""}; ${l.services.length ? `services: ${l.services.join(", ")}` : "no service enrolled"}`);
    } else {
      ctx.print(`  label: not allocated yet; it would get ${m.fqdn ?? `no valid label (${m.problem})`}`);
    }
    if (m.homonyms.length > 0) ctx.print(`  same slug "${m.slug}" as INSEE ${m.homonyms.join(", ")}`);
  }
}
