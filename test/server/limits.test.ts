import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { call, eventually } from "./support/http.js";
import { createToken, fixture, startServer } from "./support/server.js";

const MENDE = "214800955";
const MARVEJOLS = "214800922";

/** The limits, each refused with a problem+json naming it; graceful shutdown; the OpenAPI and metrics documents. */
describe("limits, shutdown and the documents", () => {
  const setup = fixture([{ name: "cdg48", members: [MENDE, MARVEJOLS] }]);
  const admin = createToken(setup, ["--role", "admin"]).token;
  const support = createToken(setup, ["--role", "support"]).token;
  afterAll(() => rmSync(dirname(setup.ledger), { recursive: true, force: true }));
  const files = () => ["ledger.jsonl", "audit.jsonl"].map((f) => (existsSync(join(setup.ledger, f)) ? readFileSync(join(setup.ledger, f), "utf8") : ""));
  const limitOf = (json: unknown) => (json as { code: string; details?: { limit?: string } }).details?.limit;

  it("refuses past each limit with a problem naming it, and writes nothing", async () => {
    const server = await startServer({ ...setup, args: ["--rate-limit", "6", "--body-limit", "2048", "--batch-max", "3"] });
    try {
      const before = files();
      const big = await call(server.url, "PUT", `/api/v1/communes/${MENDE}/services/messages`, { token: admin, rawBody: JSON.stringify({ quotas: { mailbox: "5GB" }, pad: "x".repeat(3000) }), headers: { "content-type": "application/json" } });
      expect(big.status).toBe(413);
      expect(big.contentType).toMatch(/^application\/problem\+json/);
      expect(limitOf(big.json)).toBe("body-size");
      const batch = await call(server.url, "POST", "/api/v1/onboardings", { token: admin, body: Array.from({ length: 4 }, () => ({ query: MENDE, services: ["messages"] })) });
      expect(batch.status).toBe(413);
      expect(limitOf(batch.json)).toBe("batch-size");
      expect(files()).toEqual(before);
      // 6 a minute per token: the admin token has used 2; 4 more pass, the 7th is refused.
      for (let i = 0; i < 4; i++) expect((await call(server.url, "GET", `/api/v1/communes/${MENDE}`, { token: admin })).status).toBe(200);
      const limited = await call(server.url, "GET", `/api/v1/communes/${MENDE}`, { token: admin });
      expect(limited.status).toBe(429);
      expect(limitOf(limited.json)).toBe("rate-limit");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      // Per token: another one still passes.
      expect((await call(server.url, "GET", `/api/v1/communes/${MENDE}`, { token: support })).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it("answers 503 request-timeout when a write waits too long (the ledger held by another writer), and the write lands once free", async () => {
    const server = await startServer({ ...setup, args: ["--request-timeout", "500"] });
    const lock = join(setup.ledger, "ledger.lock");
    try {
      mkdirSync(lock); // another writer holds the ledger (proper-lockfile's lock directory)
      const slow = await call(server.url, "PUT", `/api/v1/communes/${MENDE}/label`, { token: admin });
      expect(slow.status).toBe(503);
      expect(limitOf(slow.json)).toBe("request-timeout");
      expect(slow.headers.get("retry-after")).not.toBeNull();
      rmSync(lock, { recursive: true });
      await eventually(() => existsSync(join(setup.ledger, "ledger.jsonl")) && readFileSync(join(setup.ledger, "ledger.jsonl"), "utf8").includes(`"key":"${MENDE}"`), "the write lands after the lock is released");
      expect((await call(server.url, "PUT", `/api/v1/communes/${MENDE}/label`, { token: admin })).status).toBe(200);
    } finally {
      rmSync(lock, { recursive: true, force: true });
      expect(await server.stop()).toBe(0);
    }
  });

  it("on SIGTERM, finishes the requests in flight and their writes, refuses new connections, exits 0", async () => {
    const server = await startServer(setup);
    const lock = join(setup.ledger, "ledger.lock");
    mkdirSync(lock); // the writes queue up behind it
    const inFlight = [
      call(server.url, "PUT", `/api/v1/communes/${MARVEJOLS}/services/messages`, { token: admin }),
      call(server.url, "PUT", `/api/v1/communes/${MARVEJOLS}/services/fichiers`, { token: admin }),
      call(server.url, "POST", "/api/v1/onboardings", { token: admin, body: [{ query: MENDE, services: ["fichiers"] }] }),
    ];
    await new Promise((r) => setTimeout(r, 300));
    server.proc.kill("SIGTERM");
    await eventually(() => server.lines.some((l) => l.includes("shutting down")), "shutdown begins");
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow(); // no new connection
    rmSync(lock, { recursive: true });
    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual([201, 201, 200]);
    expect(await server.exited).toBe(0);
    const v = runCli(["validate", "--ledger", setup.ledger, "--json"]);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true });
    const ledger = readFileSync(join(setup.ledger, "ledger.jsonl"), "utf8");
    const marvejols = ledger.split("\n").map((l) => (l ? (JSON.parse(l) as { key: string; services?: object }) : null)).find((e) => e?.key === MARVEJOLS);
    expect(Object.keys(marvejols?.services ?? {}).sort()).toEqual(["fichiers", "messages"]);
  });

  it("serves an OpenAPI 3.1 document of the whole contract, and Prometheus metrics", async () => {
    const server = await startServer(setup);
    try {
      const doc = (await call(server.url, "GET", "/api/v1/openapi.json")).json as { openapi: string; paths: Record<string, Record<string, unknown>> };
      expect(doc.openapi).toBe("3.1.0");
      const ops = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
      for (const op of [
        "GET /api/v1/check",
        "GET /api/v1/communes/{key}",
        "PUT /api/v1/communes/{key}/label",
        "PUT /api/v1/communes/{key}/services/{service}",
        "DELETE /api/v1/communes/{key}/services/{service}",
        "POST /api/v1/onboardings",
        "GET /api/v1/audit",
        "GET /api/v1/operators/{name}/cost",
        "GET /api/v1/operators/{name}/members",
        "POST /api/v1/hooks/espace-operateur",
        "GET /healthz",
        "GET /readyz",
        "GET /metrics",
      ]) {
        expect(ops).toContain(op);
      }
      // Request schemas come from the operations' zod schemas: the service is an enum, the batch bounded.
      const put = doc.paths["/api/v1/communes/{key}/services/{service}"]!.put as { parameters: { name: string; schema: { enum?: string[] } }[] };
      expect(put.parameters.find((p) => p.name === "service")!.schema.enum).toEqual(["messages", "fichiers"]);
      const batch = doc.paths["/api/v1/onboardings"]!.post as { requestBody: { content: { "application/json": { schema: { maxItems: number } } } } };
      expect(batch.requestBody.content["application/json"].schema.maxItems).toBe(100);

      await call(server.url, "GET", "/api/v1/check?q=Mende");
      const metrics = await call(server.url, "GET", "/metrics", { token: support });
      expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
      for (const line of metrics.text.trim().split("\n")) expect(line).toMatch(/^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+)$/);
      expect(metrics.text).toMatch(/domaines_http_requests_total\{method="GET",route="\/api\/v1\/check",status="200"\} 1\n/);
    } finally {
      await server.stop();
    }
  });
});

describe("domaines token", () => {
  const setup = fixture([{ name: "cdg48", members: [MENDE] }]);
  afterAll(() => rmSync(dirname(setup.ledger), { recursive: true, force: true }));
  const token = (...args: string[]) => runCli(["token", ...args, "--ledger", setup.ledger, "--operators", setup.operators, "--actor", "platform-admin"]);

  it("creates (shown once, stored as a hash), lists and revokes, each traced in the audit log without the token", () => {
    const created = token("create", "--role", "operator", "--operator", "CDG48", "--expires", "30d", "--json");
    expect(created.code).toBe(0);
    const t = JSON.parse(created.stdout) as { id: string; token: string; role: string; operator: string; expiresAt: string };
    expect(t).toMatchObject({ role: "operator", operator: "cdg48" });
    expect(t.token).toMatch(/^domaines_t[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(t.expiresAt) - Date.now()).toBeGreaterThan(29.9 * 86400_000);
    const stored = readFileSync(join(setup.ledger, "tokens.json"), "utf8");
    expect(stored).not.toContain(t.token.slice(-43));
    const listed = JSON.parse(token("list", "--json").stdout) as { tokens: { id: string; state: string; hash?: string }[] };
    expect(listed.tokens).toEqual([expect.objectContaining({ id: t.id, state: "active" })]);
    expect(listed.tokens[0]!.hash).toBeUndefined();
    expect(token("revoke", t.id, "--json").code).toBe(0);
    expect((JSON.parse(token("list", "--json").stdout) as { tokens: { state: string }[] }).tokens[0]!.state).toBe("revoked");
    const audit = readFileSync(join(setup.ledger, "audit.jsonl"), "utf8");
    const events = audit.trim().split("\n").map((l) => JSON.parse(l) as { actor: string; event: { kind: string; tokenId: string } });
    expect(events.map((e) => [e.event.kind, e.event.tokenId, e.actor])).toEqual([
      ["token.created", t.id, "platform-admin"],
      ["token.revoked", t.id, "platform-admin"],
    ]);
    expect(audit).not.toContain(t.token.slice(-43));
  });

  it("refuses what it cannot do as asked, naming the fix", () => {
    const cases: [string[], RegExp][] = [
      [["create", "--role", "operator"], /needs --operator NAME/],
      [["create", "--role", "admin", "--operator", "cdg48"], /--operator is for operator and webhook tokens/],
      [["create", "--role", "operator", "--operator", "nobody"], /matches no configured operator/],
      [["create", "--role", "root"], /is not a role/],
      [["create", "--role", "admin", "--expires", "soon"], /is not an expiry/],
      [["create", "--role", "admin", "--expires", "2020-01-01"], /is in the past/],
      [["revoke", "t000000000000"], /no token has id/],
      [["revoke", "nope"], /is not a token id/],
      [["frobnicate"], /unknown token subcommand/],
    ];
    for (const [args, message] of cases) {
      const r = token(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
