import { InputError, quoteInput } from "../../errors.js";
import { copyLedgerBetween, migrateLedgerSchema } from "../../operations/ledger-admin.js";
import type { CommandSpec } from "../command.js";
import type { CommandContext } from "../context.js";

/** `domaines ledger <subcommand>`: administration of the ledger's store itself. */
const SUBCOMMANDS: Record<string, { summary: string; run: (ctx: CommandContext) => Promise<number> }> = {
  "migrate-schema": { summary: "create or upgrade the PostgreSQL schema of the ledger in --ledger / DOMAINES_LEDGER", run: migrate },
  copy: { summary: "copy the whole ledger and audit log, with its API tokens and usage history, --from a directory or URL --to an empty one", run: copy },
};

export const command: CommandSpec = {
  name: "ledger",
  summary: "the ledger's store: `migrate-schema` (PostgreSQL), `copy --from <dir|url> --to <dir|url>`",
  usage: "migrate-schema | copy --from <dir|url> --to <dir|url> [--json]",
  description: [
    "Subcommands:",
    ...Object.entries(SUBCOMMANDS).map(([name, s]) => `  ${name.padEnd(15)} ${s.summary}`),
    "",
    "--ledger (and DOMAINES_LEDGER) take a directory or a postgres://user:password@host:port/database URL;",
    "the password is never printed. A new database needs `migrate-schema` once (and after each upgrade of",
    "domaines that adds a migration). `copy` refuses a source that does not validate and a target that is",
    "not empty, then proves the copy: it validates, and its `export --format json` equals the source's.",
  ].join("\n"),
  examples: [
    "domaines ledger migrate-schema --ledger postgres://domaines@db.internal:5432/domaines",
    "domaines ledger copy --from data/ledger --to postgres://domaines@db.internal/domaines --json",
    "domaines ledger copy --from postgres://domaines@db.internal/domaines --to /srv/backup/ledger-2026-06",
  ],
  options: {
    from: { type: "string", valueName: "DIR|URL", description: "copy: the ledger to copy (a directory or a postgres:// URL)" },
    to: { type: "string", valueName: "DIR|URL", description: "copy: where to copy it (an empty or absent directory, or an empty migrated database)" },
  },
  positionals: { min: 1, max: 1, name: "subcommand" },
  async run(ctx) {
    const name = ctx.positionals[0]!;
    const sub = SUBCOMMANDS[name];
    if (!sub) throw new InputError(`unknown subcommand ${quoteInput(name)} of \`domaines ledger\`; use one of: ${Object.keys(SUBCOMMANDS).join(", ")}.`);
    if (name !== "copy") {
      for (const option of ["from", "to"]) if (ctx.string(option) !== undefined) throw new InputError(`--${option} applies to \`domaines ledger copy\` only.`);
    }
    return sub.run(ctx);
  },
};

async function migrate(ctx: CommandContext): Promise<number> {
  const report = await migrateLedgerSchema(ctx.ws);
  if (ctx.json) ctx.printJson(report);
  else if (report.applied.length === 0) ctx.print(`${report.database}: the schema is up to date (version ${report.version}).`);
  else ctx.print(`${report.database}: applied ${report.applied.map((m) => `${String(m.version).padStart(4, "0")}_${m.name}`).join(", ")}; the schema is at version ${report.version}.`);
  return 0;
}

async function copy(ctx: CommandContext): Promise<number> {
  const from = ctx.string("from");
  const to = ctx.string("to");
  if (from === undefined || to === undefined) throw new InputError("`domaines ledger copy` needs --from <dir|url> and --to <dir|url>.");
  const report = await copyLedgerBetween(ctx.ws, from, to);
  if (ctx.json) ctx.printJson(report);
  else {
    ctx.print(`Copied ${report.labels} labels and ${report.audit.records} audit records (${report.audit.transactions} transactions, ${report.audit.changes} changes) from ${report.from} to ${report.to}.`);
    if (report.skippedUnreadableLines > 0) ctx.print(`${report.skippedUnreadableLines} unreadable audit line(s) of the source, each excused by an aborted marker (a crash the store had settled), were not copied.`);
    ctx.print(`Copied ${report.tokens.copied} API token record(s) (hashes) to ${report.tokens.to} and ${report.usage.samples} usage sample(s) to ${report.usage.to}.`);
    ctx.print("The copy validates, and its `export --format json` is byte for byte the source's.");
  }
  return 0;
}
