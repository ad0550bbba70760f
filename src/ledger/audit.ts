import { createHash } from "node:crypto";
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { z } from "zod";
import { FailureError } from "../errors.js";
import { sameEntry, serializeEntry } from "./codec.js";
import { appendDurably } from "./fsync.js";
import { transitionProblem } from "./invariants.js";
import { isoDateTimeSchema, ledgerEntrySchema, type LedgerEntry } from "./schema.js";

/**
 * The audit log (audit.jsonl): append-only, one JSON line per changed label
 * ({tx, seq, of, time, actor, command, label, before, after}), never truncated.
 *
 * Crash window: a transaction appends (and fsyncs) all its audit lines FIRST, then
 * replaces the ledger. A crash in between leaves audit lines for a change the ledger
 * never got. The next writer (under the lock) settles the tail of the log: a last
 * transaction the ledger does not show, an incomplete one, or torn bytes get an
 * `aborted` marker (listing the torn lines' byte offsets, so that any number of faults in
 * a row is recovered without a hand repair). The log replayed without aborted
 * transactions always equals the ledger, and `validate` checks exactly that.
 *
 * Digest chain: the last line of each transaction carries the SHA-256 of the ledger file
 * it read (`before`) and of the one it writes (`after`). Before every write (and every
 * trusted read) the ledger file's digest must be the last committed `after` (or its
 * `before`, in the crash window): a ledger edited by hand, or a fork by two writers, is
 * refused instead of being built upon.
 */
const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 in hex");
export const digestSchema = z.strictObject({ before: sha256Schema, after: sha256Schema });
export type LedgerDigest = z.infer<typeof digestSchema>;

export const auditChangeSchema = z.strictObject({
  tx: z.string().min(1),
  seq: z.number().int().nonnegative(),
  of: z.number().int().positive(),
  time: isoDateTimeSchema,
  actor: z.string(),
  command: z.string(),
  label: z.string(),
  before: ledgerEntrySchema.nullable(),
  after: ledgerEntrySchema.nullable(),
  /** On the transaction's last line only (seq = of - 1). Absent in logs written before the chain existed. */
  digest: digestSchema.optional(),
});
export const auditMarkerSchema = z.strictObject({
  tx: z.string().min(1),
  time: isoDateTimeSchema,
  actor: z.string(),
  command: z.string(),
  outcome: z.literal("aborted"),
  reason: z.string(),
  /** Byte offsets (and lengths) of the lines left unreadable by the fault this marker settles. */
  torn: z.array(z.strictObject({ offset: z.number().int().nonnegative(), length: z.number().int().nonnegative() })).optional(),
});
/**
 * An action that changes no label but must be traced (art. 3.2: who did what): a
 * membership added or removed, a token created or revoked, a webhook received. Its
 * `event` is plain JSON with a `kind`; replay passes over it.
 */
export const auditEventSchema = z.strictObject({
  tx: z.string().min(1),
  time: isoDateTimeSchema,
  actor: z.string(),
  command: z.string(),
  event: z.looseObject({ kind: z.string().regex(/^[a-z][a-z0-9.-]*$/) }),
});
export type AuditChange = z.infer<typeof auditChangeSchema>;
export type AuditMarker = z.infer<typeof auditMarkerSchema>;
export type AuditEvent = z.infer<typeof auditEventSchema>;
const auditRecordSchema = z.union([auditChangeSchema, auditMarkerSchema, auditEventSchema]);


export function auditEventLine(tx: string, time: string, actor: string, command: string, event: AuditEvent["event"]): string {
  return `${JSON.stringify({ tx, time, actor, command, event } satisfies AuditEvent)}\n`;
}

export interface Change {
  label: string;
  before: LedgerEntry | null;
  after: LedgerEntry | null;
}

/** A transaction's audit lines, each ending in "\n" (appendDurably writes them in batches). */
export function auditLines(tx: string, time: string, actor: string, command: string, changes: readonly Change[], digest: LedgerDigest): string[] {
  // Built from each entry's canonical text (cached for entries read or written), not re-serialised: a 35,000-label transaction writes as many lines.
  const head = `{"tx":${JSON.stringify(tx)},`;
  const meta = `"time":${JSON.stringify(time)},"actor":${JSON.stringify(actor)},"command":${JSON.stringify(command)},`;
  const n = changes.length;
  // Lines, not one string: appendDurably writes them in batches, so a 35,000-label transaction never holds its 16 MB log text at once.
  const lines: string[] = new Array(n);
  for (let seq = 0; seq < n; seq++) {
    const c = changes[seq]!;
    const before = c.before ? serializeEntry(c.before) : "null";
    const after = c.after ? serializeEntry(c.after) : "null";
    lines[seq] = `${head}"seq":${seq},"of":${n},${meta}"label":${JSON.stringify(c.label)},"before":${before},"after":${after}${seq === n - 1 ? `,"digest":${JSON.stringify(digest)}` : ""}}\n`;
  }
  return lines;
}

/** One line of the log with its byte position; `rec` is null for an unreadable line. */
interface LogLine {
  offset: number;
  length: number;
  text: string;
  rec: AuditRecord | null;
}
type AuditRecord = AuditChange | AuditMarker | AuditEvent;

/** A change line with its two entries left unchecked: they go through an EntryValidator. */
const auditChangeEnvelope = auditChangeSchema.extend({ before: z.unknown(), after: z.unknown() });

/**
 * Validates ledger entries found in the audit log, with the schema, once per distinct
 * text: a label's `after` is usually the next change's `before`, and most are lines of
 * the ledger itself, already validated (`seed`, by canonical text). Undefined = invalid.
 */
export type EntryValidator = (value: unknown, rawText?: string) => LedgerEntry | null | undefined;
export function entryValidator(seed: Iterable<[string, LedgerEntry]> = []): EntryValidator {
  const known = new Map(seed);
  return (value, rawText) => {
    if (value === null) return null;
    if (rawText !== undefined) {
      const seen = known.get(rawText);
      if (seen) return seen;
    }
    const text = JSON.stringify(value);
    const hit = known.get(text);
    if (hit) return hit;
    const parsed = ledgerEntrySchema.safeParse(value);
    if (!parsed.success) return undefined;
    known.set(text, parsed.data);
    return parsed.data;
  };
}

function parseRecord(text: string, validEntry: EntryValidator = entryValidator()): AuditRecord | null {
  const json = safeJson(text);
  if (json !== null && typeof json === "object" && "seq" in json) {
    const env = auditChangeEnvelope.safeParse(json);
    if (!env.success) return null;
    // The entries' own text, cut from the line (the keys "before", "after", "digest" exist only at its top level): known texts need no re-serialisation.
    const b = text.indexOf(',"before":');
    const a = text.lastIndexOf(',"after":');
    const d = text.lastIndexOf(',"digest":');
    const raw = b >= 0 && a > b ? { before: text.slice(b + 10, a), after: text.slice(a + 9, d > a ? d : text.length - 1) } : undefined;
    const before = validEntry(env.data.before, raw?.before);
    const after = validEntry(env.data.after, raw?.after);
    return before === undefined || after === undefined ? null : { ...env.data, before, after };
  }
  const parsed = auditRecordSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** The SHA-256 (hex) of ledger text as stored. */
export function ledgerSha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
export const EMPTY_LEDGER_SHA = ledgerSha256("");

interface Tail {
  /** The last transaction line that carries a digest, when the log has one. */
  digestLine: (LogLine & { rec: AuditChange & { digest: LedgerDigest } }) | null;
  /** Complete lines after it (or every line, when none has a digest), in file order. */
  after: LogLine[];
  /** Bytes after the last newline: a line a crash cut short. */
  torn: { offset: number; text: string } | null;
  /** The log has lines but none carries a digest (written before the chain existed). */
  legacy: boolean;
  empty: boolean;
}

/**
 * Reads the log backwards from its end until the last line with a digest (usually the very
 * last line): the cost does not grow with the log. Without any digest, the whole log.
 */
function readTail(path: string): Tail {
  if (!existsSync(path)) return { digestLine: null, after: [], torn: null, legacy: false, empty: true };
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return { digestLine: null, after: [], torn: null, legacy: false, empty: true };
    for (let chunk = 64 * 1024; ; chunk *= 4) {
      const start = Math.max(0, size - chunk);
      const buf = Buffer.alloc(size - start);
      readSync(fd, buf, 0, buf.length, start);
      const lastNl = buf.lastIndexOf(0x0a);
      const torn = lastNl === buf.length - 1 ? null : { offset: start + lastNl + 1, text: buf.toString("utf8", lastNl + 1) };
      // Complete lines in the chunk (the first one is whole only when the chunk starts the file).
      const firstNl = buf.indexOf(0x0a);
      let from = start === 0 ? 0 : firstNl < 0 ? buf.length : firstNl + 1;
      const lines: { offset: number; length: number; text: string }[] = [];
      while (from <= lastNl) {
        const nl = buf.indexOf(0x0a, from);
        lines.push({ offset: start + from, length: nl - from, text: buf.toString("utf8", from, nl) });
        from = nl + 1;
      }
      let at = -1;
      for (let i = lines.length - 1; i >= 0; i--) {
        if (!lines[i]!.text.includes('"digest":{')) continue;
        const rec = parseRecord(lines[i]!.text);
        if (rec && "digest" in rec && rec.digest) {
          at = i;
          break;
        }
      }
      if (at >= 0 || start === 0) {
        const parsed = (ls: typeof lines): LogLine[] => ls.map((l) => ({ ...l, rec: parseRecord(l.text) }));
        const digestLine = at >= 0 ? (parsed([lines[at]!])[0] as Tail["digestLine"]) : null;
        return { digestLine, after: parsed(lines.slice(at + 1)), torn, legacy: at < 0 && lines.length > 0, empty: lines.length === 0 && torn === null };
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** What the tail says the ledger file's digest may be, and what settling it needs. */
interface TailVerdict {
  /** Digests the ledger may have: the last committed `after`, and `before` in the crash window. */
  committed: string | null;
  crashWindow: string | null;
  /** The transaction whose digest line decides it (for messages). */
  last: AuditChange | null;
}

function verdictOf(tail: Tail): TailVerdict {
  const d = tail.digestLine;
  if (!d) return { committed: tail.empty || tail.legacy ? null : EMPTY_LEDGER_SHA, crashWindow: null, last: null };
  const aborted = tail.after.some((l) => l.rec && "outcome" in l.rec && l.rec.tx === d.rec.tx);
  return aborted ? { committed: d.rec.digest.before, crashWindow: null, last: d.rec } : { committed: d.rec.digest.after, crashWindow: d.rec.digest.before, last: d.rec };
}

/**
 * Whether ledger text of this digest is what the store itself last wrote (or read, in the
 * crash window), by the audit log's chain; null when the log predates the chain (or is
 * empty while the ledger is not), in which case callers validate the text in full.
 */
export function ledgerTrusted(path: string, ledgerSha: string): boolean | null {
  const tail = readTail(path);
  if (tail.empty) return ledgerSha === EMPTY_LEDGER_SHA ? true : null;
  if (tail.legacy) return null;
  const v = verdictOf(tail);
  return ledgerSha === v.committed || ledgerSha === v.crashWindow;
}

/**
 * Called under the lock before a transaction. Refuses a ledger that is not the one the log
 * says was last written (edited by hand, restored from elsewhere, or a fork), and settles
 * what a crash left at the end of the log: a transaction audited but never applied, an
 * incomplete one, torn bytes (one marker lists every unreadable line since the last
 * readable record, so repeated faults need no hand repair). `replayed` gives the ledger
 * state the whole log replays to, for logs written before the digest chain.
 */
export interface SettleChecks {
  /** For logs older than the chain: why the ledger disagrees with the whole log replayed, or null. */
  legacyCheck: () => string | null;
  /** For a refused ledger: what is wrong with it, in detail (labels that differ, invariants broken). */
  explain: () => string;
}

export function settleAudit(path: string, ledgerFile: string, ledgerSha: string, actor: string, now: string, checks: SettleChecks): void {
  const tail = readTail(path);
  const marker = (tx: string, reason: string, torn?: { offset: number; length: number }[]): string =>
    `${JSON.stringify({ tx, time: now, actor, command: "recovery", outcome: "aborted", reason, ...(torn && torn.length > 0 ? { torn } : {}) } satisfies AuditMarker)}\n`;
  const excused = new Set<number>();
  const aborted = new Set<string>();
  for (const l of tail.after) {
    if (l.rec && "outcome" in l.rec) {
      aborted.add(l.rec.tx);
      for (const t of l.rec.torn ?? []) excused.add(t.offset);
    }
  }
  // Unreadable lines nobody excused yet, and the torn tail: recorded by the next marker.
  const garbage = tail.after.filter((l) => l.rec === null && !excused.has(l.offset)).map((l) => ({ offset: l.offset, length: l.length }));
  if (tail.torn) garbage.push({ offset: tail.torn.offset, length: Buffer.byteLength(tail.torn.text) });
  const markers: string[] = [];
  const tornTx = (text: string) => /^\{"tx":"([^"]+)"/.exec(text)?.[1];
  if (garbage.length > 0) {
    const id = (tail.torn && tornTx(tail.torn.text)) ?? `recovery-${now}`;
    markers.push(marker(id, "unreadable audit line(s) left by a process stopped while writing the audit log; the transaction they belonged to never reached the ledger", garbage));
    aborted.add(id);
  }
  // Transactions after the last digest line that never completed (their digest line is missing).
  for (const l of tail.after) {
    if (l.rec && "seq" in l.rec && !aborted.has(l.rec.tx)) {
      aborted.add(l.rec.tx);
      markers.push(marker(l.rec.tx, `only some of the ${l.rec.of} audit lines of this transaction were written; the ledger was not replaced`));
    }
  }
  if (tail.legacy || (tail.empty && ledgerSha !== EMPTY_LEDGER_SHA)) {
    const problem = checks.legacyCheck();
    if (problem !== null) throw damaged(ledgerFile, problem, checks.explain());
  } else if (tail.digestLine) {
    const v = verdictOf({ ...tail, after: tail.after.filter((l) => l.rec && "outcome" in l.rec) });
    if (ledgerSha === v.crashWindow && ledgerSha !== v.committed) {
      markers.push(marker(tail.digestLine.rec.tx, "the process stopped after writing the audit log and before replacing the ledger"));
    } else if (ledgerSha !== v.committed) {
      const t = tail.digestLine.rec;
      throw damaged(ledgerFile, `its SHA-256 ${ledgerSha.slice(0, 12)}… is neither the one the last transaction in the audit log wrote nor the one it read (transaction ${t.tx}, ${t.time}, by ${t.actor}: ${t.command})`, checks.explain());
    }
  } else if (ledgerSha !== EMPTY_LEDGER_SHA) {
    throw damaged(ledgerFile, "the audit log records no transaction, yet the ledger is not empty", checks.explain());
  }
  if (markers.length > 0) appendDurably(path, `${tail.torn ? "\n" : ""}${markers.join("")}`);
}

function damaged(ledgerFile: string, why: string, detail: string): FailureError {
  return new FailureError(
    `refused, nothing written: the ledger ${ledgerFile} is not the one its audit log says was last written: ${why}. It was edited outside domaines, restored from another copy, or written by two writers at once; restore the file (git checkout, backup) and run \`domaines validate\`.${detail ? `\n  ${detail}` : ""}`,
    "ledger-damaged",
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export interface AuditReplay {
  /** label → entry, replaying every change of every transaction not marked aborted. */
  state: Map<string, LedgerEntry>;
  /** Same without the last transaction (to recognise the crash window). */
  stateBeforeLast: Map<string, LedgerEntry> | null;
  lastTx: string | null;
  /** The last transaction's digests, when it carries them (null in logs older than the chain). */
  lastDigest: LedgerDigest | null;
  transactions: number;
  changes: number;
  problems: string[];
  /** Damage at the end of the log that the next write repairs by itself (torn bytes, an incomplete transaction). */
  repairable: string[];
}

/** Reads the whole log and replays it; malformed lines are reported by line number. `seed`: entries already validated, by canonical text. */
export function replayAudit(path: string, seed: Iterable<[string, LedgerEntry]> = []): AuditReplay {
  const out: AuditReplay = { state: new Map(), stateBeforeLast: null, lastTx: null, lastDigest: null, transactions: 0, changes: 0, problems: [], repairable: [] };
  if (!existsSync(path)) return out;
  const buf = readFileSync(path);
  const lines: { text: string; offset: number }[] = [];
  for (let from = 0; from < buf.length; ) {
    let nl = buf.indexOf(0x0a, from);
    if (nl < 0) nl = buf.length;
    lines.push({ text: buf.toString("utf8", from, nl), offset: from });
    from = nl + 1;
  }
  const tornTail = buf.length > 0 && buf[buf.length - 1] !== 0x0a;
  const records: { rec: AuditChange | AuditMarker; line: number }[] = [];
  const aborted = new Set<string>();
  const excused = new Set<number>();
  const bad: { line: number; offset: number; nextIsMarker: boolean }[] = [];
  const validEntry = entryValidator(seed);
  lines.forEach(({ text, offset }, i) => {
    const rec = parseRecord(text, validEntry);
    if (rec) {
      if ("event" in rec) return; // traced actions change no label
      records.push({ rec, line: i + 1 });
      if ("outcome" in rec) {
        aborted.add(rec.tx);
        for (const t of rec.torn ?? []) excused.add(t.offset);
      }
      return;
    }
    bad.push({ line: i + 1, offset, nextIsMarker: auditMarkerSchema.safeParse(safeJson(lines[i + 1]?.text ?? "")).success });
  });
  for (const b of bad) {
    if (excused.has(b.offset) || b.nextIsMarker) continue;
    // Unreadable lines after the last readable record are a crash the next write settles.
    const last = b.line > (records.at(-1)?.line ?? 0);
    if (last) out.repairable.push(`${path}:${b.line}: an audit line cut short by a stopped process; the next write records it as aborted`);
    else out.problems.push(`${path}:${b.line}: not an audit record`);
  }
  if (tornTail && out.repairable.length === 0 && !excused.has(lines.at(-1)!.offset)) out.repairable.push(`${path}: ends with a line cut short; the next write records it as aborted`);
  const txs: { tx: string; changes: { rec: AuditChange; line: number }[] }[] = [];
  for (const { rec, line } of records) {
    if ("outcome" in rec || aborted.has(rec.tx)) continue;
    const cur = txs.at(-1);
    if (cur?.tx === rec.tx) cur.changes.push({ rec, line });
    else txs.push({ tx: rec.tx, changes: [{ rec, line }] });
  }
  const apply = (state: Map<string, LedgerEntry>, changes: { rec: AuditChange; line: number }[]): void => {
    for (const { rec: c, line } of changes) {
      // Each change must start from what the log itself says the label was.
      if (!sameEntry(state.get(c.label), c.before ?? undefined)) {
        out.problems.push(`${path}:${line}: "before" of label "${c.label}" differs from the replayed log (the ledger was edited outside domaines before this change)`);
      }
      const refused = transitionProblem(c.before, c.after);
      if (refused) out.problems.push(`${path}:${line}: ${refused}`);
      if (c.after) state.set(c.label, c.after);
      else state.delete(c.label);
    }
  };
  let previousAfter: string | null = null;
  txs.forEach((t, i) => {
    const last = t.changes.at(-1)!;
    const complete = t.changes.length === last.rec.of && last.rec.seq === last.rec.of - 1;
    if (!complete && i !== txs.length - 1) out.problems.push(`${path}:${last.line}: transaction ${t.tx} has ${t.changes.length} of its ${last.rec.of} lines and no aborted marker`);
    if (!complete && i === txs.length - 1) out.repairable.push(`${path}:${last.line}: transaction ${t.tx} has only ${t.changes.length} of its ${last.rec.of} lines (a stopped process); the next write records it as aborted`);
    const digest = complete ? (last.rec.digest ?? null) : null;
    // The chain: each committed transaction read the ledger the previous one wrote.
    if (digest && previousAfter !== null && digest.before !== previousAfter) {
      out.problems.push(`${path}:${last.line}: transaction ${t.tx} read a ledger (SHA-256 ${digest.before.slice(0, 12)}…) other than the one the previous transaction wrote (${previousAfter.slice(0, 12)}…): edited outside domaines, or two writers at once`);
    }
    if (digest) previousAfter = digest.after;
    if (i === txs.length - 1) {
      out.stateBeforeLast = new Map(out.state);
      out.lastDigest = digest;
    }
    apply(out.state, t.changes);
  });
  out.lastTx = txs.at(-1)?.tx ?? null;
  out.transactions = txs.length;
  out.changes = txs.reduce((n, t) => n + t.changes.length, 0);
  return out;
}
