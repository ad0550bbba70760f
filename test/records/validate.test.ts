import { describe, expect, it } from "vitest";
import { desiredZone, validateRecords, assertValidZone, type DesiredRecord, type RecordRule } from "../../src/records/index.js";
import { validateZone } from "../../src/records/validate.js";
import { config, smallDkim, smallLedger } from "./fixtures.js";

const Z = "collectivite.fr";
let n = 0;
const rec = (name: string, type: DesiredRecord["type"], value: string, extra: Partial<DesiredRecord> = {}): DesiredRecord => ({
  owner: "o",
  name,
  type,
  ttl: 3600,
  value,
  purpose: `p${n++}`,
  set: "test",
  ...extra,
} as DesiredRecord);
const mxPair = (name = "mende") => [rec(name, "MX", "10 mx1.example.net."), rec(name, "MX", "20 mx2.example.net.")];

/** The rules a set breaks, with the message of the first problem of each. */
function broken(records: DesiredRecord[]): Map<RecordRule, string> {
  const out = new Map<RecordRule, string>();
  for (const p of validateRecords(records, Z)) if (!out.has(p.rule)) out.set(p.rule, p.message);
  return out;
}

function expectRule(records: DesiredRecord[], rule: RecordRule, message: RegExp): void {
  const found = broken(records);
  expect([...found.keys()], `expected ${rule}, got ${[...found.entries()].map(([r, m]) => `${r}: ${m}`).join("; ")}`).toContain(rule);
  expect(found.get(rule)).toMatch(message);
}

describe("validation names the record and the rule", () => {
  it("accepts a good mail set", () => {
    expect(validateRecords([...mxPair(), rec("mende", "TXT", "v=spf1 include:_spf.example.net -all"), rec("_dmarc.mende", "TXT", "v=DMARC1; p=reject; adkim=s; aspf=s; rua=mailto:d@example.net")], Z)).toEqual([]);
  });

  it("requires at least 2 MX", () => expectRule([rec("mende", "MX", "10 mx1.example.net.")], "mx-count", /^mende\.collectivite\.fr MX \(p\d+\) breaks mx-count: 1 MX record; at least 2/));
  it("keeps a null MX alone", () => expectRule([rec("x", "MX", "0 ."), rec("x", "MX", "10 mx1.example.net.")], "null-mx", /x\.collectivite\.fr MX .* breaks null-mx: a null MX \(0 \.\) must be the only MX/));

  it("checks SPF syntax", () => expectRule([rec("mende", "TXT", "v=spf1 inclde:_spf.example.net -all")], "spf", /mende\.collectivite\.fr TXT .* breaks spf: "inclde:_spf\.example\.net" is not a valid SPF mechanism/));
  it("checks SPF ip4 addresses", () => expectRule([rec("mende", "TXT", "v=spf1 ip4:300.1.1.1 -all")], "spf", /"ip4:300\.1\.1\.1" is not a valid SPF mechanism/));
  it("counts SPF look-ups", () => {
    const includes = Array.from({ length: 11 }, (_, i) => `include:s${i}.example.net`).join(" ");
    expectRule([rec("mende", "TXT", `v=spf1 ${includes} -all`)], "spf-lookups", /breaks spf-lookups: 11 DNS look-ups, more than 10/);
    expect(broken([rec("mende", "TXT", `v=spf1 ${Array.from({ length: 10 }, (_, i) => `include:s${i}.example.net`).join(" ")} -all`)]).has("spf-lookups")).toBe(false);
  });
  it("requires SPF to end with -all or ~all", () => {
    expectRule([rec("mende", "TXT", "v=spf1 include:_spf.example.net ?all")], "spf-all", /breaks spf-all: ends with "\?all"/);
    expectRule([rec("mende", "TXT", "v=spf1 include:_spf.example.net +all")], "spf-all", /ends with "\+all"/);
    expect(broken([rec("mende", "TXT", "v=spf1 include:_spf.example.net ~all")]).size).toBe(0);
  });
  it("refuses two SPF records at one name", () => expectRule([rec("m", "TXT", "v=spf1 -all"), rec("m", "TXT", "v=spf1 ~all")], "spf", /more than one SPF record/));

  it("checks DMARC syntax", () => expectRule([rec("_dmarc.m", "TXT", "v=DMARC1 p=reject")], "dmarc", /_dmarc\.m\.collectivite\.fr TXT .* breaks dmarc: not a DMARC record/));
  it("requires p=reject or quarantine", () => expectRule([rec("_dmarc.m", "TXT", "v=DMARC1; p=none")], "dmarc-policy", /breaks dmarc-policy: p=none; the policy must be reject or quarantine/));
  it("refuses pct below 100", () => expectRule([rec("_dmarc.m", "TXT", "v=DMARC1; p=reject; pct=50")], "dmarc-pct", /breaks dmarc-pct: pct=50/));
  it("refuses a relaxed subdomain or non-existent-domain policy (sp, np)", () => {
    expectRule([rec("_dmarc", "TXT", "v=DMARC1; p=reject; sp=none; adkim=s; aspf=s")], "dmarc-policy", /_dmarc\.collectivite\.fr TXT .* breaks dmarc-policy: sp=none; must be reject or quarantine/);
    expectRule([rec("_dmarc", "TXT", "v=DMARC1; p=reject; np=none; adkim=s; aspf=s")], "dmarc-policy", /np=none; must be reject or quarantine/);
    expect(broken([rec("_dmarc", "TXT", "v=DMARC1; p=reject; sp=reject; np=quarantine; adkim=s; aspf=s")]).size).toBe(0);
  });
  it("refuses relaxed alignment, explicit or by default: the communes share collectivite.fr as organisational domain", () => {
    expectRule([rec("_dmarc.m", "TXT", "v=DMARC1; p=reject; adkim=r; aspf=s")], "dmarc-alignment", /breaks dmarc-alignment: adkim=r \(relaxed\); the communes share the organisational domain, so alignment must be strict: adkim=s/);
    expectRule([rec("_dmarc.m", "TXT", "v=DMARC1; p=reject; adkim=s; aspf=r")], "dmarc-alignment", /aspf=r \(relaxed\);.*aspf=s/);
    const absent = validateRecords([rec("_dmarc.m", "TXT", "v=DMARC1; p=reject")], Z).filter((p) => p.rule === "dmarc-alignment").map((p) => p.message.replace(/^.* breaks dmarc-alignment: /, ""));
    expect(absent).toEqual([
      "adkim absent (relaxed by default); the communes share the organisational domain, so alignment must be strict: adkim=s",
      "aspf absent (relaxed by default); the communes share the organisational domain, so alignment must be strict: aspf=s",
    ]);
    expect(broken([rec("_dmarc.m", "TXT", "v=DMARC1; p=quarantine; adkim=s; aspf=s")]).size).toBe(0);
  });
  it("refuses unknown DMARC tags and bad report addresses", () => {
    expectRule([rec("_dmarc.m", "TXT", "v=DMARC1; p=reject; adkim=x")], "dmarc", /adkim=x; must be r or s/);
    expectRule([rec("_dmarc.m", "TXT", "v=DMARC1; p=reject; rua=dmarc@example.net")], "dmarc", /rua=dmarc@example\.net; must be mailto:/);
    expectRule([rec("_dmarc.m", "TXT", "v=DMARC1; p=reject; pcnt=100")], "dmarc", /unknown tag "pcnt"/);
  });

  it("refuses a CNAME beside other data", () => expectRule([rec("www.m", "CNAME", "m.collectivite.fr."), rec("www.m", "TXT", "hello")], "cname-exclusive", /www\.m\.collectivite\.fr CNAME .* breaks cname-exclusive: a CNAME cannot sit beside other data \(TXT/));
  it("refuses a CNAME at the apex", () => expectRule([rec("", "CNAME", "example.net.")], "cname-exclusive", /^collectivite\.fr CNAME .* the apex holds SOA and NS/));
  it("refuses an MX whose target is a CNAME in the zone", () => {
    expectRule([rec("m", "MX", "10 mail.m.collectivite.fr."), rec("m", "MX", "20 mx2.example.net."), rec("mail.m", "CNAME", "example.net.")], "target-cname", /m\.collectivite\.fr MX .* breaks target-cname: its target mail\.m\.collectivite\.fr is a CNAME/);
  });

  it("refuses duplicates", () => expectRule([...mxPair(), rec("mende", "MX", "10 MX1.example.net.")], "duplicate", /breaks duplicate: the same name, type and value appear twice/));
  it("refuses two records with one identity", () => expectRule([rec("a", "TXT", "x", { purpose: "same" }), rec("b", "TXT", "y", { purpose: "same" })], "identity", /owner o has two records with purpose "same"/));
  it("requires one TTL per RRset", () => expectRule([rec("m", "MX", "10 a.example.net."), rec("m", "MX", "20 b.example.net.", { ttl: 300 })], "ttl-rrset", /breaks ttl-rrset: TTL 300 differs from 3600/));
  it("refuses TTLs OVH refuses", () => expectRule([rec("m", "TXT", "x", { ttl: 30 })], "ttl", /TTL 30 is outside/));

  it("keeps names within the zone", () => {
    expectRule([rec("mende.collectivite.fr", "TXT", "x")], "name", /repeats the zone/);
    expectRule([rec("mende.", "TXT", "x")], "name", /ends with a dot/);
    expectRule([rec("a..b", "TXT", "x")], "name", /label "" is not/);
    expectRule([rec("Mende", "TXT", "x")], "name", /label "Mende"/);
    expectRule([rec(`${"a".repeat(64)}`, "TXT", "x")], "name", /is not 1 to 63/);
    expectRule([rec(Array.from({ length: 5 }, () => "a".repeat(60)).join("."), "TXT", "x")], "name", /exceeds 253/);
    expect(broken([rec("*", "MX", "0 .")]).size).toBe(0);
  });

  it("refuses quotes, backslashes, control and non-ASCII characters smuggled into TXT", () => {
    for (const bad of ['v=spf1 -all" ; evil', "a\\b", "line\nbreak", "tab\there", "é"]) {
      expectRule([rec("m", "TXT", bad)], "txt-characters", /breaks txt-characters: TXT values are printable ASCII/);
    }
  });

  it("refuses a TXT value too long for one answer", () => expectRule([rec("m", "TXT", "a".repeat(2049))], "txt-length", /2049 octets, more than 2048/));

  it("checks values by type", () => {
    expectRule([rec("m", "A", "192.0.2.300")], "value", /"192\.0\.2\.300" is not an IPv4 address/);
    expectRule([rec("m", "AAAA", "192.0.2.1")], "value", /not an IPv6 address/);
    expectRule([rec("www.m", "CNAME", "m.collectivite.fr")], "value", /not an absolute host name ending with a dot/);
    expectRule([rec("m", "MX", "mx1.example.net."), rec("m", "MX", "20 b.example.net.")], "value", /is not "<preference> <host\.>"/);
    expectRule([rec("", "CAA", '0 issue "a"b"')], "value", /is not "<flags> issue\|issuewild/);
  });

  it("checks DKIM, TLS-RPT and MTA-STS records", () => {
    expectRule([rec("s._domainkey.m", "TXT", "v=DKIM1; k=rsa; p=")], "dkim", /p= public key is missing or empty/);
    expectRule([rec("_smtp._tls.m", "TXT", "v=TLSRPTv1; rua=tls@example.net")], "tls-rpt", /is not a list of mailto: or https: URIs/);
    expectRule([rec("_mta-sts.m", "TXT", "v=STSv1; id=2026-03-01")], "mta-sts", /id=<1 to 32 letters or digits>/);
  });

  it("refuses to let an invalid model out, listing every problem (exit 2 input error)", () => {
    const c = JSON.parse(JSON.stringify(config()));
    c.dns.recordSets.messages.records = c.dns.recordSets.messages.records.filter((r: { purpose: string }) => r.purpose !== "mx2");
    c.dns.variables.dmarcReports = "dmarc@example.net";
    const z = desiredZone(smallLedger(), c, smallDkim());
    let err: (Error & { exitCode?: number }) | undefined;
    try {
      assertValidZone(z);
    } catch (e) {
      err = e as Error & { exitCode?: number };
    }
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toMatch(/mende\.collectivite\.fr MX \(mx1\) breaks mx-count/);
    expect(err?.message).toMatch(/_dmarc\.mende\.collectivite\.fr TXT \(dmarc\) breaks dmarc: rua=dmarc@example\.net/);
  });
});

/**
 * Edges found by mutation testing (`npm run mutation`): each assertion fails when one
 * operator, bound or anchor of a rule is changed. `all` is every problem, exactly.
 */
describe("edges of each rule", () => {
  const all = (records: DesiredRecord[]) => validateRecords(records, Z).map((p) => p.message.replace(/ \(p\d+\) /, " "));
  const host254 = `${`${"a".repeat(63)}.`.repeat(3)}${"a".repeat(61)}.`;

  it("a problem carries the record it names", () => {
    const r = rec("m", "A", "192.0.2.300");
    expect(validateRecords([r], Z)).toEqual([{ rule: "value", record: { owner: "o", name: "m", type: "A", purpose: r.purpose, value: "192.0.2.300", set: "test" }, message: `m.collectivite.fr A (${r.purpose}) breaks value: "192.0.2.300" is not an IPv4 address` }]);
  });

  it("TTL bounds are inclusive: 60 and 604800 pass, 59 and 604801 do not", () => {
    expect(all([rec("m", "TXT", "x", { ttl: 60 }), rec("n", "TXT", "x", { ttl: 604800 })])).toEqual([]);
    expect(all([rec("m", "TXT", "x", { ttl: 604801 })])).toEqual(["m.collectivite.fr TXT breaks ttl: TTL 604801 is outside 60…604800 seconds (OVH refuses under 60)"]);
  });

  it("values by type: the good ones pass, every part of the bad ones is checked", () => {
    expect(all([rec("m", "A", "192.0.2.1"), rec("m", "AAAA", "2001:db8::1"), rec("w.m", "CNAME", "x.example.net."), rec("c", "CNAME", host254), rec("", "CAA", '0 issue "letsencrypt.org"'), rec("", "CAA", '128 iodef "m"'), rec("t", "TXT", "a".repeat(2048))])).toEqual([]);
    expect(all([rec("w.m", "CNAME", "a!b.example.net.")])).toEqual(['w.m.collectivite.fr CNAME breaks value: "a!b.example.net." is not an absolute host name ending with a dot']);
    // 255 characters of valid labels: refused for its length alone.
    const host255 = `${`${"a".repeat(63)}.`.repeat(3)}${"a".repeat(62)}.`;
    expect(all([rec("c", "CNAME", host255)])).toEqual([`c.collectivite.fr CNAME breaks value: "${host255}" is not an absolute host name ending with a dot`]);
    expect(all([rec("", "NS", "ns1 .example.net.")])).toEqual(['collectivite.fr NS breaks value: "ns1 .example.net." is not an absolute host name ending with a dot']);
    expect(all([rec("", "CAA", 'x0 issue "letsencrypt.org"')])).toEqual(['collectivite.fr CAA breaks value: "x0 issue "letsencrypt.org"" is not "<flags> issue|issuewild|iodef \\"<value>\\""']);
  });

  it("MX values: preference 0 to 65535 then one host, nothing before or after", () => {
    expect(all([rec("m", "MX", "0 mx1.example.net."), rec("m", "MX", "65535 mx2.example.net.")])).toEqual([]);
    for (const bad of ["65536 mx1.example.net.", "x10 mx1.example.net.", "10 mx1.example.net. extra", "10 bad!host."]) {
      expect(all([rec("m", "MX", bad), rec("m", "MX", "20 mx2.example.net.")]), bad).toEqual([`m.collectivite.fr MX breaks value: "${bad}" is not "<preference> <host.>" (or "0 ." for a null MX)`]);
    }
  });

  it("a null MX is exactly 0 .; the refusal names the other MX", () => {
    expect(all([rec("m", "MX", "10 .")])).toEqual(["m.collectivite.fr MX breaks mx-count: 1 MX record; at least 2 are required so that mail survives one host's outage"]);
    expect(all([rec("m", "MX", "0 .a."), rec("m", "MX", "10 mx1.example.net.")])).toEqual(['m.collectivite.fr MX breaks value: "0 .a." is not "<preference> <host.>" (or "0 ." for a null MX)']);
    const p = validateRecords([rec("m", "MX", "10 mx1.example.net."), rec("m", "MX", "0 ."), rec("m", "MX", "20 mx2.example.net.")], Z);
    expect(p.map((x) => [x.rule, x.record.value])).toEqual([["null-mx", "10 mx1.example.net."]]);
  });

  it("CNAME rules: two at one name, beside data listed first, at the apex", () => {
    expect(all([rec("w", "CNAME", "a.example.net."), rec("w", "CNAME", "b.example.net.")])).toEqual(["w.collectivite.fr CNAME breaks cname-exclusive: two CNAME records at one name"]);
    const txt = rec("w", "TXT", "hello");
    const p = validateRecords([txt, rec("w", "CNAME", "a.example.net.")], Z);
    expect(p.map((x) => [x.rule, x.record.type, x.message.replace(/^.* breaks /, "")])).toEqual([["cname-exclusive", "CNAME", `cname-exclusive: a CNAME cannot sit beside other data (TXT ${txt.purpose})`]]);
  });

  it("target-cname: MX and NS targets, in the zone only; a CNAME may point to a CNAME", () => {
    const cname = rec("alias", "CNAME", "x.example.net.");
    expect(all([rec("m", "MX", "10 mx.m.collectivite.fr."), rec("m", "MX", "20 mx2.example.net."), rec("mx.m", "A", "192.0.2.1")])).toEqual([]);
    expect(all([cname, rec("w", "CNAME", "alias.collectivite.fr.")])).toEqual([]);
    expect(all([cname, rec("", "NS", "alias.collectivite.fr.")])).toEqual(["collectivite.fr NS breaks target-cname: its target alias.collectivite.fr is a CNAME; MX and NS targets must be the final name"]);
    // Outside the zone, a host that merely starts like a CNAME of the zone is not one.
    expect(all([cname, rec("m", "MX", `10 alias.${"x".repeat(15)}.`), rec("m", "MX", "20 mx2.example.net.")])).toEqual([]);
    // The apex as a target (it can never be a CNAME: that is refused too).
    expect(all([rec("", "CNAME", "x.example.net."), rec("m", "MX", "10 collectivite.fr."), rec("m", "MX", "20 mx2.example.net.")])).toEqual([
      "collectivite.fr CNAME breaks cname-exclusive: the apex holds SOA and NS, it cannot be a CNAME",
      "m.collectivite.fr MX breaks target-cname: its target collectivite.fr is a CNAME; MX and NS targets must be the final name",
    ]);
  });

  it("duplicates: host names compare case-insensitively, TXT and CAA values exactly", () => {
    expect(all([rec("m", "TXT", "Hello"), rec("m", "TXT", "hello"), rec("", "CAA", '0 issue "A"'), rec("", "CAA", '0 issue "a"')])).toEqual([]);
  });

  it("which TXT records are checked as what: by value (SPF) and by name (DMARC, DKIM, TLS-RPT)", () => {
    expect(all([rec("m", "TXT", "note: v=spf1 is used here"), rec("_dmarc.m", "A", "192.0.2.1"), rec("x._smtp._tls.m", "TXT", "hello"), rec("a_domainkey.m", "TXT", "hello")])).toEqual([]);
    expect(all([rec("m", "TXT", "v=spf1")])).toEqual(['m.collectivite.fr TXT breaks spf-all: ends with "v=spf1"; it must end with -all (or ~all)']);
    expect(all([rec("_domainkey.m", "TXT", "hello"), rec("s._domainkey", "TXT", "hello")])).toEqual(["_domainkey.m.collectivite.fr TXT breaks dkim: a DKIM key record starts with v=DKIM1;", "s._domainkey.collectivite.fr TXT breaks dkim: a DKIM key record starts with v=DKIM1;"]);
    expect(all([rec("_smtp._tls", "TXT", "hello")])).toEqual(["_smtp._tls.collectivite.fr TXT breaks tls-rpt: must be v=TLSRPTv1; rua=<mailto: or https: URI>"]);
    const dmarc = "v=DMARC1; p=reject; adkim=s; aspf=s";
    expect(all([rec("_dmarc.m", "TXT", dmarc), rec("_dmarc.m", "TXT", `${dmarc}; pct=100`)])).toEqual(["_dmarc.m.collectivite.fr TXT breaks dmarc: more than one TXT record at a _dmarc name"]);
  });

  it("names: the apex, 253 characters in all, * only as the first label, never the zone itself", () => {
    const name = (n: number) => `${`${"a".repeat(63)}.`.repeat(3)}${"a".repeat(n - 192)}`;
    expect(all([rec("", "TXT", "x"), rec(name(237), "TXT", "x"), rec("*.m", "TXT", "x")])).toEqual([]);
    expect(all([rec(name(238), "TXT", "x")])).toEqual([`${name(238)}.collectivite.fr TXT breaks name: the full name exceeds 253 characters`]);
    expect(all([rec("collectivite.fr", "TXT", "x")])).toEqual(['collectivite.fr.collectivite.fr TXT breaks name: "collectivite.fr" repeats the zone; names are relative to collectivite.fr']);
    expect(all([rec("*.Mende", "TXT", "x")])).toEqual(['*.Mende.collectivite.fr TXT breaks name: label "Mende" is not 1 to 63 lowercase letters, digits, hyphens or underscores']);
    expect(all([rec("a.*", "TXT", "x")])).toEqual(['a.*.collectivite.fr TXT breaks name: label "*" is not 1 to 63 lowercase letters, digits, hyphens or underscores']);
  });
});

describe("assertValidZone's message", () => {
  const zone = () => desiredZone(smallLedger(), config(), smallDkim());
  const bad = (n: number) => Array.from({ length: n }, (_, i) => rec(`b${i}`, "A", "192.0.2.300"));
  const messageOf = (extra: DesiredRecord[]): string => {
    const z = zone();
    z.authority.push(...extra);
    try {
      assertValidZone(z);
      return "";
    } catch (e) {
      return (e as Error).message;
    }
  };
  const head = (n: string) => `the desired records are not publishable (${n}); fix the configuration's dns section, the DKIM store or the ledger:\n`;
  const line = (r: DesiredRecord) => `  ${r.name}.collectivite.fr A (${r.purpose}) breaks value: "192.0.2.300" is not an IPv4 address`;
  it("a publishable zone passes", () => expect(messageOf([])).toBe(""));
  it("one problem, then fifty, then fifty shown of fifty-one", () => {
    const one = bad(1);
    expect(messageOf(one)).toBe(head("1 problem") + line(one[0]!));
    const fifty = bad(50);
    expect(messageOf(fifty)).toBe(head("50 problems") + fifty.map(line).join("\n"));
    const more = bad(51);
    expect(messageOf(more)).toBe(head("51 problems") + [...more.slice(0, 50).map(line), "  … and 1 more"].join("\n"));
  });
});

describe("RPNT details the model keeps", () => {
  const withSets = (edit: (sets: NonNullable<ReturnType<typeof config>["dns"]>["recordSets"]) => void) => {
    const base = config();
    const sets = structuredClone(base.dns!.recordSets);
    edit(sets);
    return { ...base, dns: { ...base.dns!, recordSets: sets } };
  };
  const problems = (cfg: ReturnType<typeof config>, entries = smallLedger()) => validateZone(desiredZone(entries, cfg, smallDkim())).map((p) => `${p.rule}: ${p.message}`);

  it("the shipped DMARC records (the zone's and each commune's) have p= first after v=DMARC1", () => {
    const desired = desiredZone(smallLedger(), config(), smallDkim());
    const dmarc = [...desired.zoneRecords, ...desired.owners.flatMap((o) => o.records)].filter((r) => r.type === "TXT" && r.value.startsWith("v=DMARC1"));
    expect(dmarc.map((r) => r.name).sort()).toEqual(["_dmarc", "_dmarc.chirac", "_dmarc.marvejols", "_dmarc.mende"]); // the zone's, the Messages communes' and the alias of one
    for (const r of dmarc) expect(r.value, r.name).toMatch(/^v=DMARC1; p=(reject|quarantine);/);
    expect(problems(config())).toEqual([]);
  });

  it("refuses a configured DMARC whose sp= comes before p= (the RPNT checker reads the first p= it finds)", () => {
    const cfg = withSets((s) => {
      s.messages!.records.find((t) => t.purpose === "dmarc")!.value = "v=DMARC1; sp=reject; p=reject; adkim=s; aspf=s; rua={dmarcReports}";
    });
    const found = problems(cfg).filter((p) => p.startsWith("dmarc:"));
    expect(found).toHaveLength(3); // mende, marvejols (members), chirac (alias of mende); florac's commune has no Messages
    expect(found[0]).toMatch(/_dmarc\.\S+\.collectivite\.fr TXT \(dmarc\) breaks dmarc: p= must come right after v=DMARC1/);
  });

  it("RPNT 1.7: an enrolled commune whose www (or bare name) would not answer is refused; a delegated one is the child zone's business", () => {
    const cfg = withSets((s) => {
      s.web!.records = s.web!.records.filter((t) => t.purpose !== "www");
    });
    const found = problems(cfg).filter((p) => p.startsWith("web-both"));
    // Members and their aliases alike (an alias answers for its commune).
    expect(found.map((p) => p.split(" ")[1]).sort()).toEqual(["www.chirac.collectivite.fr", "www.florac-trois-rivieres.collectivite.fr", "www.florac.collectivite.fr", "www.marvejols.collectivite.fr", "www.mende.collectivite.fr"]);
    expect(found[0]).toMatch(/RPNT 1\.7 wants both the bare name and www to answer/);
    const delegated = smallLedger().map((e) => (e.label === "mende" ? { ...e, delegation: { nameservers: ["ns0.dom.scw.cloud"], since: e.allocatedAt } } : e));
    expect(problems(cfg, delegated).filter((p) => p.startsWith("web-both")).map((p) => p.split(" ")[1]).sort()).toEqual(["www.chirac.collectivite.fr", "www.florac-trois-rivieres.collectivite.fr", "www.florac.collectivite.fr", "www.marvejols.collectivite.fr"]);
  });
});
