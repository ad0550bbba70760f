import type { Change } from "./audit.js";
import type { LedgerEntry } from "./schema.js";

/**
 * The ledger as every command and the server see it: a small store interface with one
 * implementation per backend (the file store, reviewable in git, is the embedded
 * default). The allocation rules live in pure code above it; a store only reads
 * entries, runs one transaction and appends its audit lines, atomically.
 */

/** What a transaction's function returns: entries to add or replace (by label), and its result. */
export interface LedgerChanges<T> {
  put: LedgerEntry[];
  result: T;
}

export interface LedgerUpdate<T> {
  result: T;
  changes: Change[];
  /** The transaction id in the audit log; null when nothing changed (nothing written). */
  tx: string | null;
}

/** The principal and command a transaction is recorded under (the audit line's `actor` and `command`). */
export interface TransactionMeta {
  actor: string;
  command: string;
}

export interface LedgerStore {
  /** `file` (a directory) or `postgres`. */
  readonly kind: string;
  /** Where it lives, for messages: the directory, or the database URL without its password. */
  readonly location: string;
  /** Every entry, validated. */
  read(): Promise<LedgerEntry[]>;
  /** Only the entries that mention one of `values` as label, key, aliasOf or inheritedFrom (check stays fast on a full ledger). */
  readMentioning(values: readonly string[]): Promise<LedgerEntry[]>;
  /**
   * One transaction: under the store's lock, `fn` sees the current entries and returns
   * what to put; every invariant and transition is checked, the audit lines and the new
   * entries land together or not at all. `fn` must be pure (it may be called on a ledger
   * that changed since the caller last looked).
   */
  transact<T>(meta: TransactionMeta, fn: (entries: readonly LedgerEntry[]) => LedgerChanges<T>): Promise<LedgerUpdate<T>>;
  /** Traces an action that changes no label (membership, token, webhook) in the audit log, durably. */
  recordEvent(meta: TransactionMeta, event: { kind: string } & Record<string, unknown>): Promise<void>;
  /**
   * The audit log's records, in order, as the file store's lines read (a store whose log is
   * not a file: PostgreSQL). The file store's log is read from its file by the audit query.
   */
  auditRecords?(): Promise<readonly object[]>;
  /** The invariants of the whole ledger, and that it equals its audit log replayed. */
  validate(reserved: ReadonlySet<string>): Promise<ValidationReport>;
  close(): Promise<void>;
}

export interface ValidationReport {
  /** Where the ledger lives (file path or database). */
  ledger: string;
  labels: number;
  counts: Record<LedgerEntry["state"], number>;
  audit: { transactions: number; changes: number };
  ok: boolean;
  /** Each problem with where it is (file:line, or row). */
  problems: string[];
  /** What validate saw that is not a problem, e.g. a crash window the next write settles. */
  note: string | null;
}
