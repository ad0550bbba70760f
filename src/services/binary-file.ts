import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Atomic replacement of a binary file (a PDF): temp file beside it, fsync, rename, fsync
 * of the directory, like the ledger's replaceDurably, which takes text only.
 * TODO(integrator): widen replaceDurably (src/ledger/fsync.ts) to bytes and drop this.
 */
export function replaceBinaryDurably(path: string, data: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
