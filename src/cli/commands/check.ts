import { readFileSync } from "node:fs";
import { DomainesError, InputError, quoteInput } from "../../errors.js";
import type { LedgerEntry } from "../../ledger/schema.js";
import { describeLabelState, ledgerFacts, type LabelState } from "../../ledger/state.js";
import { entriesMentioning, ledgerDir, readLedger, readLedgerMentioning } from "../../ledger/store.js";
import { explainReason } from "../../naming/labels.js";
import { indexedFinder, lookup, scanFinder, type CommuneFinder } from "../../naming/lookup.js";
import { normalizeQuery } from "../../naming/query.js";
import type { CommandSpec } from "../command.js";
import type { CommandContext } from "../context.js";
import { communeLabelView } from "../views.js";

export const command: CommandSpec = {
  name: "check",
  summary: "which communes a name, code, label or domain designates, and why its label is what it is",
  usage: "<query> [--json] | --stdin [--json]",
  description:
    "The query may be a commune name (with or without accents), a SIREN, an INSEE code, a label,\n" +
    "a domain under the zone, an IDN (saint-rémy.collectivite.fr) or an A-label (xn--…).\n" +
    "Each match shows its state in the ledger; a label or domain also shows whether it is free,\n" +
    "allocated (to whom), an alias (of whom), reserved (why) or a tombstone (since when).\n" +
    "Exits 1 when the query designates no commune and the ledger does not know the label.\n" +
    "With --stdin, one query per line (the ledger and communes are read once): --json then prints\n" +
    "one JSON object per line, and the exit code is the worst of the queries' (2 > 1 > 0).",
  examples: ["domaines check Mende", "domaines check saint-denis", "domaines check saint-denis-93.collectivite.fr --json", "domaines check 214800957", "cut -d, -f1 communes.csv | domaines check --stdin --json"],
  options: {
    stdin: { type: "boolean", description: "read many queries from standard input, one per line" },
  },
  positionals: { min: 0, max: 1, name: "query" },
  async run(ctx) {
    const stdin = ctx.flag("stdin");
    if (stdin === (ctx.positionals.length === 1)) {
      throw new InputError("`domaines check` takes one query argument, or --stdin with queries on standard input (not both).");
    }
    if (!stdin) {
      // Built after the query is normalised, so that a bad query fails before the data loads.
      const finder = (): CommuneFinder => scanFinder(ctx.communeData().communes, ctx.computedLabels());
      return checkOne(ctx, ctx.positionals[0]!, finder, (values) => readLedgerMentioning(ledgerDir(ctx), values), (v) => ctx.printJson(v));
    }
    // Batch: indexes and the whole ledger (validated) once, then each query looks up in memory.
    const index = indexedFinder(ctx.communeData().communes, ctx.computedLabels());
    const finder = (): CommuneFinder => index;
    const read = entriesMentioning(readLedger(ledgerDir(ctx)));
    let worst = 0;
    for (const line of readFileSync(0, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      let code: number;
      try {
        code = await checkOne(ctx, line, finder, read, (v) => process.stdout.write(`${JSON.stringify(v)}\n`));
      } catch (err) {
        if (!(err instanceof DomainesError)) throw err;
        ctx.warn(err.message);
        if (ctx.json) process.stdout.write(`${JSON.stringify({ query: line, error: { message: err.message, exitCode: err.exitCode } })}\n`);
        code = err.exitCode;
      }
      ctx.print("");
      worst = Math.max(worst, code);
    }
    return worst;
  },
};

/** One query: prints its answer (JSON through `emitJson`) and returns its exit code. */
async function checkOne(
  ctx: CommandContext,
  query: string,
  communeFinder: () => CommuneFinder,
  read: (values: readonly string[]) => LedgerEntry[],
  emitJson: (value: unknown) => void,
): Promise<number> {
  const config = ctx.config();
  const normalized = normalizeQuery(query, config.zone);
  const finder = communeFinder();
  const labels = ctx.computedLabels();
  const result = lookup(finder, normalized, ctx.reserved());
  // The ledger: only the lines about this label and these communes are read (check stays fast).
  const isLabelQuery = normalized.kind === "label-or-name" || normalized.kind === "fqdn";
  const { queried, found, index, entries } = ledgerFacts(
    (values) => read(values),
    isLabelQuery ? normalized.value : null,
    result.matches,
    (key) => finder.find("key", key),
  );
  const nameOf = (key: string): string => {
    const c = finder.find("key", key);
    return c ? `${c.name} (${c.departement}, INSEE ${c.insee})` : `the former commune ${key}`;
  };

  const matches = found.map(({ commune, via }) => {
    const computed = labels.get(commune.key)!;
    const primary = index.primaryByKey.get(commune.key);
    const others = entries.filter((e) => e !== primary && (e.key === commune.key || e.aliasOf === commune.key));
    const ledger = {
      state: primary ? ("allocated" as const) : ("not-allocated" as const),
      label: primary?.label ?? null,
      fqdn: primary ? `${primary.label}.${config.zone}` : null,
      since: primary?.allocatedAt ?? null,
      legacy: primary?.legacy ?? false,
      grandfathered: primary?.grandfathered ?? false,
      services: primary ? Object.keys(primary.services) : [],
      aliases: others.filter((e) => e.state === "alias" && e.aliasOf === commune.key).map((e) => e.label),
      reserved: others.filter((e) => e.state === "reserved" && e.key === commune.key).map((e) => e.label),
    };
    return {
      ...communeLabelView(commune, computed),
      fqdn: computed.label ? `${computed.label}.${config.zone}` : null,
      matchedBy: via,
      explanation: explainReason(computed, commune.departement),
      ledger,
    };
  });
  if (ctx.json) {
    emitJson({
      query: normalized.input,
      normalized: { kind: normalized.kind, unicode: normalized.unicode, ascii: normalized.ascii, lookup: normalized.value },
      label: result.labelFacts ?? null,
      ledgerLabel: queried,
      matches,
    });
  } else {
    const shown = normalized.unicode === normalized.ascii ? normalized.ascii : `${normalized.unicode} (ASCII: ${normalized.ascii})`;
    ctx.print(`Query: ${shown} — read as ${normalized.kind === "label-or-name" ? "a name or label" : `a ${normalized.kind}`}`);
    if (queried) ctx.print(describeQueried(queried, config.zone, nameOf));
    const facts = result.labelFacts;
    if (facts?.problem) ctx.print(`The label "${facts.label}" cannot be allocated: ${facts.problem}.`);
    if (facts?.homonymGroupSlug) ctx.print(`"${facts.label}" is the shared slug of ${result.matches.length} homonym communes: it is reserved and given to none of them.`);
    for (const m of matches) {
      ctx.print("");
      ctx.print(`${m.name} (${m.departement}) — INSEE ${m.insee}, ${m.siren ? `SIREN ${m.siren}` : `no SIREN, key ${m.key}`}`);
      const l = m.ledger;
      if (l.label) {
        ctx.print(`  in the ledger: ${l.fqdn}, allocated since ${l.since?.slice(0, 10)}${l.legacy ? " (legacy)" : ""}${l.grandfathered ? " (kept after a homonym appeared)" : ""}${l.services.length ? `; services: ${l.services.join(", ")}` : "; no service enrolled"}`);
        if (l.label !== m.label) ctx.print(`  (its label stays ${l.label}, although its name would now give ${m.label ?? "no valid label"})`);
      } else {
        ctx.print(`  in the ledger: not allocated yet; it would get ${m.fqdn ?? "no valid label"}`);
      }
      if (l.aliases.length) ctx.print(`  aliases (merged communes, mail forwarded here): ${l.aliases.join(", ")}`);
      if (l.reserved.length) ctx.print(`  reserved for it (new name after a rename): ${l.reserved.join(", ")}`);
      ctx.print(`  computed label: ${m.label ?? "none"} — ${m.problem ?? m.explanation}`);
      if (m.homonyms.length > 0) ctx.print(`  homonym group (slug "${m.slug}"): ${m.homonyms.join(", ")} and this one`);
    }
  }
  if (matches.length === 0 && (queried === null || queried.state === "free")) {
    ctx.warn(`no current commune matches ${quoteInput(normalized.input)}; try the name with its accents, the INSEE code or the SIREN.`);
    return 1;
  }
  return 0;
}

function describeQueried(s: LabelState, zone: string, nameOf: (key: string) => string): string {
  return `Ledger: ${describeLabelState(s, zone, nameOf)}`;
}
