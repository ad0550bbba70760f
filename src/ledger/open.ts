import { resolve } from "node:path";
import type { LedgerStore } from "./ledger-store.js";
import { FileLedgerStore } from "./store.js";

/** The store a `--ledger` / DOMAINES_LEDGER value designates: a directory (the file store). */
export function openLedgerStore(location: string): LedgerStore {
  return new FileLedgerStore(resolve(location));
}
