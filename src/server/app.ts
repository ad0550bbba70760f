import swagger from "@fastify/swagger";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, validatorCompiler } from "fastify-type-provider-zod";
import type { Socket } from "node:net";
import type { DestinationStream } from "pino";
import type { TokenStore } from "../auth/token-store.js";
import { redactTokens, TOKEN_PREFIX, type Principal } from "../auth/tokens.js";
import { bearerToken, tokenVerifier } from "../auth/verify.js";
import { DomainesError } from "../errors.js";
import { Workspace, type WorkspaceOptions } from "../workspace.js";
import { DEFAULT_LIMITS, type ErrorPage, type Limits, type ServerContext, type ServerPlugin } from "./context.js";
import { CachedLedgerStore } from "./ledger-cache.js";
import { ServerMetrics } from "./metrics.js";
import { limitError, PROBLEM_TYPE, problemOf, rawProblemResponse } from "./problems.js";
import { RateLimiter } from "./rate-limit.js";
import { registerApiRoutes } from "./routes/api.js";
import { registerOpsRoutes } from "./routes/ops.js";
import { registerWebhookRoute, type WebhookOptions } from "./webhook.js";
import { WriteQueue } from "./write-queue.js";
import type { LedgerStore } from "../ledger/ledger-store.js";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** A Workspace whose store keeps the last read in memory while the ledger file is unchanged. */
export class ServerWorkspace extends Workspace {
  private cached: CachedLedgerStore | undefined;

  constructor(options: WorkspaceOptions = {}) {
    super(options);
  }

  override store(): LedgerStore {
    return (this.cached ??= new CachedLedgerStore(super.store()));
  }
}

export interface AppOptions {
  ws: Workspace;
  tokens: TokenStore;
  limits?: Partial<Limits>;
  /** Where JSON log lines go (default stdout); false for none. */
  log?: DestinationStream | false;
  logLevel?: string;
  plugins?: readonly ServerPlugin[];
  webhook?: WebhookOptions;
  /** DNS servers (HOST:PORT) verification asks; none: the system's resolver. */
  resolvers?: readonly string[];
}

const WEBHOOK_HEADER = "x-domaines-token";

function validationProblem(err: FastifyError & { validation: { instancePath: string; message?: string; keyword: string }[]; validationContext?: string }, batchItems: number): DomainesError {
  const where = err.validationContext ?? "request";
  const tooBig = err.validation.find((v) => v.instancePath === "/" && v.keyword === "too_big");
  if (where === "body" && tooBig) return limitError("batch-size", `a batch holds at most ${batchItems} items (limit batch-size); split it.`, { max: batchItems });
  const issues = err.validation.slice(0, 5).map((v) => `${where}${v.instancePath === "/" ? "" : v.instancePath.replace(/\//g, ".")}: ${v.message ?? v.keyword}`);
  return new DomainesError(`invalid ${where}: ${issues.join("; ")}`, 2, "invalid-input");
}

/** Any error a request meets, as a DomainesError (what the problem+json carries). */
function asDomainesError(err: unknown, limits: Limits): DomainesError {
  if (err instanceof DomainesError) return err;
  const e = err as FastifyError;
  if (hasZodFastifySchemaValidationErrors(e)) return validationProblem(e as never, limits.batchItems);
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return limitError("body-size", `the request body is larger than ${limits.bodyBytes} bytes (limit body-size).`, { max: limits.bodyBytes });
    case "FST_ERR_HANDLER_TIMEOUT":
      return limitError("request-timeout", `no answer within ${limits.requestTimeoutMs} ms (limit request-timeout); a write may still complete: retry, it is idempotent.`, { max: limits.requestTimeoutMs, retryAfterSeconds: 5 });
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new DomainesError("the request body must be application/json.", 2, "invalid-input", { details: { status: 415 } });
    default:
      break;
  }
  const status = typeof e.statusCode === "number" ? e.statusCode : 500;
  if (status >= 400 && status < 500) return new DomainesError(`bad request: ${e.message}`, 2, "invalid-input", { details: { status } });
  return new DomainesError("internal error: the server log has the details.", 1, "internal");
}

/** The status an error is answered with: a framework 4xx keeps its own (415, 405, …) while carrying invalid-input. */
function answerStatus(err: DomainesError): number {
  return typeof err.details?.status === "number" ? err.details.status : problemOf(err).status;
}

export function sendProblem(reply: FastifyReply, err: DomainesError, request: FastifyRequest): FastifyReply {
  const status = answerStatus(err);
  const retry = err.details?.retryAfterSeconds;
  if (typeof retry === "number") reply.header("retry-after", String(retry));
  return reply.code(status).type(PROBLEM_TYPE).send(JSON.stringify({ ...problemOf(err, request.url.split("?")[0]), status }));
}

/** The path of a request URL, its repeated slashes folded (`//api//v1` is still the API). */
function pathOf(url: string): string {
  return url.split("?")[0]!.replace(/\/{2,}/g, "/");
}

/** The API, the probes and the metrics: their errors are problem+json whatever plugin serves the site. */
export function isApiPath(url: string): boolean {
  const path = pathOf(url);
  return path === "/api" || path.startsWith("/api/") || path === "/healthz" || path === "/readyz" || path === "/metrics";
}

/** A plugin's error page and the prefix it answers for. */
interface ErrorPageOwner {
  prefix: string;
  page: ErrorPage;
}

function ownerOf(owners: readonly ErrorPageOwner[], url: string): ErrorPageOwner | undefined {
  if (isApiPath(url)) return undefined;
  const path = pathOf(url);
  // The longest prefix wins ("" is the site root).
  return owners.filter((o) => o.prefix === "" || path === o.prefix || path.startsWith(`${o.prefix}/`)).sort((a, b) => b.prefix.length - a.prefix.length)[0];
}

function clientErrorHandler(err: { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, text] =
    err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? [408, "Request Timeout"] : err.code === "HPE_HEADER_OVERFLOW" ? [431, "Request Header Fields Too Large"] : [400, "Bad Request"];
  const e =
    status === 408
      ? limitError("request-timeout", "the request was not received in time (limit request-timeout).")
      : status === 431
        ? limitError("header-size", "the request headers are too large (limit header-size, 16 KB).")
        : new DomainesError("malformed HTTP request.", 2, "invalid-input");
  socket.end(rawProblemResponse(status, text, e));
}

/**
 * The HTTP API as a fastify app (not listening): routes, validation from the operations'
 * zod schemas, authentication, limits, problem+json errors, JSON logs without secrets,
 * and the plugins (support pages) registered with the same context.
 */
export async function buildApp(options: AppOptions): Promise<{ app: FastifyInstance; ctx: ServerContext }> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const ws = options.ws;
  const verifyToken = tokenVerifier(options.tokens);
  const writes = new WriteQueue();
  const metrics = new ServerMetrics(() => ({ domaines_write_queue_length: { help: "Ledger writes waiting in this server.", value: writes.size } }));
  const authenticate = async (request: FastifyRequest): Promise<Principal | null> => {
    const token = bearerToken(request.headers.authorization) ?? (typeof request.headers[WEBHOOK_HEADER] === "string" ? (request.headers[WEBHOOK_HEADER] as string) : null);
    return token === null ? null : verifyToken(token);
  };
  const ctx: ServerContext = { ws, tokens: options.tokens, verifyToken, authenticate, writes, metrics, limits, resolvers: options.resolvers ?? [] };
  // Plugins' error pages (the support pages' HTML), filled as they register.
  const errorPages: ErrorPageOwner[] = [];
  /** An error, as problem+json for the API, as the owning plugin's page elsewhere. */
  const sendError = async (request: FastifyRequest, reply: FastifyReply, err: DomainesError): Promise<FastifyReply> => {
    const owner = ownerOf(errorPages, request.url);
    if (!owner) return sendProblem(reply, err, request);
    const retry = err.details?.retryAfterSeconds;
    if (typeof retry === "number") reply.header("retry-after", String(retry));
    try {
      return await owner.page(request, reply, err, answerStatus(err));
    } catch (pageError) {
      request.log.error({ err: pageError }, "error page failed; answered problem+json");
      return sendProblem(reply, err, request);
    }
  };

  const app = Fastify({
    logger:
      options.log === false
        ? false
        : {
            level: options.logLevel ?? "info",
            ...(options.log ? { stream: options.log } : {}),
            // Last line of defence: nothing shaped like a token reaches the log.
            hooks: { streamWrite: (line: string) => (line.includes(TOKEN_PREFIX) ? redactTokens(line) : line) },
            serializers: {
              req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactTokens(req.url), remoteAddress: req.ip }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
    bodyLimit: limits.bodyBytes,
    handlerTimeout: limits.requestTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.requestTimeoutMs * 2,
    clientErrorHandler,
    forceCloseConnections: "idle",
    return503OnClosing: true,
    routerOptions: { maxParamLength: 300 },
    frameworkErrors: (err, request, reply) => void sendError(request, reply, new DomainesError(`bad request: ${err.message}`, 2, "invalid-input")),
  });
  app.decorateRequest("principal", null);
  app.setValidatorCompiler(validatorCompiler);
  // Answers are plain values built by the operations: stringified as they are.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  const limiter = new RateLimiter(limits.ratePerMinute, 60_000);
  app.addHook("onRequest", async (request, reply) => {
    request.principal = await authenticate(request);
    const key = request.principal ? `token:${request.principal.tokenId}` : `ip:${request.ip}`;
    const wait = limiter.take(key);
    if (wait !== null) {
      metrics.limits.inc({ limit: "rate-limit" });
      return sendError(request, reply, limitError("rate-limit", `more than ${limits.ratePerMinute} requests a minute from this client (limit rate-limit); retry in ${wait} s.`, { max: limits.ratePerMinute, windowSeconds: 60, retryAfterSeconds: wait }));
    }
  });
  // Once shutting down, each answer closes its connection, so that close() is not held by keep-alive.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  // Whatever a handler echoes (a query, a path), nothing shaped like a token leaves the server.
  app.addHook("onSend", async (_request, reply, payload) => {
    if (closing) reply.header("connection", "close");
    return typeof payload === "string" && payload.includes(TOKEN_PREFIX) ? redactTokens(payload) : payload;
  });
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((err, request, reply) => {
    const e = asDomainesError(err, limits);
    if (e.code === "limit") metrics.limits.inc({ limit: String(e.details?.limit) });
    if (e.code === "internal") request.log.error({ err }, "internal error");
    return sendError(request, reply, e);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new DomainesError(`no route ${request.method} ${request.url.split("?")[0]}; the API is described at GET /api/v1/openapi.json.`, 2, "not-found")),
  );

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "domaines API", version: "1", description: "Labels, enrolments and audit of <commune>.collectivite.fr (La Suite territoriale). Errors are application/problem+json (RFC 9457) with the CLI's stable `code`." },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", description: "A token from `domaines token create`." },
          webhookToken: { type: "apiKey", in: "header", name: "X-Domaines-Token", description: "A webhook token (`domaines token create --role webhook`)." },
        },
      },
    },
    transform: jsonSchemaTransform,
  });

  registerOpsRoutes(app, ctx);
  registerApiRoutes(app, ctx);
  registerWebhookRoute(app, ctx, options.webhook ?? {});
  for (const plugin of options.plugins ?? []) {
    const prefix = plugin.prefix ?? "";
    await app.register(
      async (child) => {
        const handlers = await plugin.register(child, ctx);
        if (handlers?.errorPage) errorPages.push({ prefix, page: handlers.errorPage });
      },
      { prefix },
    );
  }
  app.addHook("onClose", async () => {
    await writes.drain();
  });
  return { app, ctx };
}
