import { tokensLocation } from "../../auth/token-store.js";
import { parseResolverOption } from "../../dns/resolve.js";
import { InputError, quoteInput } from "../../errors.js";
import { DEFAULT_LIMITS } from "../../server/context.js";
import type { CommandSpec } from "../command.js";
import { DKIM_OPTION, SERVICE_FILE_OPTIONS } from "../options.js";
import { TOKENS_OPTION } from "./token.js";

function integer(raw: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) throw new InputError(`--${name} ${quoteInput(raw)} must be a whole number from ${min} to ${max}.`);
  return n;
}

export const command: CommandSpec = {
  name: "serve",
  summary: "the HTTP API (JSON, bearer tokens, problem+json errors) and the French support pages, on the ledger",
  usage: "[--host 127.0.0.1] [--port 8080] [--tokens FILE] [--resolver HOST:PORT…] [limits…]",
  description:
    "Serves /api/v1 (OpenAPI at /api/v1/openapi.json), /healthz, /readyz and /metrics, the support pages\n" +
    "in French at / (search, communes, départements, map; sign-in with a support, operator or admin token),\n" +
    "and logs JSON lines (pino) on stdout, without token values. Tokens: `domaines token create`. SIGTERM stops it gracefully:\n" +
    "requests in flight and queued writes finish first. Put a TLS-terminating proxy in front of it; one\n" +
    "server per file ledger (instances cannot share a ledger directory).",
  examples: ["domaines serve", "domaines serve --host 0.0.0.0 --port 8080 --ledger /srv/domaines/ledger", "DOMAINES_TOKENS=/etc/domaines/tokens.json domaines serve --rate-limit 600", "domaines serve --resolver 1.1.1.1:53 --resolver 9.9.9.9:53"],
  options: {
    host: { type: "string", valueName: "HOST", description: "address to listen on (default 127.0.0.1)" },
    port: { type: "string", valueName: "PORT", description: "port (default 8080; 0 = any free port, logged at start)" },
    ...TOKENS_OPTION,
    resolver: { type: "string", multiple: true, valueName: "HOST:PORT", description: "a DNS server the support pages' \"vérifier\" asks (repeatable; default: the system's resolvers)" },
    dkim: DKIM_OPTION,
    prices: { type: "string", valueName: "FILE", description: "prices instead of data/prices.json" },
    ...SERVICE_FILE_OPTIONS,
    "rate-limit": { type: "string", valueName: "N", description: `requests per minute per token, or per address without one (default ${DEFAULT_LIMITS.ratePerMinute})` },
    "body-limit": { type: "string", valueName: "BYTES", description: `largest request body (default ${DEFAULT_LIMITS.bodyBytes})` },
    "request-timeout": { type: "string", valueName: "MS", description: `longest time to answer a request (default ${DEFAULT_LIMITS.requestTimeoutMs})` },
    "batch-max": { type: "string", valueName: "N", description: `most items in one POST /api/v1/onboardings (default ${DEFAULT_LIMITS.batchItems})` },
  },
  positionals: { min: 0, max: 0, name: "" },
  async run(ctx) {
    const { serve } = await import("../../server/serve.js");
    const limits = {
      ratePerMinute: integer(ctx.string("rate-limit"), "rate-limit", 1, 1_000_000, DEFAULT_LIMITS.ratePerMinute),
      bodyBytes: integer(ctx.string("body-limit"), "body-limit", 1024, 64 * 1024 * 1024, DEFAULT_LIMITS.bodyBytes),
      requestTimeoutMs: integer(ctx.string("request-timeout"), "request-timeout", 100, 600_000, DEFAULT_LIMITS.requestTimeoutMs),
      batchItems: integer(ctx.string("batch-max"), "batch-max", 1, 10_000, DEFAULT_LIMITS.batchItems),
    };
    await serve({
      host: ctx.string("host") ?? "127.0.0.1",
      port: integer(ctx.string("port"), "port", 0, 65535, 8080),
      workspace: ctx.ws.options,
      tokensFile: tokensLocation(ctx.string("tokens"), ctx.ws.ledgerLocation(), process.env),
      limits,
      resolvers: ctx.strings("resolver").map((r) => parseResolverOption(r)),
    });
    // Runs until a signal stops it (serve exits the process then).
    return new Promise<number>(() => {});
  },
};
