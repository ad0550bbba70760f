import { describe, expect, it } from "vitest";
import { checkDkim, checkDmarc, checkMtaSts, checkSpf, checkTlsRpt, MAX_SPF_LOOKUPS, parseDmarc } from "../../src/records/mail-policies.js";

/** The mail policy checks shared by the model's validation and `verify`, value by value. */

const rules = (problems: { rule: string; why: string }[]) => problems.map((p) => `${p.rule}: ${p.why}`);

describe("SPF", () => {
  it("accepts what the model publishes and the usual mechanisms", () => {
    for (const v of ["v=spf1 -all", "v=spf1 include:_spf.mail.example.net -all", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:mail.example.net ~all", "V=SPF1 a:example.net/24 exists:%{i}.example.net ptr -all", "v=spf1 redirect=_spf.example.net -all", "v=spf1  mx  -all"]) {
      expect(rules(checkSpf(v)), v).toEqual([]);
    }
  });

  it("names each broken term", () => {
    expect(rules(checkSpf("v=spf2 -all"))).toEqual(["spf: an SPF record starts with v=spf1"]);
    expect(rules(checkSpf("v=spf1 foo -all"))).toEqual(['spf: "foo" is not a valid SPF mechanism']);
    expect(rules(checkSpf("v=spf1 include -all"))).toEqual(['spf: "include" is not a valid SPF mechanism']);
    expect(rules(checkSpf("v=spf1 ip4:300.0.0.1 -all"))).toEqual(['spf: "ip4:300.0.0.1" is not a valid SPF mechanism']);
    expect(rules(checkSpf("v=spf1 ip4:192.0.2.1/33 -all"))).toEqual(['spf: "ip4:192.0.2.1/33" is not a valid SPF mechanism']);
    expect(rules(checkSpf("v=spf1 ip6:2001:db8::/129 -all"))).toEqual(['spf: "ip6:2001:db8::/129" is not a valid SPF mechanism']);
    expect(rules(checkSpf("v=spf1 ip6:2001:db8::1 ip4:192.0.2.1 -all"))).toEqual([]);
    expect(rules(checkSpf("v=spf1 include:x.example/24 -all"))).toEqual(['spf: "include:x.example/24" is not a valid SPF mechanism']);
    expect(rules(checkSpf("v=spf1 all/24"))).toEqual(['spf: "all/24" is not a valid SPF mechanism', 'spf-all: ends with "all/24"; it must end with -all (or ~all)']);
    expect(rules(checkSpf("v=spf1 ptr/24 -all"))).toEqual(['spf: "ptr/24" is not a valid SPF mechanism']);
    expect(rules(checkSpf("v=spf1 ip4:192.0.2.1//64 -all"))).toEqual(['spf: "ip4:192.0.2.1//64" is not a valid SPF mechanism']);
    expect(rules(checkSpf("v=spf1 exp= -all"))).toEqual(['spf: modifier "exp=" has no value']);
    expect(rules(checkSpf("v=spf1 a:b:c@ -all"))).toEqual([]);
    expect(rules(checkSpf("v=spf1 ^bad -all"))).toEqual(['spf: "^bad" is not an SPF mechanism or modifier']);
  });

  it("counts DNS look-ups: ten pass, eleven fail", () => {
    const terms = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? `include:s${i}.example.net` : "mx")).join(" ");
    expect(rules(checkSpf(`v=spf1 ${terms(MAX_SPF_LOOKUPS)} -all`))).toEqual([]);
    expect(rules(checkSpf(`v=spf1 ${terms(9)} redirect=r.example.net`))).toEqual(['spf-all: ends with "redirect=r.example.net"; it must end with -all (or ~all)']);
    expect(rules(checkSpf(`v=spf1 ${terms(10)} redirect=r.example.net -all`))).toEqual(["spf-lookups: 11 DNS look-ups, more than 10 (receivers return permerror)"]);
    expect(rules(checkSpf(`v=spf1 ${terms(8)} a ptr exists:e.example.net -all`))).toEqual(["spf-lookups: 11 DNS look-ups, more than 10 (receivers return permerror)"]);
    expect(rules(checkSpf("v=spf1 ip4:192.0.2.1 ip4:192.0.2.2 ip4:192.0.2.3 ip4:192.0.2.4 ip4:192.0.2.5 ip4:192.0.2.6 ip4:192.0.2.7 ip4:192.0.2.8 ip4:192.0.2.9 ip4:192.0.2.10 ip4:192.0.2.11 -all"))).toEqual([]);
  });

  it("must end with -all or ~all, and nothing after all", () => {
    expect(rules(checkSpf("v=spf1 mx"))).toEqual(['spf-all: ends with "mx"; it must end with -all (or ~all)']);
    expect(rules(checkSpf("v=spf1 +all"))).toEqual(['spf-all: ends with "+all"; it must end with -all (or ~all)']);
    expect(rules(checkSpf("v=spf1 ?all"))).toEqual(['spf-all: ends with "?all"; it must end with -all (or ~all)']);
    expect(rules(checkSpf("v=spf1 ~all"))).toEqual([]);
    expect(rules(checkSpf("v=spf1 -all mx"))).toEqual(['spf-all: ends with "mx"; it must end with -all (or ~all)']);
    expect(rules(checkSpf("v=spf1"))).toEqual(['spf-all: ends with "v=spf1"; it must end with -all (or ~all)']);
  });
});

describe("DMARC", () => {
  const strict = "adkim=s; aspf=s";

  it("parses tag=value pairs, v=DMARC1 first", () => {
    expect([...parseDmarc(`v=DMARC1; p=reject; ${strict}; rua=mailto:d@example.net;`)!]).toEqual([["v", "DMARC1"], ["p", "reject"], ["adkim", "s"], ["aspf", "s"], ["rua", "mailto:d@example.net"]]);
    expect(parseDmarc("v=DMARC1;P = Reject")!.get("p")).toBe("Reject");
    expect(parseDmarc("p=reject; v=DMARC1")).toBeNull();
    expect(parseDmarc("v=DMARC2; p=reject")).toBeNull();
    expect(parseDmarc("v=DMARC1; p=reject; oops")).toBeNull();
    expect(parseDmarc(" v=DMARC1; p=reject")).not.toBeNull();
  });

  it("accepts the model's records", () => {
    expect(checkDmarc(`v=DMARC1; p=reject; ${strict}; rua=mailto:dmarc-rapports@suite-territoriale.anct.gouv.fr`)).toEqual([]);
    expect(checkDmarc(`v=DMARC1; p=reject; sp=reject; ${strict}; rua=mailto:a@example.net,mailto:b@example.net!10m`)).toEqual([]);
    expect(checkDmarc(`v=DMARC1; p=quarantine; sp=quarantine; np=reject; pct=100; ${strict}; ruf=mailto:f@example.net; fo=1; ri=86400`)).toEqual([]);
  });

  it("names each problem", () => {
    expect(rules(checkDmarc("v=DMARC1 p=reject"))).toEqual(["dmarc: not a DMARC record: tag=value pairs separated by ';', starting with v=DMARC1"]);
    expect(rules(checkDmarc(`v=DMARC1; ${strict}; p=reject`))).toEqual(["dmarc: p= must come right after v=DMARC1"]);
    expect(rules(checkDmarc(`v=DMARC1; ${strict}`))).toEqual(["dmarc: p= must come right after v=DMARC1", "dmarc-policy: p=(absent); the policy must be reject or quarantine"]);
    expect(rules(checkDmarc(`v=DMARC1; p=none; ${strict}`))).toEqual(["dmarc-policy: p=none; the policy must be reject or quarantine"]);
    expect(rules(checkDmarc(`v=DMARC1; p=reject; sp=none; ${strict}`))).toEqual(["dmarc-policy: sp=none; must be reject or quarantine"]);
    expect(rules(checkDmarc(`v=DMARC1; p=reject; np=none; ${strict}`))).toEqual(["dmarc-policy: np=none; must be reject or quarantine"]);
    expect(rules(checkDmarc(`v=DMARC1; p=reject; pct=99; ${strict}`))).toEqual(["dmarc-pct: pct=99; a pct below 100 applies the policy to only part of the mail"]);
    expect(rules(checkDmarc(`v=DMARC1; p=reject; ${strict}; foo=bar`))).toEqual(['dmarc: unknown tag "foo"']);
    expect(rules(checkDmarc("v=DMARC1; p=reject; adkim=x; aspf=s"))).toEqual(["dmarc: adkim=x; must be r or s"]);
    expect(rules(checkDmarc(`v=DMARC1; p=reject; ${strict}; rua=d@example.net`))).toEqual(["dmarc: rua=d@example.net; must be mailto: addresses separated by commas"]);
    expect(rules(checkDmarc(`v=DMARC1; p=reject; ${strict}; ruf=mailto:f@example`))).toEqual(["dmarc: ruf=mailto:f@example; must be mailto: addresses separated by commas"]);
  });

  it("refuses relaxed alignment, explicit or by default", () => {
    expect(rules(checkDmarc("v=DMARC1; p=reject; adkim=r; aspf=r"))).toEqual([
      "dmarc-alignment: adkim=r (relaxed); the communes share the organisational domain, so alignment must be strict: adkim=s",
      "dmarc-alignment: aspf=r (relaxed); the communes share the organisational domain, so alignment must be strict: aspf=s",
    ]);
    expect(rules(checkDmarc("v=DMARC1; p=reject; aspf=s"))).toEqual(["dmarc-alignment: adkim absent (relaxed by default); the communes share the organisational domain, so alignment must be strict: adkim=s"]);
  });
});

describe("DKIM, TLS-RPT, MTA-STS", () => {
  it("DKIM: v=DKIM1 first and a base64 p=", () => {
    expect(checkDkim("v=DKIM1; k=rsa; p=QUJD")).toEqual([]);
    expect(checkDkim("v=DKIM1;p=QUJD\n RA==")).toEqual([]);
    expect(checkDkim("v=DKIM1")).toEqual(["the p= public key is missing or empty"]);
    expect(checkDkim("k=rsa; v=DKIM1; p=QUJD")).toEqual(["a DKIM key record starts with v=DKIM1;"]);
    expect(checkDkim("v=DKIM1; p=")).toEqual(["the p= public key is missing or empty"]);
    expect(checkDkim("v=DKIM1; p=QU*D")).toEqual(["p= is not base64"]);
    expect(checkDkim("v=DKIM1; p=QUJD===")).toEqual(["p= is not base64"]);
  });

  it("TLS-RPT: mailto: or https: URIs", () => {
    expect(checkTlsRpt("v=TLSRPTv1; rua=mailto:tls@example.net")).toEqual([]);
    expect(checkTlsRpt("v=TLSRPTv1;rua=mailto:a@example.net,https://r.example.net/x;")).toEqual([]);
    expect(checkTlsRpt("v=TLSRPTv1; rua=http://r.example.net")).toEqual(["rua=http://r.example.net is not a list of mailto: or https: URIs"]);
    expect(checkTlsRpt("v=TLSRPTv1")).toEqual(["must be v=TLSRPTv1; rua=<mailto: or https: URI>"]);
  });

  it("MTA-STS: an id of 1 to 32 letters or digits", () => {
    expect(checkMtaSts("v=STSv1; id=20260301")).toEqual([]);
    expect(checkMtaSts(`v=STSv1; id=${"a".repeat(33)}`)).toEqual(["must be v=STSv1; id=<1 to 32 letters or digits>"]);
  });
});

/**
 * Edges found by mutation testing (`npm run mutation`): each assertion fails when one
 * character of a check is changed (an anchor dropped, a bound moved, `every` made `some`).
 */
describe("edges of each check", () => {
  it("SPF: the whole value and the whole term are checked, not a part of them", () => {
    expect(rules(checkSpf("  v=spf1 mx -all "))).toEqual([]);
    expect(rules(checkSpf("v=spf1 include:ex\u00e4mple.net -all"))).toEqual(['spf: "include:ex\u00e4mple.net" is not a valid SPF mechanism']);
    expect(rules(checkSpf("v=spf1 1x=foo -all"))).toEqual(['spf: "1x=foo" is not an SPF mechanism or modifier']);
    expect(rules(checkSpf("v=spf1 exp=a\nb -all"))).toEqual(['spf: "exp=a\nb" is not an SPF mechanism or modifier']);
    expect(rules(checkSpf("v=spf1 mx:a.example/24x -all"))).toEqual(['spf: "mx:a.example/24x" is not an SPF mechanism or modifier']);
  });

  it("SPF: each mechanism takes only its own arguments", () => {
    expect(rules(checkSpf("v=spf1 all:x.example -all"))).toEqual(['spf: "all:x.example" is not a valid SPF mechanism']);
    expect(rules(checkSpf("v=spf1 a: mx: ptr: -all"))).toEqual(['spf: "a:" is not a valid SPF mechanism', 'spf: "mx:" is not a valid SPF mechanism', 'spf: "ptr:" is not a valid SPF mechanism']);
    expect(rules(checkSpf("v=spf1 ptr:example.net -all"))).toEqual([]);
    expect(rules(checkSpf("v=spf1 foo:192.0.2.1 bar:2001:db8::1 -all"))).toEqual(['spf: "foo:192.0.2.1" is not a valid SPF mechanism', 'spf: "bar:2001:db8::1" is not a valid SPF mechanism']);
    expect(rules(checkSpf("v=spf1 ip4:192.0.2.1/32 ip6:2001:db8::1/128 -all"))).toEqual([]);
  });

  it("SPF: only redirect among modifiers costs a look-up; a bare redirect is refused and still counted", () => {
    const ten = Array.from({ length: 10 }, (_, i) => `include:s${i}.example.net`).join(" ");
    expect(rules(checkSpf(`v=spf1 ${ten} exp=explain.example.net -all`))).toEqual([]);
    expect(rules(checkSpf(`v=spf1 ${ten} redirect -all`))).toEqual(['spf: "redirect" is not a valid SPF mechanism', "spf-lookups: 11 DNS look-ups, more than 10 (receivers return permerror)"]);
  });

  it("DMARC: every RFC 7489 tag is known; a tag is a whole name=value part", () => {
    expect(rules(checkDmarc("v=DMARC1; p=reject; adkim=s; aspf=s; rf=afrf; psd=n; t=y"))).toEqual([]);
    expect(parseDmarc("v=DMARC1; p=reject; 9x=1")).toBeNull();
    expect(parseDmarc("v=DMARC1; p=reject\nx")).toBeNull();
  });

  it("DMARC: every report address is checked whole; a size suffix is optional", () => {
    const rua = (v: string) => rules(checkDmarc(`v=DMARC1; p=reject; adkim=s; aspf=s; rua=${v}`));
    expect(rua("mailto:a@example.net, mailto:b@example.net!10")).toEqual([]);
    for (const bad of ["mailto:a@example.net,b@example.net", "xmailto:a@example.net", "mailto:a@example.net!10x"]) {
      expect(rua(bad), bad).toEqual([`dmarc: rua=${bad}; must be mailto: addresses separated by commas`]);
    }
  });

  it("DKIM: v=DKIM1 then ; or the end; a p= of blanks is empty", () => {
    expect(checkDkim("v=DKIM1 ; p=QUJD")).toEqual([]);
    expect(checkDkim("v=DKIM1x; p=QUJD")).toEqual(["a DKIM key record starts with v=DKIM1;"]);
    expect(checkDkim("v=DKIM1; p= ")).toEqual(["the p= public key is missing or empty"]);
  });

  it("TLS-RPT and MTA-STS: the whole value, every URI", () => {
    expect(checkTlsRpt("v=TLSRPTv1; rua=mailto:a@example.net, https://r.example.net")).toEqual([]);
    for (const bad of ["xv=TLSRPTv1; rua=mailto:a@example.net", "v=TLSRPTv1x; rua=mailto:a@example.net"]) expect(checkTlsRpt(bad), bad).toEqual(["must be v=TLSRPTv1; rua=<mailto: or https: URI>"]);
    for (const bad of ["mailto:a@example.net,http://r.example.net", "xmailto:a@example.net", "mailto:a@example.net/x"]) expect(checkTlsRpt(`v=TLSRPTv1; rua=${bad}`), bad).toEqual([`rua=${bad} is not a list of mailto: or https: URIs`]);
    expect(checkMtaSts("v=STSv1;id=1")).toEqual([]);
    for (const bad of ["xv=STSv1; id=1", "v=STSv1x; id=1"]) expect(checkMtaSts(bad), bad).toEqual(["must be v=STSv1; id=<1 to 32 letters or digits>"]);
  });
});
