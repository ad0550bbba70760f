import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/** Opens `path`, runs `fn`, fsyncs and closes (close also on error). */
function withSyncedFd(path: string, flags: string, fn: (fd: number) => void): void {
  const fd = openSync(path, flags);
  try {
    fn(fd);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes all of `text` (writeSync may write less than asked). */
function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, "utf8");
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/** Appends and fsyncs: once this returns, the lines survive a crash. */
export function appendDurably(path: string, text: string): void {
  withSyncedFd(path, "a", (fd) => writeAll(fd, text));
}

/**
 * Replaces `path` atomically: temp file beside it, fsync, rename, fsync of the directory.
 * A crash at any instant leaves the old file or the new one, never a mix.
 */
export function replaceDurably(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  withSyncedFd(tmp, "w", (fd) => writeAll(fd, text));
  renameSync(tmp, path);
  withSyncedFd(dirname(path), "r", () => {});
}
