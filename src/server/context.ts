import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { DomainesError } from "../errors.js";
import type { TokenStore } from "../auth/token-store.js";
import type { Principal } from "../auth/tokens.js";
import type { VerifyToken } from "../auth/verify.js";
import type { Workspace } from "../workspace.js";
import type { ServerMetrics } from "./metrics.js";
import type { WriteQueue } from "./write-queue.js";

/** The server's limits; each refusal is a problem+json naming the limit. */
export interface Limits {
  /** Largest request body, in bytes. */
  bodyBytes: number;
  /** Requests per minute per token (or per address without one). */
  ratePerMinute: number;
  /** Longest time to answer a request, in ms (503 after it; an idempotent retry is safe). */
  requestTimeoutMs: number;
  /** Most items in one POST /api/v1/onboardings. */
  batchItems: number;
}

export const DEFAULT_LIMITS: Limits = { bodyBytes: 1_048_576, ratePerMinute: 1200, requestTimeoutMs: 30_000, batchItems: 100 };

/**
 * What routes and plugins get: the Workspace the server runs on, token verification, and
 * the write queue. A plugin (the support pages) receives it with its own encapsulated
 * fastify instance; it authenticates with `authenticate(request)` or `verifyToken(token)`.
 */
export interface ServerContext {
  ws: Workspace;
  tokens: TokenStore;
  verifyToken: VerifyToken;
  /** The principal of the request's token (Authorization: Bearer, or X-Domaines-Token), or null. */
  authenticate(request: FastifyRequest): Promise<Principal | null>;
  writes: WriteQueue;
  metrics: ServerMetrics;
  limits: Limits;
  /** DNS servers (HOST:PORT) that verification asks (`serve --resolver`); empty: the system's resolver. */
  resolvers: readonly string[];
}

/**
 * How a plugin answers the errors of requests on its paths (outside /api, the probes and
 * /metrics, which always answer problem+json): the support pages render an HTML page.
 * `status` is the one the problem+json would carry; Retry-After is already set.
 */
export type ErrorPage = (request: FastifyRequest, reply: FastifyReply, error: DomainesError, status: number) => FastifyReply | Promise<FastifyReply>;

/** What a plugin may hand back when registered. */
export interface PluginHandlers {
  errorPage?: ErrorPage;
}

/** A plugin the server registers (e.g. the support pages): its routes live beside the API's. */
export interface ServerPlugin {
  name: string;
  /** Prefix its routes are registered under ("" for the site root). */
  prefix?: string;
  /** Registers its routes; may return its error page for its paths (else they answer problem+json). */
  register(app: FastifyInstance, ctx: ServerContext): Promise<void | PluginHandlers>;
}
