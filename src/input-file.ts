import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { InputError } from "./errors.js";
import { ioError } from "./io-errors.js";
import { formatSize } from "./units/size.js";

/**
 * Input files read whole, with a ceiling: `--communes /dev/zero`, a FIFO or a runaway
 * generator must be refused, not grow the process until the machine gives up. The
 * bundled COG is 8.6 MB and a DKIM store for every commune about 30 MB: 64 MB leaves room.
 */
export const MAX_INPUT_BYTES = 64_000_000;

const CHUNK = 1 << 20;

export interface InputFileOptions {
  /** Ceiling in bytes (default MAX_INPUT_BYTES). */
  maxBytes?: number;
  /** Appended to "cannot read" errors: what to pass instead. */
  hint?: string;
}

/**
 * Reads a whole text file named by the user. `what` names it in errors ("communes file
 * x.json"). Past the ceiling: exit 2, code "limit", before reading more than the ceiling
 * (at once for a regular file, whose size is known). A missing file is exit 2; a
 * permission or device failure exit 1 (code io).
 */
export function readInputText(path: string, what: string, options: InputFileOptions = {}): string {
  const max = options.maxBytes ?? MAX_INPUT_BYTES;
  const after = options.hint ? ` ${options.hint}` : "";
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw withHint(ioError(err, { path: what, action: "read" }), after);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputError(`cannot read ${what}: it is a directory.${after}`);
    const tooLarge = () =>
      new InputError(`${what} is larger than ${formatSize(max)}, the limit for an input file; refusing to read it (is it the right file?).${after}`, "limit", { details: { limit: "input-file-bytes", maxBytes: max } });
    if (st.isFile() && st.size > max) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      total += n;
      if (total > max) throw tooLarge();
      chunks.push(n === CHUNK ? buf : buf.subarray(0, n));
    }
    return Buffer.concat(chunks, total).toString("utf8");
  } catch (err) {
    throw withHint(ioError(err, { path: what, action: "read" }), after);
  } finally {
    closeSync(fd);
  }
}

/** The hint after an io/input error's message (the caller knows what to pass instead). */
function withHint(err: unknown, after: string): unknown {
  if (after && err instanceof InputError && !err.message.endsWith(after)) {
    return new InputError(`${err.message}${after}`, err.code, { ...(err.details ? { details: err.details } : {}) });
  }
  return err;
}

/** Standard input read whole, with the same ceiling (`check --stdin`): streamed, since stdin may be a pipe or a socket that cannot be opened again by name. */
export async function readStdinText(what: string, options: InputFileOptions = {}): Promise<string> {
  const max = options.maxBytes ?? MAX_INPUT_BYTES;
  if (fstatSync(0).isDirectory()) throw new InputError(`cannot read ${what}: it is a directory; pipe or redirect a file of queries, one per line.`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    total += buf.length;
    if (total > max) {
      process.stdin.destroy();
      throw new InputError(`${what} is larger than ${formatSize(max)}, the limit for an input; refusing to read more.`, "limit", { details: { limit: "input-file-bytes", maxBytes: max } });
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total).toString("utf8");
}
