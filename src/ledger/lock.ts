import { randomBytes } from "node:crypto";
import { closeSync, linkSync, lstatSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, utimesSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { describeErrno } from "../io-errors.js";
import { FailureError } from "../errors.js";

/**
 * The ledger lock: a file `ledger.lock` holding its owner (pid, host, boot id, the pid's
 * start time, a random token, the command). It is created atomically with link(2) from a
 * private temp file, so it never exists half-written.
 *
 * A lock is taken over only from a holder that is certainly gone: on this machine, when
 * its pid is not running any more (or runs another program: start time differs, or the
 * machine rebooted); from another machine (a shared file system), when its lease has not
 * been renewed for DOMAINES_LOCK_STALE_MS (the holder touches the file every third of
 * that while it works). A live holder on this machine is never taken over, however long
 * it works (the lost updates of issue 10 came from a live, busy holder taken for dead).
 * Take-over renames the stale file away and checks it renamed the stale owner's, so two
 * waiters breaking the same stale lock cannot both win.
 */
const DEFAULT_STALE_MS = 30_000;
const MIN_STALE_MS = 2_000;
const DEFAULT_WAIT_MS = 180_000;

export interface LockOwner {
  pid: number;
  host: string;
  /** /proc/sys/kernel/random/boot_id: a pid is meaningful only within one boot. */
  boot: string | null;
  /** The pid's start time (clock ticks since boot, /proc/<pid>/stat field 22): tells a reused pid. */
  start: string | null;
  token: string;
  command: string;
  acquiredAt: string;
}

function envMs(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new FailureError(`${name}=${JSON.stringify(raw)} must be a whole number of milliseconds, at least ${min}.`, "invalid-input");
  return n;
}

/** The lease a holder on another machine has (DOMAINES_LOCK_STALE_MS, at least 2 s; default 30 s). */
export function lockStaleMs(): number {
  return envMs("DOMAINES_LOCK_STALE_MS", DEFAULT_STALE_MS, MIN_STALE_MS);
}

/** How long a writer waits for the lock before giving up (DOMAINES_LOCK_WAIT_MS; default 3 minutes). */
export function lockWaitMs(): number {
  return envMs("DOMAINES_LOCK_WAIT_MS", DEFAULT_WAIT_MS, 0);
}

let bootId: string | null | undefined;
function currentBoot(): string | null {
  if (bootId === undefined) {
    try {
      bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    } catch {
      bootId = null;
    }
  }
  return bootId;
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command, which may hold spaces). */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether a process of this pid runs on this machine (EPERM: it does, as another user). */
export function pidRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function selfOwner(command: string): LockOwner {
  return {
    pid: process.pid,
    host: hostname(),
    boot: currentBoot(),
    start: processStart(process.pid),
    token: randomBytes(12).toString("hex"),
    command: command.slice(0, 200),
    acquiredAt: new Date().toISOString(),
  };
}

/** Why the holder is gone, or null while it may be alive. `mtimeMs` is the lock file's last renewal. */
export function holderGone(owner: LockOwner, mtimeMs: number, now = Date.now()): string | null {
  const sameMachine = owner.host === hostname() && owner.boot !== null && owner.boot === currentBoot();
  if (sameMachine) {
    if (!pidRunning(owner.pid)) return `process ${owner.pid} is not running`;
    const start = processStart(owner.pid);
    if (owner.start !== null && start !== null && start !== owner.start) return `process ${owner.pid} is another program now (pid reused)`;
    return null;
  }
  if (owner.host === hostname() && owner.boot !== currentBoot()) return `it was taken before this machine restarted`;
  const stale = lockStaleMs();
  return now - mtimeMs > stale ? `its lease expired (${Math.round((now - mtimeMs) / 1000)} s without renewal, more than ${stale / 1000} s; holder on ${owner.host})` : null;
}

function readOwner(path: string): { owner: LockOwner | null; mtimeMs: number } | null {
  try {
    const st = lstatSync(path);
    if (st.isDirectory()) return { owner: null, mtimeMs: st.mtimeMs }; // a lock directory of an older domaines (proper-lockfile)
    const json = JSON.parse(readFileSync(path, "utf8")) as Partial<LockOwner>;
    if (typeof json.pid !== "number" || typeof json.token !== "string" || typeof json.host !== "string") return { owner: null, mtimeMs: st.mtimeMs };
    return { owner: json as LockOwner, mtimeMs: st.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    // Unreadable or not JSON: it cannot have been written by link(2) half-way; judge it by its age.
    try {
      return { owner: null, mtimeMs: lstatSync(path).mtimeMs };
    } catch {
      return null;
    }
  }
}

export interface HeldLock {
  readonly owner: LockOwner;
  /** Null while the lock is still this process's; otherwise why it is not (checked on disk). */
  lost(): string | null;
  release(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes the lock at `path`, waiting for a live holder (up to lockWaitMs), taking it over from a gone one. */
export async function acquireLock(path: string, command: string, what = "the ledger"): Promise<HeldLock> {
  const me = selfOwner(command);
  // The pid in the name lets a clean-up tell a dead writer's file even when it was cut short.
  const tmp = `${path}.${me.pid}.${me.token}.tmp`;
  const writeTmp = (): void => {
    try {
      const fd = openSync(tmp, "wx", 0o644);
      try {
        writeSync(fd, `${JSON.stringify(me)}\n`);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      // A full disk can leave the file created but empty: nothing of ours stays behind.
      rmSync(tmp, { force: true });
      throw lockError(path, err, what);
    }
  };
  writeTmp();
  const deadline = Date.now() + lockWaitMs();
  let delay = 2;
  let lastHolder: LockOwner | null = null;
  try {
    for (;;) {
      try {
        linkSync(tmp, path);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT") {
          writeTmp(); // our own temp file was removed (a clean-up that took it for a dead one's): write it again
          continue;
        }
        if (code !== "EEXIST") throw lockError(path, err, what);
      }
      const current = readOwner(path);
      if (current === null) continue; // released meanwhile
      lastHolder = current.owner;
      const gone = current.owner ? holderGone(current.owner, current.mtimeMs) : Date.now() - current.mtimeMs > lockStaleMs() ? "it is unreadable and old" : null;
      if (gone !== null) {
        breakStaleLock(path, current.owner, me.token, what);
        continue;
      }
      if (Date.now() > deadline) {
        const who = lastHolder ? `process ${lastHolder.pid} on ${lastHolder.host} (${lastHolder.command}) since ${lastHolder.acquiredAt}` : "another process";
        throw new FailureError(`${what} is locked by ${who} and stayed locked for ${Math.round(lockWaitMs() / 1000)} s (${path}); it is released when that command ends, or taken over as soon as it is no longer running.`, "locked");
      }
      await sleep(delay * (1 + Math.random()));
      delay = Math.min(delay * 1.5, 100);
    }
  } finally {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // left for the next writer's clean-up (removeLeftovers: its owner is then gone)
    }
  }
  return holding(path, me);
}

/** Moves a gone holder's lock away; if what was moved is not that holder's (taken meanwhile), puts it back. */
function breakStaleLock(path: string, stale: LockOwner | null, myToken: string, what: string): void {
  const aside = `${path}.stale-${myToken}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    if ((err as NodeJS.ErrnoException).code === "EISDIR" || (err as NodeJS.ErrnoException).code === "ENOTEMPTY") {
      rmSync(path, { recursive: true, force: true }); // an old-style lock directory, judged stale above
      return;
    }
    throw lockError(path, err, what);
  }
  const moved = readOwner(aside);
  const same = stale === null ? moved?.owner === null : moved?.owner?.token === stale.token;
  if (!same) {
    try {
      linkSync(aside, path); // a fresh lock taken between our look and our rename: give it back
    } catch {
      // Someone linked a lock meanwhile: the holder we displaced finds out before it writes (lost()).
    }
  }
  rmSync(aside, { recursive: true, force: true });
}

function holding(path: string, me: LockOwner): HeldLock {
  let released = false;
  // Renewal proves liveness to other machines; on this one, the pid does.
  const renew = setInterval(() => {
    try {
      const now = new Date();
      if (readOwner(path)?.owner?.token === me.token) utimesSync(path, now, now);
    } catch {
      // lost() reports it when it matters, before writing
    }
  }, Math.max(500, Math.floor(lockStaleMs() / 3)));
  renew.unref();
  return {
    owner: me,
    lost() {
      const current = readOwner(path);
      if (current?.owner?.token === me.token) return null;
      return current?.owner ? `the lock is now held by process ${current.owner.pid} on ${current.owner.host} (${current.owner.command})` : "the lock file is gone";
    },
    release() {
      if (released) return;
      released = true;
      clearInterval(renew);
      if (readOwner(path)?.owner?.token !== me.token) return; // no longer ours: leave it to its holder
      try {
        unlinkSync(path);
      } catch {
        // Left behind, it names this process: the next writer takes it over once this process has exited.
      }
    },
  };
}

/** `what`: the thing locked, as the user knows it ("the ledger", "the token store /etc/…/tokens.json"). */
function lockError(path: string, err: unknown, what: string): FailureError {
  const e = err as NodeJS.ErrnoException;
  return new FailureError(`cannot lock ${what} (${path}): ${e.code ? describeErrno(e.code) : e.message}; check that its directory is writable and has room.`, "io");
}
