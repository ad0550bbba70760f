/**
 * HTTP for the service clients: node's fetch with a timeout per attempt, and retries
 * with exponential backoff on 5xx, network errors and timeouts only. 4xx answers are
 * returned to the caller, which knows what they mean; nothing here turns a failed
 * call into a success.
 *
 * Nothing a server does can take the process with it: a body is read up to a ceiling
 * (never buffered whole: a 3 GB answer is cut at the ceiling), every call of a command
 * shares one budget of time and bytes (endless `next` pages, a slow drip, retries), and
 * what is quoted from an answer in an error is cut short and stripped of the request's
 * credentials (a 500 page echoing the key). Each refusal names the limit (code "limit").
 *
 * This module and the clients built on it are also run inside the Pulumi dynamic
 * provider, whose code Pulumi serializes by closure: keep them free of captured
 * objects that cannot be serialized (see espace-operateur.ts about zod).
 */
import type { ErrorCode } from "../errors.js";
import { FailureError } from "../errors.js";
import { credentialsOf, redactor } from "../redact.js";
import { formatSize } from "../units/size.js";

/** Defaults of the limits, for clients whose configuration does not set them. */
export const HTTP_LIMITS = {
  /** One response body: a Messages page of 1,000 mail domains is about 1 MB. */
  maxResponseBytes: 16_000_000,
  /** Every body a command reads: the whole Messages listing for every commune is about 25 MB (700 bytes a mail domain). */
  maxTotalBytes: 64_000_000,
  /** The whole command, pagination and retries included. */
  budgetMs: 300_000,
} as const;

export interface RetryOptions {
  /** Per attempt, covering connection, headers and body. */
  timeoutMs: number;
  /** Extra attempts after the first, on 5xx / network error / timeout. */
  retries: number;
  /** First backoff delay; doubles each retry, plus up to as much random jitter. */
  backoffMs?: number;
  /** Largest body read from one response (default HTTP_LIMITS.maxResponseBytes); a larger one is refused, code "limit". */
  maxResponseBytes?: number;
  /** The command's budget, shared by all its calls; without one, the call has its own (budgetOf). */
  budget?: CommandBudget;
  /** Without `budget`: the time budget (default HTTP_LIMITS.budgetMs). */
  budgetMs?: number;
  /** Without `budget`: the bytes budget (default HTTP_LIMITS.maxTotalBytes). */
  maxTotalBytes?: number;
  /** Values to keep out of messages besides the request's credential headers (which are always kept out). */
  secrets?: readonly string[];
  /** Where the limits are set, for refusal messages ("messages.* in the operators file"). */
  limitsHint?: string;
}

/** Time and bytes a command may spend on a service, across every call and page (plain data: shared by reference). */
export interface CommandBudget {
  readonly totalMs: number;
  /** Date.now() past which no attempt starts and the running one is cut. */
  readonly deadline: number;
  readonly maxBytes: number;
  /** Body bytes read so far under this budget. */
  bytesRead: number;
}

export function commandBudget(limits: { totalMs?: number; maxBytes?: number } = {}, now = Date.now()): CommandBudget {
  const totalMs = limits.totalMs ?? HTTP_LIMITS.budgetMs;
  return { totalMs, deadline: now + totalMs, maxBytes: limits.maxBytes ?? HTTP_LIMITS.maxTotalBytes, bytesRead: 0 };
}

/** The budget the options give, or a new one from their budgetMs / maxTotalBytes. */
export function budgetOf(options: Pick<RetryOptions, "budget" | "budgetMs" | "maxTotalBytes">): CommandBudget {
  return options.budget ?? commandBudget({ totalMs: options.budgetMs, maxBytes: options.maxTotalBytes });
}

export interface HttpRequest {
  /** What the call is for, in words: "find the organisation of SIREN 214800955". */
  operation: string;
  method: "GET" | "PATCH" | "DELETE" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface HttpResponse {
  status: number;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  json: unknown;
  text: string;
  /** Removes the request's credentials from a text drawn from this answer: call it on anything quoted in an error. */
  redact: (text: string) => string;
}

export interface ServiceErrorExtra {
  /** "service" unless a limit stopped the call ("limit"). */
  code?: ErrorCode;
  details?: Record<string, unknown>;
  /** host[:port] called, named in the message ("Messages (messages.example.fr): …"). */
  host?: string;
}

/** A call to a remote service that did not succeed; the message says which service, where, which call and why. */
export class ServiceError extends FailureError {
  constructor(
    readonly service: string,
    readonly operation: string,
    readonly status: number | null,
    detail: string,
    extra: ServiceErrorExtra = {},
  ) {
    const message = `${service}${extra.host ? ` (${extra.host})` : ""}: ${operation} failed: ${detail}`;
    super(message, extra.code ?? "service", extra.details ? { details: extra.details } : {});
    // Pulumi's closure serializer (the dynamic provider) rewrites `super(...)` into a plain
    // call of Error, which sets nothing on `this`: set the message, name and code here too.
    this.message = message;
    this.name = "ServiceError";
    (this as { code: ErrorCode }).code = extra.code ?? "service";
  }
}

/**
 * Keeps a text quoted from a server short and on one line for messages; `redact` (the
 * response's) runs before the cut, so that a secret straddling the cut cannot leave its
 * first half behind.
 */
export function excerpt(text: string, max = 300, redact: (t: string) => string = (t) => t): string {
  const flat = redact(text).replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Stops the retry loop: a limit was reached (retrying would meet it again). */
class LimitReached extends Error {
  constructor(
    readonly detail: string,
    readonly limit: string,
    readonly value: number,
  ) {
    super(detail);
  }
}

/** Network failures that no retry within seconds can mend: a name that does not exist, a certificate that does not match. */
function permanent(code: string | undefined): boolean {
  if (!code) return false;
  return code === "ENOTFOUND" || code === "ERR_INVALID_URL" || /^(CERT_|ERR_TLS_CERT|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED_CERT|ERR_SSL_)/.test(code);
}

function networkFailure(err: unknown): { reason: string; permanent: boolean } {
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  if (code === "ENOTFOUND") return { reason: "ENOTFOUND: the host name does not exist; check the configured URL", permanent: true };
  return { reason: code ?? e.cause?.message ?? e.message ?? String(err), permanent: permanent(code) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** host[:port] of a URL, for messages. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url.slice(0, 100);
  }
}

/**
 * Reads a body up to `allowed` bytes; past it, the stream is cancelled (the connection
 * dropped) and LimitReached names the limit that applied.
 */
async function readCapped(response: Response, maxResponse: number, budget: CommandBudget): Promise<string> {
  const left = budget.maxBytes - budget.bytesRead;
  const byResponse = maxResponse <= left;
  const allowed = Math.min(maxResponse, left);
  const refuse = (size: string) =>
    byResponse
      ? new LimitReached(`the response ${size} is larger than ${formatSize(maxResponse)}, the limit for one response (maxResponseBytes)`, "maxResponseBytes", maxResponse)
      : new LimitReached(`the responses of this command exceed ${formatSize(budget.maxBytes)}, the limit for all of them together (maxTotalBytes)`, "maxTotalBytes", budget.maxBytes);
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > allowed) {
    await response.body?.cancel().catch(() => undefined);
    throw refuse(`(${formatSize(declared)} announced)`);
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > allowed) {
      await reader.cancel().catch(() => undefined);
      throw refuse("body");
    }
    chunks.push(value);
  }
  budget.bytesRead += size;
  return Buffer.concat(chunks, size).toString("utf8");
}

export async function sendWithRetry(service: string, request: HttpRequest, options: RetryOptions): Promise<HttpResponse> {
  const backoff = options.backoffMs ?? 250;
  const attempts = options.retries + 1;
  const budget = budgetOf(options);
  const maxResponse = options.maxResponseBytes ?? HTTP_LIMITS.maxResponseBytes;
  const redact = redactor([...credentialsOf(request.headers), ...(options.secrets ?? [])]);
  const host = hostOf(request.url);
  const hint = options.limitsHint ? `; raise it in ${options.limitsHint} if the service is right` : "";
  const fail = (status: number | null, detail: string, code?: ErrorCode, details?: Record<string, unknown>) =>
    new ServiceError(service, request.operation, status, detail, { host, ...(code ? { code } : {}), ...(details ? { details } : {}) });
  const outOfTime = (lastProblem: string) =>
    fail(null, `the time budget of ${formatMs(budget.totalMs)} for this command ran out (budgetMs)${lastProblem ? ` after: ${lastProblem}` : ""}${hint}.`, "limit", { limit: "budgetMs", value: budget.totalMs });
  let lastProblem = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) {
      const delay = backoff * 2 ** (attempt - 2) * (1 + Math.random());
      if (Date.now() + delay >= budget.deadline) throw outOfTime(lastProblem);
      await sleep(delay);
    }
    const remaining = budget.deadline - Date.now();
    if (remaining <= 0) throw outOfTime(lastProblem);
    const cutByBudget = remaining < options.timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), Math.min(options.timeoutMs, remaining));
    let response: Response;
    let text: string;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: { accept: "application/json", ...(request.body === undefined ? {} : { "content-type": "application/json" }), ...request.headers },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        // Credentials must not follow a redirect to another place; a redirect is reported.
        redirect: "manual",
        signal: controller.signal,
      });
      text = await readCapped(response, maxResponse, budget);
    } catch (err) {
      if (err instanceof LimitReached) throw fail(null, `${err.detail}${hint}.`, "limit", { limit: err.limit, value: err.value });
      if (controller.signal.aborted) {
        if (cutByBudget) throw outOfTime(lastProblem);
        lastProblem = `no answer within ${options.timeoutMs} ms`;
        continue;
      }
      const failure = networkFailure(err);
      if (failure.permanent) throw fail(null, `${failure.reason} (not retried: waiting would not change it).`);
      lastProblem = failure.reason;
      continue;
    } finally {
      clearTimeout(timer);
    }
    if (response.status >= 500) {
      lastProblem = `HTTP ${response.status}${text ? ` ${excerpt(text, 120, redact)}` : ""}`;
      continue;
    }
    if (response.status >= 300 && response.status < 400) {
      throw fail(response.status, `HTTP ${response.status} redirect to ${excerpt(response.headers.get("location") ?? "(no location)", 200, redact)}; check the configured URL (it must be the API root, ending in /api/v1.0/).`);
    }
    let json: unknown;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: response.status, json, text, redact };
  }
  throw fail(null, `${lastProblem} (gave up after ${attempts} attempt${attempts > 1 ? "s" : ""}).`);
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** Joins a path under an API root that ends with "/", encoding each dynamic segment. */
export function apiUrl(root: string, segments: readonly (string | number)[], query: Record<string, string | number> = {}): string {
  const url = new URL(segments.map((s) => encodeURIComponent(String(s))).join("/") + "/", root);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
  return url.toString();
}

/**
 * A paginated listing's `next` link, accepted only under the same API root: the
 * credentials go with it, so they must not be sent anywhere else.
 */
export function checkNextUrl(service: string, operation: string, root: string, next: string, redact: (text: string) => string = (t) => t): string {
  let url: URL;
  const host = hostOf(root);
  try {
    url = new URL(next, root);
  } catch {
    throw new ServiceError(service, operation, null, `the listing's next page link ${JSON.stringify(excerpt(next, 100, redact))} is not a URL.`, { host });
  }
  const base = new URL(root);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    throw new ServiceError(service, operation, null, `the listing's next page link points outside ${root} (${excerpt(`${url.origin}${url.pathname}`, 200, redact)}); refusing to send credentials there.`, { host });
  }
  return url.toString();
}
