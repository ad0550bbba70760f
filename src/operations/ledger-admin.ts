import { existsSync } from "node:fs";
import { openTokenStore, tokensLocation, type TokenStore } from "../auth/token-store.js";
import { FailureError, InputError } from "../errors.js";
import { copyLedger, type CopyReport } from "../ledger/pg/copy.js";
import { PgDatabase } from "../ledger/pg/database.js";
import { migrateSchema, type MigrationReport } from "../ledger/pg/migrate.js";
import { isPostgresUrl } from "../ledger/pg/url.js";
import { openLedgerStore } from "../ledger/open.js";
import type { LedgerStore } from "../ledger/ledger-store.js";
import { usageHistoryFor, type UsageHistory } from "../services/usage-history.js";
import type { Workspace } from "../workspace.js";

/** `domaines ledger migrate-schema`: the database schema of a PostgreSQL ledger brought to this version. */
export async function migrateLedgerSchema(ws: Workspace): Promise<MigrationReport> {
  const location = ws.ledgerLocation();
  if (!isPostgresUrl(location)) {
    throw new InputError(`the ledger ${location} is a directory (the file store), which has no schema to migrate; give a postgres:// URL with --ledger or DOMAINES_LEDGER.`);
  }
  const db = new PgDatabase(location, ws.env);
  try {
    return await migrateSchema(db);
  } finally {
    await db.close();
  }
}

export interface LedgerCopyReport extends CopyReport {
  /** API token records (hashes) copied from the source's token store to the target's. */
  tokens: { from: string; to: string; copied: number };
  /** Usage samples (the history fees are computed from) copied between the two stores' histories. */
  usage: { from: string; to: string; samples: number };
}

/** Every day a sample can be filed under. */
const ALL_DAYS = { from: "0001-01-01", to: "9999-12-31" };

/** The token store and usage history that go with a ledger location (beside a directory, or in its database). */
interface Companions {
  ledger: LedgerStore;
  tokens: TokenStore;
  usage: UsageHistory;
}

async function companions(location: string, env: NodeJS.ProcessEnv): Promise<Companions> {
  const ledger = openLedgerStore(location, env);
  // The location as given, not ledger.location: a database's location is shown without its password.
  const tokens = await openTokenStore(tokensLocation(undefined, location, env), env);
  return { ledger, tokens, usage: usageHistoryFor(ledger as LedgerStore & { database?: PgDatabase }) };
}

async function closeAll(c: Companions): Promise<void> {
  await Promise.all([c.tokens.close?.(), c.ledger.close()]);
}

/**
 * `domaines ledger copy`: the whole ledger and audit log from one store to another, empty
 * one, and with them what lives beside the ledger: the API tokens (a server on the new
 * store must accept the onboarding scripts' tokens) and the usage history (the fees of
 * past four-month periods are computed from it). The target's token store and history must
 * be empty too; both are checked before anything is written.
 */
export async function copyLedgerBetween(ws: Workspace, from: string, to: string): Promise<LedgerCopyReport> {
  const source = await companions(from, ws.env);
  const target = await companions(to, ws.env);
  try {
    // A target ledger that holds labels is refused by copyLedger itself, with what it holds; these checks are for an empty one.
    const targetEmpty = (target.ledger.kind === "file" && !existsSync(target.ledger.location)) || (await target.ledger.read()).length === 0;
    const sourceTokens = await source.tokens.list();
    const history = await source.usage.validate();
    if (!history.ok) throw new FailureError(`refused, nothing copied: the source's usage history ${source.usage.location} must validate first:\n  ${history.problems.slice(0, 20).join("\n  ")}`, "refused");
    const samples = await source.usage.read(ALL_DAYS);
    if (targetEmpty) {
      const tokensHeld = (await target.tokens.list()).length;
      if (tokensHeld > 0) throw new FailureError(`refused, nothing copied: the target's token store ${target.tokens.location} already holds ${tokensHeld} API token(s); copy into a new directory or database, whose token store is empty.`, "refused");
      const samplesHeld = (await target.usage.read(ALL_DAYS)).length;
      if (samplesHeld > 0) throw new FailureError(`refused, nothing copied: the target's usage history ${target.usage.location} already holds ${samplesHeld} sample(s); copy into a new directory or database, whose history is empty.`, "refused");
    }

    const report = await copyLedger(from, to, ws.reserved());
    for (const record of sourceTokens) await target.tokens.add(record);
    if (samples.length > 0) {
      const appended = await target.usage.append(samples);
      if (appended.added !== samples.length) throw new FailureError(`internal: ${samples.length} usage samples copied but ${appended.added} added to ${target.usage.location}`, "internal");
    }
    return {
      ...report,
      tokens: { from: source.tokens.location, to: target.tokens.location, copied: sourceTokens.length },
      usage: { from: source.usage.location, to: target.usage.location, samples: samples.length },
    };
  } finally {
    await Promise.all([closeAll(source), closeAll(target)]);
  }
}
