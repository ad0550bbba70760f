import { resolve } from "node:path";
import type { LedgerStore } from "./ledger-store.js";
import { PostgresLedgerStore } from "./pg/store.js";
import { isPostgresUrl } from "./pg/url.js";
import { FileLedgerStore } from "./store.js";

/**
 * The store a `--ledger` / DOMAINES_LEDGER value designates: a `postgres://` (or
 * `postgresql://`) URL is the PostgreSQL store, anything else a directory (the file store).
 */
export function openLedgerStore(location: string, env: NodeJS.ProcessEnv = process.env): LedgerStore {
  if (isPostgresUrl(location)) return new PostgresLedgerStore(location, env);
  return new FileLedgerStore(resolve(location));
}
