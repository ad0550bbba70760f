import { FailureError } from "../../errors.js";
import type { AuditChange, AuditEvent, AuditMarker } from "../audit.js";
import { canonicalEntry, compareLabels, freezeEntry, sameEntry } from "../codec.js";
import { transitionProblem } from "../invariants.js";
import { ledgerEntrySchema, type LedgerEntry } from "../schema.js";

/**
 * The ledger's rows and audit rows in PostgreSQL, to and from the entries and audit records
 * the file store reads and writes: one shape (the file store's), two encodings.
 */

/** An audit record as the file store's audit log holds it (a change line, an aborted marker, an event). */
export type AuditRecord = AuditChange | AuditMarker | AuditEvent;

/** A row of domaines.audit_log as selected (json columns already parsed). */
export interface AuditRow {
  id: string;
  tx: string;
  kind: "change" | "event" | "aborted";
  seq: number | null;
  of: number | null;
  time: string;
  actor: string;
  command: string;
  label: string | null;
  before: unknown;
  after: unknown;
  digest: { before: string; after: string } | null;
  event: ({ kind: string } & Record<string, unknown>) | null;
  reason: string | null;
  torn: { offset: number; length: number }[] | null;
}

export const AUDIT_COLUMNS = `id::text AS id, tx, kind, seq, "of", time, actor, command, label, before, after, digest, event, reason, torn`;

function describe(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join(".") || "entry"}: ${i.message}`).join("; ");
}

/** A ledger row's entry, validated with the schema like a ledger line; a bad row is named. */
export function entryOfRow(label: string, value: unknown, problems: string[]): LedgerEntry | null {
  const parsed = ledgerEntrySchema.safeParse(value);
  if (!parsed.success) {
    problems.push(`domaines.ledger_entries label "${label}": ${describe(parsed.error)}`);
    return null;
  }
  return freezeEntry(parsed.data);
}

/** Every row's entry, or a refusal naming the bad rows (written outside domaines). */
export function entriesOfRows(rows: readonly { label: string; entry: unknown }[], location: string): LedgerEntry[] {
  const problems: string[] = [];
  const out: LedgerEntry[] = [];
  for (const r of rows) {
    const e = entryOfRow(r.label, r.entry, problems);
    if (e) out.push(e);
  }
  if (problems.length > 0) {
    throw new FailureError(
      `refused: the ledger in ${location} has ${problems.length} bad row(s), written outside domaines; \`domaines validate\` lists them:\n  ${problems.slice(0, 20).join("\n  ")}`,
      "ledger-damaged",
    );
  }
  return out;
}

/** The audit row as the file store's record (what a copy to files writes, through the file store's writers). */
export function recordOfRow(r: AuditRow): AuditRecord {
  const head = { tx: r.tx, time: r.time, actor: r.actor, command: r.command };
  switch (r.kind) {
    case "change":
      return {
        ...head,
        seq: r.seq!,
        of: r.of!,
        label: r.label!,
        before: r.before === null ? null : ledgerEntrySchema.parse(r.before),
        after: r.after === null ? null : ledgerEntrySchema.parse(r.after),
        ...(r.digest ? { digest: { before: r.digest.before, after: r.digest.after } } : {}),
      };
    case "aborted":
      return { ...head, outcome: "aborted", reason: r.reason!, ...(r.torn ? { torn: r.torn } : {}) };
    case "event":
      return { ...head, event: r.event! };
  }
}

/**
 * Audit records as one JSON array for `INSERT … SELECT FROM json_to_recordset($1)`: one
 * parameter serialised natively (per-row array parameters cost more than the insert), and
 * `json` (not jsonb) input, so that an event's keys keep their order.
 */
export function auditRowsJson(records: readonly AuditRecord[]): string {
  return JSON.stringify(
    records.map((r) => {
      const head = { tx: r.tx, time: r.time, actor: r.actor, command: r.command };
      if ("seq" in r) {
        const entry = (e: LedgerEntry | null) => (e === null ? null : canonicalEntry(e));
        return { ...head, kind: "change", seq: r.seq, of: r.of, label: r.label, before: entry(r.before), after: entry(r.after), digest: r.digest ?? null };
      }
      if ("outcome" in r) return { ...head, kind: "aborted", reason: r.reason, torn: r.torn ?? null };
      return { ...head, kind: "event", event: r.event };
    }),
  );
}

/** Appends audit rows in the order given (ids follow it: the writer holds the head lock). */
export const INSERT_AUDIT = `INSERT INTO domaines.audit_log (tx, kind, seq, "of", time, actor, command, label, before, after, digest, event, reason, torn)
  SELECT tx, kind, seq, "of", time, actor, command, label, before, after, digest, event, reason, torn
  FROM ROWS FROM (json_to_recordset($1::json)
      AS (tx text, kind text, seq int, "of" int, time text, actor text, command text, label text, before jsonb, after jsonb, digest jsonb, event json, reason text, torn json))
    WITH ORDINALITY AS r(tx, kind, seq, "of", time, actor, command, label, before, after, digest, event, reason, torn, n)
  ORDER BY n`;

/** Writes entries (insert or replace by label) at revision $2. */
export const UPSERT_ENTRIES = `INSERT INTO domaines.ledger_entries (label, entry, revision)
  SELECT label, entry, $2 FROM json_to_recordset($1::json) AS r(label text, entry jsonb)
  ON CONFLICT (label) DO UPDATE SET entry = EXCLUDED.entry, revision = EXCLUDED.revision`;

export function entriesJson(entries: readonly LedgerEntry[]): string {
  return JSON.stringify(entries.map((e) => ({ label: e.label, entry: canonicalEntry(e) })));
}

/** Sorted `entries` with `changed` put in their sorted places (replacing same labels). */
export function mergeEntries(entries: readonly LedgerEntry[], changed: readonly LedgerEntry[]): LedgerEntry[] {
  const sorted = [...changed].sort(compareLabels);
  const out: LedgerEntry[] = [];
  let j = 0;
  for (const e of entries) {
    while (j < sorted.length && sorted[j]!.label < e.label) out.push(sorted[j++]!);
    if (j < sorted.length && sorted[j]!.label === e.label) out.push(sorted[j++]!);
    else out.push(e);
  }
  while (j < sorted.length) out.push(sorted[j++]!);
  return out;
}


export interface RowReplay {
  state: Map<string, LedgerEntry>;
  transactions: number;
  changes: number;
  problems: string[];
}

/**
 * The audit rows replayed in id order, as the file store replays its log: aborted
 * transactions left out, each change starting from what the log says the label was, each
 * transition allowed, each transaction complete.
 */
export function replayRows(rows: readonly AuditRow[]): RowReplay {
  const out: RowReplay = { state: new Map(), transactions: 0, changes: 0, problems: [] };
  const aborted = new Set(rows.filter((r) => r.kind === "aborted").map((r) => r.tx));
  const groups: { tx: string; rows: AuditRow[] }[] = [];
  const seenTx = new Set<string>();
  for (const r of rows) {
    if (r.kind !== "change" || aborted.has(r.tx)) continue;
    const cur = groups.at(-1);
    if (cur?.tx === r.tx) {
      cur.rows.push(r);
      continue;
    }
    if (seenTx.has(r.tx)) out.problems.push(`domaines.audit_log id ${r.id}: transaction ${r.tx} continues after other transactions' rows`);
    seenTx.add(r.tx);
    groups.push({ tx: r.tx, rows: [r] });
  }
  for (const g of groups) {
    const last = g.rows.at(-1)!;
    if (g.rows.length !== last.of || g.rows.some((r, i) => r.seq !== i || r.of !== last.of)) {
      out.problems.push(`domaines.audit_log id ${last.id}: transaction ${g.tx} has ${g.rows.length} rows out of order or missing (of ${last.of})`);
    }
    for (const r of g.rows) {
      const parse = (v: unknown, side: string): LedgerEntry | null => {
        if (v === null) return null;
        const p = ledgerEntrySchema.safeParse(v);
        if (p.success) return p.data;
        out.problems.push(`domaines.audit_log id ${r.id}: "${side}" of label "${r.label}" is not a ledger entry: ${describe(p.error)}`);
        return null;
      };
      const before = parse(r.before, "before");
      const after = parse(r.after, "after");
      if (!sameEntry(out.state.get(r.label!), before ?? undefined)) {
        out.problems.push(`domaines.audit_log id ${r.id}: "before" of label "${r.label}" differs from the replayed log (the ledger was changed outside domaines before this change)`);
      }
      const refused = transitionProblem(before, after);
      if (refused) out.problems.push(`domaines.audit_log id ${r.id}: ${refused}`);
      if (after) out.state.set(r.label!, after);
      else out.state.delete(r.label!);
    }
    out.changes += g.rows.length;
  }
  out.transactions = groups.length;
  return out;
}
