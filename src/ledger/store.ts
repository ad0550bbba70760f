import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { FailureError, InputError } from "../errors.js";
import { loadReservedLabels } from "../naming/reserved.js";
import { dataPath } from "../paths.js";
import { auditEventLine, auditLines, replayAudit, settleLastTransaction, type Change } from "./audit.js";
import { parseLedgerText, sameEntry, serializeLedger, type NumberedEntry } from "./codec.js";
import { appendDurably, replaceDurably } from "./fsync.js";
import { ledgerProblems, transitionProblem } from "./invariants.js";
import { acquireLock } from "./lock.js";
import type { LedgerChanges, LedgerStore, LedgerUpdate, TransactionMeta, ValidationReport } from "./ledger-store.js";
import type { LedgerEntry } from "./schema.js";

export type { LedgerChanges, LedgerUpdate } from "./ledger-store.js";

export const LEDGER_FILE = "ledger.jsonl";
export const AUDIT_FILE = "audit.jsonl";
const LOCK_DIR = "ledger.lock";

/** `--ledger DIR`, else DOMAINES_LEDGER, else data/ledger. Accepts a CommandContext or a path. */
export function ledgerDir(ctxOrOverride?: string | { string(name: string): string | undefined }): string {
  const explicit = typeof ctxOrOverride === "string" ? ctxOrOverride : ctxOrOverride?.string("ledger");
  const chosen = explicit ?? process.env.DOMAINES_LEDGER;
  return resolve(chosen && chosen !== "" ? chosen : dataPath("ledger"));
}

export function ledgerPaths(dir: string): { ledger: string; audit: string; lock: string } {
  return { ledger: join(dir, LEDGER_FILE), audit: join(dir, AUDIT_FILE), lock: join(dir, LOCK_DIR) };
}

function requireDir(dir: string): void {
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new InputError(`ledger directory ${dir} does not exist; check --ledger / DOMAINES_LEDGER, or create the directory (mkdir) to start an empty ledger there.`);
  }
}

/** Every line of the ledger with its line number, validated; a missing file is an empty ledger. */
export function readLedgerLines(dir: string): NumberedEntry[] {
  requireDir(dir);
  const file = ledgerPaths(dir).ledger;
  if (!existsSync(file)) return [];
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError(`cannot read the ledger ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseLedgerText(text, file);
}

/** The ledger's entries, validated (bad lines → InputError naming file:line and the rule). */
export function readLedger(dir: string): LedgerEntry[] {
  return readLedgerLines(dir).map((n) => n.entry);
}

/**
 * Only the entries that mention one of `values` (as a label, key or aliasOf), each still
 * validated with zod: for `check`, which answers about one label or commune and must stay
 * fast on a ledger of 35,000 lines (a full validated read costs about half a second).
 * A line that does not contain `"<value>"` is skipped unread; `validate` and every write
 * read the whole file.
 */
export function readLedgerMentioning(dir: string, values: readonly string[]): LedgerEntry[] {
  requireDir(dir);
  const file = ledgerPaths(dir).ledger;
  if (!existsSync(file) || values.length === 0) return [];
  // Searched as bytes: no decoding of the whole file, only of the lines that match.
  const buf = readFileSync(file);
  const starts = new Set<number>();
  for (const v of values) {
    const needle = Buffer.from(JSON.stringify(v));
    for (let at = buf.indexOf(needle); at >= 0; at = buf.indexOf(needle, at + needle.length)) {
      starts.add(buf.lastIndexOf(NEWLINE, at) + 1);
    }
  }
  // Rebuild a text with the picked lines at their line numbers (blank lines between), so
  // that an error still names the right line.
  const picked: string[] = [];
  let line = 1;
  let pos = 0;
  for (const start of [...starts].sort((a, b) => a - b)) {
    for (let nl = buf.indexOf(NEWLINE, pos); nl >= 0 && nl < start; nl = buf.indexOf(NEWLINE, nl + 1)) line++;
    let end = buf.indexOf(NEWLINE, start);
    if (end < 0) end = buf.length;
    while (picked.length < line - 1) picked.push("");
    picked.push(buf.toString("utf8", start, end));
    pos = start;
  }
  const wanted = new Set(values);
  return parseLedgerText(picked.join("\n"), file)
    .map((n) => n.entry)
    .filter((e) => wanted.has(e.label) || (e.key !== null && wanted.has(e.key)) || (e.aliasOf !== undefined && wanted.has(e.aliasOf)));
}

const NEWLINE = 0x0a;


function fileIdentity(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return "absent";
  }
}

/** Temp files left by writers killed before their rename: safe to remove once we hold the lock. */
function removeLeftoverTempFiles(dir: string): void {
  for (const name of readdirSync(dir)) if (name.startsWith(`${LEDGER_FILE}.tmp-`)) rmSync(join(dir, name), { force: true });
}

/**
 * One transaction: take the lock, re-read the ledger, apply `fn`, check every invariant
 * and every label's transition, append the audit lines (fsync), replace the ledger
 * atomically, release. `fn` must be pure (it may be given the entries of a ledger that
 * changed since the caller last looked). Nothing is written when nothing changes or
 * when anything is refused.
 */
export async function updateLedger<T>(
  dir: string,
  actor: string,
  command: string,
  fn: (entries: LedgerEntry[]) => LedgerChanges<T>,
): Promise<LedgerUpdate<T>> {
  requireDir(dir);
  const paths = ledgerPaths(dir);
  const lock = await acquireLock(paths.ledger, paths.lock);
  try {
    removeLeftoverTempFiles(dir);
    const identity = fileIdentity(paths.ledger);
    const entries = readLedger(dir);
    const byLabel = new Map(entries.map((e) => [e.label, e]));
    const now = new Date().toISOString();
    settleLastTransaction(paths.audit, byLabel, actor, now);

    const { put, result } = fn(entries);
    const next = new Map(byLabel);
    const changes: Change[] = [];
    const refused: string[] = [];
    const seen = new Set<string>();
    for (const after of put) {
      if (seen.has(after.label)) throw new Error(`internal: label ${after.label} put twice in one transaction`);
      seen.add(after.label);
      const before = byLabel.get(after.label) ?? null;
      if (sameEntry(before ?? undefined, after)) continue;
      const problem = transitionProblem(before, after);
      if (problem) refused.push(problem);
      changes.push({ label: after.label, before, after });
      next.set(after.label, after);
    }
    if (refused.length > 0) throw new FailureError(`refused, nothing written:\n  ${refused.slice(0, 20).join("\n  ")}`);
    if (changes.length === 0) return { result, changes, tx: null };
    const nextEntries = [...next.values()];
    const problems = ledgerProblems(nextEntries, loadReservedLabels());
    if (problems.length > 0) {
      const shown = problems.slice(0, 20).map((p) => p.message).join("\n  ");
      throw new FailureError(`refused, nothing written: the ledger would break its invariants (run \`domaines validate\` if it already does):\n  ${shown}`);
    }
    if (fileIdentity(paths.ledger) !== identity) throw new FailureError("the ledger changed while this command held the lock (a lock taken over as stale?); nothing written, run the command again.");
    const tx = `${now}-${randomUUID().slice(0, 8)}`;
    appendDurably(paths.audit, auditLines(tx, now, actor, command, changes));
    const lost = lock.compromised();
    if (lost) throw new FailureError(`lost the ledger lock before writing (${lost.message}); nothing replaced, the next command records the transaction as aborted.`);
    replaceDurably(paths.ledger, serializeLedger(nextEntries));
    return { result, changes, tx };
  } finally {
    await lock.release();
  }
}

/** The ledger in a directory (ledger.jsonl + audit.jsonl): the embedded default. */
export class FileLedgerStore implements LedgerStore {
  readonly kind = "file";
  constructor(readonly dir: string) {}

  get location(): string {
    return this.dir;
  }

  async read(): Promise<LedgerEntry[]> {
    return readLedger(this.dir);
  }

  async readMentioning(values: readonly string[]): Promise<LedgerEntry[]> {
    return readLedgerMentioning(this.dir, values);
  }

  transact<T>(meta: TransactionMeta, fn: (entries: readonly LedgerEntry[]) => LedgerChanges<T>): Promise<LedgerUpdate<T>> {
    return updateLedger(this.dir, meta.actor, meta.command, (entries) => fn(entries));
  }

  async recordEvent(meta: TransactionMeta, event: { kind: string } & Record<string, unknown>): Promise<void> {
    requireDir(this.dir);
    const paths = ledgerPaths(this.dir);
    const lock = await acquireLock(paths.ledger, paths.lock);
    try {
      const now = new Date().toISOString();
      settleLastTransaction(paths.audit, new Map(readLedger(this.dir).map((e) => [e.label, e])), meta.actor, now);
      appendDurably(paths.audit, auditEventLine(`${now}-${randomUUID().slice(0, 8)}`, now, meta.actor, meta.command, event));
    } finally {
      await lock.release();
    }
  }

  async validate(reserved: ReadonlySet<string>): Promise<ValidationReport> {
    return validateLedgerDir(this.dir, reserved);
  }

  async close(): Promise<void> {}
}

/** validate for the file store: invariants by line, and the audit log replayed must give exactly the ledger. */
export function validateLedgerDir(dir: string, reserved: ReadonlySet<string>): ValidationReport {
  const paths = ledgerPaths(dir);
  const numbered = readLedgerLines(dir);
  const entries = numbered.map((n) => n.entry);
  const problems = ledgerProblems(entries, reserved, numbered.map((n) => n.line)).map((p) => `${paths.ledger}:${p.line}: ${p.message}`);
  // Aborted transactions are left out of the replay.
  const replay = replayAudit(paths.audit);
  problems.push(...replay.problems);
  const current = new Map(entries.map((e) => [e.label, e]));
  const differs = (state: Map<string, LedgerEntry>): string[] => {
    const labels = new Set([...state.keys(), ...current.keys()]);
    return [...labels].filter((l) => !sameEntry(state.get(l), current.get(l))).sort();
  };
  let note: string | null = null;
  let mismatch = differs(replay.state);
  if (mismatch.length > 0 && replay.stateBeforeLast && differs(replay.stateBeforeLast).length === 0) {
    note = `the last transaction in the audit log (${replay.lastTx}) never reached the ledger (a process stopped between the two writes); the next write records it as aborted.`;
    mismatch = [];
  }
  const lineOf = new Map(numbered.map((n) => [n.entry.label, n.line]));
  for (const label of mismatch.slice(0, 50)) {
    const line = lineOf.get(label);
    problems.push(`${paths.ledger}:${line ?? "-"}: label "${label}" ${line === undefined ? "is in the audit log but missing from the ledger" : "differs from the audit log replayed (edited outside domaines, or a label deleted or revived by hand)"}`);
  }
  if (mismatch.length > 50) problems.push(`… and ${mismatch.length - 50} more labels differ from the audit log`);
  const counts = { allocated: 0, alias: 0, reserved: 0, tombstone: 0 };
  for (const e of entries) counts[e.state]++;
  return { ledger: paths.ledger, labels: entries.length, counts, audit: { transactions: replay.transactions, changes: replay.changes }, ok: problems.length === 0, problems, note };
}
