import { statSync } from "node:fs";
import { join } from "node:path";
import { sameEntry } from "../ledger/codec.js";
import type { LedgerChanges, LedgerStore, LedgerUpdate, TransactionMeta, ValidationReport } from "../ledger/ledger-store.js";
import type { LedgerEntry } from "../ledger/schema.js";
import { entriesMentioning } from "../operations/check.js";

interface Snapshot {
  version: string;
  entries: LedgerEntry[];
  byLabel: Map<string, LedgerEntry>;
  mentioning: (values: readonly string[]) => LedgerEntry[];
}

function snapshotOf(version: string, entries: LedgerEntry[]): Snapshot {
  return { version, entries, byLabel: new Map(entries.map((e) => [e.label, e])), mentioning: entriesMentioning(entries) };
}

/**
 * The server's view of the ledger: the store, with the last validated read kept in memory
 * while the file is unchanged (its inode, size and mtime, one stat per request), so that
 * reads cost microseconds and a request that would change nothing (an idempotent PUT
 * replayed) is answered from memory without taking the lock. Anything else goes to the
 * store as is. Only the file store has a version to compare; other stores are not cached.
 */
export class CachedLedgerStore implements LedgerStore {
  private snapshot: Snapshot | undefined;
  /** One read at a time: concurrent requests on a changed ledger share it. */
  private loading: { version: string; promise: Promise<Snapshot> } | undefined;

  private readonly file: string;

  constructor(readonly inner: LedgerStore) {
    this.file = join(inner.location, "ledger.jsonl");
  }

  get kind(): string {
    return this.inner.kind;
  }

  get location(): string {
    return this.inner.location;
  }

  private version(): string | null {
    if (this.inner.kind !== "file") return null;
    try {
      // Every write replaces the file (a new inode), so inode, size and mtime tell a change.
      const s = statSync(this.file);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return null; // no file yet (an empty ledger): read through
    }
  }

  /** The current entries, from memory when the file has not changed since they were read. */
  private async current(): Promise<Snapshot | null> {
    const version = this.version();
    if (version === null) return null;
    if (this.snapshot?.version === version) return this.snapshot;
    if (this.loading?.version !== version) {
      const promise = this.inner.read().then((entries) => {
        const snap = snapshotOf(version, entries);
        // The file may have changed during the read: keep the snapshot only if it did not.
        if (this.version() === version) this.snapshot = snap;
        return snap;
      });
      this.loading = { version, promise };
      promise.then(
        () => this.loading?.promise === promise && (this.loading = undefined),
        () => this.loading?.promise === promise && (this.loading = undefined),
      );
    }
    return this.loading.promise;
  }

  async read(): Promise<LedgerEntry[]> {
    return (await this.current())?.entries ?? this.inner.read();
  }

  async readMentioning(values: readonly string[]): Promise<LedgerEntry[]> {
    const snap = await this.current();
    return snap ? snap.mentioning(values) : this.inner.readMentioning(values);
  }

  async transact<T>(meta: TransactionMeta, fn: (entries: readonly LedgerEntry[]) => LedgerChanges<T>): Promise<LedgerUpdate<T>> {
    const snap = await this.current();
    if (snap) {
      // Planned on the snapshot first: when it would change nothing, nothing needs writing.
      // Errors are the transaction's own (the same pure function on the same entries).
      const dry = fn(snap.entries);
      if (dry.put.every((e) => sameEntry(snap.byLabel.get(e.label), e))) return { result: dry.result, changes: [], tx: null };
    }
    try {
      return await this.inner.transact(meta, fn);
    } finally {
      this.snapshot = undefined;
    }
  }

  async recordEvent(meta: TransactionMeta, event: { kind: string } & Record<string, unknown>): Promise<void> {
    await this.inner.recordEvent(meta, event);
  }

  get auditRecords(): (() => Promise<readonly object[]>) | undefined {
    const inner = this.inner;
    return inner.auditRecords ? () => inner.auditRecords!() : undefined;
  }

  validate(reserved: ReadonlySet<string>): Promise<ValidationReport> {
    return this.inner.validate(reserved);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
