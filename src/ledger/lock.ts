import lockfile from "proper-lockfile";
import { FailureError } from "../errors.js";

/**
 * The ledger lock: a directory `ledger.lock` made by proper-lockfile (mkdir is atomic),
 * its mtime refreshed while held. A process killed with the lock held leaves it behind;
 * after `staleMs` without refresh the next writer takes it over, so it never blocks for
 * good. The stale time must stay well above the longest synchronous stretch of a
 * transaction (about a second for a full ledger of 35,000 labels), else a live holder
 * could be taken for dead: 10 s by default, DOMAINES_LOCK_STALE_MS to change it (at least 2 s).
 */
const DEFAULT_STALE_MS = 10_000;
const MIN_STALE_MS = 2_000;

export function lockStaleMs(): number {
  const raw = process.env.DOMAINES_LOCK_STALE_MS;
  if (raw === undefined || raw === "") return DEFAULT_STALE_MS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < MIN_STALE_MS) {
    throw new FailureError(`DOMAINES_LOCK_STALE_MS=${JSON.stringify(raw)} must be a whole number of milliseconds, at least ${MIN_STALE_MS}.`);
  }
  return n;
}

export interface HeldLock {
  /** Set when proper-lockfile found that the lock was lost (taken over as stale) while held. */
  compromised(): Error | null;
  release(): Promise<void>;
}

export async function acquireLock(ledgerFile: string, lockPath: string): Promise<HeldLock> {
  let lost: Error | null = null;
  const stale = lockStaleMs();
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(ledgerFile, {
      realpath: false,
      lockfilePath: lockPath,
      stale,
      // Waiting writers poll quickly at first, then every 250 ms, for about 3 minutes in all.
      retries: { retries: 800, factor: 1.3, minTimeout: 5, maxTimeout: 250, randomize: true },
      onCompromised: (err) => {
        lost = err;
      },
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ELOCKED") {
      throw new FailureError(`the ledger is locked by another process (${lockPath}) and stayed locked for minutes; if no domaines command is running, the lock is taken over once it is ${stale / 1000} s old.`);
    }
    throw new FailureError(`cannot lock the ledger (${lockPath}): ${e.code ?? e.message}`);
  }
  return {
    compromised: () => lost,
    release: async () => {
      try {
        await release();
      } catch (err) {
        if (!lost) throw err; // a lock taken over as stale is no longer ours to remove
      }
    },
  };
}
