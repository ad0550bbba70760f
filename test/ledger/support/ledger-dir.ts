import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isPostgresUrl } from "../../../src/ledger/pg/url.js";
import { runCli, type CliResult } from "../../support/cli.js";
import { psqlAt } from "../../support/postgres.js";

/**
 * Helpers over a ledger location: a directory (the file store) or a postgres:// URL (the
 * PostgreSQL store), so that one test runs against both.
 */

/** A fresh, empty ledger directory under the OS temp dir. */
export function tempLedger(prefix = "domaines-ledger-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs the CLI on the ledger at `location` with a fixed actor. */
export function cli(location: string, args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  return runCli([...args, "--ledger", location, "--actor", "test"], { env });
}

const ENTRY_ROWS = "SELECT entry::text FROM domaines.ledger_entries ORDER BY label";
const AUDIT_ROWS = `SELECT json_build_object('id', id, 'tx', tx, 'kind', kind, 'seq', seq, 'of', "of", 'time', time, 'actor', actor, 'command', command,
  'label', label, 'before', before, 'after', after, 'digest', digest, 'event', event, 'reason', reason)::text FROM domaines.audit_log ORDER BY id`;

/** Ledger and audit contents (file bytes, or the database's rows as text), to prove that a refused command wrote nothing. */
export function snapshotFiles(location: string): { ledger: string; audit: string } {
  if (isPostgresUrl(location)) return { ledger: psqlAt(location, ENTRY_ROWS).join("\n"), audit: psqlAt(location, AUDIT_ROWS).join("\n") };
  const read = (f: string) => {
    try {
      return readFileSync(join(location, f), "utf8");
    } catch {
      return "<absent>";
    }
  };
  return { ledger: read("ledger.jsonl"), audit: read("audit.jsonl") };
}

/** What snapshotFiles gives for a ledger never written. */
export function emptySnapshot(location: string): { ledger: string; audit: string } {
  return isPostgresUrl(location) ? { ledger: "", audit: "" } : { ledger: "<absent>", audit: "<absent>" };
}

/** The ledger's entries as stored (canonical: default-valued fields left out), sorted by label. */
export function ledgerLines(location: string): Record<string, unknown>[] {
  if (isPostgresUrl(location)) return psqlAt(location, ENTRY_ROWS).map((l) => JSON.parse(l) as Record<string, unknown>);
  return readFileSync(join(location, "ledger.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The audit log's records in order, in the file store's shape (a database row's empty columns left out). */
export function auditRecords(location: string): Record<string, unknown>[] {
  if (!isPostgresUrl(location)) return readFileSync(join(location, "audit.jsonl"), "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return psqlAt(location, AUDIT_ROWS).map((l) => {
    const { id: _id, kind, digest, event, reason, seq, of, label, before, after, ...head } = JSON.parse(l) as Record<string, unknown>;
    if (kind === "change") return { ...head, seq, of, label, before, after, ...(digest ? { digest } : {}) };
    if (kind === "event") return { ...head, event };
    return { ...head, outcome: "aborted", reason };
  });
}

export function writeJson(path: string, value: unknown): string {
  writeFileSync(path, JSON.stringify(value));
  return path;
}
