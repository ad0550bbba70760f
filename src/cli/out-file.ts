import { realpathSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { InputError } from "../errors.js";
import { replaceDurably } from "../ledger/fsync.js";
import { RETIRED_APPLIED_FILE } from "../operations/dns.js";
import type { CommandContext } from "./context.js";

/**
 * `--out FILE` of the commands that write a report or an export: atomically (exit 1 naming
 * the path and the cause on ENOSPC, EFBIG, EACCES…; no temp file left), and never onto
 * the ledger's own files.
 */
export function writeOutFile(ctx: CommandContext, out: string, data: string | Buffer): void {
  refuseLedgerFiles(ctx, out);
  replaceDurably(out, data);
}

/**
 * The ledger's own files: ledger.jsonl, audit.jsonl and what the store keeps beside them
 * under their names (its lock, temp files), the server's tokens, and the retired applied DNS snapshot.
 * Only the commands that own them write them, under the lock and with an audit line.
 */
function isLedgerFile(name: string): boolean {
  return /^(ledger|audit)\.(jsonl|lock)/.test(name) || name === RETIRED_APPLIED_FILE || name === "tokens.json";
}

/** `--out <ledger>/audit.jsonl` would replace the audit log with no lock and no audit line. */
function refuseLedgerFiles(ctx: CommandContext, out: string): void {
  const store = ctx.ws.store();
  if (store.kind !== "file") return;
  if (isLedgerFile(basename(out)) && realDirectory(dirname(resolve(out))) === realDirectory(store.location)) {
    throw new InputError(`--out ${out} is one of the ledger's own files in ${store.location} (ledger.jsonl, audit.jsonl, the lock, dns-applied.json, tokens.json), which only the commands that own them write; write elsewhere.`);
  }
}

/** The directory with every link resolved (as given when it does not exist: writing there will fail on its own). */
function realDirectory(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}
