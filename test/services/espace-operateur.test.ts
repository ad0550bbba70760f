import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EspaceOperateurClient, type SubscriptionChange } from "../../src/services/espace-operateur.js";
import { ServiceError } from "../../src/services/http.js";
import { startEspaceOperateur, type EspaceOperateurServer } from "../support/servers/espace-operateur.js";

const TOKEN = "eo-secret-token";
let server: EspaceOperateurServer;

function client(overrides: Partial<ConstructorParameters<typeof EspaceOperateurClient>[0]> = {}): EspaceOperateurClient {
  return new EspaceOperateurClient({ baseUrl: server.apiRoot, operatorId: "op-test", token: TOKEN, credentialHint: "DOMAINES_EO_TOKEN_TEST", timeoutMs: 2000, retries: 3, backoffMs: 5, ...overrides });
}

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(p: Promise<unknown>): Promise<ServiceError> {
  const err = await p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServiceError);
  expect((err as Error).message).not.toContain(TOKEN);
  return err as ServiceError;
}

const messagesChange: SubscriptionChange = {
  isActive: true,
  domains: ["mende.collectivite.fr"],
  entitlements: [
    { type: "messages_storage", account_type: "mailbox", config: { max_storage: 10e9 } },
    { type: "messages_storage", account_type: "organization", config: { max_storage: 100e9 } },
  ],
};

beforeAll(async () => {
  server = await startEspaceOperateur("op-test", TOKEN);
  server.tokens.set("other-token", "op-other");
  // Five organisations so that the search result spans pages (2 a page) when unfiltered.
  for (const [siren, name] of [["214800955", "Mende"], ["214800922", "Marvejols"], ["214801409", "Saint-Chély-d'Apcher"], ["214800807", "Langogne"], ["200056927", "Florac Trois Rivières"]] as const) {
    server.addOrganization({ siren, name, code_insee: "48000", population: 1000, operator: "op-test" });
  }
  server.addOrganization({ siren: "213000000", name: "Elsewhere", code_insee: "30000", population: 500, operator: "op-other" });
});
afterAll(() => server.stop());
afterEach(() => {
  server.log.length = 0;
});

describe("finding a commune's organisation", () => {
  it("finds it by exact SIREN", async () => {
    const org = await client().findOrganization("214800922");
    expect(org.name).toBe("Marvejols");
    expect(org.id).toBe(server.organizations[1]!.id);
    expect(server.log.at(-1)!.search).toContain("search=214800922");
  });

  it("reads every page of the search and refuses an ambiguous SIREN", async () => {
    server.organizations.push({ ...server.organizations[0]!, id: "dup-a" }); // the same SIREN twice
    server.pageSize = 1;
    try {
      const err = await failure(client().findOrganization("214800955"));
      expect(err.message).toMatch(/several organisations have SIREN 214800955 \(ids .*, dup-a\)/);
      expect(server.log.map((l) => l.search)).toEqual(["?search=214800955", "?search=214800955&page=2"]);
    } finally {
      server.organizations.pop();
      server.pageSize = 2;
    }
  });

  it("reports an unknown SIREN as an error, not as an empty success", async () => {
    const err = await failure(client().findOrganization("999999999"));
    expect(err.status).toBe(404);
    expect(err.message).toMatch(/no organisation with SIREN 999999999 in operator op-test's perimeter/);
  });

  it("says the key was refused on 401, naming where the key comes from but never the key", async () => {
    const err = await failure(client({ token: "wrong" }).findOrganization("214800955"));
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/refused; check DOMAINES_EO_TOKEN_TEST/);
    expect(server.log).toHaveLength(1); // 4xx is not retried
  });

  it("reports 403 when the key belongs to another operator", async () => {
    const err = await failure(client({ token: "other-token" }).findOrganization("214800955"));
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/operator op-test's key may not act here/);
  });
});

describe("subscriptions", () => {
  it("creates (201), then re-runs idempotently (200, same state), reads and deletes", async () => {
    const c = client();
    const org = await c.findOrganization("214800955");
    expect(await c.getSubscription(org.id, 2)).toBeNull();

    const first = await c.upsertSubscription(org.id, 2, messagesChange);
    expect(first.created).toBe(true);
    expect(first.subscription.domains).toEqual(["mende.collectivite.fr"]);
    expect(first.subscription.entitlements).toEqual(messagesChange.entitlements);

    const again = await c.upsertSubscription(org.id, 2, messagesChange);
    expect(again.created).toBe(false);
    expect(again.subscription.entitlements).toEqual(first.subscription.entitlements);
    expect(server.subscription(org.id, 2)!.entitlements).toHaveLength(2); // upserted, not appended

    const read = await c.getSubscription(org.id, 2);
    expect(read).toMatchObject({ isActive: true, domains: ["mende.collectivite.fr"], entitlements: messagesChange.entitlements });

    expect(await c.deleteSubscription(org.id, 2)).toBe(true);
    expect(server.subscription(org.id, 2)).toBeUndefined();
    expect(await c.deleteSubscription(org.id, 2)).toBe(false);
    expect(await c.getSubscription(org.id, 2)).toBeNull();
  });

  it("replaces metadata whole and upserts entitlements on (type, account_type)", async () => {
    const c = client();
    const org = await c.findOrganization("214800922");
    await c.upsertSubscription(org.id, 2, { ...messagesChange, domains: ["old.collectivite.fr", "marvejols.collectivite.fr"] });
    const { subscription } = await c.upsertSubscription(org.id, 2, {
      isActive: true,
      domains: ["marvejols.collectivite.fr"],
      entitlements: [{ type: "messages_storage", account_type: "organization", config: { max_storage: 0 } }],
    });
    expect(subscription.domains).toEqual(["marvejols.collectivite.fr"]);
    expect(subscription.entitlements).toEqual([
      { type: "messages_storage", account_type: "mailbox", config: { max_storage: 10e9 } },
      { type: "messages_storage", account_type: "organization", config: { max_storage: 0 } },
    ]);
  });

  it("reports the service's 400 message (bad entitlement, population limit)", async () => {
    const c = client();
    const org = await c.findOrganization("214801409");
    const bad = await failure(c.upsertSubscription(org.id, 2, { ...messagesChange, entitlements: [{ type: "drive_storage", account_type: "user", config: { max_storage: 1 } }] }));
    expect(bad.status).toBe(400);
    expect(bad.message).toMatch(/HTTP 400: the service refused the request: entitlements: Entitlement type "drive_storage" is not available/);
    expect(server.subscription(org.id, 2)).toBeUndefined();

    server.services.get(12)!.maxPopulation = 500;
    try {
      const limit = await failure(c.upsertSubscription(org.id, 12, { isActive: true, domains: [], entitlements: [] }));
      expect(limit.message).toMatch(/HTTP 400: the service refused the request: Population limit exceeded: 1000 > 500/);
    } finally {
      delete server.services.get(12)!.maxPopulation;
    }
  });

  it("reports 403 on another operator's organisation and 404 on an unknown service id", async () => {
    const c = client();
    const foreign = server.organizations.find((o) => o.operator === "op-other")!;
    expect((await failure(c.upsertSubscription(foreign.id, 2, messagesChange))).status).toBe(403);
    const org = await c.findOrganization("214800807");
    const unknown = await failure(c.upsertSubscription(org.id, 99, messagesChange));
    expect(unknown.status).toBe(404);
    expect(unknown.message).toMatch(/service 99 is unknown/);
  });
});

describe("retries, timeouts and network errors", () => {
  it("retries 5xx and then succeeds", async () => {
    server.inject({ kind: "status", status: 503 }, 2);
    const org = await client().findOrganization("214800807");
    expect(org.name).toBe("Langogne");
    expect(server.log).toHaveLength(3);
  });

  it("gives up after the configured attempts on persistent 5xx, with the status in the error", async () => {
    server.inject({ kind: "status", status: 502, body: { detail: "Bad gateway" } }, 4);
    const err = await failure(client({ retries: 3 }).findOrganization("214800807"));
    expect(err.message).toMatch(/HTTP 502 .*Bad gateway.*gave up after 4 attempts/);
    expect(server.log).toHaveLength(4);
  });

  it("retries a PATCH that met a 500 and writes exactly once", async () => {
    const c = client();
    const org = await c.findOrganization("200056927");
    server.log.length = 0;
    server.inject({ kind: "status", status: 500 });
    const r = await c.upsertSubscription(org.id, 12, { isActive: true, domains: ["florac-trois-rivieres.collectivite.fr"], entitlements: [] });
    expect(r.created).toBe(true);
    expect(server.log.map((l) => l.method)).toEqual(["PATCH", "PATCH"]);
  });

  it("times out a stalled answer and retries", async () => {
    server.inject({ kind: "stall" });
    const org = await client({ timeoutMs: 300, retries: 1 }).findOrganization("214800955");
    expect(org.name).toBe("Mende");
    expect(server.log).toHaveLength(2);
  });

  it("reports a server that never answers as a timeout failure", async () => {
    server.inject({ kind: "stall" }, 2);
    const err = await failure(client({ timeoutMs: 200, retries: 1 }).findOrganization("214800955"));
    expect(err.message).toMatch(/no answer within 200 ms \(gave up after 2 attempts\)/);
  });

  it("reports a refused connection as a network failure after retrying", async () => {
    const down = await startEspaceOperateur();
    const url = down.apiRoot;
    await down.stop();
    const err = await failure(client({ baseUrl: url, retries: 2 }).findOrganization("214800955"));
    expect(err.message).toMatch(/ECONNREFUSED \(gave up after 3 attempts\)/);
  });

  it("refuses to follow a pagination link to another host with the key", async () => {
    server.inject({ kind: "status", status: 200, body: { count: 3, next: "http://198.51.100.7/api/v1.0/operators/op-test/organizations/?page=2", previous: null, results: [] } });
    const err = await failure(client().findOrganization("214800955"));
    expect(err.message).toMatch(/points outside .*refusing to send credentials there/);
    expect(server.log).toHaveLength(1);
  });

  it("refuses a 2xx answer whose body is not the documented shape", async () => {
    server.inject({ kind: "status", status: 200, body: { unexpected: true } });
    const err = await failure(client().findOrganization("214800955"));
    expect(err.message).toMatch(/HTTP 200 but the body is not the documented shape \(results:/);
  });
});
