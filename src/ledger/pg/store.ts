import { randomUUID } from "node:crypto";
import { FailureError } from "../../errors.js";
import { parseReservedList, readReservedText } from "../../naming/reserved.js";
import { auditEventSchema } from "../audit.js";
import { sameEntry } from "../codec.js";
import { applyToIndex, buildKeyIndex, changeProblems, type IndexedChange, type KeyIndex } from "../incremental.js";
import { ledgerProblems } from "../invariants.js";
import type { LedgerChanges, LedgerStore, LedgerUpdate, TransactionMeta, ValidationReport } from "../ledger-store.js";
import type { LedgerEntry } from "../schema.js";
import { reviewPut } from "../review-put.js";
import { PgDatabase, type PgClient } from "./database.js";
import {
  AUDIT_COLUMNS, auditRowsJson, entriesJson, entriesOfRows, entryOfRow, INSERT_AUDIT, mergeEntries, recordOfRow, replayRows, UPSERT_ENTRIES,
  type AuditRecord, type AuditRow,
} from "./rows.js";

/**
 * The ledger in PostgreSQL: same entries, same audit records, same rules as the file store
 * (the allocation rules are the pure code above both; invariants.ts is checked on the whole
 * next state before every commit), for several server instances and scripts on several
 * machines. Writers serialise on one row lock (domaines.ledger_head, FOR UPDATE) in READ
 * COMMITTED: a waiting writer, once it holds the lock, reads everything committed before
 * it, so no retry is needed in the common case (under SERIALIZABLE every waiter would fail
 * with 40001 when the holder commits); 40001/40P01 are still retried, boundedly (database.ts).
 * The database itself enforces what SQL can say (migrations/0001_ledger.sql).
 *
 * A process keeps the entries it last read with the head's revision, and refreshes only the
 * rows written since (each row carries the revision that wrote it), so that a loop of
 * transactions (an onboarding script, the server) does not re-read 35,000 rows each time.
 * Likewise for the invariants, as in the file store: the whole next ledger is checked by a
 * process's first write, then each write checks its change alone (incremental.ts), and the
 * rows others wrote in between are checked as a change too. The triggers delete no row and
 * let none be written but by a transaction that bumped the head's revision itself
 * (migrations 0001 and 0003), so the refresh sees every change.
 */
interface Snapshot {
  revision: number;
  /** Sorted by label, frozen. */
  entries: readonly LedgerEntry[];
  byLabel?: Map<string, LedgerEntry>;
  /**
   * Set while this snapshot is known to hold the invariants under that reserved list. The
   * index is mutable and moves (synchronously, between awaits) to the next snapshot: only
   * one snapshot holds it at a time.
   */
  checked?: Checked;
}

interface Checked {
  reservedText: string;
  reserved: ReadonlySet<string>;
  index: KeyIndex;
}

function byLabelOf(s: Snapshot): Map<string, LedgerEntry> {
  if (s.checked) return s.checked.index.byLabel;
  s.byLabel ??= new Map(s.entries.map((e) => [e.label, e]));
  return s.byLabel;
}

/** Moves `from`'s index to `to` with `changes` applied, when `from` still holds one that the changes keep valid. */
function carryIndex(from: Snapshot, to: Snapshot, changes: readonly IndexedChange[], alreadyChecked: boolean): void {
  const checked = from.checked;
  if (!checked || to.checked) return;
  if (!alreadyChecked && changeProblems(checked.index, changes, checked.reserved).length > 0) return;
  from.checked = undefined;
  applyToIndex(checked.index, changes);
  to.checked = checked;
}

/** The head's revision, under its row lock (`lock`) or as of the transaction's snapshot. */
async function headRevision(client: PgClient, lock: boolean): Promise<number> {
  const { rows } = await client.query<{ revision: string }>(`SELECT revision::text FROM domaines.ledger_head${lock ? " FOR UPDATE" : ""}`);
  if (rows.length !== 1) throw new FailureError("the database's domaines.ledger_head has no row; run `domaines ledger migrate-schema` again, or restore the database.", "ledger-damaged");
  return Number(rows[0]!.revision);
}

/**
 * Appends an event to the audit log inside the caller's transaction (`database.transaction`),
 * so that a row of another table (a token created, a usage record) and its audit event
 * commit together. Returns the event's tx id.
 */
export async function appendAuditEvent(client: PgClient, meta: TransactionMeta, event: { kind: string } & Record<string, unknown>): Promise<string> {
  // Under the head lock like a change, so that ids follow the commit order.
  await headRevision(client, true);
  const time = new Date().toISOString();
  const tx = `${time}-${randomUUID().slice(0, 8)}`;
  const record = auditEventSchema.safeParse({ tx, time, actor: meta.actor, command: meta.command, event });
  if (!record.success) throw new Error(`internal: audit event ${JSON.stringify(event).slice(0, 200)} is not an audit record: ${record.error.message}`);
  await client.query(INSERT_AUDIT, [auditRowsJson([{ tx, time, actor: meta.actor, command: meta.command, event }])]);
  return tx;
}

/** Everything a copy moves: entries and the whole audit log, in order. */
export interface LedgerDump {
  entries: LedgerEntry[];
  records: AuditRecord[];
}

const CHUNK = 5_000;

/** A committed write's new snapshot, and what its index is made from. */
interface Written {
  snapshot: Snapshot;
  from: Snapshot;
  changes: IndexedChange[];
  reservedText: string;
  reserved: ReadonlySet<string>;
  /** No index was at hand: the whole next ledger was checked, and its index is built. */
  checkedWhole: boolean;
}

export class PostgresLedgerStore implements LedgerStore {
  readonly kind = "postgres";
  /** The database connection, shared with whatever else keeps tables there (tokens, usage history). */
  readonly database: PgDatabase;
  private cache: Snapshot | null = null;

  constructor(url: string, env: NodeJS.ProcessEnv = process.env) {
    this.database = new PgDatabase(url, env);
  }

  get location(): string {
    return this.database.location;
  }

  /** The entries at `revision` (the caller read it in the same snapshot or holds the lock): the rows written since the last refresh. */
  private async refresh(client: PgClient, revision: number): Promise<Snapshot> {
    const known = this.cache;
    if (known && known.revision === revision) return known;
    // A database that went back in time (restored) is read whole.
    const since = known && known.revision < revision ? known.revision : null;
    const { rows } = await client.query<{ label: string; entry: unknown }>(
      `SELECT label, entry FROM domaines.ledger_entries${since === null ? "" : " WHERE revision > $1"} ORDER BY label`,
      since === null ? [] : [since],
    );
    const fresh = entriesOfRows(rows, this.location);
    const snapshot: Snapshot = { revision, entries: since === null ? fresh : mergeEntries(known!.entries, fresh) };
    // What others wrote since (checked as a change: a hand edit that breaks a rule leaves the snapshot unchecked, and the next write checks it whole).
    if (since !== null && known!.checked) carryIndex(known!, snapshot, fresh.map((e) => ({ label: e.label, before: byLabelOf(known!).get(e.label) ?? null, after: e })), false);
    // A whole read replaces even a newer cache: a head behind the cache may be a database
    // restored from a backup, whose history would otherwise meet the stale cache again at
    // that revision (an older read snapshot also lands here: it is true, only less recent).
    if (since === null) this.cache = snapshot;
    else this.remember(snapshot);
    return snapshot;
  }

  private remember(s: Snapshot): void {
    if (!this.cache || this.cache.revision < s.revision) this.cache = s;
  }

  async read(): Promise<LedgerEntry[]> {
    return this.database.transaction(
      "read the ledger",
      async (client) => [...(await this.refresh(client, await headRevision(client, false))).entries],
      { readOnly: true, isolation: "repeatable read" },
    );
  }

  async readMentioning(values: readonly string[]): Promise<LedgerEntry[]> {
    if (values.length === 0) return [];
    // The file store's answer: entries whose label, key or aliasOf is one of the values.
    return this.database.transaction(
      "read the ledger",
      async (client) => {
        const { rows } = await client.query<{ label: string; entry: unknown }>(
          "SELECT label, entry FROM domaines.ledger_entries WHERE label = ANY($1::text[]) OR key = ANY($1::text[]) OR alias_of = ANY($1::text[]) ORDER BY label",
          [[...values]],
        );
        return entriesOfRows(rows, this.location);
      },
      { readOnly: true },
    );
  }

  async transact<T>(meta: TransactionMeta, fn: (entries: readonly LedgerEntry[]) => LedgerChanges<T>): Promise<LedgerUpdate<T>> {
    let tx = "";
    let written: Written | null = null;
    let wrote = false;
    const update = await this.database.transaction(
      meta.command,
      async (client): Promise<LedgerUpdate<T>> => {
        written = null;
        wrote = false;
        const head = await headRevision(client, true);
        const current = await this.refresh(client, head);
        const now = new Date().toISOString();
        tx = `${now}-${randomUUID().slice(0, 8)}`;
        const { put, result } = fn([...current.entries]);
        const { changes, refused } = reviewPut(byLabelOf(current), put);
        if (refused.length > 0) throw new FailureError(`refused, nothing written:\n  ${refused.slice(0, 20).join("\n  ")}`, "refused");
        if (changes.length === 0) return { result, changes, tx: null };
        const next = mergeEntries(current.entries, changes.map((c) => c.after!));
        const reservedText = readReservedText();
        // Read now, synchronously with its use: another continuation may have moved the index on.
        const checked = current.checked?.reservedText === reservedText ? current.checked : undefined;
        const reserved = checked?.reserved ?? parseReservedList(reservedText);
        const problems = checked ? changeProblems(checked.index, changes, reserved) : ledgerProblems(next, reserved);
        if (problems.length > 0) {
          throw new FailureError(`refused, nothing written: the ledger would break its invariants:\n  ${problems.slice(0, 20).map((p) => p.message).join("\n  ")}`, "refused");
        }
        const revision = head + 1;
        wrote = true;
        await client.query("UPDATE domaines.ledger_head SET revision = $1", [revision]);
        const records: AuditRecord[] = changes.map((c, seq) => ({ tx, seq, of: changes.length, time: now, actor: meta.actor, command: meta.command, label: c.label, before: c.before, after: c.after }));
        for (let i = 0; i < records.length; i += CHUNK) await client.query(INSERT_AUDIT, [auditRowsJson(records.slice(i, i + CHUNK))]);
        const after = changes.map((c) => c.after!);
        for (let i = 0; i < after.length; i += CHUNK) await client.query(UPSERT_ENTRIES, [entriesJson(after.slice(i, i + CHUNK)), revision]);
        const snapshot: Snapshot = { revision, entries: next };
        written = { snapshot, from: current, changes, reservedText, reserved, checkedWhole: checked === undefined };
        return { result, changes, tx };
      },
      // A transaction that wrote nothing has nothing to lose; one that wrote landed if its audit rows are there.
      { landed: async (client) => !wrote || (await client.query("SELECT 1 FROM domaines.audit_log WHERE tx = $1 LIMIT 1", [tx])).rowCount === 1 },
    );
    const w = written as Written | null;
    if (w) {
      // The index follows the write: checked whole just now (a new index), or moved on from the snapshot it checked the change against.
      if (w.checkedWhole) w.snapshot.checked = { reservedText: w.reservedText, reserved: w.reserved, index: buildKeyIndex(w.snapshot.entries) };
      else carryIndex(w.from, w.snapshot, w.changes, true);
      this.remember(w.snapshot);
    }
    return update;
  }

  async recordEvent(meta: TransactionMeta, event: { kind: string } & Record<string, unknown>): Promise<void> {
    let tx = "";
    await this.database.transaction(
      meta.command,
      async (client) => {
        tx = await appendAuditEvent(client, meta, event);
      },
      { landed: async (client) => (await client.query("SELECT 1 FROM domaines.audit_log WHERE tx = $1", [tx])).rowCount === 1 },
    );
  }

  /** Every row and audit row in one snapshot. */
  private async rows(doing: string): Promise<{ entries: { label: string; entry: unknown }[]; audit: AuditRow[] }> {
    return this.database.transaction(
      doing,
      async (client) => {
        const entries = (await client.query<{ label: string; entry: unknown }>("SELECT label, entry FROM domaines.ledger_entries ORDER BY label")).rows;
        const audit = (await client.query<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM domaines.audit_log ORDER BY audit_log.id`)).rows;
        return { entries, audit };
      },
      { readOnly: true, isolation: "repeatable read" },
    );
  }

  /** The audit log as the file store's records, in order (what the audit query filters). */
  async auditRecords(): Promise<AuditRecord[]> {
    return this.database.transaction(
      "read the audit log",
      async (client) => (await client.query<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM domaines.audit_log ORDER BY audit_log.id`)).rows.map(recordOfRow),
      { readOnly: true },
    );
  }

  async validate(reserved: ReadonlySet<string>): Promise<ValidationReport> {
    return validateRows(this.location, await this.rows("validate the ledger"), reserved);
  }

  /** The whole ledger and audit log, for `domaines ledger copy`; refused unless it validates. */
  async dump(reserved: ReadonlySet<string>): Promise<{ dump: LedgerDump; report: ValidationReport }> {
    const rows = await this.rows("read the ledger for a copy");
    const report = validateRows(this.location, rows, reserved);
    if (!report.ok) return { dump: { entries: [], records: [] }, report };
    return { dump: { entries: entriesOfRows(rows.entries, this.location), records: rows.audit.map(recordOfRow) }, report };
  }

  /** Loads a copy into an empty database in one transaction; refuses a database that holds any label or audit row. */
  async load(dump: LedgerDump): Promise<void> {
    await this.database.transaction("copy a ledger into the database", async (client) => {
      const head = await headRevision(client, true);
      const { rows } = await client.query<{ labels: string; audit: string }>(
        "SELECT (SELECT count(*) FROM domaines.ledger_entries)::text AS labels, (SELECT count(*) FROM domaines.audit_log)::text AS audit",
      );
      const { labels, audit } = rows[0]!;
      if (labels !== "0" || audit !== "0") {
        throw new FailureError(`refused, nothing written: the target ledger ${this.location} is not empty (${labels} labels, ${audit} audit rows); copy into a new database (createdb, then \`domaines ledger migrate-schema\`).`, "refused");
      }
      const revision = head + 1;
      await client.query("UPDATE domaines.ledger_head SET revision = $1", [revision]);
      await client.query("SET LOCAL domaines.copying = 'on'");
      for (let i = 0; i < dump.records.length; i += CHUNK) await client.query(INSERT_AUDIT, [auditRowsJson(dump.records.slice(i, i + CHUNK))]);
      for (let i = 0; i < dump.entries.length; i += CHUNK) await client.query(UPSERT_ENTRIES, [entriesJson(dump.entries.slice(i, i + CHUNK)), revision]);
    });
    this.cache = null;
  }

  async close(): Promise<void> {
    await this.database.close();
  }
}

/** validate for the database: every row with the schema, the invariants, the audit log replayed and equal to the rows. */
function validateRows(location: string, rows: { entries: { label: string; entry: unknown }[]; audit: AuditRow[] }, reserved: ReadonlySet<string>): ValidationReport {
  const problems: string[] = [];
  const entries = rows.entries.map((r) => entryOfRow(r.label, r.entry, problems)).filter((e): e is LedgerEntry => e !== null);
  problems.push(...ledgerProblems(entries, reserved).map((p) => `domaines.ledger_entries: ${p.message}`));
  const replay = replayRows(rows.audit);
  problems.push(...replay.problems);
  const current = new Map(entries.map((e) => [e.label, e]));
  const differing = [...new Set([...replay.state.keys(), ...current.keys()])].filter((l) => !sameEntry(replay.state.get(l), current.get(l))).sort();
  for (const label of differing.slice(0, 50)) {
    problems.push(`domaines.ledger_entries: label "${label}" ${current.has(label) ? "differs from the audit log replayed (changed outside domaines)" : "is in the audit log but missing from the ledger"}`);
  }
  if (differing.length > 50) problems.push(`… and ${differing.length - 50} more labels differ from the audit log`);
  const counts = { allocated: 0, alias: 0, reserved: 0, tombstone: 0 };
  for (const e of entries) counts[e.state]++;
  return { ledger: location, labels: rows.entries.length, counts, audit: { transactions: replay.transactions, changes: replay.changes }, ok: problems.length === 0, problems, note: null };
}
