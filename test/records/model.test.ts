import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { allRecords, desiredZone, stackRecords, validateZone, type DesiredRecord, type OwnerRecords } from "../../src/records/index.js";
import { config, dkimPublicKey, enrolment, entry, smallDkim, smallLedger } from "./fixtures.js";

const zone = () => desiredZone(smallLedger(), config(), smallDkim());
const owner = (label: string): OwnerRecords => zone().owners.find((o) => o.label === label)!;
const at = (o: OwnerRecords, name: string, type: string): string[] => o.records.filter((r) => r.name === name && r.type === type).map((r) => r.value);

describe("records per ledger state", () => {
  it("gives an enrolled commune the Messages set of the spec and the web records", () => {
    const mende = owner("mende");
    expect(mende.owner).toBe("214800957");
    expect(at(mende, "mende", "MX").sort()).toEqual(["10 mx1.mail.suite-territoriale.anct.gouv.fr.", "20 mx2.mail.suite-territoriale.anct.gouv.fr."]);
    expect(at(mende, "mende", "TXT")).toEqual(["v=spf1 include:_spf.mail.suite-territoriale.anct.gouv.fr -all"]);
    expect(at(mende, "stmessages._domainkey.mende", "TXT")).toEqual([`v=DKIM1; k=rsa; p=${dkimPublicKey()}`]);
    expect(at(mende, "_dmarc.mende", "TXT")).toEqual(["v=DMARC1; p=reject; adkim=s; aspf=s; rua=mailto:dmarc-rapports@suite-territoriale.anct.gouv.fr"]);
    expect(at(mende, "_smtp._tls.mende", "TXT")).toEqual(["v=TLSRPTv1; rua=mailto:tls-rapports@suite-territoriale.anct.gouv.fr"]);
    expect(at(mende, "mende", "A")).toEqual(["192.0.2.10"]);
    expect(at(mende, "mende", "AAAA")).toEqual(["2001:db8::10"]);
    expect(at(mende, "www.mende", "CNAME")).toEqual(["mende.collectivite.fr."]);
    expect(mende.pending).toEqual([]);
    expect(mende.records.map((r) => r.purpose).sort()).toEqual(["dkim", "dmarc", "mx1", "mx2", "spf", "tls-rpt", "web-a-1", "web-aaaa-1", "www"]);
  });

  it("gives each owner a typed holder and the record set that published each record", () => {
    const z = zone();
    const holders = Object.fromEntries(z.owners.map((o) => [o.label, o.holder]));
    expect(holders.mende).toEqual({ kind: "commune", key: "214800957" });
    expect(holders.chirac).toEqual({ kind: "label", label: "chirac" });
    expect(holders["saint-denis"]).toEqual({ kind: "label", label: "saint-denis" });
    expect(holders.ancienne).toEqual({ kind: "label", label: "ancienne" });
    const sets = (label: string) => Object.fromEntries(owner(label).records.map((r) => [r.purpose, r.set]));
    expect(sets("mende")).toEqual({ mx1: "messages", mx2: "messages", spf: "messages", dkim: "messages", dmarc: "messages", "tls-rpt": "messages", "web-a-1": "web", "web-aaaa-1": "web", www: "web" });
    expect(sets("langogne")).toEqual({ "null-mx": "no-mail", "spf-none": "no-mail" });
    expect(new Set(z.zoneRecords.map((r) => r.set))).toEqual(new Set(["zone"]));
    expect(new Set(z.authority.map((r) => r.set))).toEqual(new Set(["authority"]));
  });

  it("names a renamed commune by its latest name", () => {
    const renamed = smallLedger().map((e) => (e.label === "mende" ? { ...e, nameHistory: [{ name: "Mende-Ville", since: "2025-01-01" }, { name: "Mende-la-Neuve", since: "2026-01-01" }] } : e));
    expect(desiredZone(renamed, config(), smallDkim()).owners.find((o) => o.label === "mende")!.name).toBe("Mende-la-Neuve");
    expect(owner("marvejols").name).toBe("Marvejols");
  });

  it("marks the DKIM record pending when Messages has not given the key, and publishes the rest", () => {
    const marvejols = owner("marvejols");
    expect(marvejols.pending).toEqual([expect.objectContaining({ purpose: "dkim", missing: "dkim", owner: "214800924" })]);
    expect(marvejols.records.some((r) => r.name.includes("_domainkey"))).toBe(false);
    expect(marvejols.records.map((r) => r.purpose)).toContain("mx1");
    expect(marvejols.records.map((r) => r.purpose)).toContain("dmarc");
  });

  it("gives a Fichiers-only commune web records, no DNS of Fichiers, and an explicit refusal of mail", () => {
    const f = owner("florac-trois-rivieres");
    expect(at(f, "florac-trois-rivieres", "MX")).toEqual(["0 ."]);
    expect(at(f, "florac-trois-rivieres", "TXT")).toEqual(["v=spf1 -all"]);
    expect(at(f, "florac-trois-rivieres", "A")).toEqual(["192.0.2.10"]);
    expect(f.records).toHaveLength(5);
  });

  it("gives an allocated commune without service no web and no mail", () => {
    const l = owner("langogne");
    expect(l.records.map((r) => `${r.type} ${r.value}`).sort()).toEqual(["MX 0 .", "TXT v=spf1 -all"]);
  });

  it("gives an alias of a Messages commune the receive-only set: MX pair, SPF -all, DMARC, no DKIM", () => {
    const chirac = owner("chirac");
    expect(chirac.owner).toBe("chirac");
    expect(chirac.role).toBe("alias");
    expect(at(chirac, "chirac", "MX")).toHaveLength(2);
    expect(at(chirac, "chirac", "TXT")).toEqual(["v=spf1 -all"]);
    expect(at(chirac, "_dmarc.chirac", "TXT")[0]).toMatch(/^v=DMARC1; p=reject;/);
    expect(chirac.records.some((r) => r.purpose === "dkim")).toBe(false);
    expect(chirac.pending).toEqual([]);
    expect(at(chirac, "www.chirac", "CNAME")).toEqual(["chirac.collectivite.fr."]);
  });

  it("gives an alias of a commune without Messages the no-mail set", () => {
    const florac = owner("florac");
    expect(at(florac, "florac", "MX")).toEqual(["0 ."]);
    expect(at(florac, "florac", "TXT")).toEqual(["v=spf1 -all"]);
  });

  it.each(["saint-denis", "mende-nouvelle", "ancienne"])("refuses mail on %s (reserved or tombstoned): null MX and SPF -all only", (label) => {
    const o = owner(label);
    expect(o.records.map((r) => `${r.name} ${r.type} ${r.value}`).sort()).toEqual([`${label} MX 0 .`, `${label} TXT v=spf1 -all`]);
    expect(o.owner).toBe(label);
  });

  it("publishes the zone-level DMARC with sp=reject, CAA, and a wildcard refusing mail for unallocated names", () => {
    const z = zone();
    const v = (name: string, type: string) => z.zoneRecords.filter((r) => r.name === name && r.type === type).map((r) => r.value);
    expect(v("_dmarc", "TXT")[0]).toMatch(/^v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s; rua=mailto:/);
    expect(v("", "CAA")).toContain('0 issue "letsencrypt.org"');
    expect(v("*", "MX")).toEqual(["0 ."]);
    expect(v("*", "TXT")).toEqual(["v=spf1 -all"]);
    expect(z.authority.map((r) => r.value)).toEqual(["dns200.anycast.me.", "ns200.anycast.me."]);
  });

  it("produces a valid model", () => {
    expect(validateZone(zone())).toEqual([]);
  });
});

describe("scopes and stacks", () => {
  it("filters owners to one département and keeps zone-level records apart", () => {
    const entries = [...smallLedger(), entry({ label: "ajaccio", state: "allocated", key: "212000046", departement: "2A", services: enrolment("messages") })];
    const z48 = desiredZone(entries, config(), smallDkim(), { departement: "48" });
    expect(z48.owners.every((o) => o.departement === "48")).toBe(true);
    expect(z48.owners.map((o) => o.label)).not.toContain("saint-denis");
    const z2a = desiredZone(entries, config(), {}, { departement: "2a" });
    expect(z2a.owners.map((o) => o.label)).toEqual(["ajaccio"]);
    const all = desiredZone(entries, config(), smallDkim());
    const platform = stackRecords(all, "platform");
    expect(platform.filter((r) => r.owner === "zone").length).toBe(all.zoneRecords.length);
    expect(platform.filter((r) => r.owner === "saint-denis")).toHaveLength(2);
    const counted = platform.length + stackRecords(all, "48").length + stackRecords(all, "2A").length;
    expect(counted).toBe(allRecords(all).length);
  });

  it("keeps (owner, purpose) unique, including a commune holding a rename reservation", () => {
    const ids = allRecords(zone()).map((r) => `${r.owner}/${r.purpose}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("derives the serial from the latest change, so the same input gives the same serial", () => {
    const a = desiredZone(smallLedger(), config(), smallDkim());
    const b = desiredZone(smallLedger(), config(), smallDkim());
    expect(a.soa.serial).toBe(b.soa.serial);
    expect(a.soa.serial).toBe(Date.parse("2026-03-01T10:00:00.000Z") / 1000);
    const later = [...smallLedger(), entry({ label: "x", state: "tombstone", updatedAt: "2026-04-01T00:00:00.000Z" })];
    expect(desiredZone(later, config(), smallDkim()).soa.serial).toBeGreaterThan(a.soa.serial);
  });
});

describe("the service catalog is configuration", () => {
  const base = () => JSON.parse(JSON.stringify(config())) as Record<string, any>;

  it("adds MTA-STS and a new service's records by configuration alone", () => {
    const c = base();
    c.dns.variables.mtaStsPolicyId = "20260301";
    c.dns.variables.mtaStsHost = "mta-sts.mail.suite-territoriale.anct.gouv.fr";
    c.dns.recordSets.messages.records.push(
      { purpose: "mta-sts", name: "_mta-sts", type: "TXT", value: "v=STSv1; id={mtaStsPolicyId}", for: ["member"] },
      { purpose: "mta-sts-host", name: "mta-sts", type: "CNAME", value: "{mtaStsHost}.", for: ["member"] },
    );
    c.dns.recordSets.visio = { when: { enrolledIn: "visio" }, records: [{ purpose: "visio", name: "visio", type: "CNAME", value: "visio.example.net." }] };
    const cfg = parseConfig(c, "test");
    const entries = [entry({ label: "mende", state: "allocated", key: "214800957", departement: "48", services: enrolment("messages", "visio") })];
    const z = desiredZone(entries, cfg, smallDkim());
    const recs = z.owners[0]!.records;
    expect(recs.find((r) => r.purpose === "mta-sts")).toMatchObject({ name: "_mta-sts.mende", value: "v=STSv1; id=20260301" });
    expect(recs.find((r) => r.purpose === "mta-sts-host")).toMatchObject({ name: "mta-sts.mende", type: "CNAME" });
    expect(recs.find((r) => r.purpose === "visio")).toMatchObject({ name: "visio.mende", value: "visio.example.net." });
    expect(validateZone(z)).toEqual([]);
  });

  it("expands a list of web addresses into one record each", () => {
    const c = base();
    c.dns.variables.webIPv4 = ["192.0.2.10", "192.0.2.11"];
    const z = desiredZone([entry({ label: "mende", state: "allocated", key: "214800957", services: enrolment("fichiers") })], parseConfig(c, "test"), {});
    const a: DesiredRecord[] = z.owners[0]!.records.filter((r) => r.type === "A");
    expect(a.map((r) => [r.purpose, r.value])).toEqual([["web-a-1", "192.0.2.10"], ["web-a-2", "192.0.2.11"]]);
  });

  it("refuses a template with an unknown placeholder, naming where it is", () => {
    const c = base();
    c.dns.recordSets.messages.records[0].value = "10 mx1.{mailDomian}.";
    expect(() => parseConfig(c, "cfg.json")).toThrow(/dns\.recordSets\.messages\.records\.0\.value: unknown placeholder \{mailDomian\}/);
  });

  it("refuses per-label placeholders in zone-level records", () => {
    const c = base();
    c.dns.zoneRecords.push({ purpose: "x", name: "{label}", type: "TXT", value: "x" });
    expect(() => parseConfig(c, "cfg.json")).toThrow(/dns\.zoneRecords\.3\.name: unknown placeholder \{label\}/);
  });

  it("says what to do when the configuration has no dns section", () => {
    expect(() => desiredZone(smallLedger(), parseConfig({ zone: "collectivite.fr" }, "t"), {})).toThrow(/no "dns" section/);
  });
});
