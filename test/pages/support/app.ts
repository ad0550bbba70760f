import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { openTokenStore } from "../../../src/auth/token-store.js";
import { buildApp, ServerWorkspace } from "../../../src/server/app.js";
import type { Limits } from "../../../src/server/context.js";
import { PLUGINS } from "../../../src/server/plugins.js";

export interface PagesApp {
  app: FastifyInstance;
  ws: ServerWorkspace;
  close(): Promise<void>;
}

export interface PagesSetup {
  ledger: string;
  operators?: string;
  communesFile?: string;
  resolvers?: string[];
  limits?: Partial<Limits>;
}

/**
 * The server exactly as `domaines serve` builds it (API, support pages, the token store
 * beside the ledger that `domaines token create` writes), in this process, not listening:
 * for fastify's inject. The browser tests run the real `domaines serve` process instead.
 */
export async function buildPagesApp(setup: PagesSetup): Promise<PagesApp> {
  const ws = new ServerWorkspace({ ledger: setup.ledger, ...(setup.operators ? { operatorsFile: setup.operators } : {}), ...(setup.communesFile ? { communesFile: setup.communesFile } : {}) });
  const { app } = await buildApp({ ws, tokens: await openTokenStore(join(setup.ledger, "tokens.json")), log: false, plugins: PLUGINS, ...(setup.resolvers ? { resolvers: setup.resolvers } : {}), ...(setup.limits ? { limits: setup.limits } : {}) });
  await app.ready();
  return { app, ws, close: async () => {
    await app.close();
    await ws.close();
  } };
}
