import { randomBytes } from "node:crypto";
import { closeSync, constants, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ioError } from "./io-errors.js";

/**
 * Replaces `path` with `text` atomically, for the files written outside the ledger store
 * (export --out, the DKIM store, the applied DNS snapshot): a temp file beside it, then
 * fsync, rename, fsync of the directory, so a crash leaves the old file or the new one.
 *
 * The temp file has an unpredictable name and is created exclusively without following
 * links (O_CREAT|O_EXCL|O_NOFOLLOW): a link planted at a guessable name cannot redirect
 * the write. On any failure the temp file is removed (only ours: we created it) and the
 * error names the path and the cause (ENOSPC, EFBIG, EACCES, …: exit 1, code io).
 */
export function writeFileAtomically(path: string, text: string): void {
  const tmp = join(dirname(path), `${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
  let fd: number | undefined;
  let created = false;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
    created = true;
    writeAll(fd, Buffer.from(text, "utf8"));
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
    created = false;
    syncDirectory(dirname(path));
  } catch (err) {
    if (fd !== undefined) quietly(() => closeSync(fd!));
    if (created) quietly(() => unlinkSync(tmp));
    throw ioError(err, { path, action: "write" });
  }
}

/** writeSync may write less than asked (a full disk, a size limit): loop until all is written or it throws. */
function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/** Makes the rename itself durable. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // Cleanup after a failure: the first error is the one to report.
  }
}
