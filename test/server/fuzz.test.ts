import { rmSync } from "node:fs";
import { connect } from "node:net";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "./support/http.js";
import { createToken, fixture, startServer, type RunningServer } from "./support/server.js";

const REQUESTS = 10_000;
const PARALLEL = 16;

/** A small seeded generator, so that a failing case can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

const JUNK = ["", " ", "Mende", "mende", "214800955", "insee:97501", "48095", "2A004", "saint-rémy.collectivite.fr", "xn--saint-rmy-e4a", "xn--zz", "ÉÈÊ", "\u0000", "\u202e", "🙂", "Ⅻ", "мende", "../../etc/passwd", "%00", "%zz", "%", "%%", "%C0%AF", "a".repeat(300), "é".repeat(2000), "null", "undefined", "true", "-1", "1e400", "NaN", "[]", "{}", "__proto__", "constructor", "toString", "<script>", "'; DROP TABLE", "$(id)", "domaines_t000000000000_" + "x".repeat(43)];
const PATHS = ["/api/v1/check", "/api/v1/communes/{x}", "/api/v1/communes/{x}/label", "/api/v1/communes/{x}/services/{x}", "/api/v1/onboardings", "/api/v1/audit", "/api/v1/operators/{x}/cost", "/api/v1/operators/{x}/members", "/api/v1/openapi.json", "/api/v1/hooks/espace-operateur", "/healthz", "/readyz", "/metrics", "/{x}", "/api/v1/{x}", "//api//v1//check", "/api/v1/communes/", "/api/v1/communes/{x}/services/"];
const QUERY_KEYS = ["q", "commune", "actor", "since", "limit", "year", "q[]", "__proto__", "x"];
const METHODS = ["GET", "GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD"];
const CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/problem+json", "application/json; charset=latin1", "*/*"];

function junk(r: Rng): string {
  const j = r.pick(JUNK);
  return r.next() < 0.2 ? j + r.pick(JUNK) : j;
}

function encodeLoose(r: Rng, s: string): string {
  // Mostly valid percent-encoding, sometimes raw (the invalid sequences reach the router).
  return r.next() < 0.7 ? encodeURIComponent(s) : s.replace(/[\s#?\u0000-\u001f]/g, "").replace(/[^\x20-\x7e]/gu, (c) => encodeURIComponent(c));
}

function body(r: Rng, bodyLimit: number): string | undefined {
  switch (r.int(12)) {
    case 0:
      return undefined;
    case 1:
      return "{";
    case 2:
      return "[".repeat(r.int(20_000));
    case 3:
      return JSON.stringify({ quotas: { [junk(r)]: junk(r), mailbox: r.pick(["5GB", 5, -1, 1e400, "unlimited", null, [], {}]) } });
    case 4:
      return JSON.stringify(Array.from({ length: r.int(30) }, () => ({ query: junk(r), services: [r.pick(["messages", "fichiers", junk(r)])], quotas: r.next() < 0.5 ? { messages: { mailbox: junk(r) } } : junk(r) })));
    case 5:
      return `{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}`;
    case 6:
      return "x".repeat(bodyLimit + 1 + r.int(1000));
    case 7:
      return JSON.stringify({ event_type: r.pick(["subscription.created", "subscription.deleted", junk(r)]), organization_siren: r.pick(["214800955", null, junk(r), 214800955]), service_id: r.pick([2, 12, "2", -1, junk(r)]), subscription_is_active: r.pick([true, false, "yes", null]) });
    case 8:
      return Buffer.from(Array.from({ length: r.int(200) }, () => r.int(256))).toString("latin1");
    case 9:
      return JSON.stringify(junk(r));
    case 10:
      return `{"a":${"1".repeat(r.int(500))}}`;
    default:
      return JSON.stringify({ [junk(r)]: junk(r) });
  }
}

/** Raw bytes for what fetch refuses to send: malformed request lines and headers, oversized headers, bad chunking. */
function rawRequest(r: Rng, token: string): string {
  switch (r.int(8)) {
    case 0:
      return `${junk(r)} / HTTP/1.1\r\nHost: x\r\n\r\n`;
    case 1:
      return `GET /api/v1/check?q=${"é".repeat(20)} HTTP/1.1\r\nHost: x\r\n\r\n`;
    case 2:
      return `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`;
    case 3:
      return `POST /api/v1/onboardings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`;
    case 4:
      return `GET /api/v1/communes/214800955 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u0001\u0002\r\n\r\n`;
    case 5:
      return `PUT /api/v1/communes/214800955/label HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello`;
    case 6:
      return `GET /\u00ff\u00fe HTTP/1.1\r\nHost: x\r\n\r\n`;
    default:
      return `\u0000\u0001\u0002 garbage\r\n\r\n`;
  }
}

function sendRaw(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let data = "";
    const done = () => {
      socket.destroy();
      resolve(data);
    };
    socket.setTimeout(5000, done);
    socket.on("data", (d) => {
      data += d.toString("latin1");
    });
    socket.on("error", done);
    socket.on("close", done);
    socket.on("connect", () => socket.write(Buffer.from(bytes, "latin1")));
  });
}

const STACK = /\n\s+at\s|node:internal|\/dist\/src\/|\/node_modules\//;

/**
 * The API, the probes and /metrics answer their errors as problem+json; every other path is
 * the support pages', whose errors are a French HTML page (repeated slashes fold: `//api//v1`
 * is the API).
 */
function isApiTarget(target: string): boolean {
  // As sent: fetch resolves dot segments (`/api/v1/../../etc/passwd` leaves as `/etc/passwd`).
  const path = new URL(`http://x${target}`).pathname.replace(/\/{2,}/g, "/");
  return path === "/api" || path.startsWith("/api/") || ["/healthz", "/readyz", "/metrics"].includes(path);
}
const FRENCH_PAGE = /^<!doctype html>\n<html lang="fr"/;

describe(`${REQUESTS} fuzzed requests`, () => {
  const setup = fixture([{ name: "cdg48", members: ["214800955", "214800922"] }]);
  let server: RunningServer;
  let admin = "";
  const BODY_LIMIT = 16_384;
  beforeAll(async () => {
    admin = createToken(setup, ["--role", "admin"]).token;
    server = await startServer({ ...setup, args: ["--rate-limit", "1000000", "--body-limit", String(BODY_LIMIT), "--batch-max", "10"] });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dirname(setup.ledger), { recursive: true, force: true });
  });

  it("answers every one with a success or a 4xx (problem+json on the API, the French page on the site), never a 5xx or a stack trace, and still answers after", async () => {
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    const worker = async (w: number) => {
      const r = rng(1000 + w);
      while (sent < REQUESTS) {
        sent++;
        if (r.next() < 0.1) {
          const bytes = rawRequest(r, admin);
          const raw = await sendRaw(server.url, bytes);
          const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (raw === "") continue; // the server may close a connection it cannot parse (counted as no answer, not a failure)
          if (status >= 500 || status === 0) problems.push(`raw ${JSON.stringify(bytes.slice(0, 80))} → ${raw.slice(0, 200)}`);
          // A request line the server parsed, for a site path, gets the French page; anything else problem+json.
          const target = /^[^\r\n ]+ (\/[^ \r\n]*) HTTP\/1\.1\r\n/.exec(bytes)?.[1];
          const page = target !== undefined && !isApiTarget(target) && /content-type: text\/html; charset=utf-8/i.test(raw) && /\r\n\r\n<!doctype html>\n<html lang="fr"/.test(raw);
          if (status >= 400 && !page && !/content-type: application\/problem\+json/i.test(raw)) problems.push(`raw ${JSON.stringify(bytes.slice(0, 80))}: neither problem+json nor the site's page: ${raw.slice(0, 200)}`);
          if (STACK.test(raw)) problems.push(`raw: a stack trace: ${raw.slice(0, 300)}`);
          continue;
        }
        const method = r.pick(METHODS);
        const path = r.pick(PATHS).replace(/\{x\}/g, () => encodeLoose(r, junk(r)));
        const query = Array.from({ length: r.int(4) }, () => `${encodeLoose(r, r.pick(QUERY_KEYS))}=${encodeLoose(r, junk(r))}`).join("&");
        const headers: Record<string, string> = {};
        const auth = r.int(5);
        if (auth === 0) headers.authorization = `Bearer ${admin}`;
        if (auth === 1) headers.authorization = `Bearer ${encodeURIComponent(junk(r))}`;
        if (auth === 2) headers.authorization = r.pick(["Basic dXNlcjpwYXNz", "Bearer", "bearer  x", "Token abc", `Bearer ${"a".repeat(4000)}`]);
        if (r.next() < 0.6) headers["content-type"] = r.pick(CONTENT_TYPES);
        if (r.next() < 0.1) headers["x-domaines-token"] = r.pick([admin, "x", encodeURIComponent(junk(r))]);
        const b = method === "GET" || method === "HEAD" ? undefined : body(r, BODY_LIMIT);
        const target = `${path}${query ? `?${query}` : ""}`;
        let a;
        try {
          a = await call(server.url, method, target, { headers, ...(b === undefined ? {} : { rawBody: b }) });
        } catch (err) {
          problems.push(`${method} ${target}: no answer (${(err as Error).message})`);
          continue;
        }
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        const what = `${method} ${target.slice(0, 120)} [${headers["content-type"] ?? "-"}] → ${a.status} ${a.text.slice(0, 200)}`;
        if (a.status >= 500) problems.push(what);
        if (a.status >= 400 && method !== "HEAD") {
          if (isApiTarget(target)) {
            if (!a.contentType.startsWith("application/problem+json")) problems.push(`not problem+json: ${what}`);
            if (typeof (a.json as { code?: unknown } | undefined)?.code !== "string") problems.push(`no code: ${what}`);
          } else if (a.status === 431) {
            // Headers too large are refused by the connection's handler, before any route: problem+json.
            if (!a.contentType.startsWith("application/problem+json")) problems.push(`not problem+json: ${what}`);
          } else if (a.contentType !== "text/html; charset=utf-8" || !FRENCH_PAGE.test(a.text)) problems.push(`not the site's French page: ${what}`);
        }
        if (STACK.test(a.text)) problems.push(`a stack trace: ${what}`);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, (_, w) => worker(w)));
    expect(problems.slice(0, 20)).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(REQUESTS);
    // The fuzz reached the handlers, not only the router: successes and several kinds of refusal.
    for (const s of [200, 400, 401, 404, 413]) expect(statuses.get(s) ?? 0, `status ${s} ${JSON.stringify([...statuses])}`).toBeGreaterThan(0);
    // Still alive and right.
    expect((await call(server.url, "GET", "/healthz")).status).toBe(200);
    const check = await call(server.url, "GET", "/api/v1/check?q=Mende");
    expect((check.json as { matches: { key: string }[] }).matches.map((m) => m.key)).toEqual(["214800955"]);
    expect(server.proc.exitCode).toBeNull();
  }, 600_000);
});
