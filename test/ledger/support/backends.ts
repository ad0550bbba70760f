import { rmSync } from "node:fs";
import { migratedDatabase, usePostgres } from "../../support/postgres.js";
import { tempLedger } from "./ledger-dir.js";

/**
 * The two stores a ledger test runs against: `describe.each(ledgerBackends())`. Each
 * `create()` gives a new, empty ledger location (a temp directory, or a new migrated
 * database on this file's throw-away PostgreSQL cluster) and a scratch directory for the
 * test's other files (for the file store, the ledger directory itself, as before).
 */
export interface LedgerTarget {
  location: string;
  scratch: string;
  remove(): void;
}

export interface LedgerBackend {
  name: "file" | "postgres";
  create(): Promise<LedgerTarget>;
}

export function ledgerBackends(): LedgerBackend[] {
  const cluster = usePostgres();
  return [
    {
      name: "file",
      async create() {
        const dir = tempLedger();
        return { location: dir, scratch: dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
      },
    },
    {
      name: "postgres",
      async create() {
        const url = migratedDatabase(await cluster());
        const scratch = tempLedger("domaines-scratch-");
        return { location: url, scratch, remove: () => rmSync(scratch, { recursive: true, force: true }) };
      },
    },
  ];
}
