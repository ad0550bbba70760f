import { Resolver } from "node:dns/promises";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serializeLedger } from "../../src/ledger/codec.js";
import { desiredZone, renderZone } from "../../src/records/index.js";
import { runCliAsync } from "../support/cli.js";
import { freePort, startKnot, type KnotServer } from "../support/knot.js";
import { config, dkimPublicKey, smallDkim, smallLedger } from "../records/fixtures.js";

/**
 * The zone the model renders, served by a real knotd on 127.0.0.1, read back with node's
 * resolver and with `domaines verify`.
 */

const ZONE = "collectivite.fr";
const dir = mkdtempSync(join(tmpdir(), "domaines-knot-test-"));
const ledger = join(dir, "ledger");
const dkimFile = join(dir, "dkim.json");
let knot: KnotServer;
let resolver: Resolver;
let served: string;

beforeAll(async () => {
  mkdirSync(ledger);
  writeFileSync(join(ledger, "ledger.jsonl"), serializeLedger(smallLedger()));
  writeFileSync(dkimFile, JSON.stringify(smallDkim()));
  served = renderZone(desiredZone(smallLedger(), config(), smallDkim()));
  knot = await startKnot([{ zone: ZONE, text: served }]);
  resolver = new Resolver({ timeout: 1000, tries: 2 });
  resolver.setServers([knot.address]);
});

afterAll(async () => {
  await knot?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const txt = async (name: string) => (await resolver.resolveTxt(name)).map((c) => c.join(""));
const verify = (fqdn: string, ...extra: string[]) => runCliAsync(["verify", fqdn, "--resolver", knot.address, "--ledger", ledger, "--dkim", dkimFile, ...extra]);

describe("knotd serves the rendered zone", () => {
  it("answers the mail records of an enrolled commune", async () => {
    const mx = await resolver.resolveMx("mende.collectivite.fr");
    expect(mx.map((m) => `${m.priority} ${m.exchange}`).sort()).toEqual(["10 mx1.mail.suite-territoriale.anct.gouv.fr", "20 mx2.mail.suite-territoriale.anct.gouv.fr"]);
    expect(await txt("mende.collectivite.fr")).toEqual(["v=spf1 include:_spf.mail.suite-territoriale.anct.gouv.fr -all"]);
    expect(await txt("_dmarc.mende.collectivite.fr")).toEqual(["v=DMARC1; p=reject; adkim=s; aspf=s; rua=mailto:dmarc-rapports@suite-territoriale.anct.gouv.fr"]);
    const dkim = await resolver.resolveTxt("stmessages._domainkey.mende.collectivite.fr");
    expect(dkim).toHaveLength(1);
    expect(dkim[0]!.length).toBeGreaterThan(1); // several character-strings …
    expect(dkim[0]!.join("")).toBe(`v=DKIM1; k=rsa; p=${dkimPublicKey()}`); // … that join to the key
    expect(await txt("_smtp._tls.mende.collectivite.fr")).toEqual(["v=TLSRPTv1; rua=mailto:tls-rapports@suite-territoriale.anct.gouv.fr"]);
    // internet.nl asks that _domainkey.<domain> exist (NOERROR, no data), not NXDOMAIN.
    await expect(resolver.resolveTxt("_domainkey.mende.collectivite.fr")).rejects.toMatchObject({ code: "ENODATA" });
  });

  it.each([
    ["saint-denis", "a reserved homonym label"],
    ["ancienne", "a tombstone"],
    ["mende-nouvelle", "a rename reservation"],
    ["personne-ici", "an unallocated name (wildcard)"],
  ])("refuses mail on %s (%s): null MX and SPF -all", async (label) => {
    const mx = await resolver.resolveMx(`${label}.collectivite.fr`);
    expect(mx).toEqual([{ priority: 0, exchange: "" }]);
    expect(await txt(`${label}.collectivite.fr`)).toEqual(["v=spf1 -all"]);
  });

  it("serves the zone DMARC with sp=reject, and no wildcard below an existing commune", async () => {
    expect((await txt("_dmarc.collectivite.fr"))[0]).toMatch(/^v=DMARC1; p=reject; sp=reject;/);
    // The wildcard stops at names that exist: mende's subdomains are not covered by it.
    await expect(resolver.resolveMx("inconnu.mende.collectivite.fr")).rejects.toMatchObject({ code: "ENOTFOUND" });
  });
});

describe("domaines verify against knotd", () => {
  it("says correct for every record of an enrolled commune and passes RPNT 2.3-2.7", async () => {
    const r = await verify("mende.collectivite.fr", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(true);
    expect(report.records.map((x: { purpose: string; status: string }) => `${x.purpose}:${x.status}`).sort()).toEqual(
      ["dkim", "dmarc", "mx1", "mx2", "spf", "tls-rpt", "web-a-1", "web-aaaa-1", "www"].map((p) => `${p}:correct`),
    );
    const criteria = Object.fromEntries(report.criteria.map((c: { id: string; status: string }) => [c.id, c.status]));
    expect(criteria).toEqual({ "2.3": "pass", "2.4": "pass", "2.5": "pass", "2.6": "pass", "2.7": "pass", "2.8": "not-checked" });
    // What the server answered, as a person reads it: the compressed IPv6 form (RFC 5952).
    expect(report.records.find((x: { purpose: string }) => x.purpose === "web-aaaa-1").found).toEqual(["2001:db8::10"]);
  });

  it("accepts a reserved label, a tombstone and an unallocated name serving the no-mail set", async () => {
    for (const label of ["saint-denis", "ancienne", "personne-ici"]) {
      const r = await verify(`${label}.collectivite.fr`, "--json");
      expect(r.code, r.stdout).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.records.map((x: { type: string; status: string }) => `${x.type}:${x.status}`).sort()).toEqual(["MX:correct", "TXT:correct"]);
      expect(report.criteria.every((c: { status: string }) => c.status === "not-applicable")).toBe(true);
    }
  });

  it("reports a pending DKIM without failing", async () => {
    const r = await verify("marvejols.collectivite.fr", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).records).toContainEqual(expect.objectContaining({ purpose: "dkim", status: "pending" }));
  });

  it("prints a readable report", async () => {
    const r = await verify("mende.collectivite.fr");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^mende\.collectivite\.fr \(allocated\) asked to 127\.0\.0\.1:\d+/);
    expect(r.stdout).toMatch(/ok {3}correct {4}stmessages\._domainkey\.mende\.collectivite\.fr TXT \(dkim\)/);
    expect(r.stdout).toMatch(/2\.7 pass/);
    expect(r.stdout).toContain("All records as the model says.");
  });

  describe("when the served zone is altered", () => {
    beforeAll(async () => {
      const serial = /SOA\t\S+ \S+ (\d+)/.exec(served)![1]!;
      const altered = served
        .replace(`SOA\tdns200.anycast.me. tech.ovh.net. ${serial}`, `SOA\tdns200.anycast.me. tech.ovh.net. ${Number(serial) + 1}`)
        .replace("mende\t3600\tIN\tMX\t20 mx2.mail.suite-territoriale.anct.gouv.fr.", "mende\t3600\tIN\tMX\t20 mx.attacker.example.")
        .replace('mende\t3600\tIN\tTXT\t"v=spf1 include:_spf.mail.suite-territoriale.anct.gouv.fr -all"', 'mende\t3600\tIN\tTXT\t"v=spf1 include:_spf.mail.suite-territoriale.anct.gouv.fr ?all"')
        .replace(/^_dmarc\.mende\t.*\n/m, "")
        .replace(/p=MIIB/, "p=MIIC")
        .replace('_smtp._tls.mende\t3600\tIN\tTXT\t"v=TLSRPTv1;', '_smtp._tls.mende\t3600\tIN\tTXT\t"v=TLSRPTv1; rua=mailto:x@example.net"\n_smtp._tls.mende\t3600\tIN\tTXT\t"v=TLSRPTv1;')
        .replace("ancienne\t3600\tIN\tMX\t0 .", "ancienne\t3600\tIN\tMX\t10 mx1.mail.suite-territoriale.anct.gouv.fr.");
      expect(altered).not.toBe(served);
      await knot.replaceZone(ZONE, altered);
    });

    it("reports each broken record of the commune and the RPNT criteria it fails, exit 1", async () => {
      const r = await verify("mende.collectivite.fr", "--json");
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout);
      const status = (purpose: string | null, type?: string) =>
        report.records.filter((x: { purpose: string | null; type: string }) => x.purpose === purpose && (type === undefined || x.type === type)).map((x: { status: string }) => x.status);
      expect(status("mx1")).toEqual(["correct"]);
      expect(status("mx2")).toEqual(["incorrect"]);
      expect(status("spf")).toEqual(["incorrect"]);
      expect(status("dmarc")).toEqual(["missing"]);
      expect(status("dkim")).toEqual(["incorrect"]);
      expect(status("tls-rpt")).toEqual(["correct"]);
      expect(status(null, "TXT")).toEqual(["unexpected"]); // the extra TLS-RPT record
      expect(status("www")).toEqual(["correct"]);
      const mx2 = report.records.find((x: { purpose: string }) => x.purpose === "mx2");
      expect(mx2.found).toContain("20 mx.attacker.example.");
      const criteria = Object.fromEntries(report.criteria.map((c: { id: string; status: string }) => [c.id, c.status]));
      expect(criteria).toMatchObject({ "2.3": "pass", "2.4": "pass", "2.5": "fail", "2.6": "fail", "2.7": "fail" });
      expect(report.failures).toBe(5 + 3);
    });

    it("reports a tombstone that receives mail again", async () => {
      const r = await verify("ancienne.collectivite.fr");
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/BAD  incorrect +ancienne\.collectivite\.fr MX \(null-mx\)\n +expected: 0 \.\n +served with other values: 10 mx1\.mail\.suite-territoriale\.anct\.gouv\.fr\./);
    });
  });
});

describe("domaines verify input errors", () => {
  it("refuses a resolver that is not an address (exit 2)", async () => {
    const r = await runCliAsync(["verify", "mende.collectivite.fr", "--resolver", "localhost:99999", "--ledger", ledger]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--resolver "localhost:99999" is not an address; use HOST:PORT/);
  });

  it("refuses a name outside the zone (exit 2)", async () => {
    const r = await runCliAsync(["verify", "mende.example.org", "--ledger", ledger]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a name under collectivite\.fr/);
  });

  it("fails clearly when no DNS server answers (exit 1)", async () => {
    const port = await freePort();
    const r = await runCliAsync(["verify", "mende.collectivite.fr", "--resolver", `127.0.0.1:${port}`, "--ledger", ledger, "--dkim", dkimFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`the DNS server 127\\.0\\.0\\.1:${port} did not answer .*check that it runs`));
    expect(r.stderr).not.toMatch(/at .*\.js/);
  });
});
