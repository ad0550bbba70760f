/**
 * Fault injection for real CLI processes (`node --import this-file …`): counts the
 * file-system calls that change something (open for writing, write, fsync, rename, link,
 * unlink, rm, utimes, close of a written file) and, at the call numbered
 * DOMAINES_FAULT_AT, does what DOMAINES_FAULT says:
 *   kill    SIGKILL before the call (a crash at that instant)
 *   short   a write of half its bytes, then SIGKILL (a torn write)
 *   enospc  the call fails with ENOSPC (disk full)
 *   efbig   the call fails with EFBIG (file size limit)
 * With DOMAINES_FAULT_COUNT=FILE, writes the calls made (a JSON array of their names) to
 * FILE at exit, to enumerate every injection point of a command. Patched through the CommonJS fs object
 * and syncBuiltinESMExports, so ESM named imports see it too.
 */
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";

const at = Number(process.env.DOMAINES_FAULT_AT ?? 0);
const kind = process.env.DOMAINES_FAULT ?? "kill";
const countFile = process.env.DOMAINES_FAULT_COUNT;
let calls = 0;
const names = [];
const written = new Set();
const original = {};

function fail(code) {
  const err = new Error(`${code}: injected fault`);
  err.code = code;
  err.errno = code === "ENOSPC" ? -28 : -27;
  throw err;
}

/** Counts a call; true when this is the one to fault (and the fault is not a plain kill). */
function tick(name) {
  calls++;
  names.push(name);
  if (calls !== at) return false;
  if (kind === "kill") process.kill(process.pid, "SIGKILL");
  if (kind === "enospc") fail("ENOSPC");
  if (kind === "efbig") fail("EFBIG");
  return kind === "short";
}

const isWriteFlags = (flags) => typeof flags === "string" && /[wax+]/.test(flags);

function wrap(name, counts, onFault) {
  original[name] = fs[name];
  fs[name] = function (...args) {
    if (counts(...args) && tick(name)) return onFault(...args);
    return original[name].apply(this, args);
  };
}

wrap("openSync", (_p, flags) => isWriteFlags(flags), () => process.kill(process.pid, "SIGKILL"));
original.writeSync = fs.writeSync;
fs.writeSync = function (fd, buffer, offset, length, ...rest) {
  // stdout and stderr are the user's terminal, not the ledger's files
  if (fd === 1 || fd === 2) return original.writeSync.call(this, fd, buffer, offset, length, ...rest);
  written.add(fd);
  if (tick("writeSync")) {
    // A torn write: half of what was asked reaches the file, then the process dies.
    const buf = typeof buffer === "string" ? Buffer.from(buffer) : buffer;
    const off = typeof offset === "number" ? offset : 0;
    const len = typeof length === "number" ? length : buf.length - off;
    original.writeSync.call(this, fd, buf, off, Math.max(1, Math.floor(len / 2)));
    process.kill(process.pid, "SIGKILL");
  }
  return original.writeSync.call(this, fd, buffer, offset, length, ...rest);
};
for (const name of ["fsyncSync", "renameSync", "linkSync", "unlinkSync", "rmSync", "utimesSync", "writeFileSync", "appendFileSync"]) {
  wrap(name, () => true, () => process.kill(process.pid, "SIGKILL"));
}
wrap("closeSync", (fd) => written.delete(fd), () => process.kill(process.pid, "SIGKILL"));
syncBuiltinESMExports();

if (countFile) process.on("exit", () => original.writeFileSync(countFile, JSON.stringify(names)));
