import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dkimStoreSchema } from "../../src/records/dkim.js";
import { mergeDkim } from "../../src/services/dkim-sync.js";
import { dkimOf } from "../../src/services/messages.js";
import { runCliAsync } from "../support/cli.js";
import { startMessages, type MessagesServer } from "../support/servers/messages.js";
import { enrolled, operatorsJson, tempDir, writeJson, writeLedger } from "./fixtures.js";

const KEY = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA";

describe("merging Messages' listing into the DKIM store", () => {
  const listing = [
    { domain: "mende.collectivite.fr", records: [{ target: "stmessages._domainkey", type: "txt", value: KEY }] },
    { domain: "other.example.org", records: [{ target: "stmessages._domainkey", type: "txt", value: KEY }] },
    { domain: "chanac.collectivite.fr", records: [{ target: "", type: "mx", value: "10 mx." }] },
  ];
  const wanted = ["mende.collectivite.fr", "marvejols.collectivite.fr", "chanac.collectivite.fr"];

  it("stores keys under the zone, reports the others pending, and keeps fetchedAt when nothing changed", () => {
    const first = mergeDkim({}, listing, wanted, "collectivite.fr", "stmessages", "2026-03-01T00:00:00.000Z");
    expect(first.results.map((r) => [r.domain, r.status])).toEqual([
      ["chanac.collectivite.fr", "pending"],
      ["marvejols.collectivite.fr", "pending"],
      ["mende.collectivite.fr", "new"],
    ]);
    expect(first.store).toEqual({ "mende.collectivite.fr": { selector: "stmessages", value: KEY, fetchedAt: "2026-03-01T00:00:00.000Z" } });
    const again = mergeDkim(first.store, listing, wanted, "collectivite.fr", "stmessages", "2026-04-01T00:00:00.000Z");
    expect(again.changed).toBe(false);
    expect(again.store).toEqual(first.store);
    const rotated = mergeDkim(first.store, [{ domain: "mende.collectivite.fr", records: [{ target: "stmessages._domainkey", type: "txt", value: `${KEY}AB` }] }], [], "collectivite.fr", "stmessages", "2026-05-01T00:00:00.000Z");
    expect(rotated.results[0]!.status).toBe("changed");
    expect(rotated.store["mende.collectivite.fr"]!.fetchedAt).toBe("2026-05-01T00:00:00.000Z");
  });

  it("refuses a key the store's schema refuses, keeping the previous one", () => {
    const prev = { "mende.collectivite.fr": { selector: "stmessages", value: KEY, fetchedAt: "2026-03-01T00:00:00.000Z" } };
    const r = mergeDkim(prev, [{ domain: "mende.collectivite.fr", records: [{ target: "stmessages._domainkey", type: "txt", value: `${KEY}; n=a\\b` }] }], [], "collectivite.fr", "stmessages", "2026-05-01T00:00:00.000Z");
    expect(r.results[0]).toMatchObject({ status: "invalid" });
    expect(r.results[0]!.reason).toMatch(/previous key is kept/);
    expect(r.store).toEqual(prev);
  });

  it("joins a key given as quoted character-strings", () => {
    expect(dkimOf([{ target: "stmessages._domainkey", type: "txt", value: `"v=DKIM1; k=rsa; " "p=QUJD"` }], "stmessages")).toEqual({ selector: "stmessages", value: "v=DKIM1; k=rsa; p=QUJD" });
  });
});

describe("domaines dkim-sync against a Messages server over HTTP", () => {
  let server: MessagesServer;
  let dir: string;
  let store: string;
  let args: string[];
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    server = await startMessages();
    dir = tempDir("dkim");
    store = join(dir, "dkim.json");
    const operators = writeJson(dir, "operators.json", operatorsJson("http://127.0.0.1:1/api/v1.0/", server.apiRoot, [{ name: "t", title: "T", siren: null, espaceOperateurId: "t", members: ["214800955"] }]));
    const ledger = writeLedger(dir, [enrolled("214800955", "mende", "Mende", "48", { messages: {} }), enrolled("214800922", "marvejols", "Marvejols", "48", { messages: {} }), enrolled("214800807", "langogne", "Langogne", "48", {})]);
    args = ["--operators", operators, "--ledger", ledger, "--dkim", store, "--json"];
    env = { DOMAINES_MESSAGES_API_KEY: server.apiKey, DOMAINES_MESSAGES_CHANNEL_ID: server.channelId };
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reports every DKIM pending, and writes nothing, where Messages lacks the listing endpoint", async () => {
    server.dnsEndpoint = false;
    try {
      const r = await runCliAsync(["dkim-sync", ...args], { env });
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ available: false, written: false });
      expect(out.domains.map((d: { domain: string; status: string }) => [d.domain, d.status])).toEqual([["marvejols.collectivite.fr", "pending"], ["mende.collectivite.fr", "pending"]]);
      expect(existsSync(store)).toBe(false);
    } finally {
      server.dnsEndpoint = true;
    }
  });

  it("writes the keys Messages has, leaves the rest pending, and a re-run changes nothing", async () => {
    const mende = server.createMailDomain("mende.collectivite.fr");
    const r = await runCliAsync(["dkim-sync", ...args], { env });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.written).toBe(true);
    expect(out.domains.map((d: { domain: string; status: string }) => [d.domain, d.status])).toEqual([["marvejols.collectivite.fr", "pending"], ["mende.collectivite.fr", "new"]]);
    const saved = dkimStoreSchema.parse(JSON.parse(readFileSync(store, "utf8")));
    expect(saved["mende.collectivite.fr"]!.value).toBe(mende.expected_dns_records[3]!.value);

    const before = readFileSync(store, "utf8");
    const mtime = statSync(store).mtimeMs;
    const again = await runCliAsync(["dkim-sync", ...args], { env });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ written: false });
    expect(readFileSync(store, "utf8")).toBe(before);
    expect(statSync(store).mtimeMs).toBe(mtime);
  });

  it("fails with exit 1 on a refused key and leaves the store as it was", async () => {
    const before = readFileSync(store, "utf8");
    const r = await runCliAsync(["dkim-sync", ...args], { env: { ...env, DOMAINES_MESSAGES_API_KEY: "wrong-key" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Messages: list the mail domains' expected DNS records failed: HTTP 401: the channel key was refused; check DOMAINES_MESSAGES_API_KEY/);
    expect(r.stderr).not.toContain("wrong-key");
    expect(readFileSync(store, "utf8")).toBe(before);
  });

  it("asks for the key in the environment when it is missing (exit 2)", async () => {
    const r = await runCliAsync(["dkim-sync", ...args], { env: { ...env, DOMAINES_MESSAGES_API_KEY: "" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs the environment variable DOMAINES_MESSAGES_API_KEY/);
  });

  it("refuses a corrupt DKIM store rather than overwriting it", async () => {
    const bad = join(dir, "bad-dkim.json");
    writeFileSync(bad, "{ not json");
    const r = await runCliAsync(["dkim-sync", ...args, "--dkim", bad], { env });
    expect(r.code).toBe(2);
    expect(readFileSync(bad, "utf8")).toBe("{ not json");
  });
});
