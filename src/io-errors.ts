import { DomainesError, FailureError, InputError } from "./errors.js";

/**
 * Node's file-system errors (ENOSPC, EFBIG, EACCES, …) as errors a user can act on: the
 * path, what was being done, the cause in words, exit 1 with code "io" (the environment
 * failed, not the input). Missing files and wrong kinds of path are the user's input
 * (exit 2). Used by every writer outside the ledger store, and by the CLI's top-level
 * handler as the fallback for any errno error that escaped.
 */

const CAUSES: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is exceeded",
  EFBIG: "the file is too large for the process's file size limit, ulimit -f, or for the file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  EMFILE: "too many open files in this process, see ulimit -n",
  ENFILE: "too many open files on the system",
  EIO: "input/output error: the disk or the network file system failed",
  ENOMEM: "out of memory",
  EBUSY: "the file or device is busy",
  ETXTBSY: "the file is busy",
  EXDEV: "the paths are on different file systems",
  ELOOP: "a symbolic link where none is allowed, or too many levels of links",
  ENAMETOOLONG: "the path is too long",
  EEXIST: "the file already exists",
  ENOENT: "no such file or directory",
  ENOTDIR: "a component of the path is not a directory",
  EISDIR: "it is a directory",
  ENXIO: "no such device or address",
};

/** Causes that are the user's input (a path that does not exist or is of the wrong kind), not the environment. */
const INPUT_CAUSES = new Set(["ENOENT", "ENOTDIR", "EISDIR", "ENAMETOOLONG", "ENXIO"]);

export interface ErrnoLike {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
  message: string;
}

/** True for an error from a Node system call (it has an E… code). */
export function isErrnoError(err: unknown): err is ErrnoLike {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code);
}

/** The code, for searching, and the cause in words: "ENOSPC (no space left on the device)". */
export function describeErrno(code: string): string {
  const words = CAUSES[code];
  return words ? `${code} (${words})` : code;
}

/**
 * The error to show for `err` while doing `action` on `path` ("write the export to", "read"):
 * a DomainesError as it is; an errno error as exit 1, code io (exit 2 for a missing path);
 * anything else as it is (a bug keeps its stack).
 */
export function ioError(err: unknown, context: { path?: string; action?: string } = {}): unknown {
  if (err instanceof DomainesError || !isErrnoError(err)) return err;
  const path = context.path ?? err.path;
  const action = context.action ?? (err.syscall ? `${err.syscall}` : "use");
  // A write on an open descriptor carries no path: the writer should have given it (withIoErrors).
  const message = `cannot ${action} ${path ?? "a file"}: ${describeErrno(err.code)}.`;
  const details = { path: path ?? null, errno: err.code, syscall: err.syscall ?? null };
  return INPUT_CAUSES.has(err.code) ? new InputError(message, "invalid-input", { details }) : new FailureError(message, "io", { details });
}

/** Runs `fn`, turning an errno error into the error `ioError` gives. */
export function withIoErrors<T>(context: { path: string; action: string }, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw ioError(err, context);
  }
}
