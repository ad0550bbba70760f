import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { z } from "zod";
import { FailureError } from "../errors.js";
import { canonicalEntry, sameEntry } from "./codec.js";
import { appendDurably } from "./fsync.js";
import { transitionProblem } from "./invariants.js";
import { isoDateTimeSchema, ledgerEntrySchema, type LedgerEntry } from "./schema.js";

/**
 * The audit log (audit.jsonl): append-only, one JSON line per changed label
 * ({tx, seq, of, time, actor, command, label, before, after}), never truncated.
 *
 * Crash window: a transaction appends (and fsyncs) all its audit lines FIRST, then
 * replaces the ledger. A crash in between leaves audit lines for a change the ledger
 * never got. The next writer (under the lock) looks at the last transaction of the log:
 * if the ledger does not show it, it appends an `aborted` marker for it. So the log
 * replayed without aborted transactions always equals the ledger, and `validate` checks
 * exactly that. A line torn by a crash mid-append is followed by such a marker.
 */
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
});
export const auditMarkerSchema = z.strictObject({
  tx: z.string().min(1),
  time: isoDateTimeSchema,
  actor: z.string(),
  command: z.string(),
  outcome: z.literal("aborted"),
  reason: z.string(),
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

export function auditLines(tx: string, time: string, actor: string, command: string, changes: readonly Change[]): string {
  return changes
    .map((c, seq) =>
      JSON.stringify({
        tx,
        seq,
        of: changes.length,
        time,
        actor,
        command,
        label: c.label,
        before: c.before && canonicalEntry(c.before),
        after: c.after && canonicalEntry(c.after),
      }),
    )
    .map((l) => `${l}\n`)
    .join("");
}

/** The end of the log: the last complete line, and the bytes after the last newline (a torn line). */
function readTail(path: string): { lastLine: string | null; torn: string } {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    let chunk = 64 * 1024;
    for (;;) {
      const start = Math.max(0, size - chunk);
      const buf = Buffer.alloc(size - start);
      readSync(fd, buf, 0, buf.length, start);
      const text = buf.toString("utf8");
      const lastNl = text.lastIndexOf("\n");
      const torn = text.slice(lastNl + 1);
      const prevNl = lastNl < 0 ? -1 : text.lastIndexOf("\n", lastNl - 1);
      if (prevNl >= 0 || start === 0) return { lastLine: lastNl < 0 ? null : text.slice(prevNl + 1, lastNl), torn };
      chunk *= 4;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Called under the lock before a transaction: records as aborted a last transaction
 * whose audit lines were written but whose ledger replacement never happened.
 * `current` maps label → entry as the ledger now is.
 */
export function settleLastTransaction(path: string, current: ReadonlyMap<string, LedgerEntry>, actor: string, now: string): void {
  if (!existsSync(path)) return;
  const { lastLine, torn } = readTail(path);
  const marker = (tx: string, reason: string): string =>
    `${JSON.stringify({ tx, time: now, actor, command: "recovery", outcome: "aborted", reason } satisfies AuditMarker)}\n`;
  let last: AuditChange | AuditMarker | AuditEvent | null = null;
  if (lastLine !== null && lastLine.trim() !== "") {
    const json = safeJson(lastLine);
    const parsed = auditRecordSchema.safeParse(json);
    if (!parsed.success) throw new FailureError(`the last line of the audit log ${path} is not an audit record; run \`domaines validate\` and repair it by hand.`);
    last = parsed.data;
  }
  if (torn !== "") {
    // Killed in the middle of appending: that transaction never reached the ledger.
    const id = /^\{"tx":"([^"]+)"/.exec(torn)?.[1] ?? (last && "seq" in last ? last.tx : "unknown");
    appendDurably(path, `\n${marker(id, "torn audit line: the process stopped while writing the audit log, before the ledger was replaced")}`);
    return;
  }
  if (last === null || !("seq" in last)) return; // a marker or an event: nothing pending
  if (last.seq < last.of - 1) {
    appendDurably(path, marker(last.tx, `only ${last.seq + 1} of ${last.of} audit lines were written; the ledger was not replaced`));
    return;
  }
  const now_ = current.get(last.label);
  if (sameEntry(now_, last.after ?? undefined)) return; // applied
  if (sameEntry(now_, last.before ?? undefined)) {
    appendDurably(path, marker(last.tx, "the process stopped after writing the audit log and before replacing the ledger"));
    return;
  }
  throw new FailureError(`the ledger's label "${last.label}" matches neither side of the last audited change (transaction ${last.tx}); the ledger was edited outside domaines. Run \`domaines validate\`.`);
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
  transactions: number;
  changes: number;
  problems: string[];
}

/** Reads the whole log and replays it; malformed lines are reported by line number. */
export function replayAudit(path: string): AuditReplay {
  const out: AuditReplay = { state: new Map(), stateBeforeLast: null, lastTx: null, transactions: 0, changes: 0, problems: [] };
  if (!existsSync(path)) return out;
  const lines = readFileSync(path, "utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  const records: { rec: AuditChange | AuditMarker; line: number }[] = [];
  const aborted = new Set<string>();
  lines.forEach((text, i) => {
    const parsed = auditRecordSchema.safeParse(safeJson(text));
    if (parsed.success) {
      if ("event" in parsed.data) return; // traced actions change no label
      records.push({ rec: parsed.data, line: i + 1 });
      if ("outcome" in parsed.data) aborted.add(parsed.data.tx);
      return;
    }
    const next = safeJson(lines[i + 1] ?? "");
    const excused = auditMarkerSchema.safeParse(next).success;
    if (!excused) out.problems.push(`${path}:${i + 1}: not an audit record`);
  });
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
  txs.forEach((t, i) => {
    if (i === txs.length - 1) out.stateBeforeLast = new Map(out.state);
    apply(out.state, t.changes);
  });
  out.lastTx = txs.at(-1)?.tx ?? null;
  out.transactions = txs.length;
  out.changes = txs.reduce((n, t) => n + t.changes.length, 0);
  return out;
}
