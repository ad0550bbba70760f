import { InputError } from "../errors.js";
import { copyLedger, type CopyReport } from "../ledger/pg/copy.js";
import { PgDatabase } from "../ledger/pg/database.js";
import { migrateSchema, type MigrationReport } from "../ledger/pg/migrate.js";
import { isPostgresUrl } from "../ledger/pg/url.js";
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

/** `domaines ledger copy`: the whole ledger and audit log from one store to another, empty one. */
export async function copyLedgerBetween(ws: Workspace, from: string, to: string): Promise<CopyReport> {
  return copyLedger(from, to, ws.reserved());
}
