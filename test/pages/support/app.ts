import Fastify, { type FastifyInstance } from "fastify";
import { supportPages, type PagePrincipal } from "../../../src/server/pages/index.js";
import { Workspace, type WorkspaceOptions } from "../../../src/workspace.js";

/** Tokens the test verifier knows; `revoke` makes one fail from then on (as `token revoke` would). */
export const TOKENS: Record<string, PagePrincipal> = {
  "tok-support": { role: "support" },
  "tok-admin": { role: "admin" },
  "tok-cdg48": { role: "operator", operator: "cdg48" },
  "tok-other": { role: "operator", operator: "elsewhere" },
};

export interface PagesApp {
  app: FastifyInstance;
  url: string;
  ws: Workspace;
  revoke(token: string): void;
  close(): Promise<void>;
}

/**
 * Until `domaines serve` lands (branch server), a minimal fastify app that registers the
 * pages plugin with a test token verifier, listening on 127.0.0.1.
 */
export async function startPages(options: WorkspaceOptions & { resolvers?: string[]; secureCookies?: boolean }): Promise<PagesApp> {
  const { resolvers, secureCookies, ...wsOptions } = options;
  const ws = new Workspace(wsOptions);
  const revoked = new Set<string>();
  const app = Fastify({ logger: false });
  await app.register(
    supportPages({
      workspace: ws,
      verifyToken: (token) => (revoked.has(token) ? null : (TOKENS[token] ?? null)),
      ...(resolvers ? { resolvers } : {}),
      ...(secureCookies === undefined ? {} : { secureCookies }),
    }),
  );
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return { app, url, ws, revoke: (t) => revoked.add(t), close: () => app.close() };
}
