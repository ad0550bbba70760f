import { DomainesError, type ErrorCode } from "../errors.js";
import { redactTokens } from "../auth/tokens.js";

/**
 * Errors over HTTP: application/problem+json (RFC 9457) carrying the CLI's stable `code`.
 * One table maps each code to its status; `limit` refusals name the limit they hit, and
 * the limit decides the status (413 body or batch size, 429 rate, 503 time).
 */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  "invalid-input": 400,
  "not-found": 404,
  ambiguous: 422,
  reserved: 409,
  conflict: 409,
  "not-covered": 422,
  refused: 409,
  "ledger-damaged": 503,
  locked: 503,
  "lock-lost": 503,
  io: 500,
  database: 503,
  service: 502,
  limit: 429,
  unauthorized: 401,
  forbidden: 403,
  failed: 409,
  internal: 500,
};

export const LIMIT_STATUS = {
  "body-size": 413,
  "batch-size": 413,
  "rate-limit": 429,
  "request-timeout": 503,
  "header-size": 431,
} as const;
export type LimitName = keyof typeof LIMIT_STATUS;

export const PROBLEM_TYPE = "application/problem+json";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: ErrorCode;
  candidates?: unknown[];
  details?: Record<string, unknown>;
}

const TITLES: Record<ErrorCode, string> = {
  "invalid-input": "Invalid input",
  "not-found": "Not found",
  ambiguous: "Ambiguous query",
  reserved: "Reserved label",
  conflict: "Conflicts with the ledger",
  "not-covered": "Not covered by a structure",
  refused: "Refused by a safety rule",
  "ledger-damaged": "Ledger damaged",
  locked: "Ledger locked",
  "lock-lost": "Ledger lock lost",
  io: "Environment failure",
  database: "Database unavailable",
  service: "Remote service failure",
  limit: "Limit reached",
  unauthorized: "Unauthorized",
  forbidden: "Forbidden",
  failed: "Failed",
  internal: "Internal error",
};

export function statusOf(err: DomainesError): number {
  if (err.code === "limit") {
    const limit = err.details?.limit;
    if (typeof limit === "string" && Object.hasOwn(LIMIT_STATUS, limit)) return LIMIT_STATUS[limit as LimitName];
  }
  return STATUS_BY_CODE[err.code];
}

/** A limit refusal: the message names the limit and its value. */
export function limitError(limit: LimitName, message: string, details: Record<string, unknown> = {}): DomainesError {
  return new DomainesError(message, 2, "limit", { details: { limit, ...details } });
}

export function problemOf(err: DomainesError, instance?: string): Problem {
  const status = statusOf(err);
  const json = err.toJSON();
  const problem: Problem = {
    type: `urn:domaines:problem:${err.code}`,
    title: TITLES[err.code],
    status,
    detail: redactTokens(json.message),
    code: err.code,
    ...(instance === undefined ? {} : { instance: redactTokens(instance) }),
    ...(json.candidates ? { candidates: json.candidates } : {}),
    ...(json.details ? { details: JSON.parse(redactTokens(JSON.stringify(json.details))) as Record<string, unknown> } : {}),
  };
  return problem;
}

/** The raw HTTP response for errors the framework meets before a request exists (malformed HTTP). */
export function rawProblemResponse(status: number, statusText: string, err: DomainesError): string {
  const body = JSON.stringify({ ...problemOf(err), status });
  return `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: ${PROBLEM_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
