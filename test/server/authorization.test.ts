import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { call, eventually, type Answer } from "./support/http.js";
import { createToken, fixture, revokeToken, startServer, type RunningServer } from "./support/server.js";

/**
 * The authorization matrix, table-driven, over real sockets: every endpoint × every kind
 * of caller × a commune (or structure) of the caller's own structure and of another one.
 * Every refusal leaves the ledger, the audit log and the token store byte for byte as they were.
 */
const OWN = { name: "cdg48", read: "214800955", batch: "214800922", hook: "214801409" }; // Mende, Marvejols, Saint-Chély-d'Apcher
const OTHER = { name: "other48", read: "214800807", batch: "200056927", hook: "214800344" }; // Langogne, Florac Trois Rivières, La Canourgue

type Who = "admin" | "support" | "operator" | "webhook" | "none" | "bad" | "malformed" | "expired" | "revoked";
type Scope = "own" | "other";
type Kind = "public" | "commune-read" | "commune-write" | "batch" | "audit" | "operator-read" | "metrics" | "webhook";

interface Endpoint {
  name: string;
  kind: Kind;
  scoped: boolean;
  request(s: Scope): { method: string; path: string; body?: unknown; headerToken?: boolean };
}

const side = (s: Scope) => (s === "own" ? OWN : OTHER);
const ENDPOINTS: Endpoint[] = [
  { name: "GET check", kind: "public", scoped: false, request: () => ({ method: "GET", path: "/api/v1/check?q=Mende" }) },
  { name: "GET openapi.json", kind: "public", scoped: false, request: () => ({ method: "GET", path: "/api/v1/openapi.json" }) },
  { name: "GET healthz", kind: "public", scoped: false, request: () => ({ method: "GET", path: "/healthz" }) },
  { name: "GET readyz", kind: "public", scoped: false, request: () => ({ method: "GET", path: "/readyz" }) },
  { name: "GET metrics", kind: "metrics", scoped: false, request: () => ({ method: "GET", path: "/metrics" }) },
  { name: "GET communes/{key}", kind: "commune-read", scoped: true, request: (s) => ({ method: "GET", path: `/api/v1/communes/${side(s).read}` }) },
  { name: "PUT label", kind: "commune-write", scoped: true, request: (s) => ({ method: "PUT", path: `/api/v1/communes/${side(s).read}/label` }) },
  { name: "PUT services/messages", kind: "commune-write", scoped: true, request: (s) => ({ method: "PUT", path: `/api/v1/communes/${side(s).read}/services/messages`, body: { quotas: { mailbox: "5GB" } } }) },
  { name: "DELETE services/fichiers", kind: "commune-write", scoped: true, request: (s) => ({ method: "DELETE", path: `/api/v1/communes/${side(s).read}/services/fichiers` }) },
  { name: "POST onboardings", kind: "batch", scoped: true, request: (s) => ({ method: "POST", path: "/api/v1/onboardings", body: [{ query: side(s).batch, services: ["fichiers"], quotas: { fichiers: { user: "2GB" } } }] }) },
  { name: "GET audit", kind: "audit", scoped: true, request: (s) => ({ method: "GET", path: `/api/v1/audit?commune=${side(s).read}` }) },
  { name: "GET operators/{name}/cost", kind: "operator-read", scoped: true, request: (s) => ({ method: "GET", path: `/api/v1/operators/${side(s).name}/cost?year=2026` }) },
  { name: "GET operators/{name}/members", kind: "operator-read", scoped: true, request: (s) => ({ method: "GET", path: `/api/v1/operators/${side(s).name}/members` }) },
  {
    name: "POST hooks/espace-operateur",
    kind: "webhook",
    scoped: true,
    request: (s) => ({
      method: "POST",
      path: "/api/v1/hooks/espace-operateur",
      headerToken: true,
      body: { event_type: "subscription.created", organization_siren: side(s).hook, service_id: 12, subscription_is_active: true, subscription_id: randomUUID(), subscription_updated_at: new Date().toISOString(), operator_id: `eo-${side(s).name}` },
    }),
  },
];

const UNAUTHENTICATED: Who[] = ["none", "bad", "malformed", "expired", "revoked"];
const SUCCESS = [200, 201, 202];

/** What each caller must get: a status, or "success" (200/201/202); batches also name their item's status. */
function expected(kind: Kind, who: Who, scope: Scope): { status: number | "success"; item?: number | "success" } {
  if (kind === "public") return { status: 200 };
  if (UNAUTHENTICATED.includes(who)) return { status: 401 };
  const own = scope === "own";
  switch (kind) {
    case "commune-read":
    case "audit":
    case "operator-read":
      return { status: who === "admin" || who === "support" || (who === "operator" && own) ? 200 : 403 };
    case "commune-write":
      return { status: who === "admin" || (who === "operator" && own) ? "success" : 403 };
    case "batch":
      if (who === "admin" || who === "operator") return { status: 200, item: who === "admin" || own ? "success" : 403 };
      return { status: 403 };
    case "metrics":
      return { status: who === "admin" || who === "support" ? 200 : 403 };
    case "webhook":
      return { status: who === "webhook" && own ? 202 : 403 };
  }
}

describe("authorization matrix", () => {
  const setup = fixture([
    { name: OWN.name, members: [OWN.read, OWN.batch, OWN.hook] },
    { name: OTHER.name, members: [OTHER.read, OTHER.batch, OTHER.hook] },
  ]);
  let server: RunningServer;
  const tokens = {} as Record<Who, string | undefined>;
  const allTokens: string[] = [];
  const answers: Answer[] = [];

  beforeAll(async () => {
    const mk = (args: string[]) => {
      const t = createToken(setup, args);
      allTokens.push(t.token);
      return t;
    };
    tokens.admin = mk(["--role", "admin"]).token;
    tokens.support = mk(["--role", "support"]).token;
    tokens.operator = mk(["--role", "operator", "--operator", OWN.name]).token;
    tokens.webhook = mk(["--role", "webhook", "--operator", OWN.name]).token;
    const expiring = mk(["--role", "admin", "--expires", "1s"]);
    const revoked = mk(["--role", "admin"]);
    revokeToken(setup, revoked.id);
    tokens.revoked = revoked.token;
    tokens.expired = expiring.token;
    // Well-formed, unknown: an id and a secret nobody was given.
    tokens.bad = `domaines_t${"0".repeat(12)}_${"x".repeat(43)}`;
    tokens.malformed = "not-a-token";
    tokens.none = undefined;
    server = await startServer(setup);
    // The expiring token is past its expiry by the time the matrix runs.
    const expiresAt = Date.parse((JSON.parse(readFileSync(join(setup.ledger, "tokens.json"), "utf8")) as { tokens: { id: string; expiresAt: string }[] }).tokens.find((t) => t.id === expiring.id)!.expiresAt);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 50));
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dirname(setup.ledger), { recursive: true, force: true });
  });

  const files = () => ["ledger.jsonl", "audit.jsonl", "tokens.json"].map((f) => (existsSync(join(setup.ledger, f)) ? readFileSync(join(setup.ledger, f), "utf8") : ""));

  it("every endpoint × caller × own/other structure answers as the roles say, and a refusal writes nothing", async () => {
    const who: Who[] = ["admin", "support", "operator", "webhook", ...UNAUTHENTICATED];
    const failures: string[] = [];
    let cases = 0;
    for (const endpoint of ENDPOINTS) {
      for (const w of who) {
        for (const scope of endpoint.scoped ? (["own", "other"] as Scope[]) : (["own"] as Scope[])) {
          const req = endpoint.request(scope);
          const token = tokens[w];
          const before = files();
          const headers: Record<string, string> = token === undefined ? {} : req.headerToken ? { "x-domaines-token": token } : { authorization: `Bearer ${token}` };
          const a = await call(server.url, req.method, req.path, { headers, ...(req.body === undefined ? {} : { body: req.body }) });
          answers.push(a);
          cases++;
          const want = expected(endpoint.kind, w, scope);
          const label = `${endpoint.name} as ${w} (${scope}): got ${a.status} ${a.text.slice(0, 160)}`;
          const okStatus = want.status === "success" ? SUCCESS.includes(a.status) : a.status === want.status;
          if (!okStatus) failures.push(`${label}; expected ${want.status}`);
          if (a.status >= 400 && !a.contentType.startsWith("application/problem+json")) failures.push(`${label}: not problem+json`);
          if (a.status === 401 && (a.json as { code?: string }).code !== "unauthorized") failures.push(`${label}: 401 without code unauthorized`);
          if (a.status === 403 && (a.json as { code?: string }).code !== "forbidden") failures.push(`${label}: 403 without code forbidden`);
          let refused = a.status >= 400;
          if (want.item !== undefined && a.status === 200) {
            const item = (a.json as { results: { status: number }[] }).results[0]!;
            const okItem = want.item === "success" ? SUCCESS.includes(item.status) : item.status === want.item;
            if (!okItem) failures.push(`${label}: item ${item.status}, expected ${want.item}`);
            refused = item.status >= 400;
          }
          if (a.status === 202) {
            const eventId = (a.json as { eventId: string }).eventId;
            await eventually(() => readFileSync(join(setup.ledger, "audit.jsonl"), "utf8").includes(eventId), `webhook event ${eventId} traced`);
          }
          if (refused && files().some((f, i) => f !== before[i])) failures.push(`${label}: a refusal changed the ledger, the audit log or the tokens`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBe(ENDPOINTS.reduce((n, e) => n + (e.scoped ? 2 : 1) * who.length, 0));
  });

  it("the 401 answers are identical whatever was wrong with the token (no hint of whether it exists)", async () => {
    const bodies = new Set<string>();
    for (const w of UNAUTHENTICATED) {
      const a = await call(server.url, "GET", `/api/v1/communes/${OWN.read}`, tokens[w] ? { token: tokens[w] } : {});
      expect(a.status).toBe(401);
      bodies.add(a.text);
    }
    expect(bodies.size).toBe(1);
  });

  it("the audit log names the token's principal, never a value the client sends", async () => {
    const a = await call(server.url, "PUT", `/api/v1/communes/${OWN.batch}/services/messages`, { token: tokens.operator!, headers: { "x-domaines-actor": "someone-else" }, body: {} });
    expect(SUCCESS).toContain(a.status);
    const audit = readFileSync(join(setup.ledger, "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { actor: string; command: string });
    const operatorId = runCli(["token", "list", "--json", "--ledger", setup.ledger, "--operators", setup.operators]).stdout;
    const id = (JSON.parse(operatorId) as { tokens: { id: string; role: string }[] }).tokens.find((t) => t.role === "operator")!.id;
    const line = audit.filter((l) => l.command === `PUT /api/v1/communes/${OWN.batch}/services/messages`).at(-1)!;
    expect(line.actor).toBe(`operator:${OWN.name}/${id}`);
    expect(new Set(audit.map((l) => l.actor.split("/")[0]))).not.toContain("someone-else");
  });

  it("no token value appears in any log line or any answer, even when a client puts one where it does not belong", async () => {
    const leaked = tokens.admin!;
    // Misplaced: in a path, a query string, a body, a header the server does not read.
    answers.push(await call(server.url, "GET", `/api/v1/communes/${leaked}`, { token: tokens.admin! }));
    answers.push(await call(server.url, "GET", `/api/v1/check?q=${leaked}`));
    answers.push(await call(server.url, "GET", `/api/v1/audit?actor=${leaked}&since=${leaked}`, { token: tokens.support! }));
    answers.push(await call(server.url, "POST", "/api/v1/onboardings", { token: tokens.admin!, body: [{ query: leaked, services: ["messages"] }] }));
    answers.push(await call(server.url, "PUT", `/api/v1/communes/${OWN.read}/services/messages`, { token: tokens.admin!, body: { quotas: { mailbox: leaked } } }));
    answers.push(await call(server.url, "GET", `/nowhere/${leaked}`, { headers: { "x-api-key": leaked } }));
    const logs = server.lines.join("\n");
    expect(server.lines.length).toBeGreaterThan(ENDPOINTS.length);
    for (const t of allTokens) {
      expect(logs.includes(t), "a token in the logs").toBe(false);
      for (const a of answers) {
        const values: string[] = [];
        a.headers.forEach((v) => values.push(v));
        expect(a.text.includes(t) || values.some((v) => v.includes(t)), "a token in an answer").toBe(false);
      }
    }
    // The secret half alone either.
    for (const t of allTokens) expect(logs.includes(t.slice(-43))).toBe(false);
    // And the logs are JSON lines (pino).
    for (const l of server.lines.filter((x) => x.trim() !== "")) expect(() => JSON.parse(l)).not.toThrow();
  });
});
