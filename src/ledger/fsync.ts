import { randomBytes } from "node:crypto";
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ioError } from "../io-errors.js";

/** Writes all of `data` (writeSync may write less than asked). */
function writeAll(fd: number, data: string | Buffer): void {
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/** Pieces of text joined into writes of about a megabyte: no one string of a 16 MB audit append. */
function writeAllPieces(fd: number, pieces: readonly string[]): void {
  let batch: string[] = [];
  let size = 0;
  for (const piece of pieces) {
    batch.push(piece);
    size += piece.length;
    if (size >= 1 << 20) {
      writeAll(fd, batch.join(""));
      batch = [];
      size = 0;
    }
  }
  if (batch.length > 0) writeAll(fd, batch.join(""));
}

/** A failed file operation as a clear error naming the path and the cause (exit 1, code io; see src/io-errors.ts). */
function fileError(action: string, path: string, err: unknown): unknown {
  return ioError(err, { path, action });
}

/**
 * Appends and fsyncs: once this returns, the bytes survive a crash. When the append fails
 * (disk full, file too large), what it wrote is cut off again, so that a failed append
 * neither leaves half a line nor keeps the space it took; if even that fails (or the process
 * dies), the next writer's recovery marks the torn bytes.
 */
export function appendDurably(path: string, text: string | readonly string[]): void {
  let fd: number;
  try {
    fd = openSync(path, "a");
  } catch (err) {
    throw fileError("append to", path, err);
  }
  let size: number | null = null;
  try {
    try {
      size = fstatSync(fd).size;
      if (typeof text === "string") writeAll(fd, text);
      else writeAllPieces(fd, text);
      fsyncSync(fd);
    } catch (err) {
      if (size !== null) {
        try {
          ftruncateSync(fd, size);
        } catch {
          // the recovery marker of the next write excuses the torn bytes
        }
      }
      throw err;
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw fileError("append to", path, err);
  }
}

/** The prefix of `path`'s temp files: `<name>.tmp-<pid>-<random>` beside it. */
export function tempPrefix(path: string): string {
  return `${basename(path)}.tmp-`;
}

/** The pid a temp file name carries (its writer), or null. */
export function tempOwnerPid(name: string, path: string): number | null {
  const rest = name.startsWith(tempPrefix(path)) ? name.slice(tempPrefix(path).length) : null;
  const pid = rest === null ? NaN : Number(rest.split("-")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * Replaces `path` atomically: a temp file beside it, created exclusively (O_EXCL: never
 * through a planted link, never another writer's file), written, fsynced, renamed over
 * `path`, then the directory fsynced. A crash at any instant leaves the old file or the
 * new one, never a mix; on any failure this writer removes its own temp file, and only it.
 */
export function replaceDurably(path: string, data: string | Buffer): void {
  const tmp = join(dirname(path), `${tempPrefix(path)}${process.pid}-${randomBytes(6).toString("hex")}`);
  let fd: number;
  try {
    fd = openSync(tmp, "wx", 0o644);
  } catch (err) {
    throw fileError("write", path, err);
  }
  try {
    try {
      writeAll(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw fileError("write", path, err);
  }
  syncDirectory(dirname(path));
}

/** fsync of a directory, so that a rename in it survives a crash. */
export function syncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch (err) {
    throw fileError("open the directory", dir, err);
  }
  try {
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw fileError("flush the directory", dir, err);
  }
}

/** A raw file-system error that escaped (errno, syscall, path) as an io error naming its path; anything else unchanged. */
export function asFileError(err: unknown, fallbackPath: string): unknown {
  return ioError(err, (err as { path?: string }).path === undefined ? { path: fallbackPath } : {});
}
