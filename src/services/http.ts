/**
 * HTTP for the service clients: node's fetch with a timeout per attempt, and retries
 * with exponential backoff on 5xx, network errors and timeouts only. 4xx answers are
 * returned to the caller, which knows what they mean; nothing here turns a failed
 * call into a success.
 *
 * This module and the clients built on it are also run inside the Pulumi dynamic
 * provider, whose code Pulumi serializes by closure: keep them free of captured
 * objects that cannot be serialized (see espace-operateur.ts about zod).
 */
import { FailureError } from "../errors.js";

export interface RetryOptions {
  /** Per attempt, covering connection, headers and body. */
  timeoutMs: number;
  /** Extra attempts after the first, on 5xx / network error / timeout. */
  retries: number;
  /** First backoff delay; doubles each retry, plus up to as much random jitter. */
  backoffMs?: number;
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
}

/** A call to a remote service that did not succeed; the message says which call and why. */
export class ServiceError extends FailureError {
  constructor(
    readonly service: string,
    readonly operation: string,
    readonly status: number | null,
    detail: string,
  ) {
    super(`${service}: ${operation} failed: ${detail}`);
    // Pulumi's closure serializer (the dynamic provider) rewrites `super(...)` into a plain
    // call of Error, which sets nothing on `this`: set the message and name here too.
    this.message = `${service}: ${operation} failed: ${detail}`;
    this.name = "ServiceError";
  }
}

/** Keeps an error body short and on one line for messages. */
export function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function networkReason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function sendWithRetry(service: string, request: HttpRequest, options: RetryOptions): Promise<HttpResponse> {
  const backoff = options.backoffMs ?? 250;
  const attempts = options.retries + 1;
  let lastProblem = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(backoff * 2 ** (attempt - 2) * (1 + Math.random()));
    let response: Response;
    let text: string;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: { accept: "application/json", ...(request.body === undefined ? {} : { "content-type": "application/json" }), ...request.headers },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        // Credentials must not follow a redirect to another place; a redirect is reported.
        redirect: "manual",
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      lastProblem = networkReason(err, options.timeoutMs);
      continue;
    }
    if (response.status >= 500) {
      lastProblem = `HTTP ${response.status}${text ? ` ${excerpt(text, 120)}` : ""}`;
      continue;
    }
    if (response.status >= 300 && response.status < 400) {
      throw new ServiceError(service, request.operation, response.status, `HTTP ${response.status} redirect to ${response.headers.get("location") ?? "(no location)"}; check the configured URL (it must be the API root, ending in /api/v1.0/).`);
    }
    let json: unknown;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: response.status, json, text };
  }
  throw new ServiceError(service, request.operation, null, `${lastProblem} (gave up after ${attempts} attempt${attempts > 1 ? "s" : ""}).`);
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
export function checkNextUrl(service: string, operation: string, root: string, next: string): string {
  let url: URL;
  try {
    url = new URL(next, root);
  } catch {
    throw new ServiceError(service, operation, null, `the listing's next page link ${JSON.stringify(excerpt(next, 100))} is not a URL.`);
  }
  const base = new URL(root);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    throw new ServiceError(service, operation, null, `the listing's next page link points outside ${root} (${url.origin}${url.pathname}); refusing to send credentials there.`);
  }
  return url.toString();
}
