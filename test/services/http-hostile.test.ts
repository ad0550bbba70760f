import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EspaceOperateurClient } from "../../src/services/espace-operateur.js";
import { ServiceError } from "../../src/services/http.js";
import { runCliAsync, runCliMeasured, type CliResult } from "../support/cli.js";
import { startMessages } from "../support/servers/messages.js";
import { startHostile, type HostileMode, type HostileServer } from "../support/servers/hostile.js";
import { enrolled, operatorsJson, tempDir, writeJson, writeLedger } from "./fixtures.js";

/**
 * `domaines dkim-sync` against a Messages URL that misbehaves (issue 10): each case ends
 * with a clear exit 1 naming the limit, within bounded memory, and no secret printed.
 */

const API_KEY = "msg-key-5f1e9c7a2b44d0e1";
const CHANNEL = "6f1c2b8e-3d4a-4e5f-9a0b-1c2d3e4f5a6b";
const ENV = { DOMAINES_MESSAGES_API_KEY: API_KEY, DOMAINES_MESSAGES_CHANNEL_ID: CHANNEL };

let dir: string;
let ledger: string;
let server: HostileServer | undefined;

beforeAll(() => {
  dir = tempDir("hostile");
  ledger = writeLedger(dir, [enrolled("214800955", "mende", "Mende", "48", { messages: {} })]);
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** dkim-sync --json against `url`, with these messages settings (limits, timeouts). */
function args(url: string, messages: Record<string, unknown> = {}): string[] {
  const ops = operatorsJson("http://127.0.0.1:1/api/v1.0/", url, []) as { messages: Record<string, unknown> };
  Object.assign(ops.messages, messages);
  const operators = writeJson(dir, `operators-${n++}.json`, ops);
  return ["dkim-sync", "--operators", operators, "--ledger", ledger, "--dkim", join(dir, `dkim-${n}.json`), "--json"];
}

async function hostile(mode: HostileMode): Promise<HostileServer> {
  server = await startHostile(mode);
  return server;
}

/** The failure every case must end in: exit 1, the JSON error with `code`, no stack, and nothing of the key anywhere. */
function expectFailure(r: CliResult, code: string, message: RegExp): { message: string; details?: Record<string, unknown> } {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  const error = (JSON.parse(r.stdout) as { error: { code: string; message: string; details?: Record<string, unknown> } }).error;
  expect(error.code).toBe(code);
  for (const text of [r.stdout, r.stderr]) {
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(API_KEY.slice(0, 5)); // not even the start of a key cut by an excerpt
  }
  return error;
}

describe("hostile Messages servers, through dkim-sync", () => {
  it("a 3 GB body is cut at the response limit: the process reads a few MB, stays near its normal memory, and names the limit", async () => {
    // The baseline: the same command against a well-behaved Messages, in the same run.
    const good = await startMessages(CHANNEL, API_KEY);
    let baseline: number;
    try {
      good.createMailDomain("mende.collectivite.fr");
      const ok = await runCliMeasured(args(good.apiRoot), { env: ENV });
      expect(ok.code, ok.stderr).toBe(0);
      baseline = ok.peakRssMiB;
    } finally {
      await good.stop();
    }
    const s = await hostile({ kind: "huge", size: 3e9, announce: false });
    const r = await runCliMeasured(args(s.apiRoot), { env: ENV });
    const error = expectFailure(r, "limit", /Messages \(127\.0\.0\.1:\d+\): list the mail domains' expected DNS records failed: the response body is larger than 16 MB, the limit for one response \(maxResponseBytes\); raise it in the messages section of the operators file/);
    expect(error.details).toEqual({ limit: "maxResponseBytes", value: 16_000_000 });
    expect(s.requests).toBe(1); // a limit is not retried
    expect(s.bytesSent).toBeLessThan(64e6); // the server could hand over the limit plus socket buffers, not 3 GB
    expect(r.peakRssMiB).toBeLessThan(baseline * 2);
  });

  it("a 3 GB body announced by Content-Length is refused before reading it", async () => {
    const s = await hostile({ kind: "huge", size: 3e9, announce: true });
    const r = await runCliAsync(args(s.apiRoot), { env: ENV });
    expectFailure(r, "limit", /the response \(3 GB announced\) is larger than 16 MB, the limit for one response \(maxResponseBytes\)/);
    expect(s.bytesSent).toBeLessThan(64e6);
  });

  it("a listing whose next page never ends stops at the command's time budget", async () => {
    const s = await hostile({ kind: "endless", perPage: 5 });
    const r = await runCliAsync(args(s.apiRoot, { budgetMs: 2000 }), { env: ENV });
    const error = expectFailure(r, "limit", /the time budget of 2 s for this command ran out \(budgetMs\)/);
    expect(error.details).toEqual({ limit: "budgetMs", value: 2000 });
    expect(s.requests).toBeGreaterThan(1);
  });

  it("a listing whose next page never ends stops at the command's byte budget, whatever the time", async () => {
    const s = await hostile({ kind: "endless", perPage: 1000 });
    const r = await runCliAsync(args(s.apiRoot, { maxTotalBytes: 1_000_000 }), { env: ENV });
    expectFailure(r, "limit", /the responses of this command exceed 1 MB, the limit for all of them together \(maxTotalBytes\)/);
    // Pages of ~45 KB: the budget is spent after about 22 of them.
    expect(s.bytesSent).toBeLessThan(1_000_000 + 100_000);
  });

  it("a body dripped one byte at a time is cut by the per-attempt timeout, then by the command's budget", async () => {
    const s = await hostile({ kind: "drip", everyMs: 50 });
    const r = await runCliAsync(args(s.apiRoot, { timeoutMs: 500, retries: 10, budgetMs: 1500 }), { env: ENV });
    expectFailure(r, "limit", /the time budget of 1500 ms for this command ran out \(budgetMs\) after: no answer within 500 ms/);
    expect(s.requests).toBeLessThan(4);
  });

  // 5xx bodies are quoted on 120 characters, others on 300: offsets 115 and 295 put the key across the cut.
  it.each([
    ["a 500 page quoting the key and the request's headers", 500, 0],
    ["a 500 page with the key where the excerpt is cut", 500, 115],
    ["a 418 answer quoting the key and the request's headers", 418, 0],
    ["a 418 answer with the key where the excerpt is cut", 418, 295],
  ])("%s: the key never reaches the user", async (_what, status, offset) => {
    const s = await hostile({ kind: "echo", status, offset });
    const r = await runCliAsync(args(s.apiRoot, { retries: 1 }), { env: ENV });
    expectFailure(r, "service", new RegExp(`HTTP ${status}`));
    expect(s.requests).toBe(status >= 500 ? 2 : 1);
  });

  it("a next link carrying the key to another host: refused, the key not shown", async () => {
    const s = await hostile({ kind: "echo-next" });
    const r = await runCliAsync(args(s.apiRoot), { env: ENV });
    expectFailure(r, "service", /the listing's next page link points outside .*\(http:\/\/evil\.example\/collect\); refusing to send credentials there/);
  });

  it("a host name that does not exist: named, not retried (it will not appear within seconds)", async () => {
    const r = await runCliAsync(args("http://messages.invalid/api/v1.0/", { retries: 3 }), { env: ENV });
    const error = expectFailure(r, "service", /Messages \(messages\.invalid\): list the mail domains' expected DNS records failed: ENOTFOUND: the host name does not exist; check the configured URL \(not retried/);
    expect(error.message).not.toMatch(/gave up after/);
  });
});

describe("hostile Espace Opérateur servers, through the client the Pulumi provider runs", () => {
  const TOKEN = "eo-token-93be1f07c2d6a4";
  const client = (s: HostileServer) => new EspaceOperateurClient({ baseUrl: s.apiRoot, operatorId: "op", token: TOKEN, credentialHint: "DOMAINES_EO_TOKEN_T", timeoutMs: 2000, retries: 1, backoffMs: 5 });

  async function failure(p: Promise<unknown>): Promise<ServiceError> {
    const err = await p.then(
      () => new Error("expected a failure"),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as Error).message).not.toContain(TOKEN);
    expect((err as Error).message).not.toContain(TOKEN.slice(0, 5));
    return err as ServiceError;
  }

  it("a 400 body quoting the Authorization header: the bearer token is redacted", async () => {
    const s = await hostile({ kind: "echo", status: 400, offset: 0 });
    const err = await failure(client(s).findOrganization("214800955"));
    expect(err.message).toMatch(/HTTP 400: the service refused the request: \[redacted\] — the request was: .*authorization: \[redacted\]/);
  });

  it("a 3 GB answer is cut at the response limit and not retried", async () => {
    const s = await hostile({ kind: "huge", size: 3e9, announce: false });
    const err = await failure(client(s).findOrganization("214800955"));
    expect(err.code).toBe("limit");
    expect(err.message).toMatch(/larger than 16 MB, the limit for one response \(maxResponseBytes\)/);
    expect(s.requests).toBe(1);
    expect(s.bytesSent).toBeLessThan(64e6);
  });
});
