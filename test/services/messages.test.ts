import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServiceError } from "../../src/services/http.js";
import { dkimOf, MessagesClient } from "../../src/services/messages.js";
import { startMessages, type MessagesServer } from "../support/servers/messages.js";

let server: MessagesServer;

function client(overrides: Partial<ConstructorParameters<typeof MessagesClient>[0]> = {}): MessagesClient {
  return new MessagesClient({ baseUrl: server.apiRoot, channelId: server.channelId, apiKey: server.apiKey, credentialHint: "DOMAINES_MESSAGES_API_KEY", timeoutMs: 2000, retries: 2, backoffMs: 5, pageSize: 2, ...overrides });
}

beforeAll(async () => {
  server = await startMessages();
  for (const name of ["mende.collectivite.fr", "marvejols.collectivite.fr", "langogne.collectivite.fr", "la-canourgue.collectivite.fr", "chanac.collectivite.fr"]) server.createMailDomain(name);
});
afterAll(() => server.stop());

describe("Messages provisioning DNS listing", () => {
  it("reads every page and finds each domain's DKIM key", async () => {
    server.log.length = 0;
    const listing = await client().listMailDomainDns();
    expect(listing.available).toBe(true);
    if (!listing.available) return;
    expect(listing.domains.map((d) => d.domain)).toEqual(server.domains.map((d) => d.name));
    expect(server.log).toHaveLength(3); // 5 domains, 2 a page
    const mende = listing.domains[0]!;
    const dkim = dkimOf(mende.records, "stmessages");
    expect(dkim?.selector).toBe("stmessages");
    expect(dkim?.value).toBe(server.dkimRecord(server.domains[0]!.name).value);
    expect(dkim?.value).toMatch(/^v=DKIM1; k=rsa; p=MIIBIjAN/); // a real RSA-2048 SPKI
  });

  it("says the listing is not available (not an error) where the endpoint is missing", async () => {
    server.dnsEndpoint = false;
    try {
      const listing = await client().listMailDomainDns();
      expect(listing).toMatchObject({ available: false });
      if (!listing.available) expect(listing.reason).toMatch(/no provisioning DNS listing \(HTTP 404/);
    } finally {
      server.dnsEndpoint = true;
    }
  });

  it("fails clearly on refused channel credentials, without echoing the key", async () => {
    const err = await client({ apiKey: "nope" }).listMailDomainDns().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as Error).message).toMatch(/HTTP 401: the channel key was refused; check DOMAINES_MESSAGES_API_KEY/);
    expect((err as Error).message).not.toContain("nope");
  });

  it("retries a 503 and still returns every domain", async () => {
    server.log.length = 0;
    const c = client();
    const p = c.listMailDomainDns();
    server.inject({ kind: "status", status: 503 });
    const listing = await p;
    expect(listing.available && listing.domains).toHaveLength(5);
    expect(server.log).toHaveLength(4);
  });
});

describe("picking the DKIM record", () => {
  const key = "v=DKIM1; k=rsa; p=QUJD";
  it("prefers the configured selector, else the only _domainkey TXT", () => {
    expect(dkimOf([{ target: "other._domainkey", type: "txt", value: key }, { target: "stmessages._domainkey", type: "txt", value: `${key}RA==` }], "stmessages")).toEqual({ selector: "stmessages", value: `${key}RA==` });
    expect(dkimOf([{ target: "sel2026._domainkey", type: "txt", value: key }], "stmessages")).toEqual({ selector: "sel2026", value: key });
  });
  it("returns null when there is none, several without the selector, or a value that is not a DKIM key", () => {
    expect(dkimOf([{ target: "", type: "mx", value: "10 mx." }], "stmessages")).toBeNull();
    expect(dkimOf([{ target: "a._domainkey", type: "txt", value: key }, { target: "b._domainkey", type: "txt", value: key }], "stmessages")).toBeNull();
    expect(dkimOf([{ target: "stmessages._domainkey", type: "txt", value: "v=DKIM1; k=rsa; p=" }], "stmessages")).toBeNull();
  });
});
