import { statSync } from "node:fs";
import { join } from "node:path";
import { sameEntry } from "../ledger/codec.js";
import type { LedgerChanges, LedgerStore, LedgerUpdate, TransactionMeta, ValidationReport } from "../ledger/ledger-store.js";
import type { LedgerEntry } from "../ledger/schema.js";
import { entriesMentioning } from "../operations/check.js";

/**
 * The server's view of the ledger: the store, with the last validated read kept in memory
 * while the file is unchanged (its inode, size and mtime, one stat per request), so that
 * reads cost microseconds and a request that would change nothing (an idempotent PUT
 * replayed) is answered from memory without taking the lock. Anything else goes to the
 * store as is. Only the file store has a version to compare; other stores are not cached.
 */
export class CachedLedgerStore implements LedgerStore {
  private snapshot: { version: string; entries: LedgerEntry[]; mentioning: (values: readonly string[]) => LedgerEntry[] } | undefined;

  constructor(readonly inner: LedgerStore) {}

  get kind(): string {
    return this.inner.kind;
  }

  get location(): string {
    return this.inner.location;
  }

  private version(): string | null {
    if (this.inner.kind !== "file") return null;
    try {
      const s = statSync(join(this.inner.location, "ledger.jsonl"), { bigint: true });
      return `${s.ino}:${s.size}:${s.mtimeNs}`;
    } catch {
      return null; // no file yet (an empty ledger): read through
    }
  }

  /** The current entries, from memory when the file has not changed since they were read. */
  private async current(): Promise<{ entries: LedgerEntry[]; mentioning: (values: readonly string[]) => LedgerEntry[] } | null> {
    const version = this.version();
    if (version === null) return null;
    if (this.snapshot?.version !== version) {
      const entries = await this.inner.read();
      // The file may have changed during the read: keep the snapshot only if it did not.
      if (this.version() !== version) return { entries, mentioning: entriesMentioning(entries) };
      this.snapshot = { version, entries, mentioning: entriesMentioning(entries) };
    }
    return this.snapshot;
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
      const byLabel = new Map(snap.entries.map((e) => [e.label, e]));
      if (dry.put.every((e) => sameEntry(byLabel.get(e.label), e))) return { result: dry.result, changes: [], tx: null };
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

  validate(reserved: ReadonlySet<string>): Promise<ValidationReport> {
    return this.inner.validate(reserved);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
