import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { FailureError, InputError } from "../errors.js";
import { parseReservedList } from "../naming/label.js";
import { loadReservedLabels, readReservedText } from "../naming/reserved.js";
import { dataPath } from "../paths.js";
import { auditEventLine, auditLines, EMPTY_LEDGER_SHA, ledgerSha256, ledgerTrusted, replayAudit, settleAudit, type SettleChecks } from "./audit.js";
import { freezeEntry, parseLedgerText, parseTrustedLedger, sameEntry, serializeEntry, type NumberedEntry } from "./codec.js";
import { ioError } from "../io-errors.js";
import { appendDurably, asFileError, replaceDurably, tempOwnerPid } from "./fsync.js";
import { applyToIndex, buildKeyIndex, changeProblems, type KeyIndex } from "./incremental.js";
import { ledgerProblems } from "./invariants.js";
import { reviewPut } from "./review-put.js";
import { acquireLock, holderGone, pidRunning, type LockOwner } from "./lock.js";
import type { LedgerChanges, LedgerStore, LedgerUpdate, TransactionMeta, ValidationReport } from "./ledger-store.js";
import { ledgerEntrySchema, type LedgerEntry } from "./schema.js";

export type { LedgerChanges, LedgerUpdate } from "./ledger-store.js";

export const LEDGER_FILE = "ledger.jsonl";
export const AUDIT_FILE = "audit.jsonl";
const LOCK_FILE = "ledger.lock";

/** `--ledger DIR`, else DOMAINES_LEDGER, else data/ledger. Accepts a CommandContext or a path. */
export function ledgerDir(ctxOrOverride?: string | { string(name: string): string | undefined }): string {
  const explicit = typeof ctxOrOverride === "string" ? ctxOrOverride : ctxOrOverride?.string("ledger");
  const chosen = explicit ?? process.env.DOMAINES_LEDGER;
  return resolve(chosen && chosen !== "" ? chosen : dataPath("ledger"));
}

export function ledgerPaths(dir: string): { ledger: string; audit: string; lock: string } {
  return { ledger: join(dir, LEDGER_FILE), audit: join(dir, AUDIT_FILE), lock: join(dir, LOCK_FILE) };
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

/**
 * What this process last read or wrote of a ledger file: its identity on disk (inode, size,
 * mtime, ctime: any write or rename changes it), digest, lines and entries. A long-running
 * writer (the server) then re-reads nothing between its own transactions.
 */
interface LoadedLedger {
  identity: string;
  sha: string;
  lines: string[];
  entries: LedgerEntry[];
  /** Read through the digest chain (written by domaines) rather than validated with zod. */
  trusted: boolean;
  /** The file's bytes when its lines are exactly `lines` (a file domaines wrote): writes reuse them. */
  bytes: Buffer | null;
  /**
   * Set once the whole ledger was found to hold its invariants under this reserved list:
   * each write then checks its change alone (src/ledger/incremental.ts), and hands the
   * index, brought up to date, to the ledger it wrote.
   */
  checked?: { reservedText: string; index: KeyIndex };
}
const loaded = new Map<string, LoadedLedger>();

function fileIdentity(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "absent";
    throw ioError(err, { path, action: "read" });
  }
}

function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return Buffer.alloc(0);
    throw ioError(err, { path: file, action: "read the ledger" });
  }
}

/**
 * The ledger file as entries. Text whose digest the audit log's chain vouches for was
 * written by domaines from validated entries: it is parsed without zod. Any other text (a
 * hand edit, a log older than the chain) is validated line by line with the schema.
 */
function loadLedger(dir: string): LoadedLedger {
  const { ledger: file, audit } = ledgerPaths(dir);
  const identity = fileIdentity(file);
  const known = loaded.get(file);
  if (known && known.identity === identity) return known;
  const buf = readBytes(file);
  const sha = ledgerSha256(buf);
  const text = buf.toString("utf8");
  let result: LoadedLedger;
  if (ledgerTrusted(audit, sha) === true) {
    const { entries, lines } = parseTrustedLedger(text);
    result = { identity, sha, lines, entries, trusted: true, bytes: buf };
  } else {
    const entries = parseLedgerText(text, file).map((n) => n.entry);
    result = { identity, sha, lines: entries.map(serializeEntry), entries, trusted: false, bytes: null };
  }
  loaded.set(file, result);
  return result;
}

/** Every line of the ledger with its line number, validated with the schema; a missing file is an empty ledger. */
export function readLedgerLines(dir: string): NumberedEntry[] {
  requireDir(dir);
  const file = ledgerPaths(dir).ledger;
  return parseLedgerText(readBytes(file).toString("utf8"), file);
}

/** The ledger's entries (bad lines → InputError naming file:line and the rule). */
export function readLedger(dir: string): LedgerEntry[] {
  requireDir(dir);
  return loadLedger(dir).entries;
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

/**
 * What writers killed mid-way leave in the directory: temp files of a ledger replacement
 * (named with their pid) and of a lock acquisition. Removed under the lock, and only when
 * their writer is no longer running.
 */
function removeLeftovers(dir: string): void {
  const file = ledgerPaths(dir).ledger;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const pid = tempOwnerPid(name, file);
    if (pid !== null) {
      if (!pidRunning(pid)) rmSync(path, { force: true });
      continue;
    }
    if (name.startsWith(`${LOCK_FILE}.`) && name.endsWith(".tmp")) {
      try {
        const owner = JSON.parse(readFileSync(path, "utf8")) as LockOwner;
        if (holderGone(owner, statSync(path).mtimeMs) !== null) rmSync(path, { force: true });
      } catch {
        // Cut short by a crash, or not written yet by a live waiter (which writes it again if it is removed).
        const writer = Number(name.slice(LOCK_FILE.length + 1).split(".")[0]);
        if (!(Number.isInteger(writer) && pidRunning(writer)) || Date.now() - statSync(path).mtimeMs > 60_000) rmSync(path, { force: true });
      }
    } else if (name.startsWith(`${LOCK_FILE}.stale-`) && Date.now() - statSync(path).mtimeMs > 60_000) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}


/** Byte offset of each line of `bytes` (and its length at the end), when it holds exactly `count` newline-ended lines. */
function lineStarts(bytes: Buffer, count: number): Float64Array | null {
  const starts = new Float64Array(count + 1);
  let at = 0;
  for (let i = 0; i < count; i++) {
    starts[i] = at;
    const nl = bytes.indexOf(NEWLINE, at);
    if (nl < 0) return null;
    at = nl + 1;
  }
  starts[count] = at;
  return at === bytes.length ? starts : null;
}

/**
 * The ledger's lines with `changed` entries put in their sorted places (lines stay
 * canonical and sorted), and the new file's bytes. Given the current file's bytes (whose
 * lines are exactly `lines`), the bytes of unchanged runs are reused as they are: one
 * onboarding into 35,000 lines copies the file instead of joining 35,000 strings again.
 */
function spliceLines(lines: readonly string[], entries: readonly LedgerEntry[], changed: readonly LedgerEntry[], bytes: Buffer | null = null): { lines: string[]; entries: LedgerEntry[]; bytes: Buffer } {
  // The engine's own string sort (code-unit order, as compareLabels) is several times faster than a comparator.
  const byLabel = new Map(changed.map((e) => [e.label, e]));
  const sorted = [...byLabel.keys()].sort().map((l) => byLabel.get(l)!);
  const starts = bytes !== null && sorted.length < lines.length ? lineStarts(bytes, lines.length) : null;
  const outLines: string[] = [];
  const outEntries: LedgerEntry[] = [];
  const segments: Buffer[] = [];
  let run = -1; // first line of the current run of unchanged lines, or -1
  const endRun = (at: number): void => {
    if (starts !== null && run >= 0) segments.push(bytes!.subarray(starts[run], starts[at]));
    run = -1;
  };
  const putChanged = (e: LedgerEntry, at: number): void => {
    endRun(at);
    const line = serializeEntry(e);
    outEntries.push(e);
    outLines.push(line);
    if (starts !== null) segments.push(Buffer.from(`${line}\n`, "utf8"));
  };
  let j = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    while (j < sorted.length && sorted[j]!.label < e.label) putChanged(sorted[j++]!, i);
    if (j < sorted.length && sorted[j]!.label === e.label) putChanged(sorted[j++]!, i);
    else {
      if (run < 0) run = i;
      outEntries.push(e);
      outLines.push(lines[i]!);
    }
  }
  endRun(entries.length);
  for (; j < sorted.length; j++) putChanged(sorted[j]!, entries.length);
  return { lines: outLines, entries: outEntries, bytes: starts !== null ? Buffer.concat(segments) : ledgerBytes(outLines) };
}

/** The ledger file's bytes, converted once: its digest and the write both read them. */
function ledgerBytes(lines: readonly string[]): Buffer {
  return Buffer.from(lines.length === 0 ? "" : `${lines.join("\n")}\n`, "utf8");
}

/** Labels where `entries` differ from the audit log replayed (none when they equal it, or the state before its last transaction). */
function labelsDifferingFromAudit(dir: string, entries: readonly LedgerEntry[]): string[] {
  const replay = replayAudit(ledgerPaths(dir).audit);
  const current = new Map(entries.map((e) => [e.label, e]));
  const differing = (state: Map<string, LedgerEntry>) => [...new Set([...state.keys(), ...current.keys()])].filter((l) => !sameEntry(state.get(l), current.get(l))).sort();
  const now = differing(replay.state);
  return now.length === 0 || (replay.stateBeforeLast !== null && differing(replay.stateBeforeLast).length === 0) ? [] : now;
}

/** The checks settleAudit needs: agreement with an old log replayed, and what to say of a refused ledger. */
function settleChecks(dir: string, entries: readonly LedgerEntry[]): SettleChecks {
  const list = (xs: string[]) => `${xs.slice(0, 10).join(", ")}${xs.length > 10 ? `, … (${xs.length} in all)` : ""}`;
  return {
    legacyCheck: () => {
      const differing = labelsDifferingFromAudit(dir, entries);
      return differing.length === 0 ? null : `it differs from its audit log replayed at label(s) ${list(differing)}`;
    },
    explain: () => {
      const lines: string[] = [];
      const differing = labelsDifferingFromAudit(dir, entries);
      if (differing.length > 0) lines.push(`labels that differ from the audit log: ${list(differing)}`);
      for (const p of ledgerProblems(entries, loadReservedLabels()).slice(0, 10)) lines.push(p.message);
      return lines.join("\n  ");
    },
  };
}

/**
 * The ledger's index, once the whole ledger has been found to hold its invariants under
 * this reserved list (once per content and list: a server's later writes reuse it).
 * A ledger that breaks them (edited by hand, or a label the list now reserves) is refused.
 */
function checkedLedger(current: LoadedLedger, reserved: ReadonlySet<string>, reservedText: string): { index: KeyIndex } {
  if (current.checked && current.checked.reservedText === reservedText) return current.checked;
  const problems = ledgerProblems(current.entries, reserved);
  if (problems.length > 0) {
    throw new FailureError(`refused, nothing written: the ledger already breaks its invariants; run \`domaines validate\`:\n  ${problems.slice(0, 20).map((p) => p.message).join("\n  ")}`, "ledger-damaged");
  }
  current.checked = { reservedText, index: buildKeyIndex(current.entries) };
  return current.checked;
}

/**
 * One transaction: take the lock, settle what a crash left in the audit log and refuse a
 * ledger that is not the one last written, apply `fn`, check every label's transition and
 * the whole ledger's invariants, append the audit lines with the digest chain (fsync),
 * check the lock is still ours, replace the ledger atomically, release. `fn` must be pure
 * (it may see entries newer than the caller's). Nothing is written when nothing changes
 * or when anything is refused.
 */
export async function updateLedger<T>(
  dir: string,
  actor: string,
  command: string,
  fn: (entries: LedgerEntry[]) => LedgerChanges<T>,
): Promise<LedgerUpdate<T>> {
  try {
    return await transaction(dir, actor, command, fn);
  } catch (err) {
    throw asFileError(err, dir);
  }
}

async function transaction<T>(dir: string, actor: string, command: string, fn: (entries: LedgerEntry[]) => LedgerChanges<T>): Promise<LedgerUpdate<T>> {
  requireDir(dir);
  const paths = ledgerPaths(dir);
  const lock = await acquireLock(paths.lock, `${actor}: ${command}`);
  try {
    removeLeftovers(dir);
    const now = new Date().toISOString();
    const current = loadLedger(dir);
    settleAudit(paths.audit, paths.ledger, current.sha, actor, now, settleChecks(dir, current.entries));
    const reservedText = readReservedText();
    const reserved = parseReservedList(reservedText);
    const { index } = checkedLedger(current, reserved, reservedText);
    // Frozen: plans may index it once (indexLedger) and nobody may change it under them.
    const { put, result } = fn(Object.freeze([...current.entries]) as LedgerEntry[]);
    const { changes, refused } = reviewPut(index.byLabel, put);
    if (refused.length > 0) throw new FailureError(`refused, nothing written:\n  ${refused.slice(0, 20).join("\n  ")}`, "refused");
    if (changes.length === 0) return { result, changes, tx: null };
    // A ledger that holds its invariants breaks them only where the change reaches (ledgerProblems on the whole: same verdict, same messages).
    const problems = changeProblems(index, changes, reserved);
    if (problems.length > 0) {
      const shown = problems.slice(0, 20).map((p) => p.message).join("\n  ");
      throw new FailureError(`refused, nothing written: the ledger would break its invariants:\n  ${shown}`, "refused");
    }
    const next = spliceLines(current.lines, current.entries, changes.map((c) => c.after!), current.bytes);
    const { bytes } = next;
    const sha = ledgerSha256(bytes);
    const tx = `${now}-${randomUUID().slice(0, 8)}`;
    // Fencing: the ledger is still the version this transaction read, and the lock still ours.
    const fence = (): void => {
      const lost = lock.lost();
      if (lost) throw new FailureError(`lost the ledger lock before writing (${lost}); nothing replaced: run the command again.`, "lock-lost");
      if (fileIdentity(paths.ledger) !== current.identity) throw new FailureError("the ledger changed while this command held its lock; nothing replaced: run the command again.", "lock-lost");
    };
    fence();
    appendDurably(paths.audit, auditLines(tx, now, actor, command, changes, { before: current.sha, after: sha }));
    fence();
    replaceDurably(paths.ledger, bytes);
    // The index moves to the ledger just written (taken from the superseded one first, so that nothing holds a stale index).
    current.checked = undefined;
    applyToIndex(index, changes);
    loaded.set(paths.ledger, { identity: fileIdentity(paths.ledger), sha, lines: next.lines, entries: next.entries, trusted: true, bytes, checked: { reservedText, index } });
    return { result, changes, tx };
  } finally {
    lock.release();
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
    try {
      await this.event(meta, event);
    } catch (err) {
      throw asFileError(err, this.dir);
    }
  }

  private async event(meta: TransactionMeta, event: { kind: string } & Record<string, unknown>): Promise<void> {
    requireDir(this.dir);
    const paths = ledgerPaths(this.dir);
    const lock = await acquireLock(paths.lock, `${meta.actor}: ${meta.command}`);
    try {
      removeLeftovers(this.dir);
      const now = new Date().toISOString();
      const current = loadLedger(this.dir);
      settleAudit(paths.audit, paths.ledger, current.sha, meta.actor, now, settleChecks(this.dir, current.entries));
      const lost = lock.lost();
      if (lost) throw new FailureError(`lost the ledger lock before writing (${lost}); nothing recorded: run the command again.`, "lock-lost");
      appendDurably(paths.audit, auditEventLine(`${now}-${randomUUID().slice(0, 8)}`, now, meta.actor, meta.command, event));
    } finally {
      lock.release();
    }
  }

  async validate(reserved: ReadonlySet<string>): Promise<ValidationReport> {
    return validateLedgerDir(this.dir, reserved);
  }

  async close(): Promise<void> {}
}

/**
 * A new ledger in an empty directory, from entries, as one audited transaction (its audit
 * line carries the digest chain, so later writes accept the file): for fixtures, and for
 * copying a ledger from elsewhere. Refuses a directory that already holds a ledger or an
 * audit log, and entries that break an invariant.
 */
export function createLedger(dir: string, entries: readonly LedgerEntry[], meta: TransactionMeta): void {
  requireDir(dir);
  const paths = ledgerPaths(dir);
  for (const file of [paths.ledger, paths.audit]) {
    if (existsSync(file) && statSync(file).size > 0) throw new InputError(`${file} already exists and is not empty; a ledger is created only in an empty directory.`, "conflict");
  }
  const valid = entries.map((e) => freezeEntry(ledgerEntrySchema.parse(e)));
  const problems = ledgerProblems(valid, loadReservedLabels());
  if (problems.length > 0) throw new FailureError(`refused, nothing written: the entries break the ledger's invariants:\n  ${problems.slice(0, 20).map((p) => p.message).join("\n  ")}`, "refused");
  const next = spliceLines([], [], valid);
  const { bytes } = next;
  const now = new Date().toISOString();
  const changes = next.entries.map((e) => ({ label: e.label, before: null, after: e }));
  if (changes.length > 0) appendDurably(paths.audit, auditLines(`${now}-${randomUUID().slice(0, 8)}`, now, meta.actor, meta.command, changes, { before: EMPTY_LEDGER_SHA, after: ledgerSha256(bytes) }));
  replaceDurably(paths.ledger, bytes);
}

/** validate for the file store: every line with the schema, invariants by line, the audit log replayed and its digest chain. */
export function validateLedgerDir(dir: string, reserved: ReadonlySet<string>): ValidationReport {
  const paths = ledgerPaths(dir);
  const numbered = readLedgerLines(dir);
  const entries = numbered.map((n) => n.entry);
  const problems = ledgerProblems(entries, reserved, numbered.map((n) => n.line)).map((p) => `${paths.ledger}:${p.line}: ${p.message}`);
  // Aborted transactions are left out of the replay; entries equal to validated ledger lines are not validated twice.
  const replay = replayAudit(paths.audit, numbered.map((n) => [n.text, n.entry] as [string, LedgerEntry]));
  problems.push(...replay.problems);
  const current = new Map(entries.map((e) => [e.label, e]));
  const differs = (state: Map<string, LedgerEntry>): string[] => {
    const labels = new Set([...state.keys(), ...current.keys()]);
    return [...labels].filter((l) => !sameEntry(state.get(l), current.get(l))).sort();
  };
  const notes: string[] = [...replay.repairable];
  let mismatch = differs(replay.state);
  let crashWindow = false;
  if (mismatch.length > 0 && replay.stateBeforeLast && differs(replay.stateBeforeLast).length === 0) {
    notes.push(`the last transaction in the audit log (${replay.lastTx}) never reached the ledger (a process stopped between the two writes); the next write records it as aborted.`);
    mismatch = [];
    crashWindow = true;
  }
  const lineOf = new Map(numbered.map((n) => [n.entry.label, n.line]));
  for (const label of mismatch.slice(0, 50)) {
    const line = lineOf.get(label);
    problems.push(`${paths.ledger}:${line ?? "-"}: label "${label}" ${line === undefined ? "is in the audit log but missing from the ledger" : "differs from the audit log replayed (edited outside domaines, or a label deleted or revived by hand)"}`);
  }
  if (mismatch.length > 50) problems.push(`… and ${mismatch.length - 50} more labels differ from the audit log`);
  if (mismatch.length === 0 && replay.lastDigest) {
    // Same entries, yet every write refuses a file whose bytes the chain does not vouch for.
    const sha = ledgerSha256(readBytes(paths.ledger));
    const expected = crashWindow ? replay.lastDigest.before : replay.lastDigest.after;
    if (sha !== expected) problems.push(`${paths.ledger}: its bytes are not those domaines wrote (SHA-256 ${sha.slice(0, 12)}…, the audit log says ${expected.slice(0, 12)}…): reformatted or reordered by hand; restore it (git checkout) so that writes accept it`);
  }
  const counts = { allocated: 0, alias: 0, reserved: 0, tombstone: 0 };
  for (const e of entries) counts[e.state]++;
  return { ledger: paths.ledger, labels: entries.length, counts, audit: { transactions: replay.transactions, changes: replay.changes }, ok: problems.length === 0, problems, note: notes.length > 0 ? notes.join(" ") : null };
}
