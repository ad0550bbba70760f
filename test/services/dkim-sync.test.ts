import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dkimStoreSchema, type DkimStore } from "../../src/records/dkim.js";
import { mergeDkim } from "../../src/services/dkim-sync.js";
import { dkimOf } from "../../src/services/messages.js";
import { runCli, runCliAsync } from "../support/cli.js";
import { DEPLOYMENT_TEMPLATE, startMessages, type MessagesServer } from "../support/servers/messages.js";
import { enrolled, operatorsJson, tempDir, writeJson, writeLedger } from "./fixtures.js";

const KEY = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA";

describe("merging Messages' listing into the DKIM store", () => {
  const listing = [
    { domain: "mende.collectivite.fr", records: [{ target: "stmessages._domainkey", type: "txt", value: KEY }] },
    { domain: "other.example.org", records: [{ target: "stmessages._domainkey", type: "txt", value: KEY }] },
    { domain: "chanac.collectivite.fr", records: [{ target: "", type: "mx", value: "10 mx." }] },
  ];
  const wanted = ["mende.collectivite.fr", "marvejols.collectivite.fr", "chanac.collectivite.fr"];

  const merge = (store: DkimStore, list: typeof listing, want: readonly string[], now: string) => mergeDkim({ store, listing: list, wanted: want, zone: "collectivite.fr", selector: "stmessages", now });

  it("stores keys of wanted domains under the zone, reports the others pending, and keeps fetchedAt when nothing changed", () => {
    const first = merge({}, listing, wanted, "2026-03-01T00:00:00.000Z");
    expect(first.results.map((r) => [r.domain, r.status])).toEqual([
      ["chanac.collectivite.fr", "pending"],
      ["marvejols.collectivite.fr", "pending"],
      ["mende.collectivite.fr", "new"],
    ]);
    expect(first.outsideZone).toBe(1);
    expect(first.store).toEqual({ "mende.collectivite.fr": { selector: "stmessages", value: KEY, fetchedAt: "2026-03-01T00:00:00.000Z" } });
    const again = merge(first.store, listing, wanted, "2026-04-01T00:00:00.000Z");
    expect(again.changed).toBe(false);
    expect(again.store).toEqual(first.store);
    const rotated = merge(first.store, [{ domain: "mende.collectivite.fr", records: [{ target: "stmessages._domainkey", type: "txt", value: `${KEY}AB` }] }], ["mende.collectivite.fr"], "2026-05-01T00:00:00.000Z");
    expect(rotated.results[0]!.status).toBe("changed");
    expect(rotated.store["mende.collectivite.fr"]!.fetchedAt).toBe("2026-05-01T00:00:00.000Z");
  });

  it("refuses a key the store's schema refuses, keeping the previous one", () => {
    const prev = { "mende.collectivite.fr": { selector: "stmessages", value: KEY, fetchedAt: "2026-03-01T00:00:00.000Z" } };
    const r = merge(prev, [{ domain: "mende.collectivite.fr", records: [{ target: "stmessages._domainkey", type: "txt", value: `${KEY}; n=a\\b` }] }], ["mende.collectivite.fr"], "2026-05-01T00:00:00.000Z");
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
    expect(saved["mende.collectivite.fr"]!.value).toBe(server.dkimRecord(mende.name).value);

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
    expect(r.stderr).toMatch(/Messages \(127\.0\.0\.1:\d+\): list the mail domains' expected DNS records failed: HTTP 401: the channel key was refused; check DOMAINES_MESSAGES_API_KEY/);
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

describe("dkim-sync stores only what the zone can publish, for the communes the ledger enrols", () => {
  let server: MessagesServer;
  let dir: string;
  let ledger: string;
  let store: string;
  let args: string[];
  let zoneArgs: string[];
  let env: NodeJS.ProcessEnv;
  const hugeKey = `v=DKIM1; k=rsa; p=${"QUJD".repeat(750)}`; // 3,018 characters: the store's schema takes it, a TXT record of the model does not

  beforeAll(async () => {
    server = await startMessages();
    dir = tempDir("dkim-model");
    store = join(dir, "dkim.json");
    const operators = writeJson(dir, "operators.json", operatorsJson("http://127.0.0.1:1/api/v1.0/", server.apiRoot, []));
    ledger = writeLedger(dir, [
      enrolled("214800955", "mende", "Mende", "48", { messages: {} }),
      enrolled("214800922", "marvejols", "Marvejols", "48", { messages: {} }),
      enrolled("214800807", "langogne", "Langogne", "48", { fichiers: {} }),
    ]);
    zoneArgs = ["--ledger", ledger, "--dkim", store];
    args = ["--operators", operators, ...zoneArgs];
    env = { DOMAINES_MESSAGES_API_KEY: server.apiKey, DOMAINES_MESSAGES_CHANNEL_ID: server.channelId };
    server.createMailDomain("marvejols.collectivite.fr");
    server.createMailDomain("langogne.collectivite.fr"); // in the ledger, but not enrolled in Messages
    server.createMailDomain("inconnue.collectivite.fr"); // not in the ledger at all
    server.createMailDomain("mairie.example.org"); // another tenant's domain, outside the zone
    server.createMailDomain("mende.collectivite.fr");
    server.dkimRecord("mende.collectivite.fr").value = hugeKey;
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses, for its domain alone, a key the record model cannot publish; reports unknown domains without storing them", async () => {
    const r = await runCliAsync(["dkim-sync", ...args, "--json"], { env });
    expect(r.code).toBe(1); // a refused key is a failure to report
    const out = JSON.parse(r.stdout) as { written: boolean; outsideZone: number; domains: { domain: string; status: string; reason?: string }[] };
    expect(out.domains.map((d) => [d.domain, d.status])).toEqual([
      ["inconnue.collectivite.fr", "ignored"],
      ["langogne.collectivite.fr", "ignored"],
      ["marvejols.collectivite.fr", "new"],
      ["mende.collectivite.fr", "invalid"],
    ]);
    expect(out.outsideZone).toBe(1);
    expect(out.domains.find((d) => d.domain === "mende.collectivite.fr")!.reason).toMatch(/the record model cannot publish the key Messages gave \(stmessages\._domainkey\.mende\.collectivite\.fr TXT \(dkim\) breaks txt-length: 3018 octets, more than 2048\)/);
    expect(out.domains.find((d) => d.domain === "inconnue.collectivite.fr")!.reason).toMatch(/no commune enrolled in Messages holds this domain in the ledger; its key is not stored/);
    expect(out.written).toBe(true);
    expect(Object.keys(dkimStoreSchema.parse(JSON.parse(readFileSync(store, "utf8"))))).toEqual(["marvejols.collectivite.fr"]);

    // The rest of the zone is still published: export and plan work.
    expect(runCli(["export", "--format", "zone", ...zoneArgs]).code).toBe(0);
    const plan = runCli(["plan", "--json", ...zoneArgs]);
    expect(plan.code, plan.stderr).toBe(0);
    expect((JSON.parse(plan.stdout) as { pendingDkim: { label: string }[] }).pendingDkim.map((p) => p.label)).toEqual(["mende"]);
  });

  it("removes a stored key the model cannot publish (left by an earlier version or by hand), so that the zone publishes again", async () => {
    const saved = dkimStoreSchema.parse(JSON.parse(readFileSync(store, "utf8")));
    writeFileSync(store, JSON.stringify({ ...saved, "mende.collectivite.fr": { selector: "stmessages", value: hugeKey, fetchedAt: "2026-01-01T00:00:00.000Z" } }));
    const broken = runCli(["export", "--format", "zone", ...zoneArgs]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/breaks txt-length: 3018 octets/);

    const r = await runCliAsync(["dkim-sync", ...args], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^invalid +mende\.collectivite\.fr: the stored key cannot be published \(.*txt-length.*\); removed from the store/m);
    expect(r.stdout).toMatch(/0 new, 0 changed, 1 unchanged, 0 pending, 1 refused, 2 ignored \(1 other domain\(s\) outside the zone not considered\)\. Written: /);
    expect(Object.keys(JSON.parse(readFileSync(store, "utf8")))).toEqual(["marvejols.collectivite.fr"]);
    expect(runCli(["export", "--format", "zone", ...zoneArgs]).code).toBe(0);
  });
});

describe("Messages is the authority on mail records: dkim-sync reports drift", () => {
  let server: MessagesServer;
  let dir: string;
  let args: string[];
  let env: NodeJS.ProcessEnv;
  const domains = ["mende.collectivite.fr", "marvejols.collectivite.fr"];

  beforeAll(async () => {
    server = await startMessages();
    dir = tempDir("dkim-drift");
    const operators = writeJson(dir, "operators.json", operatorsJson("http://127.0.0.1:1/api/v1.0/", server.apiRoot, []));
    const ledger = writeLedger(dir, [enrolled("214800955", "mende", "Mende", "48", { messages: {} }), enrolled("214800922", "marvejols", "Marvejols", "48", { messages: {} })]);
    args = ["--operators", operators, "--ledger", ledger, "--dkim", join(dir, "dkim.json")];
    env = { DOMAINES_MESSAGES_API_KEY: server.apiKey, DOMAINES_MESSAGES_CHANNEL_ID: server.channelId };
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Messages' template for every domain, DKIM kept per domain. */
  const serve = (template: { target: string; type: string; value: string }[]) => {
    server.domains.length = 0;
    server.template = template;
    for (const d of domains) server.createMailDomain(d);
  };
  const sync = async (...more: string[]) => runCliAsync(["dkim-sync", ...args, ...more], { env });

  it("exits 0 when every expected record is the model's (MX set, SPF, DMARC's tags, DKIM)", async () => {
    // Spelled as Messages may give it: another case, no final dot, the DMARC tags in another order, without rua.
    serve([
      { target: "", type: "mx", value: "20 MX2.mail.suite-territoriale.anct.gouv.fr" },
      { target: "", type: "mx", value: "10 mx1.mail.suite-territoriale.anct.gouv.fr." },
      { target: "", type: "txt", value: "v=spf1 include:_spf.mail.suite-territoriale.anct.gouv.fr -all" },
      { target: "_dmarc", type: "txt", value: "v=DMARC1; aspf=s; adkim=s; p=reject" },
    ]);
    const r = await sync("--json");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).drift).toEqual([]);
    expect(JSON.parse(r.stdout).domains.map((d: { status: string }) => d.status)).toEqual(["new", "new"]);
  });

  it("exits 1 naming both hosts when Messages expects another MX, and both policies for another DMARC p=", async () => {
    serve([
      { target: "", type: "mx", value: "10 mx.ox.numerique.gouv.fr." },
      DEPLOYMENT_TEMPLATE[2]!,
      { target: "_dmarc", type: "txt", value: "v=DMARC1; p=quarantine; adkim=s; aspf=s" },
    ]);
    const json = await sync("--json");
    expect(json.code).toBe(1);
    const out = JSON.parse(json.stdout);
    expect(out.drift).toEqual([
      { name: "@", type: "MX", messages: ["10 mx.ox.numerique.gouv.fr."], model: ["10 mx1.mail.suite-territoriale.anct.gouv.fr.", "20 mx2.mail.suite-territoriale.anct.gouv.fr."], domains: ["marvejols.collectivite.fr", "mende.collectivite.fr"] },
      { name: "_dmarc", type: "TXT", messages: ["v=DMARC1; p=quarantine; adkim=s; aspf=s"], model: ["v=DMARC1; p=reject; adkim=s; aspf=s; rua=mailto:dmarc-rapports@suite-territoriale.anct.gouv.fr"], domains: ["marvejols.collectivite.fr", "mende.collectivite.fr"] },
    ]);
    const text = await sync();
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('DRIFT     MX at marvejols.collectivite.fr and 1 other domain(s): Messages expects "10 mx.ox.numerique.gouv.fr.", the model publishes "10 mx1.mail.suite-territoriale.anct.gouv.fr.", "20 mx2.mail.suite-territoriale.anct.gouv.fr."');
    expect(text.stdout).toContain('DRIFT     TXT at _dmarc.marvejols.collectivite.fr and 1 other domain(s): Messages expects "v=DMARC1; p=quarantine;');
    expect(text.stderr).toMatch(/2 mail record\(s\) differ from what Messages expects \(4 domain case\(s\)\)/);
  });

  it("exits 1 on another SPF include and on an extra MX Messages would call conflicting", async () => {
    serve([DEPLOYMENT_TEMPLATE[0]!, { target: "", type: "txt", value: "v=spf1 include:_spf.ox.numerique.gouv.fr -all" }, DEPLOYMENT_TEMPLATE[3]!]);
    const r = await sync("--json");
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).drift.map((d: { type: string; messages: string[]; model: string[] }) => [d.type, d.messages, d.model])).toEqual([
      ["MX", ["10 mx1.mail.suite-territoriale.anct.gouv.fr."], ["10 mx1.mail.suite-territoriale.anct.gouv.fr.", "20 mx2.mail.suite-territoriale.anct.gouv.fr."]],
      ["TXT", ["v=spf1 include:_spf.ox.numerique.gouv.fr -all"], ["v=spf1 include:_spf.mail.suite-territoriale.anct.gouv.fr -all"]],
    ]);
  });
});
