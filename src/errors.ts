/**
 * Errors a user can act on. The CLI prints `message` (no stack trace) and exits with
 * `exitCode`: 2 for bad usage or bad input, 1 for a failure of the job itself. `code` is
 * stable (scripts branch on it: `--json` prints `{"error": {"code", "message", …}}`, the
 * HTTP API answers problem+json with the same code); the list is ERROR_CODES below.
 */
export const ERROR_CODES = {
  "invalid-input": "an argument, option or input file is malformed; the message names it and the fix",
  "not-found": "the query designates no commune, label, operator or token",
  ambiguous: "the query designates several communes; `candidates` lists them, name one by its label, INSEE code or SIREN",
  reserved: "the label is reserved (a homonym group's bare slug, a rename reservation or the reserved list) and cannot be given",
  conflict: "the request contradicts the ledger (a label held by another commune, a commune holding another label, …)",
  "not-covered": "no mutualisation structure covers the commune; enrol it directly (--direct) or add it to a structure",
  refused: "a safety rule refused the change (ledger invariants, deletion guard, a tampered ledger); nothing was written",
  "ledger-damaged": "the ledger or its audit log was changed outside domaines or is unreadable; `domaines validate` says where",
  locked: "another writer held the ledger lock for too long",
  "lock-lost": "this command lost the ledger lock before writing; nothing was written, run it again",
  io: "the environment failed (disk full, file too large, permission denied, …); the message names the path",
  database: "the PostgreSQL ledger could not be reached, failed or restarted mid-command, or its schema is not the one this domaines expects; nothing was committed unless the message says so",
  service: "a remote service (Espace Opérateur, Messages, Fichiers, DNS) failed or answered unexpectedly",
  limit: "a size, time or rate limit was reached; the message names the limit",
  unauthorized: "no valid token was presented",
  forbidden: "the token's role or structure may not do this",
  failed: "the job found a problem it must report (the message says which)",
  internal: "a bug in domaines (the message carries what a maintainer needs)",
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

/** A commune offered to the user when a request is ambiguous or close to one. */
export interface Candidate {
  key: string;
  name: string;
  departement: string;
  insee: string;
  siren: string | null;
  label: string | null;
}

export interface ErrorExtra {
  candidates?: Candidate[];
  /** Anything else a script may want (the limit reached, the path that failed, …); plain JSON. */
  details?: Record<string, unknown>;
}

export class DomainesError extends Error {
  readonly code: ErrorCode;
  readonly candidates?: Candidate[];
  readonly details?: Record<string, unknown>;

  constructor(message: string, readonly exitCode: 1 | 2, code?: ErrorCode, extra: ErrorExtra = {}) {
    super(message);
    // this.constructor, not new.target: Pulumi's closure serializer (dynamic providers) rewrites classes and loses new.target.
    this.name = this.constructor.name;
    this.code = code ?? (exitCode === 2 ? "invalid-input" : "failed");
    if (extra.candidates) this.candidates = extra.candidates;
    if (extra.details) this.details = extra.details;
  }

  /** The JSON shape of the error, as `--json` prints it under "error" and the API's problem+json carries it. */
  toJSON(): { code: ErrorCode; message: string; exitCode: 1 | 2; candidates?: Candidate[]; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      exitCode: this.exitCode,
      ...(this.candidates ? { candidates: this.candidates } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

/** Bad command-line usage or bad input data (exit 2). */
export class InputError extends DomainesError {
  constructor(message: string, code: ErrorCode = "invalid-input", extra: ErrorExtra = {}) {
    super(message, 2, code, extra);
  }
}

/** The job could not be done, or found a problem it must report (exit 1). */
export class FailureError extends DomainesError {
  constructor(message: string, code: ErrorCode = "failed", extra: ErrorExtra = {}) {
    super(message, 1, code, extra);
  }
}

/** Shortens a user-supplied value for an error message (a 1 MB string must not flood the terminal). */
export function quoteInput(value: string, max = 60): string {
  const shown = value.length > max ? `${value.slice(0, max)}… (${value.length} characters)` : value;
  return JSON.stringify(shown);
}
