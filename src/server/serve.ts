import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { openTokenStore } from "../auth/token-store.js";
import { buildApp, ServerWorkspace } from "./app.js";
import type { Limits } from "./context.js";
import { PLUGINS } from "./plugins.js";
import type { WorkspaceOptions } from "../workspace.js";

export interface ServeOptions {
  host: string;
  port: number;
  workspace: WorkspaceOptions;
  tokensFile: string;
  limits?: Partial<Limits>;
  /** DNS servers (HOST:PORT) the support pages' "vérifier" asks (`--resolver`); none: the system's resolver. */
  resolvers?: readonly string[];
  /** Longest wait for in-flight requests and queued writes on SIGTERM before exiting anyway. */
  shutdownGraceMs?: number;
}

/**
 * Starts the server and keeps it until SIGTERM or SIGINT: it then stops accepting
 * connections, lets the requests in flight finish and the queued writes land (nothing is
 * torn: each write is one ledger transaction), closes the store and exits 0.
 */
export async function serve(options: ServeOptions): Promise<FastifyInstance> {
  const ws = new ServerWorkspace(options.workspace);
  // Loaded before listening: the first request must not pay for them, nor fail on bad data.
  ws.communes();
  ws.labels();
  ws.config();
  ws.operators();
  await ws.store().read(); // the ledger cache, filled (and the ledger validated line by line)
  const tokens = await openTokenStore(options.tokensFile, options.workspace.env ?? process.env);
  const { app } = await buildApp({ ws, tokens, ...(options.limits ? { limits: options.limits } : {}), resolvers: options.resolvers ?? [], plugins: PLUGINS });
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address() as AddressInfo;
  app.log.info({ url: `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${address.port}`, ledger: ws.store().location, tokens: tokens.location, resolvers: options.resolvers?.length ? options.resolvers : "(system resolver)", pid: process.pid }, "domaines serve listening");
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "shutting down: finishing requests in flight and queued writes");
    const grace = setTimeout(() => {
      app.log.error("shutdown grace period over; exiting with work still in flight");
      process.exit(1);
    }, options.shutdownGraceMs ?? 30_000);
    grace.unref();
    app
      .close()
      .then(() => ws.close())
      .then(() => tokens.close?.())
      .then(
        () => {
          app.log.info("stopped");
          process.exit(0);
        },
        (err: unknown) => {
          app.log.error({ err }, "error while stopping");
          process.exit(1);
        },
      );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  return app;
}
