import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { desiredZone, quoteTxtString, renderZone, txtChunks, validateZone, type DesiredZone } from "../../src/records/index.js";
import { checkZone } from "../support/knot.js";
import { config, departementLedger, dkimFor, dkimPublicKey, smallDkim, smallLedger, syntheticLedger } from "./fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "domaines-zonefile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function expectBothAccept(desired: DesiredZone, name: string): Promise<string> {
  expect(validateZone(desired)).toEqual([]);
  const text = renderZone(desired);
  const file = write(name, text);
  for (const tool of ["named-checkzone", "kzonecheck"] as const) {
    const r = await checkZone(tool, desired.zone, file);
    expect(r.output, `${tool} on ${name}`).not.toMatch(/error/i);
    expect(r.code, `${tool} on ${name}: ${r.output}`).toBe(0);
  }
  return text;
}

/** Records as named-checkzone reads them back (canonical dump): what a server would load. */
function loadedRecords(zone: string, file: string): string[] {
  const out = execFileSync("named-checkzone", ["-q", "-D", "-o", "-", zone, file], { encoding: "utf8" });
  return out.split("\n").filter((l) => l.trim() !== "");
}

describe("TXT strings", () => {
  it("splits values over 255 octets and keeps the whole value", () => {
    const key = `v=DKIM1; k=rsa; p=${dkimPublicKey()}`;
    const chunks = txtChunks(key);
    expect(key.length).toBeGreaterThan(255);
    expect(chunks.length).toBe(Math.ceil(key.length / 255));
    expect(chunks.every((c) => Buffer.byteLength(c) <= 255)).toBe(true);
    expect(chunks.join("")).toBe(key);
    expect(txtChunks("a".repeat(255))).toEqual(["a".repeat(255)]);
    expect(txtChunks("a".repeat(510))).toEqual(["a".repeat(255), "a".repeat(255)]);
  });

  it("never cuts a multi-byte character", () => {
    const chunks = txtChunks(`${"a".repeat(254)}é${"b".repeat(10)}`);
    expect(chunks[0]).toBe("a".repeat(254));
    expect(chunks.join("")).toBe(`${"a".repeat(254)}é${"b".repeat(10)}`);
  });

  it("escapes what could end a string early", () => {
    expect(quoteTxtString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteTxtString("x\ny")).toBe('"x\\010y"');
    expect(quoteTxtString("é")).toBe('"\\195\\169"');
  });

  it("keeps a hostile value inside one TXT record even without validation", async () => {
    const z = desiredZone(smallLedger(), config(), smallDkim());
    z.zoneRecords.push({ owner: "zone", name: "evil", type: "TXT", ttl: 3600, value: 'x" ; \nevil2 3600 IN A 192.0.2.66 ; "', purpose: "evil", set: "zone" });
    const file = write("hostile.zone", renderZone(z));
    const loaded = loadedRecords(z.zone, file);
    expect(loaded.filter((l) => l.startsWith("evil"))).toHaveLength(1);
    expect(loaded.some((l) => l.startsWith("evil2"))).toBe(false);
  });
});

describe("zone file", () => {
  it("is deterministic: same input, same bytes, whatever the ledger order", () => {
    const a = renderZone(desiredZone(smallLedger(), config(), smallDkim()));
    const b = renderZone(desiredZone([...smallLedger()].reverse(), config(), smallDkim()));
    expect(b).toBe(a);
  });

  it("carries SOA and NS from configuration and the long DKIM key as several strings", async () => {
    const text = await expectBothAccept(desiredZone(smallLedger(), config(), smallDkim()), "small.zone");
    expect(text).toContain("$ORIGIN collectivite.fr.");
    expect(text).toMatch(/^@\t3600\tIN\tSOA\tdns200\.anycast\.me\. tech\.ovh\.net\. 1772359200 86400 3600 3600000 300$/m);
    expect(text).toMatch(/^@\t3600\tIN\tNS\tdns200\.anycast\.me\.$/m);
    const dkim = text.split("\n").find((l) => l.startsWith("stmessages._domainkey.mende\t"))!;
    expect(dkim.match(/"[^"]*"/g)!.length).toBeGreaterThanOrEqual(2);
    const loaded = loadedRecords("collectivite.fr", join(dir, "small.zone"));
    expect(loaded.find((l) => l.startsWith("stmessages._domainkey.mende.collectivite.fr."))).toContain(`"${txtChunks(`v=DKIM1; k=rsa; p=${dkimPublicKey()}`)[1]}"`);
  });

  it("is accepted by both checkers for a full département (Lozère, every commune enrolled)", async () => {
    const { entries, fqdns } = departementLedger("48");
    expect(entries.length).toBeGreaterThan(100);
    const desired = desiredZone(entries, config(), dkimFor(fqdns));
    const text = await expectBothAccept(desired, "lozere.zone");
    expect(text.split("\n").filter((l) => /\tMX\t10 /.test(l)).length).toBe(fqdns.length);
  });

  it("is accepted by both checkers for 10,000 synthetic enrolled communes", async () => {
    const { entries, dkim } = syntheticLedger(10_000);
    const desired = desiredZone(entries, config(), dkim);
    const text = await expectBothAccept(desired, "synthetic.zone");
    expect(text.split("\n").filter((l) => l.includes("._domainkey.")).length).toBe(10_000);
  });

  it("uses checkers that do refuse a broken zone (so the acceptance above means something)", async () => {
    const good = renderZone(desiredZone(smallLedger(), config(), smallDkim()));
    const longString = write("long-string.zone", `${good}toolong\t3600\tIN\tTXT\t"${"a".repeat(256)}"\n`);
    expect((await checkZone("named-checkzone", "collectivite.fr", longString)).code).not.toBe(0);
    const cnameBeside = write("cname.zone", `${good}www.mende\t3600\tIN\tTXT\t"x"\n`);
    expect((await checkZone("named-checkzone", "collectivite.fr", cnameBeside)).code).not.toBe(0);
    expect((await checkZone("kzonecheck", "collectivite.fr", cnameBeside)).code).not.toBe(0);
  });
});

describe("a delegated, signed commune in the zone file", () => {
  const DS = "2371 13 2 1F987CC6583E92DF0890718C42E1A1DF1E7D2A4A2AB12E3E2FF7E3A97BB5D5F4";
  const ledger = () => smallLedger().map((e) => (e.label === "mende" ? { ...e, delegation: { nameservers: ["ns0.dom.scw.cloud", "ns1.dom.scw.cloud"], ds: [DS], since: e.allocatedAt } } : e));

  it("holds its NS set and DS only, although enrolled in Messages; both checkers accept it", async () => {
    const text = await expectBothAccept(desiredZone(ledger(), config(), smallDkim()), "delegated.zone");
    const lines = text.split("\n").filter((l) => /^(\S+\.)?mende\t/.test(l));
    expect(lines).toEqual(["mende\t3600\tIN\tNS\tns0.dom.scw.cloud.", "mende\t3600\tIN\tNS\tns1.dom.scw.cloud.", `mende\t3600\tIN\tDS\t${DS}`]);
    // Loaded as a server would: the DS at the cut, the rest of the zone unchanged (chirac, its alias, keeps its own records).
    const loaded = loadedRecords("collectivite.fr", join(dir, "delegated.zone"));
    expect(loaded.filter((l) => /^(\S+\.)?mende\.collectivite\.fr\./.test(l)).map((l) => l.split(/\s+/)[3]).sort()).toEqual(["DS", "NS", "NS"]);
    expect(loaded.some((l) => l.startsWith("chirac.collectivite.fr.") && /\sMX\s/.test(l))).toBe(true);
  });

  it("refuses a DS that is not at a zone cut, and a record below the cut", () => {
    const base = desiredZone(ledger(), config(), smallDkim());
    const mende = base.owners.find((o) => o.label === "mende")!;
    const below = { ...base, owners: base.owners.map((o) => (o === mende ? { ...o, records: [...o.records, { ...o.records[0]!, name: "webmail.mende", type: "CNAME" as const, value: "webmail.example.net.", purpose: "x" }] } : o)) };
    expect(validateZone(below).map((p) => p.rule)).toContain("delegation");
    const langogne = base.owners.find((o) => o.label === "langogne")!;
    const strayDs = { ...base, owners: base.owners.map((o) => (o === langogne ? { ...o, records: [...o.records, { ...o.records[0]!, type: "DS" as const, value: DS, purpose: "ds-1" }] } : o)) };
    expect(validateZone(strayDs).map((p) => p.rule)).toContain("delegation");
  });

  it("with dns.allocatedWithoutService wildcard: a delegated commune without service still gets its NS set, nothing else", async () => {
    const base = config();
    const wildcard = { ...base, dns: { ...base.dns!, allocatedWithoutService: "wildcard" as const } };
    const entries = ledger().map((e) => (e.label === "langogne" ? { ...e, delegation: { nameservers: ["ns0.dom.scw.cloud", "ns1.dom.scw.cloud"], since: e.allocatedAt } } : e));
    const text = await expectBothAccept(desiredZone(entries, wildcard, smallDkim()), "delegated-wildcard.zone");
    expect(text.split("\n").filter((l) => /^(\S+\.)?langogne\t/.test(l))).toEqual(["langogne\t3600\tIN\tNS\tns0.dom.scw.cloud.", "langogne\t3600\tIN\tNS\tns1.dom.scw.cloud."]);
  });
});
